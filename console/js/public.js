// The public record, without sign-in (`#/publik`): a month's counts per
// kecamatan and kelurahan and the resolved cases with what was done
// (GET /public/stats, GET /public/cases). No token is sent.
import { h, show, field } from './dom.js';
import { KIND, date } from './format.js';

const thisMonth = () => new Date(Date.now() + 7 * 3600000).toISOString().slice(0, 7);
let month = thisMonth();

async function fetchPublic(path) {
  const response = await fetch(`${window.ADUAN_CONFIG.apiUrl}${path}`);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(data.error?.message ?? `HTTP ${response.status}`), { status: response.status, error: data.error ?? {} });
  return data;
}

const days = (d) => (d === null || d === undefined ? '–' : `${String(d).replace('.', ',')} hari kerja`);
const closed = (c) => Object.values(c.closed).reduce((a, b) => a + b, 0);

export async function render(explain) {
  const picker = h('input', { type: 'month', id: 'p-month', name: 'month', value: month, max: thisMonth() });
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Memuat…'));
  picker.addEventListener('change', () => { if (picker.value) { month = picker.value; load(body, explain); } });
  show(h('h1', {}, 'Catatan Publik Pengaduan'),
    h('p', {}, 'Apa yang sudah dikerjakan pemerintah kota atas laporan warga lewat WhatsApp. Tidak memuat nama, nomor, atau kata-kata pelapor.'),
    h('div', { class: 'card' }, field('p-month', 'Bulan laporan masuk', picker)), body);
  await load(body, explain);
}

async function load(body, explain) {
  let stats; let list;
  try {
    const query = `?${new URLSearchParams({ month })}`;
    [stats, list] = await Promise.all([fetchPublic(`/public/stats${query}`), fetchPublic(`/public/cases${query}`)]);
  } catch (error) {
    body.replaceChildren(h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  const k = stats.kota;
  body.replaceChildren(
    h('div', { class: 'figures' },
      figure('Laporan masuk', k.received), figure('Diselesaikan', k.resolved),
      figure('Median sampai diverifikasi', days(k.median_working_days_to_verify)),
      figure('Median sampai selesai', days(k.median_working_days_to_resolve))),
    h('section', { class: 'card', 'aria-labelledby': 'h-areas' }, h('h2', { id: 'h-areas' }, 'Per kecamatan dan kelurahan'), areas(stats)),
    h('section', { class: 'card', 'aria-labelledby': 'h-done' }, h('h2', { id: 'h-done' }, 'Laporan yang diselesaikan'), resolved(list.cases)),
    stats.complete && list.complete ? null : h('p', { class: 'muted' }, 'Bulan ini memuat lebih banyak laporan daripada yang dapat ditampilkan sekaligus.'));
}

const figure = (label, value) => h('div', {}, h('strong', {}, value), label);

function areas(stats) {
  const row = (a, scope, cls) => h('tr', { class: cls },
    h('th', { scope }, a.name), h('td', {}, a.received), h('td', {}, a.open.received), h('td', {}, a.open.verified),
    h('td', {}, a.open.in_progress), h('td', {}, a.resolved), h('td', {}, closed(a)),
    h('td', {}, days(a.median_working_days_to_resolve)));
  return h('table', {},
    h('caption', { class: 'visually-hidden' }, `Laporan masuk bulan ${month} per kecamatan dan kelurahan, menurut keadaannya sekarang`),
    h('thead', {}, h('tr', {}, ['Wilayah', 'Masuk', 'Menunggu verifikasi', 'Diverifikasi', 'Dikerjakan', 'Diselesaikan', 'Ditutup', 'Median sampai selesai']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, stats.kecamatan.map((kec) => [row(kec, 'row', 'kec'), kec.kelurahan.map((kel) => row(kel, 'row'))])));
}

function resolved(cases) {
  if (!cases.length) return h('p', { class: 'muted' }, 'Belum ada laporan yang diselesaikan pada bulan ini.');
  return h('ul', { class: 'public-list' }, cases.map((c) => h('li', {},
    h('h3', {}, `${c.ticket} · ${KIND[c.kind] ?? c.kind}${c.category ? ` · ${c.category}` : ''}`),
    h('p', { class: 'muted' }, `${c.area_name} · masuk ${date(c.received_at)} · selesai ${date(c.resolved_at)}`),
    h('p', {}, c.public_summary ?? 'Ringkasan belum ditulis petugas.'),
    c.photo_url ? h('img', { src: c.photo_url, alt: `Foto laporan ${c.ticket}`, loading: 'lazy', class: 'public-photo' }) : null)));
}
