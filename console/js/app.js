// The console: sign-in, then the page the address's hash names
// (`#/` queue, `#/kasus/<ticket>`, `#/statistik`, `#/rt-rw`, `#/petugas-wa`
// for admins); the public
// record (`#/publik`) needs no sign-in.
import { h, show } from './dom.js';
import { completeLogin, login, logout, session } from './auth.js';
import { explainError, explainOfficialError, explainUnitError, ROLE } from './format.js';
import * as queue from './queue.js';
import * as casePage from './case.js';
import * as stats from './stats.js';
import * as units from './units.js';
import * as officials from './officials.js';
import * as publicRecord from './public.js';

const explain = (error) => explainError(error.status, error.error);

function header(s) {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  nav.hidden = !s;
  who.hidden = !s;
  if (!s) return;
  // Only admins keep officials on WhatsApp (the API refuses the others too).
  document.getElementById('nav-officials').hidden = s.role !== 'admin';
  const page = ['#/statistik', '#/rt-rw', '#/petugas-wa', '#/publik'].find((p) => location.hash.startsWith(p)) ?? '#/';
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === page) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  who.replaceChildren(
    h('span', { id: 'who-name' }, `${s.name} · ${ROLE[s.role] ?? s.role}`),
    h('button', { type: 'button', onclick: logout }, 'Keluar'));
}

function signInPage(problem) {
  show(h('h1', {}, 'Masuk ke Konsol Aduan'),
    problem ? h('p', { class: 'alert', role: 'alert' }, problem) : null,
    h('p', {}, 'Konsol untuk petugas kelurahan, kecamatan, kota dan dinas: antrean pengaduan warga dari WhatsApp.'),
    h('button', { type: 'button', id: 'login', onclick: login }, 'Masuk'),
    h('p', {}, h('a', { href: '#/publik' }, 'Lihat catatan publik tanpa masuk')));
}

async function route() {
  const s = session();
  header(s);
  const hash = decodeURIComponent(location.hash.slice(1) || '/');
  if (hash.startsWith('/publik')) return publicRecord.render(explain);
  if (!s) return signInPage();
  // `/cases/<ticket>`: the links of escalation emails (CONSOLE_BASE_URL).
  const ticket = hash.match(/^\/(?:kasus|cases)\/(.+)$/)?.[1];
  if (ticket) return casePage.render(s, ticket, explain);
  if (hash.startsWith('/statistik')) return stats.render(s, explain);
  if (hash.startsWith('/rt-rw')) return units.render(s, (error) => explainUnitError(error.status, error.error));
  if (hash.startsWith('/petugas-wa')) return officials.render(s, (error) => explainOfficialError(error.status, error.error));
  return queue.render(s, explain);
}

async function start() {
  if (!window.ADUAN_CONFIG?.apiUrl) {
    show(h('h1', {}, 'Konsol belum dikonfigurasi'), h('p', {}, 'config.js tidak ditemukan atau tidak lengkap.'));
    return;
  }
  const problem = await completeLogin().catch(() => 'Server masuk tidak dapat dihubungi.');
  if (problem) {
    header(null);
    signInPage(problem);
    return;
  }
  window.addEventListener('hashchange', route);
  await route();
}

start();
