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
  const agencies = [...catalogue.agencies]
    .sort((a, b) => Number(suggested(b)) - Number(suggested(a)))
    .map((a) => ({
      value: a.escalate_to,
      label: a.label,
      detail: suggested(a) ? `${a.name} · disarankan untuk kategori ${c.category}` : a.name,
      terms: [a.name, a.short, ...a.aliases, ...a.categories].filter(Boolean),
      suggested: suggested(a),
    }));
  return [...tierChoices, ...agencies];
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
