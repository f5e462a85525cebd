// The lembar disposisi: the case as one printed A4 sheet for the office's
// paper file. On screen it is not shown (style.css); printing the case page
// shows only it. The hand-overs only (opening, status changes,
// escalations, reclassifications), not every message; the citizen's text
// as the API gives it, long numbers masked; never the reporter's number,
// which the API never sends.
import { h } from './dom.js';
import {
  CLOSED_AS, DIRECTION, KIND, STATUS, dateTime, level,
} from './format.js';

const HANDOVERS = ['opened', 'status_changed', 'escalated', 'forwarded', 'closed', 'reclassified'];

function handover(body) {
  switch (body.type) {
    case 'opened':
      return `Diterima dari warga (WhatsApp), tingkat ${level(body.level)}`;
    case 'status_changed':
      return `${STATUS[body.from] ?? body.from} → ${STATUS[body.to] ?? body.to}${body.note ? `: ${body.note}` : ''}`;
    case 'escalated':
      return `Eskalasi ${body.from_name} → ${body.to_name}${body.reason ? `: ${body.reason}` : ''}`;
    case 'forwarded':
      return `${DIRECTION[body.direction] ?? 'Dialihkan'} ${body.from_name} → ${body.to_name}: ${body.reason}`;
    case 'closed':
      return `Ditutup: ${CLOSED_AS[body.closure?.as] ?? body.closure?.as}${body.note ? `: ${body.note}` : ''}`;
    default:
      return `Klasifikasi ulang: ${[
        body.kind ? `jenis ${KIND[body.kind] ?? body.kind}` : null,
        body.category ? `kategori ${body.category}` : null,
        body.jurisdiction ? `wilayah ${body.jurisdiction_name}` : null,
      ].filter(Boolean).join(', ')}`;
  }
}

const who = (e) => (e.actor?.type === 'official' ? e.actor.name : e.actor?.type === 'citizen' ? 'Warga' : 'Sistem');

// What fits one A4 sheet with the signature space: a longer text or history
// is cut, saying so (the console has all of it).
const TEXT_CHARS = 1200;
const ROWS = 12;

export function dispositionSheet(c, timeline) {
  const all = timeline.filter((e) => HANDOVERS.includes(e.body?.type));
  const rows = all.slice(-ROWS);
  const text = c.description.length > TEXT_CHARS ? `${c.description.slice(0, TEXT_CHARS)}… (terpotong; teks lengkap di konsol)` : c.description;
  const fact = (label, value) => [h('th', { scope: 'row' }, label), h('td', {}, value)];
  return h('section', { class: 'sheet', 'aria-label': 'Lembar disposisi (untuk dicetak)' },
    h('header', {},
      h('p', { class: 'sheet-org' }, c.area_name),
      h('h2', {}, 'Lembar Disposisi Pengaduan Warga'),
      h('p', {}, `Nomor tiket ${c.ticket} · dicetak ${dateTime(new Date().toISOString())}`)),
    h('table', { class: 'sheet-facts' }, h('tbody', {},
      h('tr', {}, ...fact('Nomor tiket', c.ticket), ...fact('Jenis', `${KIND[c.kind] ?? c.kind}${c.category ? ` · ${c.category}` : ''}`)),
      h('tr', {}, ...fact('Tanggal masuk', dateTime(c.created_at)), ...fact('Batas waktu', c.due_at ? dateTime(c.due_at) : '–')),
      h('tr', {}, ...fact('Wilayah', c.area_name), ...fact('Status', STATUS[c.status] ?? c.status)),
      h('tr', {}, ...fact('Tingkat', c.agency_name ?? c.level_name), ...fact('Pelapor', c.reporter_erased ? 'pelapor telah menghapus datanya' : `${c.reporter} (nomor dirahasiakan)`)))),
    h('h3', {}, 'Isi laporan warga'),
    h('blockquote', { class: 'sheet-text' }, text),
    h('h3', {}, 'Riwayat penanganan'),
    all.length > rows.length ? h('p', {}, `${all.length - rows.length} peristiwa sebelumnya tidak dicetak.`) : null,
    rows.length ? h('table', { class: 'sheet-log' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Waktu'), h('th', { scope: 'col' }, 'Oleh'), h('th', { scope: 'col' }, 'Peristiwa'))),
      h('tbody', {}, rows.map((e) => h('tr', {}, h('td', {}, dateTime(e.at)), h('td', {}, who(e)), h('td', {}, handover(e.body))))))
      : h('p', {}, 'Belum ada.'),
    h('div', { class: 'sheet-foot' },
      h('div', { class: 'sheet-notes' }, h('h3', {}, 'Disposisi / instruksi'), h('div', { class: 'lines' })),
      h('div', { class: 'sheet-sign' }, h('p', {}, 'Tempat, tanggal: ....................'), h('p', {}, 'Lurah'),
        h('div', { class: 'sign-space' }), h('p', {}, '(..............................)'), h('p', {}, 'NIP.'))));
}
