// The pickers' choices and search (js/places.js), from a catalogue shaped
// as GET /jurisdictions answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  escalationChoices, forwardChoices, kelurahanInScope, reclassifyChoices, search, unitKelurahan, unitPath, words,
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

test('an RW or RT is typed as staff write it', () => {
  const kel = `${MKS}/garegeh`;
  assert.equal(unitPath(kel, 'RW 01 RT 02'), `${kel}/rw-01/rt-02`);
  assert.equal(unitPath(kel, 'rw 1/rt 2'), `${kel}/rw-01/rt-02`);
  assert.equal(unitPath(kel, 'RW-3'), `${kel}/rw-03`);
  assert.equal(unitPath(kel, 'RT 02'), null, 'an RT is named with its RW');
  assert.equal(unitPath(null, 'RW 01'), null);
});
