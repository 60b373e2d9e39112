// Shared harness of the browser tests.
//
//   node tests/browser/NAME.test.mjs --binary /path/to/cellclinic
//
// For each test file: makes a temp data dir, writes an admin password file,
// runs `cellclinic init`, starts `cellclinic serve` on a free port, waits for
// GET /healthz, launches the system chromium through playwright-core (never a
// downloaded browser), runs the tests one after the other in fresh browser
// contexts, and always stops the server and the browser, removes the temp dir
// (kept with --keep or on failure with CC_KEEP=1), prints "N passed, M failed"
// and exits non-zero when anything failed.
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (err) {
  console.error(`playwright-core is missing: run "npm ci" in ${path.dirname(new URL(import.meta.url).pathname)} (${err.message})`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

export const ADMIN_USER = 'admin';
const CHROMIUM = process.env.CC_CHROMIUM || '/usr/bin/chromium';

function parseArgs(argv) {
  const out = { binary: null, keep: false, only: null, headed: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--binary') out.binary = argv[++i];
    else if (a === '--keep') out.keep = true;
    else if (a === '--only') out.only = argv[++i];
    else {
      console.error(`unknown argument: ${a}`);
      process.exit(2);
    }
  }
  if (!out.binary) {
    console.error('usage: node NAME.test.mjs --binary /path/to/cellclinic [--keep] [--only SUBSTRING]');
    process.exit(2);
  }
  out.binary = path.resolve(out.binary);
  return out;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Everything to clean up at exit, also on a crash or a signal.
const cleanups = [];
let cleaned = false;
function cleanupSync() {
  if (cleaned) return;
  cleaned = true;
  for (const fn of cleanups.reverse()) {
    try { fn(); } catch { /* best effort */ }
  }
}
process.on('exit', cleanupSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => { cleanupSync(); process.exit(130); });
}

export class Server {
  constructor(binary, dir) {
    this.binary = binary;
    this.dir = dir;
    this.dataDir = path.join(dir, 'data');
    // 16 random hex digits: always past the 12-character minimum, never a common password
    this.adminPassword = `Adm1n-${crypto.randomBytes(8).toString('hex')}-pw`;
    this.proc = null;
    this.log = [];
  }

  // demo: when set, `cellclinic demo --patients N` fills the data dir with
  // synthetic records before the server starts.
  async start({ demo = 0 } = {}) {
    const pwFile = path.join(this.dir, 'admin-password');
    fs.writeFileSync(pwFile, `${this.adminPassword}\n`, { mode: 0o600 });
    const init = spawnSync(this.binary, ['init', '--data', this.dataDir, '--admin-password-file', pwFile],
      { encoding: 'utf8', timeout: 60000 });
    if (init.status !== 0) {
      throw new Error(`cellclinic init failed (exit ${init.status}${init.error ? `, ${init.error.message}` : ''}):\n${init.stdout}${init.stderr}`);
    }
    // The tests log in with passwords; mfa.test.mjs turns the requirement on for its user.
    const mfa = spawnSync(this.binary, ['mfa', 'require', '--data', this.dataDir, '--role', 'admin,physician,qa', '--required', 'no'],
      { encoding: 'utf8', timeout: 60000 });
    if (mfa.status !== 0) throw new Error(`cellclinic mfa require failed (exit ${mfa.status}):\n${mfa.stdout}${mfa.stderr}`);
    if (demo) {
      const d = spawnSync(this.binary, ['demo', '--data', this.dataDir, '--patients', String(demo), '--seed', '7'],
        { encoding: 'utf8', timeout: 120000 });
      if (d.status !== 0) throw new Error(`cellclinic demo failed (exit ${d.status}):\n${d.stdout}${d.stderr}`);
    }
    this.port = await freePort();
    this.baseURL = `http://127.0.0.1:${this.port}`;
    this.proc = spawn(this.binary, ['serve', '--data', this.dataDir, '--listen', `127.0.0.1:${this.port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = this.proc;
    cleanups.push(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
    const keep = (chunk) => {
      this.log.push(chunk.toString());
      if (this.log.length > 2000) this.log.splice(0, 1000);
    };
    proc.stdout.on('data', keep);
    proc.stderr.on('data', keep);
    let exited = null;
    proc.on('exit', (code, signal) => { exited = { code, signal }; });
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`cellclinic serve exited early (${JSON.stringify(exited)}):\n${this.log.join('')}`);
      try {
        const res = await fetch(`${this.baseURL}/healthz`);
        if (res.ok) return this;
      } catch { /* not listening yet */ }
      await sleep(100);
    }
    throw new Error(`cellclinic serve did not answer /healthz within 20 s:\n${this.log.join('')}`);
  }

  async stop() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  }

  // A logged-in API client (cookie + CSRF), for setting up data and for
  // changing records behind the browser's back.
  async client(username = ADMIN_USER, password = this.adminPassword) {
    const c = new ApiClient(this.baseURL);
    await c.login(username, password);
    return c;
  }

  // Public (no login) request.
  async publicRequest(method, p, body) {
    return new ApiClient(this.baseURL).request(method, p, body);
  }
}

export class ApiClient {
  constructor(baseURL) { this.baseURL = baseURL; this.cookie = ''; this.csrf = ''; }

  async login(username, password) {
    const r = await this.request('POST', '/api/v1/session', { username, password });
    if (r.status !== 200) throw new Error(`API login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrf;
    return r.body;
  }

  async request(method, p, body, headers = {}) {
    const h = { Accept: 'application/json', ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (this.cookie) h.Cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['X-CSRF-Token'] = this.csrf;
    const res = await fetch(`${this.baseURL}${p}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
    for (const sc of setCookie) {
      const m = /^(cc_session=[^;]*)/.exec(sc);
      if (m) this.cookie = m[1];
    }
    const text = await res.text();
    let parsed = null;
    try { parsed = text ? JSON.parse(text) : null; } catch { parsed = text; }
    return { status: res.status, body: parsed, headers: res.headers };
  }
}

// Starts the system chromium ourselves (so that every flag, including a fresh
// --user-data-dir, is ours) and connects playwright-core to it over CDP.
export async function launchBrowser(dir) {
  const profile = fs.mkdtempSync(path.join(dir, 'chromium-profile-'));
  const proc = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--no-default-browser-check', '--password-store=basic',
    `--user-data-dir=${profile}`, '--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1',
    'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  cleanups.push(() => { if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL'); });
  const wsEndpoint = await new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start within 30 s:\n${err}`)), 30000);
    proc.stderr.on('data', (chunk) => {
      err += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`chromium exited (${code}):\n${err}`)); });
    proc.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
  proc.stderr.resume();
  const browser = await chromium.connectOverCDP(wsEndpoint, { timeout: 30000 });
  browser.stopProcess = async () => {
    await browser.close().catch(() => {});
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(t);
  };
  return browser;
}

// Collects page problems a user would not see but a test must: uncaught
// exceptions and Content-Security-Policy violations (inline code or styles).
function watchPage(page, problems) {
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
}

// Runs the tests of one file. tests: [[name, async (t) => {...}], ...] where
// t = {page, context, server, browser, baseURL, login(page, user, pw)}.
export async function run(tests, { viewport = { width: 1280, height: 900 }, demo = 0 } = {}) {
  const args = parseArgs(process.argv.slice(2));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-browser-'));
  let keepDir = args.keep;
  cleanups.push(() => { if (!keepDir) fs.rmSync(dir, { recursive: true, force: true }); });
  let passed = 0; let failed = 0; let pending = 0;
  let server = null; let browser = null;
  try {
    server = await new Server(args.binary, dir).start({ demo });
    browser = await launchBrowser(dir);
    for (const [name, fn] of tests) {
      if (args.only && !name.includes(args.only)) continue;
      const context = await browser.newContext({ viewport, baseURL: server.baseURL, locale: 'en-GB' });
      context.setDefaultTimeout(10000);
      const page = await context.newPage();
      const problems = [];
      watchPage(page, problems);
      const started = Date.now();
      try {
        await fn({ page, context, server, browser, baseURL: server.baseURL });
        if (problems.length) throw new Error(`browser reported problems:\n  ${problems.join('\n  ')}`);
        passed++;
        console.log(`ok - ${name} (${Date.now() - started} ms)`);
      } catch (err) {
        if (err instanceof Pending && !problems.length) {
          pending++;
          console.log(`PENDING - ${name}: ${err.message}`);
          continue;
        }
        failed++;
        console.log(`FAIL - ${name}\n${indent(err && err.stack ? err.stack : String(err))}`);
        if (problems.length) console.log(indent(`browser problems:\n${problems.join('\n')}`));
        try {
          const shot = path.join(dir, `${name.replace(/\W+/g, '_')}.png`);
          await page.screenshot({ path: shot, fullPage: true });
          console.log(`  screenshot: ${shot}`);
          keepDir = true;
        } catch { /* page gone */ }
      } finally {
        await context.close().catch(() => {});
      }
    }
  } catch (err) {
    failed++;
    console.log(`FAIL - setup\n${indent(err && err.stack ? err.stack : String(err))}`);
  } finally {
    if (browser) await browser.stopProcess().catch(() => {});
    if (server) {
      await server.stop().catch(() => {});
      if (failed) {
        const tail = server.log.join('').split('\n').slice(-30).join('\n');
        if (tail.trim()) console.log(`server log (last lines):\n${indent(tail)}`);
      }
    }
    if (failed && process.env.CC_KEEP) keepDir = true;
    if (keepDir) console.log(`kept: ${dir}`);
  }
  console.log(`${passed} passed, ${failed} failed${pending ? `, ${pending} pending (not run, see PENDING lines)` : ''}`);
  cleanupSync();
  process.exit(failed ? 1 : 0);
}

// Thrown by a test whose step another piece of work is still building: the
// run prints "PENDING - name: message" and counts it apart, never as passed.
export class Pending extends Error {}

function indent(s) { return String(s).split('\n').map((l) => `    ${l}`).join('\n'); }

// Logs in through the login form.
export async function login(page, server, username = ADMIN_USER, password = server.adminPassword) {
  await page.goto('/');
  await page.getByTestId('login-form').waitFor();
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.locator('#login-password').press('Enter');
  await page.getByTestId('logout').waitFor({ state: 'visible' });
}

// Waits until the page of the current URL is drawn: after waitForURL the
// page before it may still be on screen for a moment.
export async function pageDrawn(page) {
  await page.waitForFunction(() => document.getElementById('main')?.dataset.rendered === location.hash);
}

// Scrolls through the outcome report as a reader does, part by part (a
// measure, the AIS, the satisfaction questionnaire), until each is drawn: the
// page draws a part's tables and charts when it comes near the screen.
export async function scrollThroughReport(page) {
  await page.getByTestId('report').waitFor();
  const parts = page.locator('.report-part');
  const n = await parts.count();
  for (let i = 0; i < n; i++) {
    await parts.nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction((k) => document.querySelectorAll('.report-part')[k]?.hasAttribute('data-drawn'), i);
  }
}

// Switches the page to French with the header's switch (also the logged-in
// account's language).
export async function toFrench(page) {
  await page.getByTestId('lang-fr').click();
  await page.waitForFunction(() => document.documentElement.lang === 'fr');
}

// The row of the administrator's users table whose header is username.
export function userRow(page, username) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: username, exact: true }) });
}

// RFC 6238 codes as an authenticator app computes them (HMAC-SHA1, 30 s
// steps, 6 digits), from the base32 secret the enrolment shows.
function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0; let acc = 0; const out = [];
  for (const c of text.replace(/\s+/g, '').toUpperCase()) {
    acc = (acc << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { out.push((acc >>> (bits - 8)) & 0xff); bits -= 8; }
  }
  return Buffer.from(out);
}

export function totp(secret, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(msg).digest();
  const off = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(off) & 0x7fffffff;
  return String(value % 1000000).padStart(6, '0');
}

export const totpStepNow = () => Math.floor(Date.now() / 1000 / 30);

// Fails when the text of a French page shows what a French reader must not
// see: one of the English words given (regular expressions), a stored code
// or message key (snake_case words, dotted keys such as users.mfa.on),
// "null", "undefined", "NaN", "[object Object]", or an instant written in UTC
// (ISO text). Usernames on the page must not contain '_' (they would read as
// codes).
export function assertFrenchPage(text, english = [], what = 'the page') {
  const found = [];
  const iso = /\d{4}-\d\d-\d\dT\d\d|\d\d:\d\d(?::\d\d)?Z\b|\bUTC\b/.exec(text);
  if (iso) found.push(`a UTC instant (${iso[0]})`);
  for (const m of text.matchAll(/\b(?:null|undefined|NaN)\b|\[object Object\]/g)) found.push(`"${m[0]}"`);
  for (const m of text.matchAll(/\b[a-z0-9]+(?:_[a-z0-9]+)+\b/g)) found.push(`the code ${m[0]}`);
  for (const m of text.matchAll(/\b[a-z]+(?:\.[a-z_]+){2,}\b/g)) found.push(`the key ${m[0]}`);
  for (const re of english) {
    const m = re.exec(text);
    if (m) found.push(`the English "${m[0]}"`);
  }
  if (found.length) throw new Error(`${what} in French shows ${found.join(', ')}:\n${text}`);
}

// H15: a plan is approved only with a current treatment consent. Records one
// the patient signed on paper today, through the API of `client` (an
// administrator or coordinator), storing the programme's French document
// first when there is none. Returns the consent's id.
export async function recordTreatmentConsent(client, patientId, protocol = 'sci') {
  const q = `protocol=${protocol}&kind=treatment&language=fr&latest=1`;
  let r = await client.request('GET', `/api/v1/consent-documents?${q}`);
  if (r.status !== 200) throw new Error(`consent documents: ${r.status} ${JSON.stringify(r.body)}`);
  let doc = r.body.items[0] && r.body.items[0].id;
  if (!doc) {
    r = await client.request('POST', '/api/v1/consent-documents', {
      protocol, kind: 'treatment', language: 'fr', title: 'Consentement au traitement',
      text: 'J’ai été informé(e) du traitement, de ses bénéfices et de ses risques. J’accepte d’être traité(e).',
    });
    if (r.status !== 201) throw new Error(`consent document: ${r.status} ${JSON.stringify(r.body)}`);
    doc = r.body.id;
  }
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  r = await client.request('POST', `/api/v1/patients/${patientId}/consents`, {
    document_id: doc, signer: 'patient', signer_name: 'Le patient', mode: 'paper',
    paper_date: `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`, paper_reference: 'dossier',
  });
  if (r.status !== 201) throw new Error(`record consent: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id;
}
