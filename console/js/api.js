// The officials' API (openapi.yaml), with the signed-in official's ID token.
import { session, forget } from './auth.js';

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.error = error ?? {};
  }
}

export async function call(method, path, body, type = 'application/json') {
  const s = session();
  const response = await fetch(`${window.ADUAN_CONFIG.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${s?.token ?? ''}`,
      ...(body != null ? { 'content-type': type } : {}),
    },
    body: body == null || typeof body === 'string' ? (body ?? undefined) : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) forget();
  if (!response.ok) throw new ApiError(response.status, data.error ?? { message: data.message });
  return data;
}

export const get = (path) => call('GET', path);

let places = null;
/** GET /jurisdictions, once per sign-in: the tree changes only with a deployment. */
export function catalogue() {
  const token = session()?.token;
  if (places?.token !== token) {
    const promise = get('/jurisdictions').catch((error) => { places = null; throw error; });
    places = { token, promise };
  }
  return places.promise;
}
export const post = (path, body) => call('POST', path, body);
/** A CSV file's text, as `text/csv`. */
export const postCsv = (path, text) => call('POST', path, text, 'text/csv');
export const ticketPath = (ticket) => `/cases/${encodeURIComponent(ticket)}`;
/** A kelurahan's or unit's route: `/units/` and the path, slashes kept. */
export const unitsPath = (path) => `/units/${path.split('/').map(encodeURIComponent).join('/')}`;

/** Up to `pages` pages of the queue for `params`. */
export async function queue(params, pages = 5) {
  const cases = [];
  let cursor = null;
  for (let i = 0; i < pages; i += 1) {
    const query = new URLSearchParams({ ...params, limit: '100', ...(cursor ? { cursor } : {}) });
    const page = await get(`/cases?${query}`);
    cases.push(...page.cases);
    cursor = page.next_cursor;
    if (!cursor) return { cases, complete: true };
  }
  return { cases, complete: false };
}

/** A case and its timeline, following `next_cursor` for up to `pages` pages; `more` loads the rest. */
export async function caseDetail(ticket, pages = 10) {
  const detail = await get(ticketPath(ticket));
  const rest = await timelinePages(ticket, detail.next_cursor, pages - 1);
  return { ...detail, timeline: [...detail.timeline, ...rest.timeline], next_cursor: rest.next_cursor };
}

/** A page of a case's audit trail (admins), newest first, older than `cursor`. */
export const auditPage = (ticket, cursor) =>
  get(`${ticketPath(ticket)}/audit?${new URLSearchParams({ limit: '50', ...(cursor ? { cursor } : {}) })}`);

/** Up to `pages` further pages of a case's timeline from `cursor`. */
export async function timelinePages(ticket, cursor, pages = 10) {
  const timeline = [];
  let next = cursor;
  for (let i = 0; i < pages && next; i += 1) {
    const page = await get(`${ticketPath(ticket)}?${new URLSearchParams({ cursor: next })}`);
    timeline.push(...page.timeline);
    next = page.next_cursor;
  }
  return { timeline, next_cursor: next ?? null };
}
