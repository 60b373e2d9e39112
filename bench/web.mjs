// bench/web.mjs — how long each page takes to become usable in a real browser
// (`make bench-web`). Debian's chromium through playwright-core, the server
// started by tests/browser/harness.mjs with `cellclinic demo` data.
//
// For each page: a fresh navigation (about:blank first, so every round loads
// the application again, as a link opened from a bookmark or an e-mail does),
// then the browser's own clock (performance.now(), from the navigation's
// start) when every selector the page is used through is visible and the main
// thread has painted a frame after it (a page busy laying out or decoding is
// not usable yet). ROUNDS rounds, pages interleaved within a round; the
// median, the fastest and the slowest, and each page's ratio to the login
// page of the same run. With --baseline OTHER_BINARY (an earlier build), a
// second server with the same demo data is measured in the same rounds,
// alternating page by page, and the ratio of the two is printed. No
// threshold: the figures go to bench/RESULTS.md.
//
// usage: node bench/web.mjs --binary build/cellclinic [--baseline OTHER] [--rounds N] [--patients N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Server, launchBrowser } from '../tests/browser/harness.mjs';

function args(argv) {
  const out = { binary: null, baseline: null, rounds: 7, patients: 200 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--binary') out.binary = path.resolve(argv[++i]);
    else if (argv[i] === '--baseline') out.baseline = path.resolve(argv[++i]);
    else if (argv[i] === '--rounds') out.rounds = Number(argv[++i]);
    else if (argv[i] === '--patients') out.patients = Number(argv[++i]);
    else { console.error(`unknown argument: ${argv[i]}`); process.exit(2); }
  }
  if (!out.binary || !(out.rounds >= 1) || !(out.patients >= 20)) {
    console.error('usage: node bench/web.mjs --binary build/cellclinic [--baseline OTHER] [--rounds N >= 1] [--patients N >= 20]');
    process.exit(2);
  }
  return out;
}

// Resolves with performance.now() once every selector matches a visible
// element and one more frame has been painted.
function usableAt(page, selectors) {
  return page.waitForFunction((sels) => new Promise((resolve) => {
    const visible = (s) => [...document.querySelectorAll(s)].some((el) => el.offsetParent !== null || el.getClientRects().length > 0);
    const check = () => {
      if (sels.every(visible)) requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
      else requestAnimationFrame(check);
    };
    check();
  }), selectors, { timeout: 60000, polling: 'raf' }).then((h) => h.jsonValue());
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function questionnaireLink(admin) {
  // a visit of a demo patient whose window is open: the nurse's link for the NRS
  const r = await admin.request('GET', '/api/v1/follow-up?state=all&per_page=100');
  for (const v of r.body.items || []) {
    const made = await admin.request('POST', `/api/v1/follow-up/${v.id}/links`, { instrument: 'nrs-pain', days: 14 });
    if (made.status === 201) return new URL(made.body.url).hash;
  }
  throw new Error('no demo visit takes a questionnaire link');
}

// A server with demo data, a staff page logged in as the administrator and
// an anonymous page (the patient's phone), and the pages to measure.
async function side(binary, dir, patients, browser) {
  fs.mkdirSync(dir);
  const server = await new Server(binary, dir).start({ demo: patients });
  const admin = await server.client();
  await admin.request('PUT', '/api/v1/clinic-site', { name: 'Clinique de mesure', public_base_url: `${server.baseURL}/` });
  const list = await admin.request('GET', '/api/v1/patients?per_page=1');
  const patientId = list.body.items[0].id;
  const qHash = await questionnaireLink(admin);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, baseURL: server.baseURL, locale: 'fr-FR' });
  context.setDefaultTimeout(60000);
  const staff = await context.newPage();
  await staff.goto('/');
  await staff.getByTestId('login-form').waitFor();
  await staff.locator('#login-username').fill('admin');
  await staff.locator('#login-password').fill(server.adminPassword);
  await staff.locator('#login-password').press('Enter');
  await staff.getByTestId('logout').waitFor({ state: 'visible' });
  const phone = await browser.newContext({ viewport: { width: 390, height: 800 }, baseURL: server.baseURL, locale: 'fr-FR' });
  const anonymous = await phone.newPage();
  const pages = [
    ['login page', '/#/login', ['[data-testid=login-form]'], anonymous],
    ['patient list', '/#/patients', ['[data-testid=patients-table]'], staff],
    ['patient chart', `/#/patients/${patientId}`, ['[data-testid=patient-facts]', '[data-testid=weights-section]',
      '[data-testid=conditions-section]'], staff],
    ['bedside worklist', '/#/bedside', ['[data-testid=worklist-filter]', '[data-testid=worklist-row], [data-testid=worklist-empty]'], staff],
    ['questionnaire (patient, no account)', `/${qHash}`, ['[data-testid=q-form]'], anonymous],
    // the report's first screen is its form and participant flow; its adverse events' table, many screens
    // below, is drawn in the same task (only the measures, the AIS and the satisfaction questionnaire
    // between them wait until scrolled near), so waiting for it covers the first screen and more
    ['outcome report (sci)', '/#/reports/outcomes?protocol=sci', ['[data-testid=report-flow]', '[data-testid=report-ae]'], staff],
  ];
  return { server, pages, times: new Map(pages.map(([name]) => [name, []])) };
}

async function measure(page, url, selectors) {
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  return usableAt(page, selectors);
}

async function main() {
  const a = args(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-web-'));
  const sides = [];
  let browser = null;
  try {
    browser = await launchBrowser(dir);
    sides.push(await side(a.binary, path.join(dir, 'this'), a.patients, browser));
    if (a.baseline) sides.push(await side(a.baseline, path.join(dir, 'baseline'), a.patients, browser));
    const [main, base] = sides;
    for (let round = 0; round <= a.rounds; round++) {
      for (let i = 0; i < main.pages.length; i++) {
        // alternate which build goes first, so that neither always follows the other
        const order = round % 2 ? [...sides].reverse() : sides;
        for (const s of order) {
          const [name, url, selectors, page] = s.pages[i];
          const ms = await measure(page, url, selectors);
          if (round > 0) s.times.get(name).push(ms); // round 0 warms the server's caches and the browser's
        }
      }
    }
    const login = median(main.times.get('login page'));
    console.log(`\nbench-web: ${a.rounds} rounds after one warm-up, demo --patients ${a.patients}, chromium headless 1280x900 (login and questionnaire 390x800, no account)`);
    console.log(`| page | median ms | fastest | slowest | / login page |${base ? ' baseline median ms | this / baseline |' : ''}`);
    console.log(`| --- | ---: | ---: | ---: | ---: |${base ? ' ---: | ---: |' : ''}`);
    for (const [name] of main.pages) {
      const xs = main.times.get(name);
      const m = median(xs);
      const b = base ? median(base.times.get(name)) : null;
      console.log(`| ${name} | ${m.toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)} | ${(m / login).toFixed(2)} |`
        + (base ? ` ${b.toFixed(0)} | ${(m / b).toFixed(2)} |` : ''));
    }
  } finally {
    if (browser) await browser.stopProcess().catch(() => {});
    for (const s of sides) await s.server.stop().catch(() => {});
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => { console.error(err); process.exit(1); });
