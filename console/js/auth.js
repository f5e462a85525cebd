// Sign-in: OAuth 2.0 authorization code with PKCE (S256), as Cognito's
// hosted UI speaks it (/oauth2/authorize, /oauth2/token, /logout). Locally
// `make dev` serves the same endpoints under /dev, so this code path is the
// one used in production. Tokens live in sessionStorage: gone with the tab.
import { claimsOf } from './format.js';

const config = () => window.ADUAN_CONFIG ?? {};
const KEY = 'aduan.session';
const PENDING = 'aduan.pending';

/** The console's own address, without query or hash: the redirect URI. */
export const redirectUri = () => `${location.origin}${location.pathname}`;

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const random = (n) => base64url(crypto.getRandomValues(new Uint8Array(n)));

export async function challengeOf(verifier) {
  return base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
}

/** To the sign-in page, remembering the verifier and state for the return. */
export async function login() {
  const verifier = random(48);
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, hash: location.hash }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config().clientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    code_challenge_method: 'S256',
    code_challenge: await challengeOf(verifier),
    state,
  });
  location.assign(`${config().authUrl}/oauth2/authorize?${query}`);
}

/**
 * Back from the sign-in page with `?code=&state=`: exchanges the code.
 * Returns an error message (Indonesian) when it fails, else null.
 */
export async function completeLogin() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  history.replaceState(null, '', `${redirectUri()}${pending?.hash ?? ''}`);
  if (params.has('error') || !pending || params.get('state') !== pending.state) {
    return 'Proses masuk gagal atau kedaluwarsa. Silakan coba lagi.';
  }
  const response = await fetch(`${config().authUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: config().clientId,
      code: params.get('code'),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) return 'Server masuk menolak permintaan. Silakan coba lagi.';
  const { id_token: idToken } = await response.json();
  sessionStorage.setItem(KEY, idToken);
  return null;
}

/** The signed-in official (`token`, `name`, `role`, `scope`), or null when signed out or expired. */
export function session() {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    const claims = claimsOf(token);
    if (claims.exp * 1000 <= Date.now()) return null;
    return {
      token,
      sub: claims.sub,
      name: claims.name ?? claims.email ?? claims.sub,
      role: claims['custom:role'],
      scope: claims['custom:scope'],
    };
  } catch {
    return null;
  }
}

export const canAct = (s) => s?.role === 'officer' || s?.role === 'admin';
export const isAdmin = (s) => s?.role === 'admin';

export function logout() {
  sessionStorage.removeItem(KEY);
  const query = new URLSearchParams({ client_id: config().clientId, logout_uri: redirectUri() });
  location.assign(`${config().authUrl}/logout?${query}`);
}

export function forget() {
  sessionStorage.removeItem(KEY);
}
