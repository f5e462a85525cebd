// The console end to end in a real headless browser (Debian's Chromium,
// driven by playwright-core) against `make dev`, which this script starts:
// citizens write in through signed webhooks, a lurah signs in through the
// development issuer's code+PKCE flow, sees only Garegeh's cases, opens one
// with a photo, verifies it, meets a version conflict, replies and
// escalates by keyboard through the searchable picker, prints the lembar
// disposisi (one A4 page), hands another case down to an RT picked by name
// from the kelurahan's RWs and RTs (imported as a CSV file); the camat
// moves a case and escalates it to a dinas by name; a viewer finds no actions; the wali kota registers an
// official on WhatsApp (the code shown once) and removes them. axe-core checks the queue, a
// case and the stats page on a phone and a desktop screen: any serious or
// critical violation fails the run. All of it under the page's
// Content-Security-Policy, as deployed: any violation fails the run.
// Screenshots of the queue, a case, its pickers, its printed sheet, the
// stats page and the officials on WhatsApp go to docs/screenshots/.
//
//   ADUAN_DEV_PORT   port for `make dev` (default 3100)
//   ADUAN_DEV_URL    use an already running `make dev` instead of starting one
//   CHROMIUM         the browser (default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(root, 'docs/screenshots');
const port = process.env.ADUAN_DEV_PORT ?? '3100';
const base = process.env.ADUAN_DEV_URL ?? `http://127.0.0.1:${port}`;
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Everything this run creates carries it, so reruns on one emulator do not mix.
const run = crypto.randomBytes(3).toString('hex');
const DEV_NUMBER = '1000000001';
const APP_SECRET = 'dev-app-secret';
// axe-core as package-lock.json pins it. It is evaluated through the
// DevTools protocol (page.evaluate), which the page's CSP does not govern,
// rather than added as a <script> (inline: refused by script-src 'self' and
// Trusted Types) or with bypassCSP (which would switch the policy off for
// the whole run, and with it the check that the console keeps to it).
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 360, height: 740 };
const GAREGEH = 'bukittinggi/mandiangin-koto-selayan/garegeh';
// Garegeh's RWs and RTs: number of the RW, of the RT (empty for an RW), head.
const UNITS = [[3, '', 'Pak Syafri'], [3, 1, 'Bu Yenni'], [3, 2, 'Pak Datuak'], [4, '', 'Bu Rosna']];
const DESKTOP = { width: 1280, height: 800 };

let server;
let browserDir;
const results = [];
// Every Content-Security-Policy violation of the console's pages, and what
// the browser's console said about the policy.
const violations = [];

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function startDev() {
  if (process.env.ADUAN_DEV_URL) return;
  const log = fs.openSync(path.join(os.tmpdir(), `aduan-browser-dev-${port}.log`), 'w');
  server = spawn('infra/local/dev.sh', [], {
    cwd: root, detached: true, stdio: ['ignore', log, log], env: { ...process.env, ADUAN_DEV_PORT: port },
  });
  // The first run may compile aduan-dev: allow for it.
  const deadline = Date.now() + 15 * 60 * 1000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`make dev exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${base}/dev/officials`)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error('make dev did not answer in time');
}

function stopDev() {
  // Ctrl-C, as a person would: dev.sh stops the emulator it started.
  if (server && server.exitCode === null) process.kill(-server.pid, 'SIGINT');
}

/** A photo for the test: a PNG of a grey road with a dark hole, `width` × `height`. */
function photo(width = 320, height = 200) {
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      const hole = ((x - width / 2) / 70) ** 2 + ((y - height / 2) / 40) ** 2 < 1;
      const shade = hole ? 40 : 120 + ((x * 7 + y * 13) % 23);
      row.fill(shade, 1 + x * 3, 4 + x * 3);
    }
    rows.push(row);
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes) => {
    let c = 0xffffffff;
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))]);
}

/** A citizen's message as Meta delivers it, signed with the app secret. */
async function deliver(from, kind, payload) {
  const id = `wamid.${run}.${crypto.randomBytes(4).toString('hex')}`;
  const message = { from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: kind, [kind]: payload };
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '6281100000000', phone_number_id: DEV_NUMBER },
      contacts: [{ profile: { name: 'Warga' }, wa_id: from }],
      messages: [message],
    } }] }],
  });
  const signature = `sha256=${crypto.createHmac('sha256', APP_SECRET).update(body).digest('hex')}`;
  const response = await fetch(`${base}/webhook`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body,
  });
  check(response.status === 200, `webhook answered ${response.status}`);
}

/** The officials' API as `official`; a string body goes as `text/csv`. */
async function api(official, method, route, body) {
  const { id_token: token } = await (await fetch(`${base}/dev/token`, {
    method: 'POST', body: JSON.stringify({ official }),
  })).json();
  const csv = typeof body === 'string';
  const response = await fetch(`${base}${route}`, {
    method, headers: { authorization: `Bearer ${token}`, 'content-type': csv ? 'text/csv' : 'application/json' },
    body: csv ? body : (body ? JSON.stringify(body) : undefined),
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** The ticket of the case whose description contains `text` (the camat sees both kelurahan). */
async function ticketOf(text) {
  const { body } = await api('camat-mks', 'GET', '/cases?limit=100');
  const found = body.cases.find((c) => c.description.includes(text));
  check(found, `no case with "${text}"`);
  return found;
}

async function step(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`ok - ${name}`);
  } catch (error) {
    results.push([name, false]);
    console.log(`not ok - ${name}\n  ${error.stack ?? error}`);
    throw error;
  }
}

/** axe-core on the page as it is now: fails on any serious or critical violation. */
async function audit(page, where) {
  if (!(await page.evaluate(() => Boolean(window.axe)))) await page.evaluate(AXE);
  const { violations: found, passes } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  console.log(`  axe on ${where}: ${passes.length} rules passed; ${found.length ? found.map((v) => `${v.impact} ${v.id}`).join(', ') : 'no violations'}`);
  check(bad.length === 0, `axe on ${where}:\n  ${bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`).join('\n  ')}`);
}

/** Tabs from the top of the page; the controls reached, each with a visible focus ring. */
async function tabThrough(page, presses = 120) {
  await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
  const reached = new Set();
  for (let i = 0; i < presses; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return { key: el.dataset.action ?? el.id ?? el.textContent.trim(), ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 };
    });
    if (!focused) continue;
    check(focused.ring, `no visible focus on ${focused.key}`);
    reached.add(focused.key);
  }
  return reached;
}

async function signIn(page, official) {
  await page.goto(`${base}/console/`);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.waitForURL(/\/dev\/oauth2\/authorize/);
  await page.locator(`button[name="official"][value="${official}"]`).click();
  await page.waitForSelector('#who-name');
}

async function main() {
  await startDev();
  const phone = () => `62812${String(crypto.randomInt(1e7)).padStart(7, '0')}`;
  const garegeh = `Jalan berlubang di depan SD Garegeh, bahaya untuk motor (${run})`;
  const suggestion = `Saran: tambah lampu jalan di Garegeh dekat masjid (${run})`;
  const elsewhere = `Sampah menumpuk di pasar Puhun Tembok (${run})`;
  const lamp = `Lampu jalan mati di gang RT 01 RW 03 Garegeh (${run})`;
  const citizen = phone();
  let ticket;
  let saran;
  let other;
  let lampCase;

  await step('citizens write in: a complaint with a photo and a location, a suggestion, one in another kelurahan', async () => {
    await deliver(citizen, 'text', { body: garegeh });
    // The WhatsApp stand-in serves the photo when `make dev` keeps media
    // (POST /dev/media); without a media store the route is absent (404).
    const media = await fetch(`${base}/dev/media`, {
      method: 'POST',
      body: JSON.stringify({ media_id: `MEDIA-${run}`, mime_type: 'image/png', data_base64: photo().toString('base64') }),
    });
    check(media.status === 200 || media.status === 404, `POST /dev/media answered ${media.status}`);
    await deliver(citizen, 'image', { id: `MEDIA-${run}`, mime_type: 'image/png', sha256: 'x', caption: 'Lubangnya dalam' });
    await deliver(citizen, 'location', { latitude: -0.2946, longitude: 100.3727, name: 'SD Garegeh' });
    await deliver(phone(), 'text', { body: suggestion });
    await deliver(phone(), 'text', { body: elsewhere });
    await deliver(phone(), 'text', { body: lamp });
    ticket = (await ticketOf(garegeh)).ticket;
    lampCase = await ticketOf(lamp);
    check(lampCase.area === GAREGEH, `the lamp case landed in ${lampCase.area}`);
    saran = await ticketOf(suggestion);
    check(saran.kind === 'saran', `the suggestion is a ${saran.kind}`);
    other = await ticketOf(elsewhere);
    check(!other.area.endsWith('/garegeh'), `the second case landed in ${other.area}`);
  });

  await step('the lurah keeps Garegeh\'s RWs and RTs (a CSV file, as the RT/RW page imports it)', async () => {
    // Adds or changes: a rerun on the same emulator finds them kept already.
    const csv = ['rw,rt,head_name,head_whatsapp', ...UNITS.map(([rw, rt, head]) => `${rw},${rt},${head},`)].join('\n');
    const done = await api('lurah-garegeh', 'POST', `/units/${GAREGEH}`, csv);
    check(done.status === 200 && done.body.created + done.body.updated === UNITS.length, `import: ${done.status} ${JSON.stringify(done.body)}`);
  });

  browserDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aduan-chromium-'));
  const context = await chromium.launchPersistentContext(browserDir, {
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'id-ID',
    timezoneId: 'Asia/Jakarta',
  });
  try {
    await context.exposeBinding('aduanCspViolation', (_source, violation) => { violations.push(violation); });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        window.aduanCspViolation({
          page: location.href, directive: e.effectiveDirective, blocked: e.blockedURI,
          source: `${e.sourceFile}:${e.lineNumber}`, sample: e.sample,
        });
      });
    });
    const page = context.pages()[0] ?? await context.newPage();
    page.on('console', (message) => {
      if (/Content.Security.Policy|Trusted Type/i.test(message.text())) {
        violations.push({ page: page.url(), console: `${message.type()}: ${message.text()}` });
      }
    });
    page.setDefaultTimeout(15000);
    fs.mkdirSync(shots, { recursive: true });

    await step('the console is served under its Content-Security-Policy, with this server\'s origins', async () => {
      await page.goto(`${base}/console/`);
      await page.getByRole('button', { name: 'Masuk' }).waitFor();
      const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      check(policy.includes(`connect-src ${base} ${base};`) && !policy.includes('${'), `the policy: ${policy}`);
      // In force: a fetch to another origin (localhost is not 127.0.0.1) is refused and reported.
      const elsewhere = base.replace('127.0.0.1', 'localhost');
      check(elsewhere !== base, `${base} is not on 127.0.0.1`);
      await page.evaluate((url) => fetch(url).catch(() => null), `${elsewhere}/dev/officials`);
      const deadline = Date.now() + 5000;
      const refused = () => violations.findIndex((v) => v.directive === 'connect-src' && v.blocked?.startsWith(elsewhere));
      while (refused() < 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      check(refused() >= 0, `no violation reported for ${elsewhere}: ${JSON.stringify(violations)}`);
      violations.splice(0, violations.length);
    });

    await step('the lurah signs in (code + PKCE) and sees only Garegeh\'s cases', async () => {
      await signIn(page, 'lurah-garegeh');
      await page.waitForSelector('.cases');
      const text = await page.locator('.cases').innerText();
      check(text.includes(ticket), `${ticket} not in the queue`);
      check(!text.includes(other.ticket), `${other.ticket} (${other.area}) shown to the lurah`);
      const areas = await page.locator('.cases .where').allInnerTexts();
      check(areas.every((a) => a.includes('Garegeh')), `areas: ${areas}`);
      check(await page.getByText(/\d+ lewat batas/).isVisible(), 'no counts');
      await page.screenshot({ path: path.join(shots, 'queue.png'), fullPage: true });
    });

    await step('the queue filters and orders', async () => {
      await page.getByLabel('Urutan').selectOption('overdue');
      await page.getByLabel('Jenis').selectOption('saran');
      await page.getByRole('button', { name: 'Terapkan' }).click();
      const shows = (wanted, unwanted) => page.waitForFunction(([yes, no]) => {
        const text = document.querySelector('.cases')?.innerText ?? '';
        return yes.every((t) => text.includes(t)) && no.every((t) => !text.includes(t));
      }, [wanted, unwanted]);
      await shows([saran.ticket], [ticket]);
      await page.getByLabel('Jenis').selectOption('');
      await page.getByRole('button', { name: 'Terapkan' }).click();
      await shows([saran.ticket, ticket], []);
    });

    await step('the case shows its description, photo, location and the reply window', async () => {
      await page.getByRole('link', { name: new RegExp(ticket) }).click();
      await page.getByRole('heading', { level: 1, name: new RegExp(ticket) }).waitFor();
      check((await page.locator('.desc-full').innerText()).includes(garegeh), 'no description');
      const figure = page.locator(`figure[data-media="MEDIA-${run}"]`);
      await figure.waitFor();
      // With the media store (the route exists), the photo itself must load;
      // without it, the console says the photo is not stored yet.
      const route = await api('lurah-garegeh', 'GET', `/cases/${ticket}/media/MEDIA-${run}`);
      if (route.body?.message === 'Not Found') {
        await figure.locator('.media-missing').waitFor();
      } else {
        await figure.locator('img').waitFor();
        const width = await figure.locator('img').evaluate(async (img) => { await img.decode(); return img.naturalWidth; });
        check(width > 0, 'the photo did not load');
      }
      const map = page.getByRole('link', { name: /Buka peta/ });
      check((await map.getAttribute('href')).includes('mlat=-0.2946'), 'no map link');
      check(await page.locator('#reply-window.window-open').isVisible(), 'the 24-hour window is not shown open');
      await page.screenshot({ path: path.join(shots, 'case.png'), fullPage: true });
    });

    await step('the lurah verifies it', async () => {
      await page.locator('button[data-action="verify"]').click();
      await page.locator('h1 .badge', { hasText: 'Terverifikasi' }).waitFor();
      await page.locator('.timeline', { hasText: 'Diterima → Terverifikasi' }).waitFor();
    });

    await step('a version conflict is explained and the case reloaded', async () => {
      const current = await api('camat-mks', 'GET', `/cases/${ticket}`);
      const started = await api('camat-mks', 'POST', `/cases/${ticket}/actions`,
        { action: 'note', note: 'Dicek camat', version: current.body.case.version });
      check(started.status === 200, `camat's note: ${started.status}`);
      await page.locator('button[data-action="start"]').click();
      await page.getByRole('alert').filter({ hasText: 'dimuat ulang' }).waitFor();
      await page.locator('.timeline', { hasText: 'Dicek camat' }).waitFor();
      await page.locator('button[data-action="start"]').click();
      await page.locator('h1 .badge', { hasText: 'Dikerjakan' }).waitFor();
    });

    await step('the lurah replies to the citizen on WhatsApp', async () => {
      const text = `Tim kami akan menambal lubangnya minggu ini (${run})`;
      await page.getByLabel('Pesan untuk warga').fill(text);
      await page.getByRole('button', { name: 'Kirim balasan' }).click();
      await page.locator('.timeline', { hasText: text }).waitFor();
      const sent = await (await fetch(`${base}/dev/whatsapp`)).json();
      check(sent.some((m) => m.text?.includes(text)), 'the WhatsApp stand-in got no reply');
    });

    await step('with the keyboard alone every action is reachable, its focus visible', async () => {
      const reached = await tabThrough(page);
      const wanted = await page.evaluate(() => [...document.querySelectorAll('main [data-action], main input, main textarea, main select')]
        .filter((el) => el.offsetParent !== null).map((el) => el.dataset.action ?? el.id));
      const missed = wanted.filter((k) => !reached.has(k));
      check(missed.length === 0, `not reached by Tab: ${missed}`);
    });

    await step('the lurah escalates by keyboard, choosing the kecamatan in the picker', async () => {
      const picker = page.getByRole('combobox', { name: 'Eskalasi ke' });
      await picker.focus();
      await page.keyboard.type('keca');
      await page.getByRole('listbox', { name: 'Eskalasi ke' }).getByRole('option', { name: /Kecamatan/ }).waitFor();
      await page.keyboard.press('ArrowDown');
      check(await picker.getAttribute('aria-activedescendant'), 'no active option');
      await page.keyboard.press('Enter');
      check(await picker.inputValue() === 'Kecamatan', `chose ${await picker.inputValue()}`);
      await page.keyboard.press('Tab');
      await page.keyboard.type('Perlu alat berat dari kecamatan');
      await page.keyboard.press('Tab');
      check(await page.evaluate(() => document.activeElement.dataset.action) === 'escalate', 'Tab does not reach Eskalasi');
      await page.keyboard.press('Enter');
      await page.locator('.timeline', { hasText: 'Dieskalasi dari Kelurahan ke Kecamatan' }).waitFor();
      const after = await api('camat-mks', 'GET', `/cases/${ticket}`);
      check(after.body.case.level === 'kecamatan', `level ${after.body.case.level}`);
    });

    await step('the toast does not cover a control', async () => {
      const toast = page.locator('#toast');
      await toast.waitFor();
      const covered = await page.evaluate(() => {
        const t = document.getElementById('toast').getBoundingClientRect();
        return [...document.querySelectorAll('button, input, textarea, select, a')].filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width && r.height && r.left < t.right && r.right > t.left && r.top < t.bottom && r.bottom > t.top;
        }).map((el) => el.textContent.trim() || el.id);
      });
      check(covered.length === 0, `the toast covers ${covered}`);
    });

    await step('the case prints as one A4 lembar disposisi, without the reporter\'s number', async () => {
      await page.getByRole('button', { name: 'Cetak lembar disposisi' }).waitFor();
      await page.emulateMedia({ media: 'print' });
      const sheet = page.locator('.sheet');
      check(await sheet.isVisible(), 'the sheet does not print');
      check(!(await page.locator('.timeline').isVisible()), 'the screen timeline prints too');
      const text = await sheet.innerText();
      for (const wanted of [ticket, garegeh, 'Kelurahan Garegeh', 'Diterima → Terverifikasi', 'Eskalasi Kelurahan → Kecamatan', 'Lurah']) {
        check(text.includes(wanted), `the sheet lacks ${wanted}: ${text}`);
      }
      check(!text.includes(citizen) && !text.includes(citizen.slice(2)), 'the sheet shows the reporter\'s number');
      await page.setViewportSize({ width: 794, height: 1123 });
      await page.screenshot({ path: path.join(shots, 'disposition-sheet.png'), fullPage: true });
      const pdf = (await page.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
      const pages = (pdf.match(/\/Type\s*\/Page[^s]/g) ?? []).length;
      check(pages === 1, `the sheet prints on ${pages} pages`);
      await page.emulateMedia({ media: 'screen' });
      await page.setViewportSize(DESKTOP);
    });

    await step('the lurah hands a case down to an RT picked by name from the kelurahan\'s RWs and RTs', async () => {
      await page.goto(`${base}/console/#/kasus/${lampCase.ticket}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(lampCase.ticket) }).waitFor();
      // The suggestion about a lamp in Garegeh is suggested as its duplicate, with a merge button.
      const duplicate = page.locator(`.suggestions li[data-ticket="${saran.ticket}"]`);
      await duplicate.waitFor();
      check(await duplicate.locator('button[data-action="merge-suggested"]').count() === 1, 'no merge button on the suggestion');
      const picker = page.getByRole('combobox', { name: 'Alihkan atau serahkan ke' });
      const list = page.getByRole('listbox', { name: 'Alihkan atau serahkan ke' });
      await picker.focus();
      // Unfiltered, the kelurahan's units come first (after a dinas suggested for the case's category), each RW then its RTs.
      await list.getByRole('option').first().waitFor();
      const all = await list.getByRole('option').allInnerTexts();
      const suggested = all.filter((t) => t.includes('disarankan')).length;
      const first = all.slice(suggested, suggested + UNITS.length).map((t) => t.split('\n')[0]);
      check(JSON.stringify(first) === JSON.stringify(['RW 03 · Pak Syafri', 'RT 01 / RW 03 · Bu Yenni', 'RT 02 / RW 03 · Pak Datuak', 'RW 04 · Bu Rosna']),
        `the options offered: ${all}`);
      await page.keyboard.type('rw 3');
      await list.getByRole('option', { name: /RT 02 \/ RW 03/ }).waitFor();
      const offered = await list.getByRole('option').allInnerTexts();
      check(offered.length === 3 && offered.every((t) => t.includes('RW 03')), `"rw 3" offers ${offered}`);
      check(!offered.some((t) => /bukittinggi|rw-0/.test(t)), `a path in the picker: ${offered}`);
      await picker.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: path.join(shots, 'case-handdown.png'), fullPage: false });
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      check(await picker.inputValue() === 'RT 01 / RW 03 · Bu Yenni', `chose ${await picker.inputValue()}`);
      await page.getByLabel('Alasan', { exact: true }).fill('Ketua RT memeriksa lampu di gangnya');
      await page.locator('button[data-action="forward"]').click();
      await page.locator('.timeline', { hasText: 'Diserahkan dari Kelurahan' }).waitFor();
      check((await page.locator('dl.facts').innerText()).includes('RT 01 RW 03, Kelurahan Garegeh'), 'the case does not name its RT');
      const after = await api('lurah-garegeh', 'GET', `/cases/${lampCase.ticket}`);
      check(after.body.case.handed_down_to === `${GAREGEH}/rw-03/rt-01`, `handed down to ${after.body.case.handed_down_to}`);
      // Held by the RT now: it is not offered to itself; the hand-back to the kelurahan is.
      await picker.focus();
      await list.getByRole('option').first().waitFor();
      const now = await list.getByRole('option').allInnerTexts();
      check(!now.some((t) => t.startsWith('RT 01 / RW 03')), `the RT holding it is offered: ${now}`);
      check(now.some((t) => t.startsWith('Kelurahan Garegeh')), 'no hand-back to the kelurahan');
      await picker.evaluate((el) => el.blur());
    });

    await step('the stats page draws its charts', async () => {
      await page.getByRole('link', { name: 'Statistik' }).click();
      await page.getByRole('heading', { name: 'Kasus per minggu, menurut status' }).waitFor();
      check(await page.locator('.chart .seg').count() > 0, 'no weekly bars');
      check((await page.locator('main').innerText()).includes('Wilayah: Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan'), 'the scope is not named');
      check((await page.locator('.hbars').first().innerText()).includes('Garegeh'), 'no kelurahan bar');
      await page.screenshot({ path: path.join(shots, 'stats.png'), fullPage: true });
    });

    await step('on a small phone screen the queue fits its width', async () => {
      await page.setViewportSize(PHONE);
      await page.getByRole('link', { name: 'Antrean' }).click();
      await page.locator('.cases', { hasText: ticket }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await page.screenshot({ path: path.join(shots, 'queue-phone.png'), fullPage: false });
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await step('axe finds nothing serious on the queue, a case and the stats, on a phone and a desktop', async () => {
      for (const [screen, size] of [['phone', PHONE], ['desktop', DESKTOP]]) {
        await page.setViewportSize(size);
        await page.goto(`${base}/console/#/`);
        await page.locator('.cases', { hasText: ticket }).waitFor();
        await audit(page, `the queue (${screen})`);
        await page.goto(`${base}/console/#/kasus/${ticket}`);
        await page.getByRole('heading', { level: 1, name: new RegExp(ticket) }).waitFor();
        await page.locator('.timeline').waitFor();
        await audit(page, `a case (${screen})`);
        await page.getByRole('combobox', { name: 'Eskalasi ke' }).focus();
        await page.getByRole('listbox', { name: 'Eskalasi ke' }).waitFor();
        await audit(page, `a case with the picker open (${screen})`);
        await page.goto(`${base}/console/#/kasus/${lampCase.ticket}`);
        await page.getByRole('combobox', { name: 'Alihkan atau serahkan ke' }).focus();
        await page.getByRole('listbox', { name: 'Alihkan atau serahkan ke' }).getByRole('option', { name: /RW 04 · Bu Rosna/ }).waitFor();
        await audit(page, `a case with the RWs and RTs offered (${screen})`);
        await page.goto(`${base}/console/#/statistik`);
        await page.getByRole('heading', { name: 'Kasus per minggu, menurut status' }).waitFor();
        await audit(page, `the stats (${screen})`);
      }
      await page.setViewportSize(DESKTOP);
    });

    await step('the camat moves a case to another kelurahan, found by name in the picker', async () => {
      await page.getByRole('button', { name: 'Keluar' }).click();
      await page.getByRole('button', { name: 'Masuk' }).waitFor();
      await signIn(page, 'camat-mks');
      await page.goto(`${base}/console/#/kasus/${saran.ticket}`);
      const picker = page.getByRole('combobox', { name: /Pindahkan ke kelurahan/ });
      await picker.fill('puhun');
      // Two kelurahan of the kecamatan start so: Puhun Pintu Kabun and Puhun Tembok.
      await page.getByRole('option', { name: /Kelurahan Puhun Pintu Kabun/ }).waitFor();
      await picker.fill('puhun tem');
      await page.getByRole('option', { name: /Kelurahan Puhun Tembok, Kecamatan Mandiangin Koto Selayan/ }).waitFor();
      const offered = page.getByRole('listbox', { name: /Pindahkan ke kelurahan/ }).getByRole('option');
      check(await offered.count() === 1, `the search "puhun tem" offers ${await offered.allInnerTexts()}`);
      await picker.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: path.join(shots, 'case-picker.png'), fullPage: false });
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.locator('button[data-action="reclassify"]').click();
      await page.locator('.timeline', { hasText: 'wilayah Kelurahan Puhun Tembok, Kecamatan Mandiangin Koto Selayan' }).waitFor();
      const text = await page.locator('main').innerText();
      check(!/bukittinggi\//.test(text), 'a path on screen');
    });

    await step('the camat escalates to a dinas by its name', async () => {
      const picker = page.getByRole('combobox', { name: 'Eskalasi ke' });
      await picker.fill('pupr');
      await page.getByRole('option', { name: /Dinas PUPR/ }).click();
      await page.getByLabel('Alasan eskalasi').fill('Perlu perbaikan jalan oleh dinas');
      await page.locator('button[data-action="escalate"]').click();
      await page.locator('.timeline', { hasText: 'Dieskalasi dari Kelurahan ke Dinas PUPR' }).waitFor();
      check((await page.locator('dl.facts').innerText()).includes('Dinas PUPR'), 'the case does not name its dinas');
    });

    await step('the camat merges a case into another by its ticket, and undoes it', async () => {
      await page.getByText('Gabungkan dengan laporan lain (duplikat)').click();
      const picker = page.getByRole('combobox', { name: 'Kasus tujuan' });
      await picker.fill(ticket.toLowerCase());
      await page.locator('button[data-action="merge"]').click();
      await page.locator('.timeline', { hasText: `Ditutup: duplikat dari ${ticket}` }).waitFor();
      const facts = await page.locator('dl.facts').innerText();
      check(facts.includes('Digabung ke') && facts.includes(ticket), 'the case does not link its target');
      await page.locator('button[data-action="unmerge"]').click();
      await page.locator('.timeline', { hasText: `Penggabungan ${saran.ticket} ke ${ticket} dibatalkan` }).waitFor();
      const target = await api('camat-mks', 'GET', `/cases/${ticket}`);
      check(target.body.case.merged.length === 0, `still merged: ${target.body.case.merged}`);
    });

    await step('a viewer of the whole kota filters by kelurahan', async () => {
      await page.getByRole('button', { name: 'Keluar' }).click();
      await page.getByRole('button', { name: 'Masuk' }).waitFor();
      await signIn(page, 'pengamat');
      await page.locator('.cases', { hasText: other.ticket }).waitFor();
      await page.getByLabel('Kelurahan').selectOption({ label: 'Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan' });
      await page.getByRole('button', { name: 'Terapkan' }).click();
      await page.waitForFunction(([yes, no]) => {
        const text = document.querySelector('.cases')?.innerText ?? '';
        return text.includes(yes) && !text.includes(no);
      }, [ticket, other.ticket]);
    });

    await step('the viewer opens the case and finds no action', async () => {
      await page.goto(`${base}/console/#/kasus/${ticket}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(ticket) }).waitFor();
      await page.getByText('Anda masuk sebagai pengamat').waitFor();
      await page.locator('.timeline').waitFor();
      // Printing the sheet is reading, not acting: the viewer may.
      check(await page.locator('[data-action]:not([data-action="print"])').count() === 0, 'a viewer is offered actions');
      await page.getByRole('button', { name: 'Cetak lembar disposisi' }).waitFor();
      check(await page.getByLabel('Pesan untuk warga').count() === 0, 'a viewer is offered the reply');
    });

    await step('the wali kota registers an official on WhatsApp, is shown the code once, and removes them', async () => {
      await page.getByRole('button', { name: 'Keluar' }).click();
      await page.getByRole('button', { name: 'Masuk' }).waitFor();
      await signIn(page, 'walikota');
      await page.getByRole('link', { name: 'Petugas di WhatsApp' }).click();
      await page.getByRole('heading', { level: 1, name: 'Petugas di WhatsApp' }).waitFor();
      const name = `Pak Amir ${run}`;
      const number = phone();
      await page.getByLabel('Nama', { exact: true }).fill(name);
      await page.getByLabel('Nomor WhatsApp').fill(number);
      await page.getByLabel('Wilayah', { exact: true }).selectOption({ label: 'Kelurahan Garegeh, Kecamatan Mandiangin Koto Selayan' });
      await page.getByLabel('Nomor RW').fill('3');
      await page.getByRole('button', { name: 'Daftarkan' }).click();
      const code = (await page.locator('.code-box .code').innerText()).trim();
      check(/^\d{6}$/.test(code), `the code shown: ${code}`);
      const row = page.getByRole('row', { name: new RegExp(name) });
      await row.waitFor();
      const text = await row.innerText();
      check(text.includes(`+${number.slice(0, 5)}****${number.slice(-4)}`) && text.includes('Menunggu kode'), `the row: ${text}`);
      check(!(await page.locator('main').innerText()).includes(number), 'the whole number on screen');
      await audit(page, 'the officials on WhatsApp, with the code shown');
      await page.screenshot({ path: path.join(shots, 'officials-whatsapp.png'), fullPage: true });
      // Shown once: the page again has the official, not the code.
      await page.reload();
      await row.waitFor();
      check(!(await page.locator('main').innerText()).includes(code), 'the code shown again');
      // Changed in place: the morning digest on WhatsApp, no new code.
      await row.getByText('Ubah', { exact: true }).click();
      await row.getByLabel('Kirim ringkasan pagi lewat WhatsApp').check();
      await row.getByRole('button', { name: 'Simpan' }).click();
      await page.locator('#toast', { hasText: `${name} diubah` }).waitFor();
      const changed = (await api('walikota', 'GET', '/officials')).body.officials.find((o) => o.name === name);
      check(changed?.digest_by_whatsapp === true && changed.standing.state === 'awaiting', `the change: ${JSON.stringify(changed)}`);
      page.once('dialog', (dialog) => dialog.accept());
      await page.getByRole('button', { name: `Hapus ${name}` }).click();
      await row.waitFor({ state: 'detached' });
      const left = await api('walikota', 'GET', '/officials');
      check(!left.body.officials.some((o) => o.name === name), 'still registered');
      const lurah = await api('lurah-garegeh', 'GET', '/officials');
      check(lurah.status === 403, `an officer listed officials: ${lurah.status}`);
    });

    await step('nothing the console did broke its Content-Security-Policy', async () => {
      check(violations.length === 0, `violations:\n  ${violations.map((v) => JSON.stringify(v)).join('\n  ')}`);
    });
  } finally {
    await context.close();
  }
}

let failed = false;
try {
  await main();
} catch {
  failed = true;
} finally {
  stopDev();
  if (browserDir) fs.rmSync(browserDir, { recursive: true, force: true });
}
const passed = results.filter(([, ok]) => ok).length;
console.log(`${passed} passed, ${results.length - passed + (failed && results.every(([, ok]) => ok) ? 1 : 0)} failed`);
process.exit(failed ? 1 : 0);
