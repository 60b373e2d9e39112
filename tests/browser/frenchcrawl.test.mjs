// Every page of the interface, as every role, in French, with the demo data:
// each string a person can read must come from the French catalogue
// (src/web/i18n/fr.json, {placeholders} standing for anything that is itself
// acceptable) or be data.
//
// The pages are found generically: the route table (every `[/^\/...$/, fn,
// roles]` entry of src/web/*.js and src/web/views/*.js, roles resolved from
// the constants those files define) gives the pages without a record number,
// visited directly; pages of records (a patient, a plan, a visit, a donor,
// a batch, a unit, an adverse event...) are reached by following the links
// of the pages already seen, and a record route no link leads to is tried
// with the numbers seen after the same prefix (/patients/12 gives
// /patients/12/wristband). A route added later is crawled without changing
// this file.
//
// Data rule: a string is data when it is (made of) a value of the JSON the
// page received from /api/v1 (names, MRN, codes, free text typed by staff),
// except values that look like stored codes (lowercase snake_case: states,
// kinds) and values of the keys listed in NOT_DATA (server-made texts, which
// must come from the catalogue), or a number, date or time written the
// French way. What is left of a text once its data is taken out must be
// made of catalogue strings and punctuation. harness.assertFrenchPage runs
// on each page as well (no "null", no code, no UTC instant).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';
import { collectData, isAcceptable, makeDataSet, norm, exact, templates, inLanguage } from './frenchcheck.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const WEB = path.join(ROOT, 'src', 'web');
const ROLES = ['admin', 'coordinator', 'physician', 'nurse', 'lab', 'qa', 'analyst'];
const PASSWORD = 'Crawl-password-2026!';
// How many records of one route a role visits (the lists show the other records' states).
const PER_ROUTE = 1;
// ...and how many more when some route is not reached yet (its link may be on another record).
const EXTRA_PER_ROUTE = 12;
const MAX_PAGES = 150;
// The strings a person can read: text nodes, placeholders, titles, button
// values, the document's title.
async function visibleStrings(page) {
  return page.evaluate(() => {
    const out = [];
    const where = (el) => {
      const parts = [];
      for (let e = el; e && e !== document.body && parts.length < 3; e = e.parentElement) {
        parts.unshift(e.dataset && e.dataset.testid ? `${e.tagName.toLowerCase()}[${e.dataset.testid}]` : e.tagName.toLowerCase());
      }
      return parts.join(' > ');
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const p = n.parentElement;
      if (!p || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE'].includes(p.tagName)) continue;
      if (p.closest('[hidden]')) continue;
      const text = n.textContent;
      const lang = (p.closest('[lang]') || document.documentElement).getAttribute('lang');
      if (text.trim()) out.push({ text, where: where(p), lang });
    }
    for (const el of document.body.querySelectorAll('[placeholder], [title], [aria-label], input[type=submit], input[type=button]')) {
      if (el.closest('[hidden]')) continue;
      for (const a of ['placeholder', 'title', 'aria-label']) {
        const v = el.getAttribute(a);
        if (v && v.trim()) out.push({ text: v, where: `${where(el)} @${a}` });
      }
      // a date field shows its ISO value the local way
      if (el.tagName === 'INPUT' && el.value && !['date', 'datetime-local', 'time'].includes(el.type)) out.push({ text: el.value, where: where(el) });
    }
    // the title repeats the page heading, in the heading's language
    const h1 = document.querySelector('#main h1');
    out.push({ text: document.title, where: 'title', lang: (h1 && h1.closest('[lang]') || document.documentElement).getAttribute('lang') });
    return out;
  });
}

function foreignStrings(strings, dataSet) {
  const bad = [];
  for (const { text, where, lang } of strings) {
    const s = norm(text);
    const ok = lang && lang !== 'fr' && /^[a-z]{2}$/.test(lang)
      ? inLanguage(lang, () => isAcceptable(s, dataSet)) : isAcceptable(s, dataSet);
    if (!ok) bad.push(`"${s}" (${where})`);
  }
  return [...new Set(bad)];
}

// ---------- the route table ----------

function webSources() {
  const files = [path.join(WEB, 'app.js'), path.join(WEB, 'access.js'),
    ...fs.readdirSync(path.join(WEB, 'views')).map((f) => path.join(WEB, 'views', f))];
  return files.filter((f) => f.endsWith('.js')).map((f) => fs.readFileSync(f, 'utf8'));
}

function routeTable() {
  const sources = webSources();
  const constants = {};
  for (const src of sources) {
    for (const m of src.matchAll(/const\s+([A-Z_]+)\s*=\s*\[([^\]]*)\]/g)) {
      constants[m[1]] = [...m[2].matchAll(/'([a-z]+)'/g)].map((x) => x[1]);
    }
  }
  const routes = [];
  // a route's pattern starts with a slash; other tables of patterns (custody notes) are not routes
  for (const src of sources) {
    for (const m of src.matchAll(/^\s*\[\/\^(\\\/.*?)\$\/,\s*(.*)\],?\s*$/gm)) {
      const re = new RegExp(`^${m[1]}$`);
      const rolesExpr = m[2].trim().match(/(\[[^\]]*\]|[A-Z_]+)$/);
      let roles = ROLES;
      if (rolesExpr && rolesExpr[1].startsWith('[')) roles = [...rolesExpr[1].matchAll(/'([a-z]+)'/g)].map((x) => x[1]);
      else if (rolesExpr && constants[rolesExpr[1]]) roles = constants[rolesExpr[1]];
      else if (rolesExpr) throw new Error(`route ${m[1]}: cannot resolve the roles ${rolesExpr[1]}`);
      // the path without its groups, as written in a link
      const literal = m[1].replace(/\\\//g, '/');
      routes.push({ source: m[1], re, roles, literal, params: (literal.match(/\(\\d\+\)/g) || []).length });
    }
  }
  return routes;
}

const routeOf = (routes, p) => routes.find((r) => r.re.test(p));

// ---------- the crawl ----------

async function settle(page, pending) {
  const deadline = Date.now() + 10000;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const loading = await page.locator('[data-testid="loading"]').count();
    if (pending.size || loading) quietSince = Date.now();
    else if (Date.now() - quietSince > 250) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function crawlRole(page, server, role, routes) {
  const dataSet = makeDataSet();
  const pending = new Set();
  page.on('request', (r) => { if (r.url().includes('/api/')) pending.add(r); });
  const done = (r) => pending.delete(r);
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  page.on('response', async (res) => {
    if (!res.url().includes('/api/v1/')) return;
    if (!(res.headers()['content-type'] || '').includes('json')) return;
    pending.add(res);
    try { collectData(await res.json(), dataSet); } catch { /* not JSON */ }
    dataSet.refresh();
    pending.delete(res);
  });
  await login(page, server, `crawl${role}`, PASSWORD);
  await toFrench(page);
  dataSet.add(`crawl${role}`); // the user's own name, shown in the header and on prints
  dataSet.refresh();
  const mine = routes.filter((r) => r.roles.includes(role));
  const queue = mine.filter((r) => r.params === 0).map((r) => r.literal);
  const seen = new Set();
  const perRoute = new Map();
  const visited = new Set();
  const problems = [];
  const idsAfter = new Map(); // '/patients/' -> Set of ids
  const note = (p) => {
    for (const m of p.matchAll(/(\/[a-z-]+(?:\/[a-z-]+)*\/)(\d+)/g)) {
      if (!idsAfter.has(m[1])) idsAfter.set(m[1], new Set());
      idsAfter.get(m[1]).add(m[2]);
    }
  };
  const enqueue = (p) => {
    if (seen.has(p)) return;
    const r = routeOf(mine, p);
    if (!r) return;
    seen.add(p);
    queue.push(p);
  };
  for (const p of queue) seen.add(p);
  const deferred = [];
  const visit = async (p, cap) => {
    const r = routeOf(mine, p);
    const n = perRoute.get(r.source) || 0;
    if (n >= cap) { if (cap === PER_ROUTE) deferred.push(p); return; }
    perRoute.set(r.source, n + 1);
    pages++;
    await page.evaluate((hash) => { location.hash = hash; }, `#${p}`);
    await settle(page, pending);
    visited.add(r.source);
    const strings = await visibleStrings(page);
    const bad = foreignStrings(strings, dataSet);
    if (bad.length) problems.push(`${role} ${p}:\n      ${bad.join('\n      ')}`);
    try {
      assertFrenchPage(await page.locator('body').innerText(), [], `${role} ${p}`);
    } catch (err) {
      problems.push(err.message.split('\n')[0]);
    }
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href^="#/"]')].map((a) => a.getAttribute('href').slice(1).split('?')[0]));
    for (const l of links) { note(l); enqueue(l); }
    note(p);
  };
  const missing = () => mine.filter((r) => !visited.has(r.source));
  let pages = 0;
  for (let i = 0; ;) {
    while (i < queue.length) await visit(queue[i++], PER_ROUTE);
    // record routes no link led to: try the numbers seen after their prefix
    for (const r of missing()) {
      if (r.params !== 1) continue;
      const prefix = r.literal.slice(0, r.literal.indexOf('(\\d+)'));
      const ids = idsAfter.get(prefix);
      if (ids) enqueue(r.literal.replace('(\\d+)', [...ids][0]));
    }
    if (i < queue.length) continue;
    // more records of the routes seen may link to the routes not yet seen
    if (!missing().length || !deferred.length || pages > MAX_PAGES) break;
    await visit(deferred.shift(), EXTRA_PER_ROUTE);
  }
  return { problems, visited, missed: missing().map((r) => r.source), pages };
}

async function makeUsers(server) {
  const api = await server.client();
  for (const role of ROLES) {
    const r = await api.request('POST', '/api/v1/users', { username: `crawl${role}`, role, password: PASSWORD });
    assert.equal(r.status, 201, `create ${role}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

let usersMade = false;
const routes = routeTable();
const tests = [];

tests.push(['the checker refuses an English word, a code, "null" and a UTC time, and accepts data and catalogue text', async ({ page, server }) => {
  assert.ok(routes.length >= 30, `only ${routes.length} routes read from the source`);
  assert.ok(templates.length > 50 && exact.size > 500, 'the catalogue was read');
  const data = makeDataSet();
  collectData({ family_name: 'Durand', mrn: 'MRN-000123', state: 'released', error: { code: 'expired', message: 'Unit is expired' },
    description: 'respiratoire' }, data);
  data.refresh();
  for (const s of ['Pending', 'Released', 'released', 'null', 'Unit is expired', 'Patients list', 'Durand Pending',
    'Respiratory rate (/min)', 'respiratoire rate']) {
    assert.equal(isAcceptable(s, data), false, `"${s}" must be refused`);
  }
  // a data word inside a catalogue text does not break it
  for (const s of ['Durand', 'MRN-000123', '72,5', '05/12/2026 14:05', 'Durand — MRN-000123', exact.values().next().value,
    'Fréquence respiratoire (/min)']) {
    assert.equal(isAcceptable(s, data), true, `"${s}" must be accepted`);
  }
  // on a real page: an English word injected into a French page is found
  if (!usersMade) { await makeUsers(server); usersMade = true; }
  const dataSet = makeDataSet();
  await login(page, server, 'crawladmin', PASSWORD);
  await toFrench(page);
  await page.evaluate(() => { location.hash = '#/patients'; });
  await page.getByTestId('patients-table').waitFor();
  assert.deepEqual(foreignStrings(await visibleStrings(page), dataSet).filter((s) => s.includes('Pending')), []);
  await page.evaluate(() => {
    const p = document.createElement('p');
    p.textContent = 'Pending';
    document.querySelector('#main').append(p);
  });
  const bad = foreignStrings(await visibleStrings(page), dataSet);
  assert.ok(bad.some((s) => s.startsWith('"Pending"')), `the injected word is found: ${bad.join(', ')}`);
}]);

for (const role of ROLES) {
  tests.push([`every page a ${role} reaches is in French`, async ({ page, server }) => {
    if (!usersMade) { await makeUsers(server); usersMade = true; }
    const { problems, visited, missed, pages } = await crawlRole(page, server, role, routes);
    console.log(`  ${role}: ${pages} pages, ${visited.size} routes; not reached: ${missed.join(' ') || 'none'}`);
    assert.deepEqual(problems, [], `pages with text not from the French catalogue:\n  ${problems.join('\n  ')}`);
  }]);
}

await run(tests, { demo: 40 });
