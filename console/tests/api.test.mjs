// The console's API client (js/api.js) against a stand-in fetch: how it
// follows a case's timeline pages.
import test from 'node:test';
import assert from 'node:assert/strict';

globalThis.window = { ADUAN_CONFIG: { apiUrl: 'https://api.example' } };
globalThis.sessionStorage = { getItem: () => null, removeItem: () => {} };
const { auditPage, caseDetail, timelinePages } = await import('../js/api.js');

/** A case of `n` events served 2 a page, recording the URLs asked for. */
function serve(n) {
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(url);
    const cursor = Number(new URL(url).searchParams.get('cursor') ?? 0);
    const timeline = [cursor, cursor + 1].filter((i) => i < n).map((i) => ({ id: String(i + 1) }));
    const last = cursor + timeline.length;
    const body = { case: { ticket: 'ADU-0001' }, timeline, next_cursor: last < n ? String(last) : null };
    return { status: 200, ok: true, json: async () => body };
  };
  return asked;
}

test('a case\'s timeline follows next_cursor up to a number of pages, then says where it stopped', async () => {
  const asked = serve(7);
  const detail = await caseDetail('ADU-0001', 3);
  assert.deepEqual(detail.timeline.map((e) => e.id), ['1', '2', '3', '4', '5', '6']);
  assert.equal(detail.next_cursor, '6');
  assert.deepEqual(asked, ['https://api.example/cases/ADU-0001', 'https://api.example/cases/ADU-0001?cursor=2',
    'https://api.example/cases/ADU-0001?cursor=4']);
  const rest = await timelinePages('ADU-0001', detail.next_cursor);
  assert.deepEqual([rest.timeline.map((e) => e.id), rest.next_cursor], [['7'], null]);
});

test('a short timeline is one request', async () => {
  const asked = serve(2);
  const detail = await caseDetail('ADU-0001');
  assert.deepEqual([detail.timeline.length, detail.next_cursor, asked.length], [2, null, 1]);
});

test('the audit is read a page at a time, older pages by cursor', async () => {
  const asked = [];
  globalThis.fetch = async (url) => {
    asked.push(url);
    return { status: 200, ok: true, json: async () => ({ ticket: 'ADU-0001', entries: [], next_cursor: null }) };
  };
  await auditPage('ADU-0001');
  await auditPage('ADU-0001', '2026-12-03T01:02:03.004Z#01JDEXAMPLE');
  assert.deepEqual(asked, ['https://api.example/cases/ADU-0001/audit?limit=50',
    'https://api.example/cases/ADU-0001/audit?limit=50&cursor=2026-12-03T01%3A02%3A03.004Z%2301JDEXAMPLE']);
});
