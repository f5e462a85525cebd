// Pure helpers (no DOM, no network): labels in Bahasa Indonesia, dates,
// the queue's order and filters, WhatsApp's 24-hour window. Unit-tested
// with node's test runner (tests/format.test.mjs).

export const STATUS = {
  received: 'Diterima', verified: 'Terverifikasi', in_progress: 'Dikerjakan', resolved: 'Selesai',
  closed: 'Ditutup', rejected: 'Ditolak', withdrawn: 'Dicabut warga',
};
export const OPEN_STATUSES = ['received', 'verified', 'in_progress', 'resolved'];
export const KIND = { pengaduan: 'Pengaduan', saran: 'Saran', kritik: 'Kritik', pertanyaan: 'Pertanyaan' };
export const ROLE = { viewer: 'Pengamat', officer: 'Petugas', admin: 'Admin' };
export const ACTION = {
  verify: 'Verifikasi', reject: 'Tolak', start: 'Mulai kerjakan', resolve: 'Tandai selesai', answer: 'Jawab dan tutup', close: 'Tutup',
  reopen: 'Buka kembali', reclassify: 'Klasifikasi ulang', escalate: 'Eskalasi', note: 'Catatan',
  forward: 'Alihkan', dispose: 'Tutup tanpa diselesaikan', publish: 'Terbitkan di catatan publik',
  keep_files: 'Simpan berkas warga', merge: 'Gabungkan', unmerge: 'Batalkan penggabungan',
  evidence: 'Foto hasil pekerjaan (WhatsApp)',
};
/** How a closed case ended (`closed_as.as`). */
export const CLOSED_AS = {
  resolved: 'selesai', duplicate: 'duplikat dari', outside_authority: 'bukan kewenangan pemerintah kota',
  no_further_action: 'tanpa tindak lanjut',
};
/** Which way a hand-over went (`forwarded.direction`). */
export const DIRECTION = { down: 'Diserahkan', up: 'Dinaikkan', back: 'Dikembalikan', sideways: 'Dialihkan (bukan wewenang)' };
export const LEVEL = { rt: 'RT', rw: 'RW', kelurahan: 'Kelurahan', kecamatan: 'Kecamatan', kota: 'Kota' };

/** The WhatsApp customer-service window: free-form replies only within it. */
export const WINDOW_HOURS = 24;

const DATE = new Intl.DateTimeFormat('id-ID', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Asia/Jakarta' });
const DATE_TIME = new Intl.DateTimeFormat('id-ID', {
  day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Jakarta',
});

export const date = (iso) => (iso ? DATE.format(new Date(iso)) : '–');
export const dateTime = (iso) => (iso ? `${DATE_TIME.format(new Date(iso))} WIB` : '–');

/** `kecamatan`, `dinas:pupr`: the level as officials say it. */
export function level(raw) {
  if (!raw) return '–';
  if (raw.startsWith('dinas:')) return `Dinas ${raw.slice(6).toUpperCase()}`;
  return LEVEL[raw] ?? raw;
}

/** `3 jam 5 menit`, `2 hari 4 jam`: a duration for people. */
export function duration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return hours ? `${days} hari ${hours} jam` : `${days} hari`;
  if (hours > 0) return mins ? `${hours} jam ${mins} menit` : `${hours} jam`;
  return `${mins} menit`;
}

/** Hours as `5,2 jam` or `3,1 hari` (Indonesian decimal comma). */
export function hours(h) {
  if (h === null || h === undefined) return '–';
  const n = h >= 48 ? h / 24 : h;
  return `${n.toLocaleString('id-ID', { maximumFractionDigits: 1 })} ${h >= 48 ? 'hari' : 'jam'}`;
}

/**
 * Filters the server cannot apply (overdue) and the order: `newest` as the
 * API returns it, or `overdue`: overdue first, the longest overdue (earliest
 * due) first, then by due date, cases without one last.
 */
export function arrange(cases, { overdueOnly = false, order = 'newest' } = {}) {
  let out = overdueOnly ? cases.filter((c) => c.overdue) : [...cases];
  if (order === 'overdue') {
    const due = (c) => (c.due_at ? Date.parse(c.due_at) : Infinity);
    out.sort((a, b) => Number(b.overdue) - Number(a.overdue) || due(a) - due(b));
  } else {
    out.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  }
  return out;
}

/** Counts by status (every status present, in lifecycle order) and overdue. */
export function counts(cases) {
  const byStatus = Object.fromEntries(Object.keys(STATUS).map((s) => [s, 0]));
  for (const c of cases) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
  return { total: cases.length, overdue: cases.filter((c) => c.overdue).length, byStatus };
}

/**
 * WhatsApp's 24-hour window from the citizen's last message on the
 * timeline: until when a free-form reply goes out as a normal message
 * (after it, the API sends the approved template).
 */
export function replyWindow(timeline, now = Date.now()) {
  const last = timeline
    .filter((e) => e.actor?.type === 'citizen' && e.body?.type === 'message')
    .map((e) => Date.parse(e.at))
    .reduce((a, b) => Math.max(a, b), -Infinity);
  if (!Number.isFinite(last)) return { open: false, closesAt: null, remainingMs: 0 };
  const closesAt = last + WINDOW_HOURS * 3600 * 1000;
  return { open: closesAt > now, closesAt: new Date(closesAt).toISOString(), remainingMs: Math.max(0, closesAt - now) };
}

/** The image types the API lets an official make public. */
const PUBLIC_PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

/**
 * The photos of the timeline an official may make public: the stored JPEG,
 * PNG and WebP images, the citizen's or an official's, newest first, each
 * as `{ mediaId, label }` (who sent it, when, its caption).
 */
export function publicPhotoChoices(timeline) {
  const type = (content) => (content.mime_type ?? '').split(';')[0].trim().toLowerCase();
  return timeline
    .filter((e) => e.body?.type === 'message' && e.body.stored === 'stored'
      && e.body.content?.type === 'media' && e.body.content.media_type === 'image'
      && PUBLIC_PHOTO_TYPES.includes(type(e.body.content)))
    .map((e) => ({
      mediaId: e.body.content.media_id,
      label: [e.actor?.type === 'official' ? `Foto ${e.actor.name}` : 'Foto warga', dateTime(e.at), e.body.content.caption]
        .filter(Boolean).join(' · '),
    }))
    .reverse();
}

/** What an error answer of the API means for an official, in Indonesian. */
export function explainError(status, error = {}) {
  switch (error.code) {
    case 'version_conflict':
      return 'Kasus ini baru saja diubah oleh petugas lain. Data terbaru sudah dimuat ulang: periksa lagi, lalu ulangi tindakan Anda bila masih perlu.';
    case 'contended':
      return 'Kasus sedang diubah bersamaan oleh orang lain. Data terbaru sudah dimuat ulang; silakan coba lagi.';
    case 'illegal_transition':
      return `Tindakan itu tidak dapat dilakukan pada kasus berstatus "${STATUS[error.status] ?? error.status}". Data terbaru sudah dimuat ulang.`;
    case 'illegal_escalation':
      return `Eskalasi ke tingkat itu tidak dapat dilakukan dari tingkat ${level(error.level)}.`;
    case 'invalid_request':
      return `Isian tidak valid${error.field ? ` (${error.field})` : ''}: ${error.message ?? ''}`.trim();
    case 'forbidden':
      return 'Peran Anda hanya dapat melihat, tidak dapat mengubah kasus.';
    case 'outside_scope':
      return 'Kelurahan itu di luar wilayah Anda: kasus hanya dapat dipindahkan di dalam wilayah Anda. Eskalasikan bila kasus perlu dipindah ke wilayah lain.';
    case 'not_found':
      return 'Kasus tidak ditemukan atau di luar wilayah Anda.';
    default:
      if (status === 401) return 'Sesi Anda sudah berakhir. Silakan masuk kembali.';
      return `Terjadi kesalahan (${status}). Coba lagi sebentar lagi.`;
  }
}

/** An error of the RT and RW routes; the rest as for cases. */
export function explainUnitError(status, error = {}) {
  switch (error.code) {
    case 'unit_exists':
      return 'RT atau RW itu sudah tercatat: pilih "Ubah" pada daftar untuk mengubah ketuanya.';
    case 'rw_missing':
      return 'RW dari RT itu belum tercatat: tambahkan RW-nya dulu.';
    case 'unit_has_rts':
      return 'RW itu masih memiliki RT: hapus RT-nya dulu.';
    case 'invalid_csv':
      return 'Berkas CSV tidak diimpor sama sekali karena ada baris yang salah:';
    case 'version_conflict':
      return 'Data RT/RW ini baru saja diubah oleh petugas lain. Daftar terbaru sudah dimuat ulang: periksa lagi.';
    case 'forbidden':
      return 'Peran Anda hanya dapat melihat, tidak dapat mengubah daftar RT dan RW.';
    case 'outside_scope':
      return 'Kelurahan itu di luar wilayah Anda.';
    case 'not_found':
      return 'RT, RW atau kelurahan itu tidak ditemukan.';
    default:
      return explainError(status, error);
  }
}

/** What went wrong on the officials-on-WhatsApp page, in words. */
export function explainOfficialError(status, error = {}) {
  switch (error.code) {
    case 'number_registered':
      return 'Nomor WhatsApp itu sudah terdaftar (juga bila pendaftarannya kedaluwarsa): hapus pendaftaran itu dulu.';
    case 'outside_scope':
      return 'Wilayah itu di luar wilayah Anda.';
    case 'forbidden':
      return 'Hanya admin yang dapat mendaftarkan petugas di WhatsApp.';
    case 'not_found':
      return 'Petugas itu tidak ditemukan: mungkin sudah dihapus.';
    default:
      return explainError(status, error);
  }
}

/** Whether a 409 means "someone else changed it": reload the case. */
export const needsReload = (error = {}) => ['version_conflict', 'contended', 'illegal_transition'].includes(error.code);

/** The payload of a JWT (not verified here: the API's authorizer does that). */
export function claimsOf(jwt) {
  const payload = jwt.split('.')[1] ?? '';
  const b64 = payload.replace(/-/g, '+').replace(/_/g, '/');
  const text = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  return JSON.parse(text);
}

/** An OpenStreetMap link for a location. */
export const mapLink = (lat, lon) => `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=18/${lat}/${lon}`;
