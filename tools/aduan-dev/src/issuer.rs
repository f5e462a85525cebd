//! The development issuer: HS256 ID tokens for a few seeded officials, the
//! check API Gateway's JWT authorizer makes (signature, `iss`, `aud`, `exp`),
//! and the authorization-code flow with PKCE that Cognito's hosted UI speaks
//! (`/oauth2/authorize`, `/oauth2/token`), so the console signs in locally
//! exactly as deployed. Development only: the key is public, in this file.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The audience (the "client id") of the development tokens.
pub const AUDIENCE: &str = "aduan-dev";
/// How long a development token is valid.
pub const TOKEN_LIFETIME_SECS: i64 = 8 * 3600;
const KEY: &[u8] = b"aduan-dev-issuer: development only, not a secret";

/// A seeded official.
#[derive(Debug, Clone, Copy)]
pub struct Official {
    pub id: &'static str,
    pub name: &'static str,
    pub role: &'static str,
    pub scope: &'static str,
}

pub const OFFICIALS: &[Official] = &[
    Official {
        id: "lurah-garegeh",
        name: "Lurah Garegeh",
        role: "officer",
        scope: "bukittinggi/mandiangin-koto-selayan/garegeh",
    },
    Official {
        id: "camat-mks",
        name: "Camat Mandiangin Koto Selayan",
        role: "officer",
        scope: "bukittinggi/mandiangin-koto-selayan",
    },
    Official {
        id: "walikota",
        name: "Wali Kota Bukittinggi",
        role: "admin",
        scope: "bukittinggi",
    },
    Official {
        id: "pupr",
        name: "Dinas PUPR",
        role: "officer",
        scope: "bukittinggi/dinas/pupr",
    },
    Official {
        id: "pengamat",
        name: "Pengamat Kota",
        role: "viewer",
        scope: "bukittinggi",
    },
];

pub fn official(id: &str) -> Option<&'static Official> {
    OFFICIALS.iter().find(|o| o.id == id)
}

/// What the authorizer passes to the function, as API Gateway does.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    /// Every claim as a string (API Gateway stringifies them).
    pub claims: HashMap<String, String>,
    /// The `scope` claim split on spaces; none in an ID token.
    pub scopes: Option<Vec<String>>,
}

/// How long an authorization code may wait for its exchange.
pub const CODE_LIFETIME_SECS: i64 = 300;

#[derive(Debug, Clone)]
pub struct Issuer {
    /// `iss` of the tokens: `http://127.0.0.1:<port>/dev`.
    pub issuer: String,
    /// Codes handed out and not yet exchanged: each works once.
    codes: Arc<Mutex<HashMap<String, Grant>>>,
}

/// What a sign-in asked for (the query of `/oauth2/authorize`), checked.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    /// `base64url(sha256(code_verifier))`: only `S256` is accepted, as Cognito.
    pub code_challenge: String,
    pub state: Option<String>,
}

/// A code handed out, waiting for its exchange.
#[derive(Debug, Clone)]
struct Grant {
    official: &'static Official,
    request: AuthorizeRequest,
    expires: i64,
}

/// Why a sign-in or an exchange is refused; the codes are OAuth 2.0's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    #[error("invalid_request: {0}")]
    InvalidRequest(&'static str),
    #[error("invalid_client: unknown client_id")]
    InvalidClient,
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
    #[error("unsupported_grant_type: only authorization_code")]
    UnsupportedGrantType,
}

impl OAuthError {
    /// The `error` field of RFC 6749's error answer.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
        }
    }
}

impl AuthorizeRequest {
    /// The parameters of `/oauth2/authorize` (query or form). Redirects go
    /// to this machine only: the issuer must not hand codes elsewhere.
    pub fn parse(params: &HashMap<String, String>) -> Result<Self, OAuthError> {
        let get = |name| params.get(name).map(String::as_str).filter(|v| !v.is_empty());
        if get("response_type") != Some("code") {
            return Err(OAuthError::InvalidRequest("response_type must be code"));
        }
        let client_id = get("client_id").ok_or(OAuthError::InvalidRequest("client_id missing"))?;
        if client_id != AUDIENCE {
            return Err(OAuthError::InvalidClient);
        }
        let redirect_uri = get("redirect_uri").ok_or(OAuthError::InvalidRequest("redirect_uri missing"))?;
        let local = [
            "http://127.0.0.1:",
            "http://127.0.0.1/",
            "http://localhost:",
            "http://localhost/",
        ];
        if !local.iter().any(|prefix| redirect_uri.starts_with(prefix)) {
            return Err(OAuthError::InvalidRequest("redirect_uri must be on this machine"));
        }
        if get("code_challenge_method") != Some("S256") {
            return Err(OAuthError::InvalidRequest("code_challenge_method must be S256"));
        }
        let code_challenge = get("code_challenge")
            .filter(|c| c.len() == 43 && URL_SAFE_NO_PAD.decode(c).is_ok())
            .ok_or(OAuthError::InvalidRequest(
                "code_challenge must be base64url of a SHA-256",
            ))?;
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            code_challenge: code_challenge.to_owned(),
            state: get("state").map(str::to_owned),
        })
    }
}

/// The PKCE challenge of a verifier (`S256`).
pub fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Issuer {
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            codes: Arc::default(),
        }
    }

    /// The official chose to sign in: the URL to send the browser back to,
    /// with a single-use code (and the request's `state`).
    pub fn grant(&self, official: &'static Official, request: AuthorizeRequest) -> String {
        let code = ulid::Ulid::new().to_string();
        let mut redirect = request.redirect_uri.clone();
        redirect.push(if redirect.contains('?') { '&' } else { '?' });
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("code", &code);
        if let Some(state) = &request.state {
            query.append_pair("state", state);
        }
        redirect.push_str(&query.finish());
        let now = chrono::Utc::now().timestamp();
        let mut codes = self.codes.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        codes.retain(|_, grant| grant.expires > now);
        codes.insert(
            code,
            Grant {
                official,
                request,
                expires: now + CODE_LIFETIME_SECS,
            },
        );
        redirect
    }

    /// `/oauth2/token` with `grant_type=authorization_code`: the ID token
    /// for a code handed out by [`Issuer::grant`], once, to the same client
    /// and redirect URI, with the verifier of its challenge.
    pub fn exchange(&self, form: &HashMap<String, String>) -> Result<String, OAuthError> {
        let get = |name| form.get(name).map(String::as_str).unwrap_or_default();
        if get("grant_type") != "authorization_code" {
            return Err(OAuthError::UnsupportedGrantType);
        }
        // Taken out whatever follows: a code is spent by its first use.
        let grant = self
            .codes
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .remove(get("code"))
            .ok_or(OAuthError::InvalidGrant("unknown or used code"))?;
        if grant.expires <= chrono::Utc::now().timestamp() {
            return Err(OAuthError::InvalidGrant("code expired"));
        }
        if get("client_id") != grant.request.client_id {
            return Err(OAuthError::InvalidClient);
        }
        if get("redirect_uri") != grant.request.redirect_uri {
            return Err(OAuthError::InvalidGrant(
                "redirect_uri differs from the authorization's",
            ));
        }
        if challenge(get("code_verifier")) != grant.request.code_challenge {
            return Err(OAuthError::InvalidGrant(
                "code_verifier does not match the challenge",
            ));
        }
        Ok(self.token(grant.official))
    }

    /// An ID token for `official` that expires at `exp` (Unix seconds).
    pub fn mint(&self, official: &Official, exp: i64) -> String {
        let claims = json!({
            "iss": self.issuer,
            "aud": AUDIENCE,
            "sub": official.id,
            "name": official.name,
            "custom:scope": official.scope,
            "custom:role": official.role,
            "token_use": "id",
            "iat": chrono::Utc::now().timestamp(),
            "exp": exp,
        });
        sign(&json!({"alg": "HS256", "typ": "JWT"}), &claims, KEY)
    }

    /// A token valid for [`TOKEN_LIFETIME_SECS`] from now.
    pub fn token(&self, official: &Official) -> String {
        self.mint(official, chrono::Utc::now().timestamp() + TOKEN_LIFETIME_SECS)
    }

    /// The value of an `Authorization` header (`Bearer ` optional, as with
    /// API Gateway): the claims if the token is valid now.
    pub fn verify(&self, authorization: &str) -> Option<Verified> {
        let token = authorization.trim();
        let token = token
            .strip_prefix("Bearer ")
            .or_else(|| token.strip_prefix("bearer "))
            .unwrap_or(token)
            .trim();
        let mut parts = token.split('.');
        let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let alg: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).ok()?).ok()?;
        if alg["alg"] != "HS256" {
            return None;
        }
        let mut mac = Hmac::<Sha256>::new_from_slice(KEY).expect("HMAC takes any key length");
        mac.update(format!("{header}.{payload}").as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).ok()?).ok()?;
        let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let audience_ok = match &claims["aud"] {
            Value::String(aud) => aud == AUDIENCE,
            Value::Array(auds) => auds.iter().any(|a| a == AUDIENCE),
            _ => false,
        };
        let fresh = claims["exp"].as_i64()? > chrono::Utc::now().timestamp();
        if claims["iss"] != self.issuer.as_str() || !audience_ok || !fresh {
            return None;
        }
        let claims: HashMap<String, String> = claims
            .as_object()?
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
        let scopes = claims
            .get("scope")
            .map(|s| s.split_whitespace().map(str::to_owned).collect());
        Some(Verified { claims, scopes })
    }
}

/// `header.payload.signature`, HS256 with `key`.
pub fn sign(header: &Value, claims: &Value, key: &[u8]) -> String {
    let signed = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(signed.as_bytes());
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issuer() -> Issuer {
        Issuer::new("http://127.0.0.1:3000/dev")
    }

    #[test]
    fn verifies_its_own_tokens_and_passes_the_claims() {
        let lurah = official("lurah-garegeh").unwrap();
        let verified = issuer()
            .verify(&format!("Bearer {}", issuer().token(lurah)))
            .unwrap();
        assert_eq!(verified.claims["custom:scope"], lurah.scope);
        assert_eq!(verified.claims["custom:role"], "officer");
        assert_eq!(verified.claims["sub"], "lurah-garegeh");
        assert!(verified.claims["exp"].parse::<i64>().is_ok());
        assert_eq!(verified.scopes, None);
    }

    #[test]
    fn rejects_forged_expired_and_foreign_tokens() {
        let lurah = official("lurah-garegeh").unwrap();
        let now = chrono::Utc::now().timestamp();
        assert!(issuer().verify(&issuer().mint(lurah, now - 1)).is_none());
        let other_port = Issuer::new("http://127.0.0.1:3001/dev");
        assert!(issuer().verify(&other_port.token(lurah)).is_none());
        let token = issuer().token(lurah);
        let claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(token.split('.').nth(1).unwrap()).unwrap())
                .unwrap();
        let forged = sign(&json!({"alg": "HS256"}), &claims, b"another key");
        assert!(issuer().verify(&forged).is_none());
        let mut promoted = claims.clone();
        promoted["custom:role"] = json!("admin");
        let (head, _) = token.split_once('.').unwrap();
        let sig = token.rsplit('.').next().unwrap();
        let tampered = format!("{head}.{}.{sig}", URL_SAFE_NO_PAD.encode(promoted.to_string()));
        assert!(issuer().verify(&tampered).is_none());
        let mut wrong_aud = claims;
        wrong_aud["aud"] = json!("someone-else");
        assert!(issuer()
            .verify(&sign(&json!({"alg": "HS256"}), &wrong_aud, KEY))
            .is_none());
        assert!(issuer().verify("").is_none());
        assert!(issuer().verify("Bearer not.a.jwt").is_none());
    }

    const VERIFIER: &str = "a-long-random-verifier-of-the-console-0123456789";

    fn authorize(redirect: &str) -> HashMap<String, String> {
        [
            ("response_type", "code"),
            ("client_id", AUDIENCE),
            ("redirect_uri", redirect),
            ("code_challenge_method", "S256"),
            ("code_challenge", &challenge(VERIFIER)),
            ("state", "xyz"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    fn code_of(redirect: &str) -> (String, String) {
        let query = redirect.split_once('?').unwrap().1;
        let params: HashMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        (params["code"].clone(), params["state"].clone())
    }

    fn token_form(code: &str, verifier: &str, redirect: &str) -> HashMap<String, String> {
        [
            ("grant_type", "authorization_code"),
            ("client_id", AUDIENCE),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirect),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn rfc7636_s256_example() {
        assert_eq!(
            challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn code_and_pkce_flow_gives_the_officials_token_once() {
        let issuer = issuer();
        let redirect = "http://127.0.0.1:3000/console/";
        let request = AuthorizeRequest::parse(&authorize(redirect)).unwrap();
        let lurah = official("lurah-garegeh").unwrap();
        let back = issuer.grant(lurah, request);
        assert!(back.starts_with(redirect), "{back}");
        let (code, state) = code_of(&back);
        assert_eq!(state, "xyz");

        // A wrong verifier spends the code: the right one cannot follow it.
        assert_eq!(
            issuer.exchange(&token_form(&code, "another-verifier", redirect)),
            Err(OAuthError::InvalidGrant(
                "code_verifier does not match the challenge"
            ))
        );
        assert!(issuer.exchange(&token_form(&code, VERIFIER, redirect)).is_err());

        let (code, _) = code_of(&issuer.grant(lurah, AuthorizeRequest::parse(&authorize(redirect)).unwrap()));
        let token = issuer.exchange(&token_form(&code, VERIFIER, redirect)).unwrap();
        let verified = issuer.verify(&token).unwrap();
        assert_eq!(verified.claims["sub"], "lurah-garegeh");
        assert_eq!(
            issuer.exchange(&token_form(&code, VERIFIER, redirect)),
            Err(OAuthError::InvalidGrant("unknown or used code"))
        );

        let (code, _) = code_of(&issuer.grant(lurah, AuthorizeRequest::parse(&authorize(redirect)).unwrap()));
        assert!(matches!(
            issuer.exchange(&token_form(&code, VERIFIER, "http://127.0.0.1:3000/elsewhere")),
            Err(OAuthError::InvalidGrant(_))
        ));
        let mut wrong_grant = token_form("x", VERIFIER, redirect);
        wrong_grant.insert("grant_type".into(), "password".into());
        assert_eq!(
            issuer.exchange(&wrong_grant),
            Err(OAuthError::UnsupportedGrantType)
        );
    }

    #[test]
    fn authorize_requests_are_checked() {
        let ok = authorize("http://localhost:3000/console/");
        assert!(AuthorizeRequest::parse(&ok).is_ok());
        for (key, value, error) in [
            ("response_type", "token", "invalid_request"),
            ("client_id", "someone-else", "invalid_client"),
            ("redirect_uri", "https://evil.example/", "invalid_request"),
            (
                "redirect_uri",
                "http://127.0.0.1.evil.example/",
                "invalid_request",
            ),
            ("code_challenge_method", "plain", "invalid_request"),
            ("code_challenge", "short", "invalid_request"),
        ] {
            let mut params = ok.clone();
            params.insert(key.to_owned(), value.to_owned());
            assert_eq!(
                AuthorizeRequest::parse(&params).unwrap_err().code(),
                error,
                "{key}={value}"
            );
        }
    }
}
