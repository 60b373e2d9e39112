// The dashboard: the landing page after login. Its counts are the
// API's, a tile's link opens the full list, sections follow the role, each
// empty section says so, the page is reachable with the keyboard and reads in
// French. The synthetic demonstration data (cellclinic demo) gives the
// clinical sections something to show and the page its synthetic banner.
import assert from 'node:assert/strict';
import { run, login } from './harness.mjs';

const PW = 'Tr1cky-Passw0rd-for-tests';
const CLINICAL = ['administrations_today', 'overdue_visits', 'open_serious_events'];
const LAB = ['units_expiring', 'units_arriving', 'batches_awaiting_release'];
// the admin and the coordinator also read the consultation-request inbox
const ADMIN = [...CLINICAL, 'new_requests'];

async function shownSections(page) {
  const out = [];
  for (const key of [...ADMIN, ...LAB]) if (await page.getByTestId(`dash-${key}`).count()) out.push(key);
  return out;
}

await run([
  ['after login: the dashboard, counts as the API says, a tile opens its list, French', async ({ page, server }) => {
    await login(page, server);
    await page.getByTestId('dash-title').waitFor();
    assert.match(page.url(), /#\/dashboard$/, 'the landing page is the dashboard');
    assert.equal(await page.getByTestId('nav-dashboard').getAttribute('aria-current'), 'page');
    const api = await server.client();
    const r = await api.request('GET', '/api/v1/dashboard');
    assert.equal(r.status, 200);
    const s = r.body.sections;
    assert.deepEqual(Object.keys(s).sort(), [...ADMIN].sort(), 'the admin gets the clinical sections and the new requests');
    assert.deepEqual(await shownSections(page), ADMIN, 'the page shows exactly those');
    assert.ok(s.overdue_visits.total > 0, 'the demo data has overdue visits');
    assert.ok(s.new_requests.total > 0, 'the demo data has new consultation requests');
    for (const key of ADMIN) {
      assert.equal(await page.getByTestId(`dash-${key}-count`).innerText(), String(s[key].total), `${key}: count`);
      assert.equal(await page.getByTestId(`dash-${key}-item`).count(), s[key].items.length, `${key}: items`);
      assert.equal(await page.getByTestId(`dash-${key}-empty`).count(), s[key].total === 0 ? 1 : 0, `${key}: empty state`);
    }
    if (s.administrations_today.total === 0) {
      assert.equal(await page.getByTestId('dash-administrations_today-empty').innerText(), 'No administration planned today');
    }
    const firstVisit = s.overdue_visits.items[0];
    assert.match(await page.getByTestId('dash-overdue_visits-item').first().innerText(),
      new RegExp(`${firstVisit.mrn}.*${firstVisit.days_overdue} days overdue`));
    await page.getByTestId('dash-synthetic').waitFor(); // demo data is marked synthetic
    assert.ok(await page.getByTestId('dash-overdue_visits').getByTestId('synthetic-badge').count() >= 1);

    // The tile's link opens the follow-up worklist on its overdue tab.
    await page.getByTestId('dash-overdue_visits-link').click();
    await page.getByTestId('followup-tabs').waitFor();
    assert.match(page.url(), /#\/follow-up\?state=overdue$/);
    assert.equal(await page.getByTestId('tab-overdue').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('followup-row').count(), s.overdue_visits.total, 'the list has as many');

    // Back on the dashboard (navigation), in French.
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dash-title').waitFor();
    await page.getByTestId('lang-fr').click();
    await page.getByText('Tableau de bord', { exact: true }).first().waitFor();
    assert.equal(await page.getByTestId('dash-title').innerText(), 'Tableau de bord');
    assert.equal(await page.getByTestId('dash-overdue_visits-link').innerText(), 'Visites de suivi en retard');
    assert.equal(await page.getByTestId('dash-open_serious_events-link').innerText(), 'Événements indésirables graves ouverts');
    assert.match(await page.getByTestId('dash-overdue_visits-item').first().innerText(), /jours de retard/);
    if (s.administrations_today.total === 0) {
      assert.equal(await page.getByTestId('dash-administrations_today-empty').innerText(), 'Aucune administration prévue aujourd’hui');
    }
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
    // The former start page stays one click away.
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patients-table').waitFor();
  }],

  ['keyboard: from the heading, Tab reaches the tiles and Enter follows one', async ({ page, server }) => {
    await login(page, server);
    await page.getByTestId('dash-title').waitFor();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement && document.activeElement.dataset.testid === 'dash-open_serious_events-link');
    }
    assert.ok(reached, 'the serious-events tile link is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/adverse-events\?serious=true&open=true$/);
  }],

  ['laboratory role: its three sections, the demo\'s expired units, empty state, print button, link to the lab', async ({ page, server }) => {
    const admin = await server.client();
    const r = await admin.request('POST', '/api/v1/users', { username: 'labby', role: 'lab', password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await login(page, server, 'labby', PW);
    await page.getByTestId('dash-title').waitFor();
    assert.deepEqual(await shownSections(page), LAB, 'only the laboratory sections');
    const lab = await server.client('labby', PW);
    const d = await lab.request('GET', '/api/v1/dashboard');
    assert.deepEqual(Object.keys(d.body.sections).sort(), [...LAB].sort());
    // The demo's laboratory (60 patients: 3 donors, 3 released batches): the oldest batch's two
    // units are past their expiry and still listed; the batches in process are the lab list's.
    const exp = d.body.sections.units_expiring;
    assert.equal(await page.getByTestId('dash-units_expiring-count').innerText(), String(exp.total));
    assert.ok(exp.total >= 2 && exp.items.filter((u) => u.expired).length === 2, JSON.stringify(exp));
    assert.equal(await page.getByTestId('dash-units_expiring-item').count(), exp.items.length);
    assert.match(await page.getByTestId('dash-units_expiring-item').first().innerText(), /EXPIRED \d+ days ago/);
    const inProcess = d.body.sections.batches_awaiting_release;
    assert.equal(await page.getByTestId('dash-batches_awaiting_release-count').innerText(), String(inProcess.total));
    assert.equal(await page.getByTestId('dash-batches_awaiting_release-empty').count(), inProcess.total === 0 ? 1 : 0);
    assert.equal(await page.getByTestId('dash-print').isVisible(), true);
    // The horizon of the expiry list goes to the address and to the API.
    await page.getByTestId('dash-days').selectOption('30');
    await page.waitForURL(/#\/dashboard\?days=30$/);
    await page.getByText('Units expiring within 30 days').waitFor();
    await page.getByTestId('dash-batches_awaiting_release-link').click();
    await page.waitForURL(/#\/lab\?status=in_process$/);
    await page.getByTestId(inProcess.total ? 'batches' : 'batches-empty').waitFor();
    assert.equal(await page.getByTestId('batches-row').count(), inProcess.total, 'the list has as many as the tile');
  }],

  ['analyst: no section, a plain message', async ({ page, server }) => {
    const admin = await server.client();
    const r = await admin.request('POST', '/api/v1/users', { username: 'ana', role: 'analyst', password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await login(page, server, 'ana', PW);
    await page.getByTestId('dash-none').waitFor();
    assert.deepEqual(await shownSections(page), []);
  }],
], { demo: 60 });
