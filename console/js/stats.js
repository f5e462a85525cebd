// Figures for the caller's scope: cases by week and status, by kelurahan,
// and the median time to verify and to resolve (GET /stats).
import { h, show, field, options } from './dom.js';
import { get } from './api.js';
import { KIND, STATUS, date, hours } from './format.js';

let days = '90';

export async function render(session, explain) {
  const period = h('select', { name: 'period' }, options([['30', '30 hari terakhir'], ['90', '90 hari terakhir'], ['365', '1 tahun terakhir']], days));
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Memuat statistik…'));
  const scope = h('p', { class: 'muted' });
  period.addEventListener('change', () => { days = period.value; load(body, explain, scope); });
  show(h('h1', {}, 'Statistik'), scope,
    h('div', { class: 'card' }, field('s-period', 'Periode (kasus yang masuk)', period)), body);
  await load(body, explain, scope);
}

async function load(body, explain, scope) {
  const since = new Date(Date.now() - Number(days) * 86400000).toISOString();
  let s;
  try {
    s = await get(`/stats?${new URLSearchParams({ since })}`);
  } catch (error) {
    body.replaceChildren(h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  scope?.replaceChildren(`Wilayah: ${s.scope_name}`);
  body.replaceChildren(
    h('div', { class: 'figures' },
      figure('Kasus masuk', s.total), figure('Selesai', s.resolved),
      figure('Median waktu verifikasi', hours(s.median_hours_to_verify)),
      figure('Median waktu penyelesaian', hours(s.median_hours_to_resolve))),
    h('section', { class: 'card', 'aria-labelledby': 'h-week' }, h('h2', { id: 'h-week' }, 'Kasus per minggu, menurut status'), weekly(s.by_week ?? {})),
    h('section', { class: 'card', 'aria-labelledby': 'h-kel' }, h('h2', { id: 'h-kel' }, 'Kasus per kelurahan'),
      bars(Object.entries(s.by_kelurahan).map(([k, v]) => [s.kelurahan_names[k] ?? 'Belum ditentukan', v]))),
    h('section', { class: 'card', 'aria-labelledby': 'h-time' }, h('h2', { id: 'h-time' }, 'Waktu verifikasi dan penyelesaian (median)'),
      bars([['Sampai diverifikasi', s.median_hours_to_verify], ['Sampai selesai', s.median_hours_to_resolve]], hours)),
    h('section', { class: 'card', 'aria-labelledby': 'h-kind' }, h('h2', { id: 'h-kind' }, 'Kasus per jenis'),
      bars(Object.entries(s.by_kind).map(([k, v]) => [KIND[k] ?? k, v]))),
  );
}

const figure = (label, value) => h('div', {}, h('strong', {}, value), label);

const COLOURS = Object.fromEntries(Object.keys(STATUS).map((s) => [s, `var(--s-${s})`]));

/** Stacked columns by week, with a legend and the same figures as a table. */
function weekly(byWeek) {
  const weeks = Object.keys(byWeek).sort();
  if (!weeks.length) return h('p', { class: 'muted' }, 'Belum ada kasus pada periode ini.');
  const total = (w) => Object.values(byWeek[w]).reduce((a, b) => a + b, 0);
  const max = Math.max(...weeks.map(total));
  const present = Object.keys(STATUS).filter((s) => weeks.some((w) => byWeek[w][s]));
  const columns = weeks.map((w) => h('div', { class: 'col', 'aria-hidden': 'true' },
    h('span', { class: 'lbl' }, total(w)),
    h('div', { class: 'stack' }, present.filter((s) => byWeek[w][s]).map((s) => h('div', {
      class: 'seg', title: `${STATUS[s]}: ${byWeek[w][s]}`,
      style: `height:${(byWeek[w][s] / max) * 9}rem;background:${COLOURS[s]}`,
    }))),
    h('span', { class: 'lbl' }, date(w).replace(/ \d{4}$/, ''))));
  const table = h('table', {},
    h('caption', { class: 'visually-hidden' }, 'Kasus per minggu (tanggal Senin) dan status'),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Minggu mulai'), present.map((s) => h('th', { scope: 'col' }, STATUS[s])))),
    h('tbody', {}, weeks.map((w) => h('tr', {}, h('th', { scope: 'row' }, date(w)), present.map((s) => h('td', {}, byWeek[w][s] ?? 0))))));
  return [
    h('div', { class: 'chart', role: 'img', 'aria-label': `Grafik batang ${weeks.length} minggu; rinciannya ada di tabel data` }, columns),
    h('ul', { class: 'legend' }, present.map((s) => h('li', {}, h('i', { style: `background:${COLOURS[s]}` }), STATUS[s]))),
    h('details', {}, h('summary', {}, 'Tabel data'), table),
  ];
}

/** Horizontal bars, each labelled with its figure. */
function bars(rows, format = (v) => v) {
  const values = rows.map(([, v]) => v ?? 0);
  const max = Math.max(1, ...values);
  if (!rows.length) return h('p', { class: 'muted' }, 'Belum ada data.');
  return h('ul', { class: 'hbars' }, rows.map(([label, v]) => h('li', {},
    h('span', {}, label),
    h('span', { class: 'bar', style: `width:${((v ?? 0) / max) * 100}%`, 'aria-hidden': 'true' }),
    h('span', {}, format(v)))));
}
