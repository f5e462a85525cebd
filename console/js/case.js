// One case: its facts, its timeline (messages, photos, locations, actions),
// and what the official may do now: the actions the API lists for its
// status (none for a viewer), a reply with WhatsApp's 24-hour window, an
// escalation and a forward (down to an RW/RT, up, sideways to a dinas) with
// a reason, a closure that is not "resolved", and a merge into another case
// (its duplicate: typed by ticket, picked from the kelurahan's open cases,
// or one of the duplicates the API suggests, each with its button) with its
// undo; destinations are chosen in pickers built from
// GET /jurisdictions, and a hand-down's RWs and RTs from GET /units. A 409
// is explained and the case reloaded. The page prints as the lembar
// disposisi (sheet.js, style.css's print rules).
import { h, show, field, options, toast } from './dom.js';
import { auditPage, caseDetail, catalogue, get, post, queue, ticketPath, timelinePages, unitsPath } from './api.js';
import { canAct, isAdmin } from './auth.js';
import {
  ACTION, CLOSED_AS, DIRECTION, KIND, ROLE, STATUS, dateTime, duration, level, mapLink, needsReload, publicPhotoChoices,
  replyWindow,
} from './format.js';
import {
  escalationChoices, forwardChoices, handDownChoices, handDownKelurahan, reclassifyChoices,
} from './places.js';
import { createPicker } from './picker.js';
import { dispositionSheet } from './sheet.js';

export async function render(session, ticket, explain, notice) {
  let detail;
  let places;
  let units;
  try {
    [detail, places] = await Promise.all([caseDetail(ticket), canAct(session) ? catalogue() : null]);
    units = canAct(session) ? await handDownUnits(detail.case) : null;
  } catch (error) {
    show(h('h1', {}, ticket), h('p', { class: 'alert', role: 'alert' }, explain(error)), h('a', { href: '#/' }, 'Kembali ke antrean'));
    return;
  }
  const { case: c, timeline } = detail;
  const rerender = (message) => render(session, ticket, explain, message);
  show(
    h('p', {}, h('a', { href: '#/' }, '← Antrean')),
    h('h1', {}, `${c.ticket} `, h('span', { class: `badge s-${c.status}` }, STATUS[c.status] ?? c.status), ' ',
      c.overdue ? h('span', { class: 'badge overdue' }, 'Lewat batas') : null),
    h('p', { class: 'no-print' }, h('button', { type: 'button', class: 'secondary', 'data-action': 'print', onclick: () => window.print() },
      'Cetak lembar disposisi')),
    notice ? h('div', { class: 'alert', role: 'alert' }, notice) : null,
    h('section', { class: 'card', 'aria-labelledby': 'h-desc' },
      h('h2', { id: 'h-desc' }, 'Laporan'),
      h('blockquote', { class: 'desc-full' }, c.description),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Jenis'), h('dd', {}, KIND[c.kind] ?? c.kind, c.category ? ` · ${c.category}` : ''),
        h('dt', {}, 'Wilayah'), h('dd', {}, c.area_name),
        h('dt', {}, 'Tingkat'), h('dd', {}, c.level_name, c.agency_name && c.agency_name !== c.level_name ? ` · ${c.agency_name}` : ''),
        c.handed_down_name ? [h('dt', {}, 'Diserahkan ke'), h('dd', {}, `${c.handed_down_name} (tetap di antrean kelurahan)`)] : null,
        c.closed_as ? [h('dt', {}, 'Ditutup sebagai'), h('dd', {}, closedAs(c.closed_as))] : null,
        c.merged_into ? [h('dt', {}, 'Digabung ke'), h('dd', {},
          h('a', { href: `#/kasus/${encodeURIComponent(c.merged_into.ticket)}` }, c.merged_into.ticket),
          ` pada ${dateTime(c.merged_into.at)}; pelapor mengikuti kasus itu`)] : null,
        c.merged?.length ? [h('dt', {}, 'Laporan yang digabung'), h('dd', {}, ...c.merged.flatMap((t, i) => [
          i ? ', ' : '', h('a', { href: `#/kasus/${encodeURIComponent(t)}` }, t)]),
        h('span', { class: 'muted' }, ' (pelapornya ikut menerima kabar kasus ini)'))] : null,
        h('dt', {}, 'Pelapor'), c.reporter_erased
          ? h('dd', { class: 'muted' }, 'pelapor telah menghapus datanya')
          : h('dd', {}, c.reporter, h('span', { class: 'muted' }, ' (nomor warga dirahasiakan)')),
        h('dt', {}, 'Masuk'), h('dd', {}, dateTime(c.created_at)),
        h('dt', {}, 'Batas waktu'), h('dd', {}, c.due_at ? dateTime(c.due_at) : '–'))),
    detail.suggestions?.length ? suggestionsSection(c, detail.suggestions, canAct(session), rerender, explain) : null,
    canAct(session)
      ? actionsSection(c, timeline, places, units, rerender, explain)
      : h('p', { class: 'info' }, 'Anda masuk sebagai pengamat: kasus dapat dilihat, tetapi tidak dapat diubah.'),
    h('section', { class: 'card', 'aria-labelledby': 'h-timeline' },
      h('h2', { id: 'h-timeline' }, 'Riwayat'),
      ...timelineList(c, timeline, detail.next_cursor)),
    isAdmin(session) ? auditSection(c.ticket) : null,
    dispositionSheet(c, timeline),
  );
}

/** Admins: who read the case or acted on it (never what it says), loaded on request. */
function auditSection(ticket) {
  const list = h('ol', { class: 'timeline audit', hidden: true });
  let next = null;
  const button = h('button', { type: 'button', class: 'secondary', 'data-action': 'audit' }, 'Tampilkan audit');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const page = await auditPage(ticket, next);
      list.append(...page.entries.map(auditItem));
      if (!list.children.length) list.append(h('li', { class: 'muted' }, 'Belum ada yang tercatat.'));
      list.hidden = false;
      next = page.next_cursor;
      button.textContent = 'Muat audit berikutnya';
      button.hidden = !next;
    } catch (error) {
      toast(`Audit tidak dapat dimuat (${error.status ?? 'jaringan'}).`);
    }
    button.disabled = false;
  });
  return h('section', { class: 'card no-print', 'aria-labelledby': 'h-audit' },
    h('h2', { id: 'h-audit' }, 'Audit'),
    h('p', { class: 'muted' }, 'Siapa membuka kasus ini, berkasnya, atau bertindak atasnya, dan kapan.'),
    list, button);
}

function auditWhat(what) {
  switch (what.type) {
    case 'read_detail': return 'membuka rincian kasus';
    case 'read_media': return `membuka berkas ${what.media_id}`;
    case 'action': return `${ACTION[what.action] ?? (what.action === 'message' ? 'Pesan ke warga' : what.action)} (versi ${what.version})`;
    default: return what.type;
  }
}

function auditItem(e) {
  return h('li', { 'data-audit': e.what?.type },
    h('div', { class: 'when' }, `${dateTime(e.at)} · ${e.actor.sub} (${ROLE[e.actor.role] ?? e.actor.role}, ${e.actor.scope})`),
    h('div', {}, auditWhat(e.what ?? {})));
}

/** The events loaded, and a button for the next pages while the API has more. */
function timelineList(c, timeline, cursor) {
  const list = h('ol', { class: 'timeline' }, timeline.map((e) => eventItem(c, e)));
  if (!cursor) return [list];
  let next = cursor;
  const button = h('button', { type: 'button', class: 'secondary', 'data-action': 'more-timeline' }, 'Muat riwayat berikutnya');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const more = await timelinePages(c.ticket, next);
      list.append(...more.timeline.map((e) => eventItem(c, e)));
      next = more.next_cursor;
      button.hidden = !next;
    } catch (error) {
      toast(`Riwayat tidak dapat dimuat (${error.status ?? 'jaringan'}).`);
    }
    button.disabled = false;
  });
  return [list, button];
}

function actor(e) {
  if (e.actor?.type === 'official') return e.actor.name;
  if (e.actor?.type === 'citizen') return 'Warga';
  return 'Sistem';
}

function eventItem(c, e) {
  return h('li', { 'data-event': e.body?.type },
    h('div', { class: 'when' }, `${dateTime(e.at)} · ${actor(e)}`),
    eventBody(c, e.body ?? {}));
}

function eventBody(c, body) {
  switch (body.type) {
    case 'opened':
      return h('div', {}, `Kasus dibuka: ${KIND[body.kind] ?? body.kind}, tingkat ${level(body.level)}`);
    case 'message':
      return messageContent(c, body);
    case 'status_changed':
      return h('div', {}, `Status: ${STATUS[body.from] ?? body.from} → ${STATUS[body.to] ?? body.to}`,
        body.note ? h('blockquote', {}, body.note) : null);
    case 'note':
      return h('div', {}, 'Catatan internal', h('blockquote', {}, body.text));
    case 'escalated':
      return h('div', {}, `Dieskalasi dari ${body.from_name} ke ${body.to_name}`,
        body.reason ? h('blockquote', {}, body.reason) : null);
    case 'forwarded':
      return h('div', {}, `${DIRECTION[body.direction] ?? 'Dialihkan'} dari ${body.from_name} ke ${body.to_name}`,
        h('blockquote', {}, body.reason));
    case 'closed':
      return h('div', {}, `Ditutup: ${closedAs(body.closure)}`, body.note ? h('blockquote', {}, body.note) : null);
    case 'merged_in':
      return h('div', {}, `Laporan ${body.from} digabung ke kasus ini sebagai duplikat; pelapornya ikut menerima kabar kasus ini`);
    case 'unmerged':
      return h('div', {}, `Penggabungan ${body.from} ke ${body.into} dibatalkan; ${body.from} kembali berstatus ${STATUS[body.status] ?? body.status}`);
    case 'reclassified':
      return h('div', {}, 'Diklasifikasi ulang: ', [
        body.kind ? `jenis ${KIND[body.kind] ?? body.kind}` : null,
        body.category ? `kategori ${body.category}` : null,
        body.jurisdiction ? `wilayah ${body.jurisdiction_name}` : null,
      ].filter(Boolean).join(', '));
    case 'rated':
      return h('div', {}, `Warga memberi nilai ${body.rating} dari 5`);
    case 'limited':
      return h('div', {}, `Pelapor mencapai batas ${LIMIT[body.limit] ?? body.limit} (${body.allowed}); `
        + 'pesan atau laporan barunya ditolak dan warga sudah diberi tahu');
    case 'outbound':
      return h('div', {}, `Pesan ke warga${body.via_template ? ' (templat resmi)' : ''} · ${deliveryLabel(body.status)}`,
        h('blockquote', {}, body.text), body.error ? h('small', { class: 'muted' }, body.error) : null);
    default:
      return h('div', {}, body.type ?? 'Kejadian');
  }
}

/** `{as: outside_authority, to: "PLN"}` in words. */
function closedAs(closure) {
  const label = CLOSED_AS[closure.as] ?? closure.as;
  if (closure.as === 'duplicate') return `${label} ${closure.of}`;
  if (closure.as === 'outside_authority') return `${label} (diarahkan ke ${closure.to})`;
  return label;
}

const LIMIT = {
  messages_per_minute: 'pesan per menit',
  new_cases_per_day: 'laporan baru per hari',
  open_cases: 'laporan terbuka sekaligus',
};
const DELIVERY = {
  pending: 'menunggu dikirim',
  sent: 'terkirim',
  delivered: 'diterima',
  read: 'dibaca',
  failed: 'gagal',
  withheld: 'tidak dikirim: warga memilih BERHENTI',
};
const deliveryLabel = (s) => DELIVERY[s] ?? s;

function messageContent(c, body) {
  const content = body.content ?? {};
  switch (content.type) {
    case 'text':
      return h('blockquote', {}, content.body);
    case 'location': {
      const place = [content.name, content.address].filter(Boolean).join(', ');
      return h('div', {}, 'Lokasi dari warga: ', place ? `${place} ` : '',
        h('a', { href: mapLink(content.latitude, content.longitude), target: '_blank', rel: 'noopener' },
          `Buka peta (${content.latitude}, ${content.longitude})`));
    }
    case 'media':
      return media(c, content, body.stored);
    default:
      return h('div', { class: 'muted' }, `Pesan jenis ${content.message_type ?? content.type} (tidak ditampilkan)`);
  }
}

const MEDIA_KIND = { image: 'Foto', video: 'Video', audio: 'Pesan suara', document: 'Dokumen', sticker: 'Stiker' };
const NOT_STORED = {
  pending: 'sedang diunduh dari WhatsApp; muat ulang sebentar lagi',
  failed: 'gagal diunduh dari WhatsApp',
  too_large: 'terlalu besar untuk disimpan',
};

/** A citizen's file: fetched through the API's short-lived link (media route). */
function media(c, content, stored) {
  const what = MEDIA_KIND[content.media_type] ?? 'Berkas';
  const caption = content.caption ? `${what}: ${content.caption}` : `${what} dari warga`;
  const holder = h('figure', { class: 'media', 'data-media': content.media_id },
    h('figcaption', {}, caption), h('p', { class: 'muted' }, `Memuat ${what.toLowerCase()}…`));
  const say = (text) => holder.replaceChildren(h('figcaption', {}, caption), h('p', { class: 'muted media-missing' }, text));
  if (stored && stored !== 'stored') {
    say(`${what} ${NOT_STORED[stored] ?? 'belum tersedia'}.`);
    return holder;
  }
  get(`${ticketPath(c.ticket)}/media/${encodeURIComponent(content.media_id)}`).then(({ url, mime_type: mime, inline }) => {
    const type = mime ?? content.mime_type ?? '';
    let shown;
    // Only what the API serves in place is shown; anything else (an SVG too) downloads.
    if (!inline) shown = h('a', { href: url, target: '_blank', rel: 'noopener' }, `Unduh ${what.toLowerCase()}`);
    else if (type.startsWith('video/')) shown = h('video', { src: url, controls: true, 'aria-label': caption });
    else if (type.startsWith('audio/')) shown = h('audio', { src: url, controls: true, 'aria-label': caption });
    else shown = h('img', { src: url, alt: caption });
    holder.replaceChildren(h('figcaption', {}, caption), shown);
  }).catch((error) => {
    if (error.status === 409) say(`${what} ${NOT_STORED[error.error.status] ?? 'belum tersedia'}.`);
    else if (error.status === 404) say(`${what} belum tersimpan di server Aduan.`);
    else say(`${what} tidak dapat dimuat (${error.status ?? 'jaringan'}).`);
  });
  return holder;
}

/** Sends, then re-renders the case; a 409 reloads it with the explanation. */
function submitter(button, send, rerender, explain, done) {
  return async (event) => {
    event?.preventDefault();
    button.disabled = true;
    try {
      await send();
      toast(done);
      await rerender();
    } catch (error) {
      if (needsReload(error.error)) {
        await rerender(explain(error));
      } else {
        button.disabled = false;
        const form = button.closest('form, section');
        form.querySelector('.form-error')?.remove();
        form.prepend(h('p', { class: 'alert form-error', role: 'alert' }, explain(error)));
      }
    }
  };
}

/** An action on the case at the version shown: a stale one is refused (409). */
const actOn = (c) => (body) => post(`${ticketPath(c.ticket)}/actions`, { ...body, version: c.version });

/**
 * The open cases the API suggests as this one's duplicates, best first:
 * ticket, status, category, when it came in, how far apart the places the
 * citizens shared are (when both did), how alike the reports read, and the
 * report's start (numbers masked by the API). An officer merges this case
 * into one with its button: the merge action, undone within 24 hours.
 */
function suggestionsSection(c, suggestions, mayAct, rerender, explain) {
  const act = actOn(c);
  const mergeable = mayAct && c.actions.includes('merge');
  const item = (s) => {
    const button = mergeable
      ? h('button', { type: 'button', class: 'danger', 'data-action': 'merge-suggested', 'data-into': s.ticket }, `Gabungkan ke ${s.ticket}`)
      : null;
    button?.addEventListener('click', submitter(button, () => act({ action: 'merge', into: s.ticket }),
      rerender, explain, `Digabung ke ${s.ticket}`));
    return h('li', { 'data-ticket': s.ticket },
      h('div', {},
        h('a', { href: `#/kasus/${encodeURIComponent(s.ticket)}`, class: 'ticket' }, s.ticket), ' ',
        h('span', { class: `badge s-${s.status}` }, STATUS[s.status] ?? s.status), ' ',
        h('span', { class: 'muted' }, [
          s.category, `masuk ${dateTime(s.created_at)}`,
          s.distance_meters == null ? null : `± ${s.distance_meters} m dari lokasi kasus ini`,
          `kemiripan ${Math.round(s.score * 100)}%`,
        ].filter(Boolean).join(' · '))),
      h('blockquote', {}, s.description),
      button);
  };
  return h('section', { class: 'card suggestions no-print', 'aria-labelledby': 'h-suggestions' },
    h('h2', { id: 'h-suggestions' }, 'Mungkin laporan yang sama'),
    h('p', { class: 'muted' }, 'Kasus terbuka di kelurahan yang sama dalam 30 hari terakhir, paling mirip lebih dulu.'
      + (mergeable ? ' Menggabungkan menutup kasus ini sebagai duplikat; pelapornya menerima kabar kasus tujuan. Dapat dibatalkan dalam 24 jam.' : '')),
    h('ol', { class: 'suggested' }, suggestions.map(item)));
}

function actionsSection(c, timeline, places, units, rerender, explain) {
  const act = actOn(c);
  const simple = c.actions.filter((a) => ['verify', 'start', 'close', 'reopen', 'unmerge'].includes(a));
  const buttons = simple.map((a) => {
    const button = h('button', { type: 'button', 'data-action': a }, ACTION[a]);
    button.addEventListener('click', submitter(button, () => act({ action: a }), rerender, explain, `${ACTION[a]}: berhasil`));
    return button;
  });
  const forms = [];
  const textForm = (action, id, label, key, hint, danger) => {
    const text = h('textarea', { required: true, maxlength: 2000, name: key });
    const button = h('button', { type: 'submit', class: danger ? 'danger' : '', 'data-action': action }, ACTION[action]);
    const form = h('form', { 'aria-label': ACTION[action] }, field(id, label, text, hint), button);
    form.addEventListener('submit', submitter(button, () => act({ action, [key]: text.value.trim() }), rerender, explain, `${ACTION[action]}: berhasil`));
    return form;
  };
  if (c.actions.includes('resolve')) forms.push(textForm('resolve', 'a-resolve', 'Apa yang sudah dikerjakan', 'note', 'Warga akan ditanya apakah masalahnya benar-benar selesai.'));
  if (c.actions.includes('answer')) forms.push(textForm('answer', 'a-answer', 'Jawaban untuk warga', 'note', 'Jawaban dikirim ke warga dan pertanyaan ini ditutup.'));
  if (c.actions.includes('reject')) forms.push(textForm('reject', 'a-reject', 'Alasan penolakan', 'reason', 'Alasan ini dikirim ke warga.', true));
  if (c.actions.includes('escalate')) forms.push(escalateForm(c, places, rerender, explain));
  if (c.actions.includes('forward')) forms.push(forwardForm(c, places, units, act, rerender, explain));
  if (c.actions.includes('dispose')) forms.push(disposeForm(act, rerender, explain));
  if (c.actions.includes('merge')) forms.push(mergeForm(c, act, rerender, explain));
  if (c.actions.includes('reclassify')) forms.push(reclassifyForm(c, places, act, rerender, explain));
  if (c.actions.includes('note')) forms.push(textForm('note', 'a-note', 'Catatan internal', 'note', 'Hanya terlihat oleh petugas.'));
  if (c.actions.includes('publish')) forms.push(textForm('publish', 'a-publish', 'Ringkasan untuk catatan publik', 'public_summary', 'Tampil di halaman publik tanpa login (nomor panjang disembunyikan). Jangan tulis nama atau kata-kata warga.'));
  if (c.actions.includes('publish')) forms.push(publicPhotoForm(c, timeline, act, rerender, explain));
  return [
    h('section', { class: 'card', 'aria-labelledby': 'h-actions' },
      h('h2', { id: 'h-actions' }, 'Tindakan'),
      buttons.length ? h('div', { class: 'buttons' }, buttons) : null,
      h('div', { class: 'actions' }, forms)),
    replySection(c, timeline, rerender, explain),
  ];
}

/** A form's own refusal, before anything is sent: shown as the API's are. */
function refuse(form, text) {
  form.querySelector('.form-error')?.remove();
  form.prepend(h('p', { class: 'alert form-error', role: 'alert' }, text));
}

function escalateForm(c, places, rerender, explain) {
  const to = createPicker({
    id: 'a-to', label: 'Eskalasi ke', choices: escalationChoices(places, c),
    placeholder: 'Kosongkan: satu tingkat ke atas',
    hint: 'Cari nama tingkat atau dinas (mis. PUPR, jalan). Kosong: satu tingkat ke atas. Dinas yang disarankan untuk kategori kasus ada di atas.',
  });
  const reason = h('textarea', { required: true, maxlength: 2000, name: 'reason' });
  const button = h('button', { type: 'submit', 'data-action': 'escalate' }, ACTION.escalate);
  const form = h('form', { 'aria-label': ACTION.escalate }, to.field,
    field('a-reason', 'Alasan eskalasi', reason, 'Penerima eskalasi membaca alasan ini.'), button);
  const send = submitter(button, () => post(`${ticketPath(c.ticket)}/escalations`,
    { ...(to.value() ? { to: to.value() } : {}), reason: reason.value.trim(), version: c.version }), rerender, explain, 'Kasus dieskalasi');
  form.addEventListener('submit', (e) => {
    if (to.unmatched()) {
      e.preventDefault();
      refuse(form, 'Pilih tujuan eskalasi dari daftar, atau kosongkan untuk satu tingkat ke atas.');
      return;
    }
    send(e);
  });
  return form;
}

function forwardForm(c, places, units, act, rerender, explain) {
  const kelurahan = handDownKelurahan(c);
  const choices = forwardChoices(places, c, units);
  const to = createPicker({
    id: 'a-fwd', label: kelurahan ? 'Alihkan atau serahkan ke' : 'Alihkan ke', choices,
    placeholder: kelurahan ? 'Ketik RW/RT, nama ketua, dinas, kecamatan atau kelurahan' : 'Ketik nama dinas, kecamatan atau kelurahan',
    hint: [
      kelurahan ? handDownHint(units, handDownChoices(units, c).length) : null,
      c.suggested_agency ? 'Dinas yang disarankan untuk kategori kasus ada di atas.' : null,
      'Bukan wewenang Anda: pilih kantor yang berwenang (dinas, kecamatan, kelurahan lain, atau kota).',
    ].filter(Boolean).join(' '),
  });
  const reason = h('textarea', { required: true, maxlength: 2000, name: 'reason' });
  const button = h('button', { type: 'submit', 'data-action': 'forward' }, ACTION.forward);
  const form = h('form', { 'aria-label': ACTION.forward }, to.field,
    field('a-fwd-reason', 'Alasan', reason, 'Tercatat di riwayat; warga diberi tahu kantor mana yang kini menangani.'), button);
  const send = submitter(button, () => act({ action: 'forward', to: to.value(), reason: reason.value.trim() }),
    rerender, explain, 'Kasus dialihkan');
  form.addEventListener('submit', (e) => {
    if (!to.value()) {
      e.preventDefault();
      refuse(form, 'Pilih tujuan dari daftar.');
      return;
    }
    send(e);
  });
  return form;
}

/** What the picker says of the RWs and RTs: offered, none to offer, or not loaded. */
function handDownHint(units, offered) {
  if (units?.error) return `Daftar RT/RW tidak dapat dimuat (${units.error.status ?? 'jaringan'}); muat ulang halaman untuk menyerahkan ke RT/RW.`;
  if (!offered) return 'Tidak ada RT/RW yang dapat diserahi kasus ini (daftarnya di menu RT/RW).';
  return 'Ketik nomor RW/RT atau nama ketuanya untuk menyerahkan kasus: kasus tetap di antrean kelurahan sampai RW/RT mengembalikannya atau batas waktunya lewat.';
}

/**
 * The kelurahan's RWs and RTs (GET /units) when the case may be handed
 * down and the official may act; `{ error }` when they do not load, so
 * that the rest of the page still works.
 */
function handDownUnits(c) {
  const kelurahan = handDownKelurahan(c);
  if (!kelurahan || !c.actions.includes('forward')) return null;
  return get(unitsPath(kelurahan)).catch((error) => ({ error }));
}

/**
 * The one photo the public record shows, chosen from the case's stored
 * photos (or none); only the photos on the timeline pages loaded are offered.
 */
function publicPhotoForm(c, timeline, act, rerender, explain) {
  const choices = publicPhotoChoices(timeline);
  if (!choices.length && !c.public_photo) return null;
  const pairs = [['', 'Tidak ada foto di catatan publik'], ...choices.map((p) => [p.mediaId, p.label])];
  if (c.public_photo && !choices.some((p) => p.mediaId === c.public_photo)) pairs.push([c.public_photo, `Foto ${c.public_photo} (tampil sekarang)`]);
  const photo = h('select', { name: 'public_photo' }, options(pairs, c.public_photo ?? ''));
  const button = h('button', { type: 'submit', 'data-action': 'public-photo' }, 'Simpan foto publik');
  const form = h('form', { 'aria-label': 'Foto di catatan publik' },
    field('a-photo', 'Foto di catatan publik', photo,
      'Siapa pun dapat melihat foto ini tanpa login. Pilih foto hasil pekerjaan atau lokasi; jangan foto yang memperlihatkan wajah, rumah, atau nomor warga.'),
    button);
  form.addEventListener('submit', submitter(button, () => act({ action: 'publish', public_photo: photo.value || null }),
    rerender, explain, 'Foto catatan publik disimpan'));
  return form;
}

function disposeForm(act, rerender, explain) {
  const as = h('select', { name: 'as' }, options(Object.entries({
    outside_authority: CLOSED_AS.outside_authority, no_further_action: CLOSED_AS.no_further_action,
  }), 'outside_authority'));
  const to = h('input', { type: 'text', name: 'to', maxlength: 200, placeholder: 'mis. PLN ULP Bukittinggi' });
  const reason = h('textarea', { required: true, maxlength: 2000, name: 'reason' });
  const button = h('button', { type: 'submit', class: 'danger', 'data-action': 'dispose' }, ACTION.dispose);
  const form = h('form', { 'aria-label': ACTION.dispose }, field('a-as', 'Tutup sebagai', as),
    field('a-where', 'Instansi yang berwenang (bila bukan kewenangan pemerintah kota)', to),
    field('a-dispose-reason', 'Alasan untuk warga', reason, 'Alasan ini dikirim ke warga. Laporan yang bukan laporan sama sekali: tolak.'), button);
  form.addEventListener('submit', submitter(button, () => act({
    action: 'dispose', as: as.value, reason: reason.value.trim(),
    ...(as.value === 'outside_authority' ? { to: to.value.trim() } : {}),
  }), rerender, explain, 'Kasus ditutup'));
  return form;
}

/** A typed ticket (`adu-41`, `ADU-0041`) as the API reads it, or null. */
const typedTicket = (text) => (/^[A-Za-z]+-?\d+$/.test(text.trim()) ? text.trim().toUpperCase() : null);

/**
 * Merge into another case: its ticket typed, or picked from the open cases
 * of this case's kelurahan (by ticket and the report's first words; read
 * when the form is opened, so a page view reads no queue).
 */
function mergeForm(c, act, rerender, explain) {
  const body = h('div', {});
  const form = h('details', { class: 'merge', 'aria-label': ACTION.merge },
    h('summary', {}, 'Gabungkan dengan laporan lain (duplikat)'), body);
  form.addEventListener('toggle', async () => {
    if (!form.open || body.childElementCount) return;
    let open = [];
    try {
      ({ cases: open } = await queue({ jurisdiction: c.area, status: 'received,verified,in_progress' }, 1));
    } catch (error) {
      body.append(h('p', { class: 'alert', role: 'alert' }, explain(error)));
    }
    const choices = open.filter((o) => o.ticket !== c.ticket && !o.merged_into).map((o) => ({
      value: o.ticket,
      label: `${o.ticket} · ${o.description.slice(0, 60)}`,
      detail: `${STATUS[o.status] ?? o.status} · ${o.area_name}`,
      terms: [o.ticket],
    }));
    const into = createPicker({
      id: 'a-merge', label: 'Kasus tujuan', choices,
      placeholder: 'Ketik nomor tiket (mis. ADU-0041) atau cari laporannya',
      hint: 'Kasus ini ditutup sebagai duplikat; pelapornya menerima kabar kasus tujuan. Dapat dibatalkan dalam 24 jam.',
      empty: 'Tidak ada kasus terbuka yang cocok di kelurahan ini; ketik nomor tiketnya.',
    });
    const typed = into.field.querySelector('input');
    const button = h('button', { type: 'submit', class: 'danger', 'data-action': 'merge' }, ACTION.merge);
    const inner = h('form', { 'aria-label': ACTION.merge }, into.field, button);
    const send = (e, target) => submitter(button, () => act({ action: 'merge', into: target }),
      rerender, explain, `Digabung ke ${target}`)(e);
    inner.addEventListener('submit', (e) => {
      const target = into.value() || typedTicket(typed.value);
      if (!target) {
        e.preventDefault();
        refuse(inner, 'Pilih kasus tujuan dari daftar, atau ketik nomor tiketnya (mis. ADU-0041).');
        return;
      }
      send(e, target);
    });
    body.append(inner);
  });
  return form;
}

function reclassifyForm(c, places, act, rerender, explain) {
  const kind = h('select', { name: 'kind' }, options(Object.entries(KIND), c.kind));
  const choices = reclassifyChoices(places, c);
  const kelurahan = choices.length ? createPicker({
    id: 'a-kelurahan', label: 'Pindahkan ke kelurahan (opsional)', choices,
    placeholder: 'Ketik nama kelurahan', hint: 'Hanya kelurahan di wilayah Anda. Di luar itu: eskalasikan.',
  }) : null;
  const button = h('button', { type: 'submit', class: 'secondary', 'data-action': 'reclassify' }, ACTION.reclassify);
  const form = h('form', { 'aria-label': ACTION.reclassify }, field('a-kind', 'Jenis', kind),
    kelurahan ? kelurahan.field : h('p', { class: 'muted' }, 'Tidak ada kelurahan lain di wilayah Anda; eskalasikan bila kasus perlu dipindah.'),
    button);
  const send = submitter(button, () => act({
    action: 'reclassify',
    ...(kind.value !== c.kind ? { kind: kind.value } : {}),
    ...(kelurahan?.value() ? { kelurahan: kelurahan.value() } : {}),
  }), rerender, explain, 'Klasifikasi diperbarui');
  form.addEventListener('submit', (e) => {
    if (kelurahan?.unmatched()) {
      e.preventDefault();
      refuse(form, 'Pilih kelurahan dari daftar.');
      return;
    }
    send(e);
  });
  return form;
}

function replySection(c, timeline, rerender, explain) {
  const win = replyWindow(timeline);
  const status = win.open
    ? h('p', { class: 'window-open', id: 'reply-window' },
      `Jendela 24 jam WhatsApp terbuka sampai ${dateTime(win.closesAt)} (sisa ${duration(win.remainingMs)}): balasan dikirim sebagai pesan biasa.`)
    : h('p', { class: 'window-closed', id: 'reply-window' },
      'Jendela 24 jam WhatsApp sudah tertutup: balasan dikirim sebagai templat resmi, dan warga dapat membalasnya.');
  const text = h('textarea', { required: true, maxlength: 1000, name: 'text' });
  const button = h('button', { type: 'submit', 'data-action': 'reply' }, 'Kirim balasan');
  const form = h('form', { 'aria-label': 'Balas warga' }, field('reply-text', 'Pesan untuk warga', text, 'Warga menerimanya di WhatsApp dari nomor layanan.'), button);
  form.addEventListener('submit', submitter(button, () => post(`${ticketPath(c.ticket)}/messages`, { text: text.value.trim() }),
    rerender, explain, 'Balasan terkirim'));
  return h('section', { class: 'card', 'aria-labelledby': 'h-reply' }, h('h2', { id: 'h-reply' }, 'Balas warga'), status, form);
}
