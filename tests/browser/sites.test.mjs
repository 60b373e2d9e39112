// Sites of a clinic group, in French. The administrator's second site
// «Clinique de Lyon», its physician and a patient at each site are made
// through the API (shipping.test.mjs walks the Sites page, the memberships on
// the accounts page and the shipping pages). In the browser: the Lyon physician sees «Clinique de
// Lyon» in the header and only Lyon's patient, searched by MRN or by name;
// the administrator (every site) switches with the header's picker, is told
// where he now works, and the patient list follows. The outcome report says,
// in French, which sites it pools: the session's, or all the reader's sites
// chosen in its form. No English on the page.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';

const ENGLISH = [/\bSwitch\b/, /\bClinic\b/, /\bPatients? list\b/i, /\bSearch\b/, /\bYou now\b/];
const PASSWORD = 'Lyon-Confluence-2026!';

// Both tests run against one server: the sites and patients are made once.
let made = null;
async function setUp(server) {
  if (!made) made = makeSites(server);
  return made;
}

async function makeSites(server) {
  const admin = await server.client();
  let r = await admin.request('PATCH', '/api/v1/sites/1', { name: 'Clinique du Parc', version: 1 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await admin.request('POST', '/api/v1/sites', {
    code: 'LYO', name: 'Clinique de Lyon', address: '3 quai du Rhône, 69002 Lyon',
    time_zone: 'Europe/Paris', language: 'fr', kind: 'clinic',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await admin.request('POST', '/api/v1/users', { username: 'medecin.lyon', role: 'physician', password: PASSWORD });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await admin.request('PUT', `/api/v1/users/${r.body.id}/sites`, { sites: ['LYO'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const patient = async (family) => {
    const p = await admin.request('POST', '/api/v1/patients', {
      family_name: family, given_names: 'Camille', birth_date: '1979-03-14', sex: 'female', language: 'fr',
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    return p.body;
  };
  const first = await patient('Premiersite');
  r = await admin.request('POST', '/api/v1/session/site', { site: 'LYO' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const lyon = await patient('Lyonnaise');
  return { first, lyon };
}

async function listed(page, q) {
  await page.getByTestId('nav-patients').click();
  await page.getByTestId('patient-search').fill(q);
  await page.getByTestId('patient-search').press('Enter');
  await page.waitForFunction(() => {
    const r = document.querySelector('[data-testid="patient-results"]');
    return r && (r.querySelector('[data-testid="patients-count"]') || r.querySelector('[data-testid="patients-empty"]'));
  });
  return page.getByTestId('patient-results').textContent();
}

await run([
  ['le médecin de Lyon ne voit que les patients de Lyon', async ({ page, server }) => {
    const { first, lyon } = await setUp(server);
    await login(page, server, 'medecin.lyon', PASSWORD);
    await toFrench(page);
    assert.equal(await page.getByTestId('site-name').textContent(), 'Clinique de Lyon');
    assert.equal(await page.getByTestId('site-picker').isVisible(), false);
    let text = await listed(page, lyon.mrn);
    assert.match(text, /LYONNAISE|Lyonnaise/);
    text = await listed(page, first.mrn);
    assert.doesNotMatch(text, /Premiersite|PREMIERSITE/);
    text = await listed(page, 'Camille');
    assert.match(text, /Lyonnaise|LYONNAISE/);
    assert.doesNotMatch(text, /Premiersite|PREMIERSITE/);
    assertFrenchPage(await page.locator('body').innerText(), ENGLISH, 'the Lyon physician\'s patient list');
  }],
  ['l’administrateur change d’établissement avec le sélecteur', async ({ page, server }) => {
    const { first, lyon } = await setUp(server);
    await login(page, server);
    await toFrench(page);
    const picker = page.getByTestId('site-picker');
    await picker.waitFor({ state: 'visible' });
    assert.deepEqual((await picker.locator('option').allTextContents()).sort(), ['Clinique de Lyon', 'Clinique du Parc']);
    // the administrator's session of setUp moved to Lyon; this login begins in the first site
    assert.equal(await picker.locator('option:checked').textContent(), 'Clinique du Parc');
    let text = await listed(page, 'Camille');
    assert.match(text, /Premiersite|PREMIERSITE/);
    assert.doesNotMatch(text, /Lyonnaise|LYONNAISE/);
    await picker.selectOption({ label: 'Clinique de Lyon' });
    await page.getByTestId('flash').getByText('Établissement actuel : Clinique de Lyon.').waitFor();
    assert.equal(await page.getByTestId('site-picker').locator('option:checked').textContent(), 'Clinique de Lyon');
    text = await listed(page, 'Camille');
    assert.match(text, /Lyonnaise|LYONNAISE/);
    assert.doesNotMatch(text, /Premiersite|PREMIERSITE/);
    assert.ok(lyon.mrn && first.mrn);
    assertFrenchPage(await page.locator('body').innerText(), ENGLISH, 'the administrator\'s patient list in Lyon');
    // the choice is the session's, kept by the server: a reload stays in Lyon
    await page.reload();
    await page.getByTestId('site-picker').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('site-picker').locator('option:checked').textContent(), 'Clinique de Lyon');
  }],
  ['le rapport de résultats dit quels établissements il regroupe', async ({ page, server }) => {
    await setUp(server);
    await login(page, server);
    await toFrench(page);
    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-form').waitFor();
    await page.locator('#report-protocol').selectOption('sci');
    await page.getByTestId('report-submit').click();
    const pooled = page.getByTestId('report-pooled');
    await pooled.waitFor();
    assert.equal(await pooled.textContent(), 'Établissements regroupés : Clinique du Parc (MAIN).');
    assert.deepEqual(await page.locator('#report-sites option').allTextContents(),
      ['Cet établissement', 'Clinique de Lyon', 'Clinique du Parc', 'Tous mes établissements']);
    await page.locator('#report-sites').selectOption({ label: 'Tous mes établissements' });
    await page.getByTestId('report-submit').click();
    await page.getByText('Établissements regroupés : Clinique de Lyon (LYO), Clinique du Parc (MAIN).').waitFor();
    assertFrenchPage(await page.locator('body').innerText(), ENGLISH, 'the outcome report of every site');
  }],
]);
