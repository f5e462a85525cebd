// The pickers' choices and search (js/places.js), from a catalogue shaped
// as GET /jurisdictions answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  escalationChoices, forwardChoices, handDownChoices, handDownKelurahan, kelurahanInScope, reclassifyChoices, search,
  unitKelurahan, words,
} from '../js/places.js';

const MKS = 'bukittinggi/mandiangin-koto-selayan';
const node = (path, name, kind, extra = {}) => ({
  path, name, kind, aliases: [], label: kind === 'kelurahan' ? `Kelurahan ${name}, Kecamatan Mandiangin Koto Selayan` : name,
  within_scope: true, reclassify: kind === 'kelurahan', ...extra,
});
const catalogue = {
  scope: MKS,
  scope_name: 'Kecamatan Mandiangin Koto Selayan',
  nodes: [
    node('bukittinggi', 'Kota Bukittinggi', 'kota', { within_scope: false }),
    node(MKS, 'Mandiangin Koto Selayan', 'kecamatan'),
    node(`${MKS}/garegeh`, 'Garegeh', 'kelurahan'),
    node(`${MKS}/campago-guguak-bulek`, 'Campago Guguak Bulek', 'kelurahan', { aliases: ['Campago Guguk Bulek'] }),
  ],
  agencies: [
    { path: 'bukittinggi/dinas/dlh', name: 'Dinas Lingkungan Hidup', short: 'DLH', aliases: [], label: 'DLH', categories: ['sampah'], escalate_to: 'dinas:dlh' },
    { path: 'bukittinggi/dinas/pupr', name: 'Dinas Pekerjaan Umum dan Penataan Ruang', short: 'PUPR', aliases: [], label: 'Dinas PUPR', categories: ['jalan', 'drainase'], escalate_to: 'dinas:pupr' },
  ],
  tiers: [{ tier: 'kelurahan', label: 'Kelurahan' }, { tier: 'kecamatan', label: 'Kecamatan' }, { tier: 'kota', label: 'Kota' }],
};

test('search finds names and aliases by the start of their words, any case or punctuation', () => {
  const choices = reclassifyChoices(catalogue, { jurisdiction: null });
  assert.deepEqual(words('Guguak-Bulek!'), ['guguak', 'bulek']);
  assert.deepEqual(search(choices, 'gare').map((c) => c.label), ['Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan']);
  assert.equal(search(choices, 'guguk bul')[0].value, `${MKS}/campago-guguak-bulek`);
  assert.equal(search(choices, '').length, 2);
  assert.equal(search(choices, 'egeh').length, 0);
});

test('a case is moved only where the API accepts, never to where it is', () => {
  const values = reclassifyChoices(catalogue, { jurisdiction: `${MKS}/garegeh` }).map((c) => c.value);
  assert.deepEqual(values, [`${MKS}/campago-guguak-bulek`]);
  assert.deepEqual(kelurahanInScope(catalogue).map(([p]) => p), [`${MKS}/garegeh`, `${MKS}/campago-guguak-bulek`]);
});

test('escalation offers higher tiers and the agencies, the category\'s dinas first', () => {
  const fromKelurahan = escalationChoices(catalogue, { level: 'kelurahan', category: 'jalan' });
  assert.deepEqual(fromKelurahan.map((c) => c.value), ['kecamatan', 'kota', 'dinas:pupr', 'dinas:dlh']);
  assert.equal(fromKelurahan[2].suggested, true);
  assert.equal(search(fromKelurahan, 'drainase')[0].value, 'dinas:pupr');
  const fromKecamatan = escalationChoices(catalogue, { level: 'kecamatan', category: null });
  assert.deepEqual(fromKecamatan.map((c) => c.value), ['kota', 'dinas:dlh', 'dinas:pupr']);
  // From an agency the ladder allows only its top, and no other agency.
  assert.deepEqual(escalationChoices(catalogue, { level: 'dinas:pupr' }).map((c) => c.value), ['kota']);
  assert.deepEqual(escalationChoices(catalogue, { level: 'kota' }).map((c) => c.value), ['dinas:dlh', 'dinas:pupr']);
});

test('RT and RW are kept for the kelurahan in scope, or the one an RT\'s login lies in', () => {
  assert.deepEqual(unitKelurahan(catalogue).map(([p]) => p), [`${MKS}/garegeh`, `${MKS}/campago-guguak-bulek`]);
  const rtHead = {
    ...catalogue,
    scope: `${MKS}/garegeh/rw-03/rt-01`,
    nodes: catalogue.nodes.map((n) => ({ ...n, within_scope: false })),
  };
  assert.deepEqual(unitKelurahan(rtHead).map(([p]) => p), [`${MKS}/garegeh`]);
});

test('forward choices: the suggested dinas first, the whole city, never where the case is', () => {
  const withDestinations = {
    ...catalogue,
    destinations: [
      { path: 'bukittinggi', kind: 'kota', name: 'Kota Bukittinggi', aliases: [], label: 'Kota Bukittinggi' },
      { path: MKS, kind: 'kecamatan', name: 'Mandiangin Koto Selayan', aliases: [], label: 'Kecamatan Mandiangin Koto Selayan' },
      { path: `${MKS}/garegeh`, kind: 'kelurahan', name: 'Garegeh', aliases: [], label: 'Kelurahan Garegeh' },
    ],
  };
  const c = { level: 'kelurahan', area: `${MKS}/garegeh`, category: 'jalan', suggested_agency: 'dinas:pupr' };
  const values = forwardChoices(withDestinations, c).map((x) => x.value);
  assert.deepEqual(values, ['dinas:pupr', 'dinas:dlh', 'bukittinggi', MKS]);
  assert.equal(forwardChoices(withDestinations, c)[0].suggested, true);
  const atPupr = { ...c, level: 'dinas:pupr', suggested_agency: null };
  assert.deepEqual(forwardChoices(withDestinations, atPupr).map((x) => x.value),
    ['dinas:dlh', 'bukittinggi', MKS, `${MKS}/garegeh`]);
});

// GET /units/{kelurahan} as the API answers it: each RW followed by its RTs.
const GAREGEH = `${MKS}/garegeh`;
const unit = (rw, rt, head) => ({
  path: `${GAREGEH}/rw-0${rw}${rt ? `/rt-0${rt}` : ''}`, kind: rt ? 'rt' : 'rw', rw, ...(rt ? { rt } : {}),
  name: rt ? `RT 0${rt} / RW 0${rw}` : `RW 0${rw}`, label: '', head_name: head, has_whatsapp: false, version: 1,
});
const units = {
  kelurahan: GAREGEH,
  kelurahan_name: 'Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan',
  may_edit: true,
  units: [unit(3, null, 'Pak Syafri'), unit(3, 1, 'Bu Yenni'), unit(3, 2, 'Pak Datuak'), unit(4, null, 'Bu Rosna')],
};
const atKelurahan = { level: 'kelurahan', area: GAREGEH, category: null, suggested_agency: null };

test('a kelurahan\'s case is handed down to its RWs and RTs, by name and head', () => {
  assert.equal(handDownKelurahan(atKelurahan), GAREGEH);
  const choices = handDownChoices(units, atKelurahan);
  assert.deepEqual(choices.map((c) => c.label),
    ['RW 03 · Pak Syafri', 'RT 01 / RW 03 · Bu Yenni', 'RT 02 / RW 03 · Pak Datuak', 'RW 04 · Bu Rosna']);
  assert.deepEqual(choices.map((c) => c.value), units.units.map((u) => u.path));
  assert.ok(choices.every((c) => !c.label.includes('/rw-') && !c.detail.includes('garegeh')), 'a path on screen');
  // Staff write "rw 3", "RT 1 RW 3", or the head's name.
  assert.deepEqual(search(choices, 'rw 3').map((c) => c.value), units.units.slice(0, 3).map((u) => u.path));
  assert.deepEqual(search(choices, 'rt 1 rw 3').map((c) => c.label), ['RT 01 / RW 03 · Bu Yenni']);
  assert.deepEqual(search(choices, 'rosna').map((c) => c.label), ['RW 04 · Bu Rosna']);
});

test('an RW holding the case hands it on to a unit, never to itself', () => {
  const atRw = { ...atKelurahan, level: 'rw', handed_down_to: `${GAREGEH}/rw-03` };
  assert.deepEqual(handDownChoices(units, atRw).map((c) => c.label),
    ['RT 01 / RW 03 · Bu Yenni', 'RT 02 / RW 03 · Pak Datuak', 'RW 04 · Bu Rosna']);
  // An RW's own login reads only its units: its RTs are what is left.
  const ownUnits = { ...units, may_edit: false, units: units.units.slice(0, 3) };
  assert.deepEqual(handDownChoices(ownUnits, atRw).map((c) => c.label), ['RT 01 / RW 03 · Bu Yenni', 'RT 02 / RW 03 · Pak Datuak']);
  const atRt = { ...atKelurahan, level: 'rt', handed_down_to: `${GAREGEH}/rw-03/rt-01` };
  assert.ok(!handDownChoices(units, atRt).some((c) => c.value === atRt.handed_down_to));
});

test('no hand-down above the kelurahan, at a dinas, into another kelurahan, or without the units', () => {
  for (const c of [
    { ...atKelurahan, level: 'kecamatan' },
    { ...atKelurahan, level: 'dinas:pupr', agency: 'bukittinggi/dinas/pupr' },
    { level: 'kota', area: 'bukittinggi' },
  ]) {
    assert.deepEqual(handDownChoices(units, c), [], c.level);
  }
  assert.equal(handDownKelurahan({ level: 'kelurahan', area: MKS }), null, 'a case whose kelurahan is not known');
  const elsewhere = { ...atKelurahan, area: `${MKS}/campago-guguak-bulek` };
  assert.deepEqual(handDownChoices(units, elsewhere), [], 'units of another kelurahan');
  assert.deepEqual(handDownChoices(null, atKelurahan), []);
  assert.deepEqual(handDownChoices({ error: { status: 503 } }, atKelurahan), [], 'units that did not load');
});

test('in the forward picker the RWs and RTs follow the suggested dinas, before the rest', () => {
  const c = { ...atKelurahan, category: 'jalan', suggested_agency: 'dinas:pupr' };
  const values = forwardChoices({ ...catalogue, destinations: [] }, c, units).map((x) => x.value);
  assert.deepEqual(values, ['dinas:pupr', ...units.units.map((u) => u.path), 'dinas:dlh']);
  const handedBack = { ...c, level: 'rw', handed_down_to: `${GAREGEH}/rw-03` };
  const back = forwardChoices({
    ...catalogue,
    destinations: [{ path: GAREGEH, kind: 'kelurahan', name: 'Garegeh', aliases: [], label: 'Kelurahan Garegeh' }],
  }, handedBack, units).map((x) => x.value);
  assert.ok(back.includes(GAREGEH), 'the hand-back to the kelurahan');
  assert.ok(!back.includes(`${GAREGEH}/rw-03`), 'the RW holding it');
});
