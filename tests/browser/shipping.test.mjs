// A unit made at the group's laboratory, shipped to a clinic and given
// there, in French, through the pages of the people who do it:
//
// - the administrator names the first site «Clinique du Parc», creates the
//   clinic «Clinique de Lyon» and the «Laboratoire central» on the Sites page
//   (a code or time zone the server refuses is shown next to its field, and
//   nothing is saved), and on the accounts page makes the laboratory
//   technician a member of the laboratory and the Lyon nurse and physician
//   members of Lyon;
// - the laboratory technician finds a released unit by its DIN, ships it to
//   Lyon (destination chosen by name, courier note, confirmation): its page
//   says it is on its way to Lyon and the custody list names both sites;
// - the Lyon nurse finds it among the units to receive, records its
//   temperature on arrival with a decimal comma ("4,5"), and a second unit
//   arriving at 12,5 °C is received into quarantine, the page saying why;
// - the Lyon nurse gives the received unit to a Lyon patient at the bedside.
//
// Set up through the API (no page does these, or other tests walk them): the
// accounts themselves, the laboratory's FIN and product code, the units made,
// tested and released at the laboratory (clinic_fixtures.releasedUnit), the
// second unit's shipment, the Lyon patient's approved plan (its first
// administration moved to today with sqlite3, as bedside.test.mjs does), and
// the Lyon laboratory's reservation and issue of the received unit.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, userRow, recordTreatmentConsent } from './harness.mjs';
import { day, sql, quote, ok, releasedUnit, sciScreening } from './clinic_fixtures.mjs';

const PASSWORD = 'Expedition-Lyon-2026!';
const ENGLISH = [/\bShipments?\b/, /\bAdd the site\b/, /\bShip(?:ped|ping)?\b/, /\bReceiv(?:e|ed)\b/, /\bUnits? to receive\b/i, /\bIn transit\b/i,
  /\bTemperature\b/, /\bQuarantine\b/i, /\bon its way\b/, /\barrived at\b/, /\boutside the range\b/, /\bClinic\b/, /\bSave\b/];
const din = (u) => `${u.din}${u.din_check || ''}`;

// What the tests hand on to the next (one server, in order).
const state = {};

async function setUp(server) {
  if (state.admin) return;
  const admin = await server.client();
  for (const [username, role] of [['technicien.labo', 'lab'], ['qualite.labo', 'qa'], ['medecin.labo', 'physician'],
    ['infirmiere.lyon', 'nurse'], ['medecin.lyon', 'physician'], ['technicien.lyon', 'lab']]) {
    await ok(admin, 'POST', '/users', { username, role, password: PASSWORD }, 201);
  }
  await ok(admin, 'PUT', '/lab/site', { fin: 'W1234' }, 200);
  await ok(admin, 'POST', '/lab/product-codes', { code: 'S1234', product_type: 'uc-msc', description: 'UC-MSC' }, 201);
  state.admin = admin;
}

async function userId(admin, username) {
  const list = await ok(admin, 'GET', '/users?per_page=200', undefined, 200);
  return list.items.find((u) => u.username === username).id;
}

async function fillSite(page, form, values) {
  for (const [name, value] of Object.entries(values)) {
    const el = page.getByTestId(`${form}-${name.replace(/_/g, '-')}`);
    if (await el.evaluate((e) => e.tagName) === 'SELECT') await el.selectOption(value);
    else await el.fill(value);
  }
}

async function flashText(page, re) {
  await page.getByTestId('flash').filter({ hasText: re }).waitFor();
  return page.getByTestId('flash').textContent();
}

// The administrator's account page: one account's sites, by name.
async function setMemberships(page, username, names) {
  await page.getByTestId('nav-users').click();
  await userRow(page, username).getByTestId('user-sites').click();
  const form = page.getByTestId('user-sites-form');
  await form.getByRole('heading', { name: `Établissements où travaille ${username}` }).waitFor();
  assertFrenchPage(await page.locator('main').innerText(), ENGLISH, `the sites of ${username}`);
  for (const label of await form.locator('label.bs-check').all()) {
    const name = (await label.textContent()).trim();
    const box = label.locator('input');
    if (names.includes(name)) await box.check();
    else await box.uncheck();
  }
  await page.getByTestId('user-sites-submit').click();
  await flashText(page, new RegExp(`Établissements de ${username.replace('.', '\\.')} enregistrés`));
}

async function asUser(page, server, username) {
  await login(page, server, username, PASSWORD);
  await toFrench(page);
}

async function openUnitByDin(page, u) {
  await page.getByTestId('nav-lab').click();
  await page.getByTestId('lab-tab-inventory').click();
  const box = page.getByTestId('unit-find-unit');
  await box.fill(din(u));
  await box.press('Enter');
  await page.getByTestId('unit-din').filter({ hasText: din(u) }).waitFor();
}

await run([
  ['l’administrateur crée les établissements et les adhésions par les pages', async ({ page, server }) => {
    await setUp(server);
    const { admin } = state;
    await login(page, server);
    await toFrench(page);
    await page.getByTestId('nav-sites').click();
    await page.getByTestId('sites-table').waitFor();
    // the first site gets its name
    await page.getByTestId('site-row').filter({ hasText: 'MAIN' }).getByTestId('site-edit').click();
    await page.getByTestId('site-edit-form').waitFor();
    await page.getByTestId('site-edit-form-name').fill('Clinique du Parc');
    await page.getByTestId('site-edit-form-submit').click();
    await flashText(page, /Établissement Clinique du Parc enregistré/);

    // refusals next to their field; nothing saved
    const before = (await ok(admin, 'GET', '/sites?scope=all', undefined, 200)).items.length;
    await fillSite(page, 'site-form', { code: 'lyon', name: 'Clinique de Lyon', time_zone: 'Europe/Paris' });
    await page.getByTestId('site-form-submit').click();
    await page.getByTestId('error-code').waitFor();
    assert.match(await page.getByTestId('site-form-error').textContent(), /Code/);
    assert.equal(await page.locator('#site-form-code').getAttribute('aria-invalid'), 'true');
    await fillSite(page, 'site-form', { code: 'LYO', time_zone: 'Europe/Lyonnais' });
    await page.getByTestId('site-form-submit').click();
    await page.getByTestId('error-time_zone').waitFor();
    assert.match(await page.getByTestId('site-form-error').textContent(), /Fuseau horaire/);
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the sites page with a refusal');
    assert.equal((await ok(admin, 'GET', '/sites?scope=all', undefined, 200)).items.length, before, 'refusals save nothing');

    await fillSite(page, 'site-form', { code: 'LYO', name: 'Clinique de Lyon', address: '3 quai du Rhône, 69002 Lyon',
      time_zone: 'Europe/Paris', language: 'fr', kind: 'clinic' });
    await page.getByTestId('site-form-submit').click();
    await flashText(page, /Établissement Clinique de Lyon ajouté/);
    await fillSite(page, 'site-form', { code: 'LAB', name: 'Laboratoire central', address: '12 rue de la Recherche, 69007 Lyon',
      time_zone: 'Europe/Paris', language: 'fr', kind: 'laboratory', fin: 'W1234' });
    await page.getByTestId('site-form-submit').click();
    await flashText(page, /Établissement Laboratoire central ajouté/);
    const table = await page.getByTestId('sites-table').innerText();
    assert.match(table, /Clinique de Lyon\s+LYO\s+Clinique\s+3 quai du Rhône/);
    assert.match(table, /Laboratoire central\s+LAB\s+Laboratoire/);
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the sites page');
    const sites = (await ok(admin, 'GET', '/sites?scope=all', undefined, 200)).items;
    const lab = sites.find((s) => s.code === 'LAB');
    assert.equal(lab.fin, 'W1234');
    assert.equal(lab.kind, 'laboratory');
    assert.equal(sites.find((s) => s.code === 'LYO').address, '3 quai du Rhône, 69002 Lyon');
    // the header's picker offers them at once
    assert.deepEqual((await page.getByTestId('site-picker').locator('option').allTextContents()).sort(),
      ['Clinique de Lyon', 'Clinique du Parc', 'Laboratoire central']);

    await setMemberships(page, 'technicien.labo', ['Laboratoire central']);
    await setMemberships(page, 'infirmiere.lyon', ['Clinique de Lyon']);
    await setMemberships(page, 'medecin.lyon', ['Clinique de Lyon']);
    const mine = await ok(admin, 'GET', `/users/${await userId(admin, 'infirmiere.lyon')}/sites`, undefined, 200);
    assert.deepEqual(mine.sites.map((s) => s.code), ['LYO']);
    // no box ticked: refused on the page, nothing changed
    await page.getByTestId('nav-users').click();
    await userRow(page, 'medecin.lyon').getByTestId('user-sites').click();
    await page.getByTestId('user-sites-form').getByRole('heading', { name: 'Établissements où travaille medecin.lyon' }).waitFor();
    await page.getByTestId('user-site-LYO').uncheck();
    await page.getByTestId('user-sites-submit').click();
    await page.getByTestId('user-sites-error').filter({ hasText: /au moins un établissement/ }).waitFor();
    const still = await ok(admin, 'GET', `/users/${await userId(admin, 'medecin.lyon')}/sites`, undefined, 200);
    assert.deepEqual(still.sites.map((s) => s.code), ['LYO']);
    // the administrator's own all-sites grant is offered; a nurse's is not
    await userRow(page, 'admin').getByTestId('user-sites').click();
    await page.getByTestId('user-sites-form').getByRole('heading', { name: 'Établissements où travaille admin' }).waitFor();
    assert.ok(await page.getByTestId('user-sites-all').isChecked());
    await userRow(page, 'infirmiere.lyon').getByTestId('user-sites').click();
    await page.getByTestId('user-sites-form').getByRole('heading', { name: 'Établissements où travaille infirmiere.lyon' }).waitFor();
    assert.equal(await page.getByTestId('user-sites-all').count(), 0);
  }],

  ['le technicien du laboratoire expédie une unité vers Lyon', async ({ page, server }) => {
    await setUp(server);
    const { admin } = state;
    // the laboratory's other staff, members of the laboratory through the API
    for (const username of ['qualite.labo', 'medecin.labo', 'technicien.lyon']) {
      await ok(admin, 'PUT', `/users/${await userId(admin, username)}/sites`, { sites: [username.endsWith('lyon') ? 'LYO' : 'LAB'] }, 200);
    }
    const labStaff = {
      lab: await server.client('technicien.labo', PASSWORD),
      physician: await server.client('medecin.labo', PASSWORD),
      qa: await server.client('qualite.labo', PASSWORD),
    };
    // the Lyon patient and her plan, made at Lyon
    const physician = await server.client('medecin.lyon', PASSWORD);
    const nurse = await server.client('infirmiere.lyon', PASSWORD);
    await ok(admin, 'POST', '/session/site', { site: 'LYO' }, 200);
    const p = await ok(admin, 'POST', '/patients', { family_name: 'Lyonnaise', given_names: 'Margaux', birth_date: '1985-06-02',
      sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
    await ok(nurse, 'POST', `/patients/${p.id}/weights`, { date: day(0), kg: 64.5 }, 201);
    await ok(physician, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S14.1', label: 'Lésion médullaire cervicale',
      onset_date: day(-90), details: { level: 'C5' } }, 201);
    const s = await ok(physician, 'POST', '/screenings', sciScreening(p.id, day(-3)), 201);
    await ok(physician, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
    await recordTreatmentConsent(admin, p.id);
    const pl = await ok(physician, 'POST', '/plans', { patient_id: p.id, protocol: 'sci', start: day(7) }, 201);
    await ok(physician, 'POST', `/plans/${pl.id}/approve`, { password: PASSWORD }, 200);
    const body = JSON.parse(sql(server, `SELECT body FROM plans WHERE id = ${pl.id}`));
    const first = body.administrations.find((a) => a.n === 1);
    first.date = day(0);
    sql(server, `UPDATE plans SET body = ${quote(JSON.stringify(body))} WHERE id = ${pl.id}`);
    // two units of the laboratory: one shipped through the page, the other through the API
    const unit = await releasedUnit(labStaff, PASSWORD, first.cells);
    const hot = await releasedUnit(labStaff, PASSWORD, first.cells);
    await ok(labStaff.lab, 'POST', `/units/${hot.id}/ship`, { to_site: 'LYO', note: 'Coursier Médilog' }, 201);
    Object.assign(state, { patient: p, plan: pl, unit, hot, physician, nurse });

    await asUser(page, server, 'technicien.labo');
    assert.equal(await page.getByTestId('site-name').textContent(), 'Laboratoire central');
    await openUnitByDin(page, unit);
    const to = page.getByTestId('ship-form-to-site');
    assert.deepEqual((await to.locator('option').allTextContents()).slice(1).sort(), ['Clinique de Lyon', 'Clinique du Parc'],
      'the other sites by name, never this one');
    // no destination: said on the page, nothing sent
    await page.getByTestId('ship-form-submit').click();
    await page.getByTestId('error-to_site').waitFor();
    assert.equal(await page.getByTestId('confirm-dialog').isVisible(), false);
    await to.selectOption({ label: 'Clinique de Lyon' });
    await page.getByTestId('ship-form-note').fill('Coursier Médilog, lettre de voiture 4411');
    // cancelling the confirmation sends nothing
    await page.getByTestId('ship-form-submit').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    assert.equal(await page.getByTestId('confirm-title').textContent(), `Expédier l’unité ${din(unit)} vers Clinique de Lyon ?`);
    await page.getByTestId('confirm-cancel').click();
    assert.equal((await ok(labStaff.lab, 'GET', `/units/${unit.id}`, undefined, 200)).unit.shipped_to_code, null);
    await page.getByTestId('ship-form-submit').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('unit-in-transit').waitFor();
    assert.equal(await page.getByTestId('unit-in-transit').textContent(), 'En route vers Clinique de Lyon, pas encore réceptionnée');
    assert.equal(await page.getByTestId('ship-form').count(), 0, 'a unit in transit is not shipped again');
    assert.equal(await page.getByTestId('reserve-form').count(), 0, 'nor reserved while on its way');
    const shipped = page.getByTestId('custody-row').filter({ hasText: 'expédition' });
    const row = await shipped.textContent();
    assert.match(row, /Laboratoire central/);
    assert.match(row, /Clinique de Lyon/);
    assert.match(row, /Coursier Médilog, lettre de voiture 4411/);
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the shipped unit\'s page');
    const api = (await ok(labStaff.lab, 'GET', `/units/${unit.id}`, undefined, 200)).unit;
    assert.equal(api.shipped_to_code, 'LYO');
    assert.equal(api.site_code, 'LAB');
  }],

  ['l’infirmière de Lyon réceptionne les unités, l’une en quarantaine', async ({ page, server }) => {
    const { unit, hot, nurse } = state;
    assert.ok(unit, 'the unit was shipped by the previous test');
    await asUser(page, server, 'infirmiere.lyon');
    assert.equal(await page.getByTestId('site-name').textContent(), 'Clinique de Lyon');
    // the dashboard counts the units on their way to Lyon and leads to the units to receive
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dash-units_arriving').waitFor();
    assert.equal(await page.getByTestId('dash-units_arriving-count').innerText(), '2');
    assert.equal(await page.getByTestId('dash-units_arriving-link').innerText(), 'Unités à réceptionner');
    await page.getByTestId('dash-units_arriving-link').click();
    await page.waitForURL(/#\/lab\/arrivals$/);
    await page.getByTestId('arrivals').waitFor();
    const rows = page.getByTestId('arrivals-row');
    assert.equal(await rows.count(), 2);
    const list = await page.getByTestId('arrivals').innerText();
    assert.ok(list.includes(din(unit)) && list.includes(din(hot)), list);
    assert.match(list, /Laboratoire central/);
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the units to receive');

    await rows.filter({ hasText: din(unit) }).getByTestId('arrival-receive').click();
    await page.getByTestId('receive-form').waitFor();
    assert.equal(await page.getByTestId('unit-in-transit').textContent(), 'En route vers Clinique de Lyon, pas encore réceptionnée');
    // a temperature that is not one: named on the page, nothing recorded
    await page.getByTestId('receive-form-temperature-c').fill('froid');
    await page.getByTestId('receive-form-submit').click();
    await page.getByTestId('error-temperature_c').filter({ hasText: /température en degrés Celsius/ }).waitFor();
    assert.equal((await ok(nurse, 'GET', `/units/${unit.id}`, undefined, 200)).unit.shipped_to_code, 'LYO');
    await page.getByTestId('receive-form-temperature-c').fill('4,5');
    await page.getByTestId('receive-form-note').fill('colis intact');
    await page.getByTestId('receive-form-submit').click();
    await flashText(page, /Unité réceptionnée : elle est maintenant dans le stock de cet établissement/);
    await page.getByTestId('state-badge').filter({ hasText: 'libérée' }).waitFor();
    assert.equal(await page.getByTestId('unit-in-transit').count(), 0);
    assert.equal(await page.getByTestId('fact-site').textContent(), 'Clinique de Lyon');
    const received = await page.getByTestId('custody-row').filter({ hasText: 'réception' }).textContent();
    assert.match(received, /arrivée à 4,5 °C \(plage 2,0 à 8,0 °C\) : colis intact/);
    assert.match(received, /Laboratoire central/);
    assert.match(received, /Clinique de Lyon/);
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the received unit');
    const got = await ok(nurse, 'GET', `/units/${unit.id}`, undefined, 200);
    assert.equal(got.unit.site_code, 'LYO');
    assert.equal(got.unit.state, 'released');
    assert.match(got.custody.find((c) => c.event === 'received').note, /^arrived at 4\.5 C/, 'the comma read as a decimal point');

    // the second one arrives too warm
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('lab-tab-arrivals').click();
    await page.getByTestId('arrivals').waitFor();
    assert.equal(await page.getByTestId('arrivals-row').count(), 1, 'the received unit left the list');
    await page.getByTestId('arrivals-row').getByTestId('unit-link').click();
    await page.getByTestId('receive-form-temperature-c').fill('12,5');
    await page.getByTestId('receive-form-submit').click();
    const text = await flashText(page, /EN QUARANTAINE/);
    assert.match(text, /hors de sa plage/);
    await page.getByTestId('state-badge').filter({ hasText: 'quarantaine' }).waitFor();
    assert.equal(await page.getByTestId('unit-quarantine-reason').textContent(),
      'En quarantaine à l’arrivée : température à l’arrivée 12,5 °C hors de la plage 2,0 à 8,0 °C.');
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the unit received into quarantine');
    assert.equal((await ok(nurse, 'GET', `/units/${hot.id}`, undefined, 200)).unit.state, 'quarantine');
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('lab-tab-arrivals').click();
    await page.getByTestId('arrivals-empty').filter({ hasText: 'Aucune unité n’est en route vers cet établissement.' }).waitFor();
  }],

  ['l’unité reçue est administrée à une patiente de Lyon', async ({ page, server }) => {
    const { unit, patient, plan } = state;
    assert.ok(unit && plan, 'the unit was received by the previous test');
    const lyonLab = await server.client('technicien.lyon', PASSWORD);
    const first = JSON.parse(sql(server, `SELECT body FROM plans WHERE id = ${plan.id}`)).administrations.find((a) => a.n === 1);
    await ok(lyonLab, 'POST', `/units/${unit.id}/reserve`, { patient_id: patient.id, product_type: 'uc-msc', dose_cells: first.cells,
      plan_id: plan.id, plan_item: 1 }, 200);
    await ok(lyonLab, 'POST', `/units/${unit.id}/issue`, { ward: 'Unité B' }, 200);

    await asUser(page, server, 'infirmiere.lyon');
    await page.getByTestId('nav-bedside').click();
    const row = page.locator(`[data-testid="worklist-row"][data-plan="${plan.id}"][data-item="1"]`);
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(din(unit).replace('*', '\\*')));
    await row.getByTestId('worklist-give').click();
    await page.getByTestId('adm-form').waitFor();
    await page.getByTestId('adm-wristband').fill(patient.mrn);
    await page.getByTestId('adm-wristband').press('Enter');
    await page.getByTestId('adm-din-0').fill(din(unit));
    await page.getByTestId('adm-din-0').press('Enter');
    await page.getByTestId('adm-product-0').fill(unit.product_code);
    await page.getByTestId('adm-product-0').press('Enter');
    await page.getByTestId('verdict-go').waitFor();
    await page.getByTestId('adm-record').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('adm-facts').waitFor();
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the administration at Lyon');
    const lyonNurse = await server.client('infirmiere.lyon', PASSWORD);
    const after = await ok(lyonNurse, 'GET', `/units/${unit.id}`, undefined, 200);
    assert.equal(after.unit.state, 'administered');
    assert.equal(after.administrations[0].patient_mrn, patient.mrn);
  }],
]);
