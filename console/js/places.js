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
 * agencies, and `units`, the kelurahan's RWs and RTs from GET /units when
 * the case may be handed down): the dinas the API suggests for the case's
 * category first, then the RWs and RTs, the other agencies, then the kota,
 * every kecamatan and kelurahan. The office that has the case now is left out.
 */
export function forwardChoices(catalogue, c, units = null) {
  const others = catalogue.agencies.filter((a) => a.escalate_to !== c.level);
  const agencies = agencyChoices(others, c, (a) => a.escalate_to === c.suggested_agency);
  const holder = holderPath(c);
  const places = (catalogue.destinations ?? [])
    .filter((d) => d.path !== holder)
    .map((d) => ({ value: d.path, label: d.label, detail: DESTINATION_DETAIL[d.kind] ?? d.kind, terms: [d.name, ...d.aliases] }));
  const suggested = agencies.filter((a) => a.suggested);
  return [...suggested, ...handDownChoices(units, c), ...agencies.filter((a) => !a.suggested), ...places];
}

/** The office that has the case now (as the API's `Case::holder`). */
function holderPath(c) {
  if (c.handed_down_to) return c.handed_down_to;
  const depth = { kota: 1, kecamatan: 2, kelurahan: 3, rw: 4, rt: 5 }[c.level];
  return depth ? c.area.split('/').slice(0, depth).join('/') : c.agency;
}

/**
 * The kelurahan whose RWs and RTs `c` may be handed down to: its own, while
 * it is held at the kelurahan or below (the API's rule); else null.
 */
export function handDownKelurahan(c) {
  const segments = c.area.split('/');
  return ['kelurahan', 'rw', 'rt'].includes(c.level) && segments.length >= 3 ? segments.slice(0, 3).join('/') : null;
}

/**
 * `units` (GET /units/{kelurahan}) as choices for `c`: "RW 03 · Pak Syafri",
 * each RW followed by its RTs; only when they are the case's own
 * kelurahan's, and never the one holding it. Found by name, head and number ("rw 3").
 */
export function handDownChoices(units, c) {
  const kelurahan = handDownKelurahan(c);
  if (!units || !kelurahan || units.kelurahan !== kelurahan) return [];
  const holder = holderPath(c);
  return units.units
    .filter((u) => u.path !== holder)
    .map((u) => ({
      value: u.path,
      label: `${u.name} · ${u.head_name}`,
      detail: `${u.rt ? 'RT' : 'RW'} · kasus tetap di antrean kelurahan`,
      terms: [String(u.rw), u.rt ? String(u.rt) : null].filter(Boolean),
    }));
}
