// A kelurahan's RWs and RTs (`#/rt-rw`, the /units routes): listed for
// anyone whose scope holds the kelurahan; added, changed, removed and
// imported from a CSV file by its officers. A head's number is never shown:
// the API says only whether one is kept.
import { h, show, field, options, toast, confirmButton } from './dom.js';
import { call, catalogue, get, postCsv, unitsPath } from './api.js';
import { unitKelurahan } from './places.js';

const two = (n) => String(n).padStart(2, '0');

let chosen = null;

export async function render(session, explain) {
  let places;
  try {
    places = await catalogue();
  } catch (error) {
    show(h('h1', {}, 'RT dan RW'), h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  const kelurahan = unitKelurahan(places);
  if (!kelurahan.length) {
    show(h('h1', {}, 'RT dan RW'), h('p', { class: 'muted' }, 'Wilayah Anda tidak memuat kelurahan.'));
    return;
  }
  if (!kelurahan.some(([path]) => path === chosen)) [[chosen]] = kelurahan;
  const body = h('div', { 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Memuat…'));
  const select = h('select', { name: 'kelurahan' }, options(kelurahan, chosen));
  select.addEventListener('change', () => { chosen = select.value; load(body, explain); });
  show(h('h1', {}, 'RT dan RW'),
    kelurahan.length > 1 ? h('div', { class: 'card' }, field('u-kel', 'Kelurahan', select)) : h('p', { class: 'muted' }, kelurahan[0][1]),
    body);
  await load(body, explain);
}

async function load(body, explain) {
  let list;
  try {
    list = await get(unitsPath(chosen));
  } catch (error) {
    body.replaceChildren(h('p', { class: 'alert', role: 'alert' }, explain(error)));
    return;
  }
  const reload = () => load(body, explain);
  const form = list.may_edit ? unitForm(reload, explain) : null;
  body.replaceChildren(
    table(list, form, reload, explain),
    form?.element,
    list.may_edit ? importForm(reload, explain) : null);
}

function table(list, form, reload, explain) {
  if (!list.units.length) return h('p', { class: 'muted' }, 'Belum ada RT atau RW yang dicatat.');
  return h('table', {},
    h('caption', {}, `RT dan RW ${list.kelurahan_name}`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Satuan'), h('th', { scope: 'col' }, 'Ketua'), h('th', { scope: 'col' }, 'WhatsApp ketua'),
      list.may_edit ? h('th', { scope: 'col' }, 'Tindakan') : null)),
    h('tbody', {}, list.units.map((u) => h('tr', {},
      h('th', { scope: 'row' }, u.name),
      h('td', {}, u.head_name),
      h('td', {}, u.has_whatsapp ? 'Tercatat' : '–'),
      list.may_edit ? h('td', {},
        h('button', { type: 'button', class: 'secondary', 'aria-label': `Ubah ${u.name}`, onclick: () => form.edit(u) }, 'Ubah'),
        ' ',
        removeButton(u, reload, explain)) : null))));
}

function removeButton(u, reload, explain) {
  return confirmButton('Hapus', `Hapus ${u.name}`, `Hapus ${u.name}?`, async () => {
    await call('DELETE', unitsPath(u.path));
    toast(`${u.name} dihapus`);
    await reload();
  }, explain);
}

/** Add a unit, or change the one `edit` was given (at its version). */
function unitForm(reload, explain) {
  const rw = h('input', { name: 'rw', inputmode: 'numeric', required: true, maxlength: 2, autocomplete: 'off' });
  const rt = h('input', { name: 'rt', inputmode: 'numeric', maxlength: 2, autocomplete: 'off' });
  const name = h('input', { name: 'head_name', required: true, maxlength: 80, autocomplete: 'off' });
  const phone = h('input', { name: 'head_whatsapp', type: 'tel', autocomplete: 'off' });
  const heading = h('h2', { id: 'h-unit' }, 'Tambah RT atau RW');
  const button = h('button', { type: 'submit' }, 'Simpan');
  let editing = null;
  const element = h('form', { class: 'card', 'aria-labelledby': 'h-unit' }, heading,
    field('u-rw', 'Nomor RW', rw),
    field('u-rt', 'Nomor RT', rt, 'Kosongkan untuk RW.'),
    field('u-name', 'Nama ketua', name),
    field('u-phone', 'Nomor WhatsApp ketua', phone, 'Tidak wajib. Nomor yang tersimpan tidak ditampilkan; saat mengubah, kosongkan untuk membiarkannya.'),
    button);
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    element.querySelector('.form-error')?.remove();
    const slug = `rw-${two(rw.value.trim())}${rt.value.trim() ? `/rt-${two(rt.value.trim())}` : ''}`;
    const body = { head_name: name.value.trim() };
    if (phone.value.trim() || !editing) body.head_whatsapp = phone.value.trim();
    if (editing) body.version = editing.version;
    button.disabled = true;
    try {
      await call('PUT', unitsPath(`${chosen}/${slug}`), body);
      toast('Tersimpan');
      await reload();
    } catch (error) {
      button.disabled = false;
      element.prepend(h('p', { class: 'alert form-error', role: 'alert' }, explain(error)));
    }
  });
  return {
    element,
    edit(u) {
      editing = u;
      rw.value = two(u.rw);
      rt.value = u.rt ? two(u.rt) : '';
      rw.readOnly = true;
      rt.readOnly = true;
      name.value = u.head_name;
      phone.value = '';
      heading.textContent = `Ubah ${u.name}`;
      name.focus();
    },
  };
}

function importForm(reload, explain) {
  const file = h('input', { type: 'file', name: 'csv', accept: '.csv,text/csv', required: true });
  const button = h('button', { type: 'submit', class: 'secondary' }, 'Impor');
  const form = h('form', { class: 'card', 'aria-labelledby': 'h-import' },
    h('h2', { id: 'h-import' }, 'Impor dari berkas CSV'),
    field('u-file', 'Berkas CSV', file, 'Baris pertama: rw,rt,head_name,head_whatsapp. Kolom rt kosong untuk RW. Bila ada baris yang salah, tidak ada yang disimpan.'),
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    form.querySelector('.form-error')?.remove();
    const text = await file.files[0]?.text();
    if (text === undefined) return;
    button.disabled = true;
    try {
      const done = await postCsv(unitsPath(chosen), text);
      toast(`Impor selesai: ${done.created} baru, ${done.updated} diubah`);
      await reload();
    } catch (error) {
      button.disabled = false;
      const problems = error.error?.problems ?? [];
      form.prepend(h('div', { class: 'alert form-error', role: 'alert' },
        h('p', {}, explain(error)),
        problems.length ? h('ul', {}, problems.map((p) => h('li', {}, `Baris ${p.line}: ${p.message}`))) : null));
    }
  });
  return form;
}
