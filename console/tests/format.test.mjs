// The console's pure helpers (js/format.js), under node's test runner.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  arrange, claimsOf, counts, duration, explainError, explainUnitError, hours, level, needsReload, publicPhotoChoices,
  replyWindow,
} from '../js/format.js';

const at = (iso) => Date.parse(iso);

test('the 24-hour window runs from the citizen\'s last message', () => {
  const timeline = [
    { at: '2026-11-28T01:00:00Z', actor: { type: 'citizen' }, body: { type: 'message' } },
    { at: '2026-11-28T05:00:00Z', actor: { type: 'citizen' }, body: { type: 'message' } },
    // Ours do not reopen it, nor do the citizen's non-messages (a rating).
    { at: '2026-11-28T09:00:00Z', actor: { type: 'official', name: 'Rina' }, body: { type: 'outbound' } },
    { at: '2026-11-28T10:00:00Z', actor: { type: 'citizen' }, body: { type: 'rated' } },
  ];
  const open = replyWindow(timeline, at('2026-11-29T02:00:00Z'));
  assert.equal(open.open, true);
  assert.equal(open.closesAt, '2026-11-29T05:00:00.000Z');
  assert.equal(open.remainingMs, 3 * 3600 * 1000);
  const closed = replyWindow(timeline, at('2026-11-29T05:00:00Z'));
  assert.deepEqual([closed.open, closed.remainingMs], [false, 0]);
  assert.equal(replyWindow([], at('2026-11-29T05:00:00Z')).open, false);
});

test('most overdue first: overdue by earliest due, then by due, none last', () => {
  const c = (ticket, overdue, due, created) => ({ ticket, overdue, due_at: due, created_at: created });
  const cases = [
    c('A', false, '2026-12-05T00:00:00Z', '2026-11-28T00:00:00Z'),
    c('B', true, '2026-11-20T00:00:00Z', '2026-11-10T00:00:00Z'),
    c('C', false, null, '2026-11-29T00:00:00Z'),
    c('D', true, '2026-11-10T00:00:00Z', '2026-11-01T00:00:00Z'),
    c('E', false, '2026-12-01T00:00:00Z', '2026-11-27T00:00:00Z'),
  ];
  const tickets = (list) => list.map((x) => x.ticket).join('');
  assert.equal(tickets(arrange(cases, { order: 'overdue' })), 'DBEAC');
  assert.equal(tickets(arrange(cases, { order: 'newest' })), 'CAEBD');
  assert.equal(tickets(arrange(cases, { overdueOnly: true })), 'BD');
  assert.equal(cases[0].ticket, 'A', 'the input is left as it was');
});

test('counts by status and overdue', () => {
  const n = counts([{ status: 'received', overdue: true }, { status: 'received' }, { status: 'resolved' }]);
  assert.equal(n.total, 3);
  assert.equal(n.overdue, 1);
  assert.equal(n.byStatus.received, 2);
  assert.equal(n.byStatus.closed, 0);
});

test('levels and durations read as officials say them', () => {
  assert.equal(level('dinas:pupr'), 'Dinas PUPR');
  assert.equal(level('kecamatan'), 'Kecamatan');
  assert.equal(duration(3 * 3600e3 + 5 * 60e3), '3 jam 5 menit');
  assert.equal(duration(50 * 3600e3), '2 hari 2 jam');
  assert.equal(hours(5.25), '5,3 jam');
  assert.equal(hours(72), '3 hari');
  assert.equal(hours(null), '–');
});

test('a version conflict is explained and reloads the case', () => {
  const conflict = { code: 'version_conflict', version: 4 };
  assert.ok(needsReload(conflict));
  assert.match(explainError(409, conflict), /diubah oleh petugas lain/);
  assert.match(explainError(409, { code: 'illegal_transition', status: 'closed' }), /"Ditutup"/);
  assert.ok(!needsReload({ code: 'invalid_request' }));
  assert.match(explainError(401, {}), /masuk kembali/);
  assert.match(explainError(403, { code: 'outside_scope', field: 'kelurahan' }), /di luar wilayah Anda/);
});

test('the RT and RW routes\' refusals are explained in their own words', () => {
  assert.match(explainUnitError(409, { code: 'unit_has_rts' }), /masih memiliki RT/);
  assert.match(explainUnitError(409, { code: 'rw_missing' }), /RW-nya dulu/);
  assert.match(explainUnitError(409, { code: 'version_conflict' }), /RT\/RW/);
  assert.match(explainUnitError(400, { code: 'invalid_csv', problems: [] }), /tidak diimpor/);
  assert.equal(explainUnitError(401, {}), explainError(401, {}));
});

test('claims are read from the token\'s payload (UTF-8 names too)', () => {
  const payload = Buffer.from(JSON.stringify({ name: 'Lurah Garegéh', 'custom:role': 'viewer' })).toString('base64url');
  const claims = claimsOf(`e30.${payload}.sig`);
  assert.equal(claims.name, 'Lurah Garegéh');
  assert.equal(claims['custom:role'], 'viewer');
});

test('only stored JPEG, PNG and WebP photos may be made public, newest first', () => {
  const message = (at, actor, media_type, mime_type, stored, caption) => ({
    at, actor, body: { type: 'message', stored, content: { type: 'media', media_type, media_id: `M-${at}`, mime_type, caption } },
  });
  const citizen = { type: 'citizen' };
  const lurah = { type: 'official', name: 'Pak Lurah' };
  const timeline = [
    message('2026-12-01T01:00:00Z', citizen, 'image', 'image/jpeg', 'stored', 'lubang di depan SD'),
    message('2026-12-01T02:00:00Z', citizen, 'image', 'image/svg+xml', 'stored'),
    message('2026-12-01T03:00:00Z', citizen, 'video', 'video/mp4', 'stored'),
    message('2026-12-01T04:00:00Z', citizen, 'image', 'image/png', 'pending'),
    message('2026-12-02T05:00:00Z', lurah, 'image', 'IMAGE/WEBP', 'stored'),
    { at: '2026-12-02T06:00:00Z', actor: citizen, body: { type: 'message', content: { type: 'text', body: 'sdh pak' } } },
  ];
  const choices = publicPhotoChoices(timeline);
  assert.deepEqual(choices.map((c) => c.mediaId), ['M-2026-12-02T05:00:00Z', 'M-2026-12-01T01:00:00Z']);
  assert.match(choices[0].label, /^Foto Pak Lurah · /);
  assert.match(choices[1].label, /^Foto warga · .* · lubang di depan SD$/);
});
