// The queue: the caller's cases, filtered and ordered, with counts.
import { h, show, field, options } from './dom.js';
import { catalogue, queue } from './api.js';
import { STATUS, KIND, arrange, counts, date, dateTime } from './format.js';
import { kelurahanInScope } from './places.js';

// Filters survive a visit to a case and back.
const state = { status: 'open', kind: '', kelurahan: '', overdueOnly: false, order: 'newest' };
export async function render(session, explain) {
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Memuat antrean…'));
  let places;
  try {
    places = await catalogue();
  } catch (error) {
    show(h('h1', {}, 'Antrean kasus'), h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  // The kelurahan of the caller's scope, by name: the filter's choices.
  const known = kelurahanInScope(places);
  const reload = () => load(list, explain);
  show(h('h1', {}, 'Antrean kasus'), h('p', { class: 'muted' }, `Wilayah: ${places.scope_name}`), filters(known, reload), list);
  await reload();
}

function filters(known, reload) {
  const status = h('select', { name: 'status' }, options([['open', 'Semua yang terbuka'], ['', 'Semua status'],
    ...Object.entries(STATUS)], state.status));
  const kind = h('select', { name: 'kind' }, options([['', 'Semua jenis'], ...Object.entries(KIND)], state.kind));
  const kelurahan = h('select', { name: 'kelurahan' }, options([['', 'Semua kelurahan'],
    ...[...known].sort((a, b) => a[1].localeCompare(b[1]))], state.kelurahan));
  const order = h('select', { name: 'order' }, options([['newest', 'Terbaru dulu'], ['overdue', 'Paling lewat batas dulu']], state.order));
  const overdue = h('input', { type: 'checkbox', id: 'f-overdue', name: 'overdue', checked: state.overdueOnly });
  const form = h('form', { class: 'card filters', role: 'search', 'aria-label': 'Saring antrean' },
    field('f-status', 'Status', status),
    field('f-kind', 'Jenis', kind),
    known.length > 1 ? field('f-kelurahan', 'Kelurahan', kelurahan) : null,
    field('f-order', 'Urutan', order),
    h('label', { class: 'check', for: 'f-overdue' }, overdue, 'Hanya yang lewat batas'),
    h('button', { type: 'submit' }, 'Terapkan'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    Object.assign(state, {
      status: status.value, kind: kind.value, kelurahan: known.length > 1 ? kelurahan.value : '',
      order: order.value, overdueOnly: overdue.checked,
    });
    reload();
  });
  return form;
}

async function load(list, explain) {
  const params = {};
  if (state.status) params.status = state.status;
  if (state.kind) params.kind = state.kind;
  if (state.kelurahan) params.jurisdiction = state.kelurahan;
  let result;
  try {
    result = await queue(params);
  } catch (error) {
    list.replaceChildren(h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  const shown = arrange(result.cases, state);
  const n = counts(result.cases);
  const summary = h('ul', { class: 'counts', 'aria-label': 'Jumlah kasus' },
    h('li', {}, h('strong', {}, n.total), ' kasus'),
    h('li', {}, h('strong', {}, n.overdue), ' lewat batas'),
    Object.entries(n.byStatus).filter(([, v]) => v > 0).map(([s, v]) => h('li', {}, `${STATUS[s]}: `, h('strong', {}, v))));
  const items = shown.map((c) => h('li', {}, h('a', { href: `#/kasus/${encodeURIComponent(c.ticket)}` },
    h('span', { class: 'ticket' }, c.ticket),
    h('span', { class: 'where' }, `${KIND[c.kind] ?? c.kind} · ${c.area_name}`),
    h('span', {}, h('span', { class: `badge s-${c.status}` }, STATUS[c.status] ?? c.status), ' ',
      c.overdue ? h('span', { class: 'badge overdue' }, 'Lewat batas') : null),
    h('span', { class: 'desc' }, c.description,
      c.description_truncated ? h('span', { class: 'muted' }, ' (terpotong: buka kasus untuk teks lengkap)') : null),
    h('span', { class: 'muted' }, `Masuk ${date(c.created_at)}`),
    h('span', { class: 'muted' }, c.due_at ? `Batas ${dateTime(c.due_at)}` : ''))));
  list.replaceChildren(h('div', {}, summary,
    result.complete ? null : h('p', { class: 'info' }, 'Hanya 500 kasus terbaru yang dimuat; persempit saringan untuk melihat yang lain.'),
    items.length ? h('ul', { class: 'cases', 'aria-label': 'Daftar kasus' }, items) : h('p', { class: 'muted' }, 'Tidak ada kasus untuk saringan ini.')));
}
