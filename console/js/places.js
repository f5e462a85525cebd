// Choices built from GET /jurisdictions (pure: no DOM, no network; tested
// in tests/places.test.mjs): where a case may be moved, to whom it may be
// escalated, and the search the pickers run on names and aliases.

/** The ladder's tiers from the lowest, as the API orders them (shared/src/domain/ladder.rs). */
const TIER_ORDER = ['rt', 'rw', 'kelurahan', 'kecamatan', 'kota'];

/** Lowercase words without accents or punctuation: "Guguak-Bulek" → ["guguak", "bulek"]. */
export function words(text) {
  return (text ?? '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .split(/[^a-z0-9]+/).filter(Boolean);
}

/**
 * The choices matching `query`: each word of the query starts a word of the
 * choice's label, name, aliases or other `terms` ("kayu" finds "Kelurahan
 * Kayu Kubu", "guguk bul" finds the alias "Campago Guguk Bulek"). Order kept.
 */
export function search(choices, query) {
  const wanted = words(query);
  if (!wanted.length) return choices;
  return choices.filter((choice) => {
    const have = words([choice.label, choice.detail, ...(choice.terms ?? [])].join(' '));
    return wanted.every((w) => have.some((h) => h.startsWith(w)));
  });
}

/** The kelurahan (and RW/RT) the caller may move `c` to: every one the API accepts but the case's own. */
export function reclassifyChoices(catalogue, c) {
  return catalogue.nodes
    .filter((n) => n.reclassify && n.path !== c.jurisdiction)
    .map((n) => ({ value: n.path, label: n.label, terms: [n.name, ...n.aliases] }));
}

/**
 * Where `c` may be escalated, as the API's ladder allows: a higher tier of
 * the ladder, or any agency, from an area tier (the agencies handling the
 * case's category first, marked suggested); from an agency, only the top tier.
 */
export function escalationChoices(catalogue, c) {
  const tiers = catalogue.tiers.map((t) => t.tier);
  const top = tiers[tiers.length - 1];
  const fromAgency = c.level.startsWith('dinas:');
  const above = (t) => (fromAgency ? t === top : TIER_ORDER.indexOf(t) > TIER_ORDER.indexOf(c.level));
  const tierChoices = catalogue.tiers.filter((t) => above(t.tier))
    .map((t) => ({ value: t.tier, label: t.label, detail: 'Tingkat wilayah', terms: [] }));
  if (fromAgency) return tierChoices;
  const suggested = (a) => Boolean(c.category) && a.categories.includes(c.category);
  return [...tierChoices, ...agencyChoices(catalogue.agencies, c, suggested)];
}

/** The agencies as choices, the suggested ones first and marked. */
function agencyChoices(agencies, c, suggested) {
  return [...agencies]
    .sort((a, b) => Number(suggested(b)) - Number(suggested(a)))
    .map((a) => ({
      value: a.escalate_to,
      label: a.label,
      detail: suggested(a) ? `${a.name} · disarankan untuk kategori ${c.category}` : a.name,
      terms: [a.name, a.short, ...a.aliases, ...a.categories].filter(Boolean),
      suggested: suggested(a),
    }));
}

/** The kelurahan inside the caller's scope, for the queue's filter. */
export const kelurahanInScope = (catalogue) => catalogue.nodes
  .filter((n) => n.within_scope && n.kind === 'kelurahan')
  .map((n) => [n.path, n.label]);

/** The kelurahan whose RT and RW the caller may see: those inside the
 * scope, or the one an RW's or RT's own scope lies in. */
export const unitKelurahan = (catalogue) => catalogue.nodes
  .filter((n) => n.kind === 'kelurahan' && (n.within_scope || catalogue.scope.startsWith(`${n.path}/`)))
  .map((n) => [n.path, n.label]);

const DESTINATION_DETAIL = { kota: 'Pemerintah kota', kecamatan: 'Kecamatan', kelurahan: 'Kelurahan' };

/**
 * Where `c` may be forwarded (GET /jurisdictions' `destinations` and
 * agencies): the dinas the API suggests for the case's category first,
 * then the other agencies, then the kota, every kecamatan and kelurahan.
 * The office that has the case now is left out; an RW or RT is typed
 * (`unitPath`), as the tree does not list them.
 */
export function forwardChoices(catalogue, c) {
  const others = catalogue.agencies.filter((a) => a.escalate_to !== c.level);
  const agencies = agencyChoices(others, c, (a) => a.escalate_to === c.suggested_agency);
  const holder = c.level.startsWith('dinas:') || c.handed_down_to ? null : holderPath(c);
  const places = (catalogue.destinations ?? [])
    .filter((d) => d.path !== holder)
    .map((d) => ({ value: d.path, label: d.label, detail: DESTINATION_DETAIL[d.kind] ?? d.kind, terms: [d.name, ...d.aliases] }));
  return [...agencies, ...places];
}

/** The area node at the case's tier (as the API's `Case::holder`). */
function holderPath(c) {
  const depth = { kota: 1, kecamatan: 2, kelurahan: 3 }[c.level];
  return depth ? c.area.split('/').slice(0, depth).join('/') : null;
}

/**
 * An RW or RT typed as staff write it ("RW 01 RT 02", "rw 1/rt 2") under
 * `kelurahan`: `<kelurahan>/rw-01/rt-02`; null when no RW is named.
 */
export function unitPath(kelurahan, text) {
  const rw = /rw\s*-?\s*(\d{1,3})/i.exec(text ?? '');
  if (!kelurahan || !rw) return null;
  const rt = /rt\s*-?\s*(\d{1,3})/i.exec(text);
  const pad = (n) => n.padStart(2, '0');
  return `${kelurahan}/rw-${pad(rw[1])}${rt ? `/rt-${pad(rt[1])}` : ''}`;
}
