// Officials on WhatsApp (`#/petugas-wa`, the /officials routes), for
// admins: those registered within their scope, registering one (the
// one-time code shown once, in a box to read out), changing one's role and
// notices in place, removing one. A number shows masked only; the code is
// never shown again.
import { h, show, field, options, toast, confirmButton } from './dom.js';
import { call, catalogue, get } from './api.js';
import { dateTime, ROLE } from './format.js';

const two = (n) => String(n).padStart(2, '0');
const officialPath = (id) => `/officials/${encodeURIComponent(id)}`;

function standing(s) {
  switch (s.state) {
    case 'confirmed': return `Terkonfirmasi ${dateTime(s.at)}`;
    case 'awaiting': return `Menunggu kode sampai ${dateTime(s.expires_at)} (sisa ${s.guesses_left} percobaan)`;
    default: return 'Kedaluwarsa: hapus lalu daftarkan lagi';
  }
}

export async function render(session, explain) {
  if (session.role !== 'admin') {
    show(h('h1', {}, 'Petugas di WhatsApp'), h('p', { class: 'alert', role: 'alert' }, 'Hanya admin yang dapat mendaftarkan petugas di WhatsApp.'));
    return;
  }
  let places;
  try {
    places = await catalogue();
  } catch (error) {
    show(h('h1', {}, 'Petugas di WhatsApp'), h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  const list = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Memuat…'));
  const shown = h('div', {});
  const reload = () => load(list, explain);
  show(h('h1', {}, 'Petugas di WhatsApp'),
    h('p', {}, 'Petugas yang terdaftar di sini dapat menerima dan menindaklanjuti kasus dari WhatsApp setelah mengirim kode satu kali dari nomor yang didaftarkan. Mendaftarkan dan menghapus hanya dapat dilakukan di konsol ini, tidak pernah lewat WhatsApp.'),
    shown, list, addForm(places, shown, reload, explain));
  await reload();
}

async function load(list, explain) {
  let found;
  try {
    found = await get('/officials');
  } catch (error) {
    list.replaceChildren(h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  const reload = () => load(list, explain);
  if (!found.officials.length) {
    list.replaceChildren(h('p', { class: 'muted' }, 'Belum ada petugas yang terdaftar di WhatsApp.'));
    return;
  }
  list.replaceChildren(h('table', {},
    h('caption', {}, 'Petugas terdaftar di WhatsApp'),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Nama'), h('th', { scope: 'col' }, 'WhatsApp'), h('th', { scope: 'col' }, 'Wilayah'),
      h('th', { scope: 'col' }, 'Peran'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Tindakan'))),
    h('tbody', {}, found.officials.map((o) => h('tr', {},
      h('th', { scope: 'row' }, o.name),
      h('td', {}, o.whatsapp ?? '–'),
      h('td', {}, o.scope_name),
      h('td', {}, ROLE[o.role] ?? o.role),
      h('td', {}, standing(o.standing)),
      h('td', {}, changeForm(o, reload, explain), removeButton(o, reload, explain)))))));
}

/** The role and the notices, changed in place (no new code). */
function changeForm(o, reload, explain) {
  const id = `c-${o.id}`;
  const role = h('select', { name: 'role' }, options(Object.entries(ROLE), o.role));
  const below = h('input', { type: 'checkbox', id: `${id}-below`, checked: o.notify_below });
  const digest = h('input', { type: 'checkbox', id: `${id}-digest`, checked: o.digest_by_whatsapp });
  const button = h('button', { type: 'submit' }, 'Simpan');
  const form = h('form', { 'aria-label': `Ubah ${o.name}` },
    field(`${id}-role`, 'Peran', role),
    h('label', { class: 'check', for: `${id}-below` }, below, 'Juga beri tahu kasus di bawah wilayahnya'),
    h('label', { class: 'check', for: `${id}-digest` }, digest, 'Kirim ringkasan pagi lewat WhatsApp'),
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      await call('PATCH', officialPath(o.id), { role: role.value, notify_below: below.checked, digest_by_whatsapp: digest.checked });
      toast(`${o.name} diubah`);
      await reload();
    } catch (error) {
      button.disabled = false;
      toast(explain(error));
    }
  });
  return h('details', {}, h('summary', { 'aria-label': `Ubah ${o.name}` }, 'Ubah'), form);
}

function removeButton(o, reload, explain) {
  const question = `Hapus ${o.name} dari WhatsApp? Nomornya langsung tidak dapat bertindak lagi.`;
  return confirmButton('Hapus', `Hapus ${o.name}`, question, async () => {
    await call('DELETE', officialPath(o.id));
    toast(`${o.name} dihapus`);
    await reload();
  }, explain);
}

/** The code, once, in a box the admin reads out to the official. */
function codeBox(registered) {
  const o = registered.official;
  return h('section', { class: 'card code-box', 'aria-labelledby': 'h-code' },
    h('h2', { id: 'h-code', tabindex: '-1' }, `Kode untuk ${o.name}`),
    h('p', { class: 'code' }, registered.code),
    h('p', {}, `Minta ${o.name} mengirim kode ini dari nomor ${o.whatsapp ?? 'yang didaftarkan'} ke nomor WhatsApp layanan pengaduan dalam 48 jam. Tiga kali salah kode membatalkan pendaftaran.`),
    h('p', { class: 'muted' }, 'Kode ini hanya ditampilkan sekali: catat atau sampaikan sekarang.'));
}

function addForm(places, shown, reload, explain) {
  const choices = places.nodes.filter((n) => n.within_scope).map((n) => [n.path, n.label ?? n.name]);
  const name = h('input', { name: 'name', required: true, maxlength: 80, autocomplete: 'off' });
  const phone = h('input', { name: 'whatsapp', type: 'tel', required: true, autocomplete: 'off' });
  const place = h('select', { name: 'scope' }, options(choices, choices[0]?.[0]));
  const rw = h('input', { name: 'rw', inputmode: 'numeric', maxlength: 2, autocomplete: 'off' });
  const rt = h('input', { name: 'rt', inputmode: 'numeric', maxlength: 2, autocomplete: 'off' });
  const role = h('select', { name: 'role' }, options(Object.entries(ROLE), 'officer'));
  const below = h('input', { type: 'checkbox', name: 'notify_below', id: 'o-below' });
  const digest = h('input', { type: 'checkbox', name: 'digest_by_whatsapp', id: 'o-digest' });
  const button = h('button', { type: 'submit' }, 'Daftarkan');
  const form = h('form', { class: 'card', 'aria-labelledby': 'h-add' },
    h('h2', { id: 'h-add' }, 'Daftarkan petugas'),
    field('o-name', 'Nama', name),
    field('o-phone', 'Nomor WhatsApp', phone, 'Nomor yang akan dipakai petugas, misalnya 0812 3456 7890.'),
    field('o-scope', 'Wilayah', place),
    field('o-rw', 'Nomor RW', rw, 'Untuk ketua RW atau RT: kelurahan di atas, lalu nomor RW-nya.'),
    field('o-rt', 'Nomor RT', rt, 'Untuk ketua RT.'),
    field('o-role', 'Peran', role),
    h('label', { class: 'check', for: 'o-below' }, below, 'Juga beri tahu kasus di bawah wilayahnya'),
    h('label', { class: 'check', for: 'o-digest' }, digest, 'Kirim ringkasan pagi lewat WhatsApp'),
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    form.querySelector('.form-error')?.remove();
    const unit = rw.value.trim() ? `/rw-${two(rw.value.trim())}${rt.value.trim() ? `/rt-${two(rt.value.trim())}` : ''}` : '';
    const body = {
      name: name.value.trim(), whatsapp: phone.value.trim(), scope: `${place.value}${unit}`, role: role.value, notify_below: below.checked,
      digest_by_whatsapp: digest.checked,
    };
    button.disabled = true;
    try {
      const registered = await call('POST', '/officials', body);
      form.reset();
      shown.replaceChildren(codeBox(registered));
      shown.querySelector('h2').focus();
      await reload();
    } catch (error) {
      form.prepend(h('p', { class: 'alert form-error', role: 'alert' }, explain(error)));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
