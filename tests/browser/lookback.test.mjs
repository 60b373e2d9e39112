// The lookback and the nurse worklist through the interface, in French, with
// the demonstration data: the laboratory follows a donor to the patients who
// received its units and reads what happened to them (a fever with its grade
// and seriousness); a nurse chooses a ward and sees that ward's
// administration and ancillary sessions due today, not another ward's, and
// no demonstration patient among real ones.
//
// The demonstration data (`cellclinic demo`, run by the harness) gives units
// to its patients through the bedside record; two of its stays are under way
// today with a transient fever. The real patients of the worklist test are
// set up through the API, as tests/browser/bedside.test.mjs does; the plan's
// dates are moved with the sqlite3 command-line tool.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent } from './harness.mjs';
import { day, sql, quote, ok, releasedUnit, normalWorkUp } from './clinic_fixtures.mjs';

const PASSWORD = 'lookback-browser-password-1';
const TODAY = day(0);
const ENGLISH = [/\bFever\b/, /\bserious\b/, /\brecovering\b/, /\bLookback\b/, /\bWorklist\b/, /\bRehabilitation\b/,
  /\bsessions?\b/, /\bAll wards\b/, /\bplanned\b/];

let env = null;
async function setup(server) {
  if (env) return env;
  const admin = await server.client();
  for (const [username, role] of [['coordinatrice', 'coordinator'], ['medecin', 'physician'], ['infirmiere', 'nurse'],
    ['laborantin', 'lab'], ['qualite', 'qa']]) {
    await ok(admin, 'POST', '/users', { username, role, password: PASSWORD }, 201);
  }
  // the demo configured the site's FIN; the tests' units use their own product code
  await ok(admin, 'POST', '/lab/product-codes', { code: 'S1234', product_type: 'uc-msc', description: 'UC-MSC' }, 201);
  env = { server };
  for (const [key, name] of [['coordinator', 'coordinatrice'], ['physician', 'medecin'], ['nurse', 'infirmiere'],
    ['lab', 'laborantin'], ['qa', 'qualite']]) env[key] = await server.client(name, PASSWORD);
  return env;
}

// A real (not synthetic) sci patient admitted yesterday: administration 1 due
// today, its unit reserved and issued to ward; rehabilitation from day 2.
async function stay(e, family, ward) {
  const p = await ok(e.coordinator, 'POST', '/patients', { family_name: family, given_names: 'Réelle', birth_date: '1985-06-01',
    sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
  await ok(e.nurse, 'POST', `/patients/${p.id}/weights`, { date: TODAY, kg: 64 }, 201);
  await ok(e.physician, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S24.1', label: 'Lésion médullaire', onset_date: day(-120),
    details: { level: 'T6' } }, 201);
  const s = await ok(e.physician, 'POST', '/screenings', { patient_id: p.id, protocol: 'sci', results: normalWorkUp(),
    findings: { ecg: { state: 'normal', date: day(-2) } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' } }, 201);
  await ok(e.physician, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
  await recordTreatmentConsent(e.coordinator, p.id);
  const pl = await ok(e.coordinator, 'POST', '/plans', { patient_id: p.id, protocol: 'sci', start: day(7) }, 201);
  await ok(e.physician, 'POST', `/plans/${pl.id}/approve`, { password: PASSWORD }, 200);
  // the stay began yesterday (time cannot be made to pass through the API)
  const body = JSON.parse(sql(e.server, `SELECT body FROM plans WHERE id = ${pl.id}`));
  const shift = Math.round((Date.parse(`${day(-1)}T00:00:00Z`) - Date.parse(`${body.start}T00:00:00Z`)) / 86400000);
  const move = (d) => new Date(Date.parse(`${d}T00:00:00Z`) + shift * 86400000).toISOString().slice(0, 10);
  body.start = move(body.start);
  body.end = move(body.end);
  for (const a of body.administrations) a.date = a.n === 1 ? TODAY : move(a.date);
  sql(e.server, `UPDATE plans SET body = ${quote(JSON.stringify(body))}, start_date = ${quote(body.start)},`
    + ` end_date = ${quote(body.end)} WHERE id = ${pl.id}`);
  const cells = body.administrations[0].cells;
  await releasedUnit({ lab: e.lab, physician: e.physician, qa: e.qa }, PASSWORD, cells, { pid: p.id, planId: pl.id, item: 1, ward });
  return { patient: p, planId: pl.id };
}

await run([
  ['lookback from a donor shows a recipient\'s fever with its grade and seriousness, in French', async ({ page, server }) => {
    await setup(server);
    // the demonstration donor whose unit went to a patient with a fever (what the laboratory
    // would come with: the donor code, read from the bag's records)
    const [code, mrn] = sql(server, "SELECT DISTINCT d.code, p.mrn FROM adverse_events e"
      + ' JOIN unit_administrations ua ON ua.patient_id = e.patient_id JOIN units u ON u.id = ua.unit_id'
      + ' JOIN batch_collections bc ON bc.batch_id = u.batch_id JOIN collections c ON c.id = bc.collection_id'
      + " JOIN donors d ON d.id = c.donor_id JOIN patients p ON p.id = e.patient_id WHERE e.term_code = 'fever'"
      + " AND e.outcome = 'recovering' ORDER BY d.code LIMIT 1").trim().split('|');
    assert.ok(code && mrn, 'the demonstration data has a recipient with a fever');
    await login(page, server, 'laborantin', PASSWORD);
    await toFrench(page);
    await page.goto('/#/lab');
    await page.getByTestId('donor-link').filter({ hasText: code }).click();
    await page.getByTestId('donor-lookback').click();
    await page.getByTestId('lookback-events').waitFor();
    const recipient = page.getByTestId('recipients-row').filter({ hasText: mrn }).first();
    assert.match(await recipient.getByTestId('recipient-summary').textContent(),
      /1 événement\(s\) indésirable\(s\), grade maximal 1, dont 0 grave\(s\) ; dernière évolution : en voie de guérison/);
    const fever = page.getByTestId('lookback-events-row').filter({ hasText: mrn }).filter({ hasText: 'Fièvre' });
    assert.equal(await fever.count(), 1, 'the fever of the recipient is listed');
    assert.equal(await fever.getByTestId('lookback-event-grade').textContent(), 'Grade 1');
    assert.equal(await fever.getByTestId('lookback-event-serious').textContent(), 'non grave');
    assert.equal(await fever.getByTestId('lookback-event-outcome').textContent(), 'en voie de guérison');
    // its onset in local time, the French way
    assert.match(await fever.textContent(), /\d{1,2} \S+ \d{4}/);
    assert.match(await recipient.textContent(), /\d\d\/\d\d\/\d{4}/, 'the date given is dd/mm/yyyy');
    assert.equal(await page.getByText(/apparaîtront ici/).count(), 0, 'no placeholder note');
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the lookback from a donor');
    // the CSV export, in French like the page
    const href = await page.getByTestId('lookback-csv').getAttribute('href');
    assert.match(href, /lang=fr/);
    const r = await page.request.get(href);
    assert.equal(r.status(), 200);
    const csv = await r.text();
    assert.match(csv, /^"Section","Numéro de l’unité \(interne\)","DIN",/);
    assert.match(csv, /"Receveur"/);
    assert.ok(csv.includes(mrn), 'the recipient is in the export');
  }],

  ['the nurse worklist for one ward: today\'s administration and rehabilitation, not another ward\'s', async ({ page, server }) => {
    const e = await setup(server);
    const here = await stay(e, 'Lefranc', 'Neurologie A');
    const there = await stay(e, 'Marchand', 'Neurologie C');
    // a demonstration patient in her stay on Neurologie A (the demo's ward)
    const demo = sql(server, "SELECT p.family_name FROM units u JOIN patients p ON p.id = u.issued_patient_id"
      + " WHERE u.state = 'issued' AND u.issued_ward = 'Neurologie A' AND p.synthetic = 1 LIMIT 1").trim();
    assert.ok(demo, 'the demonstration data has a stay on Neurologie A today');
    await login(page, server, 'infirmiere', PASSWORD);
    await toFrench(page);
    await page.goto('/#/bedside');
    await page.getByTestId('sessions-table').waitFor();
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the worklist of every ward');
    await page.locator('#worklist-ward').selectOption('Neurologie A');
    await page.getByTestId('worklist-show').click();
    await page.waitForFunction(() => location.hash.includes('ward='));
    await page.getByTestId('worklist-synthetic-note').waitFor(); // the ward's page is drawn
    const rows = page.getByTestId('worklist-row');
    const [y, m, d] = TODAY.split('-');
    const today = rows.filter({ hasText: 'Lefranc' }).filter({ hasText: `${d}/${m}/${y}` });
    assert.equal(await today.count(), 1, "this ward's administration due today, its date dd/mm/yyyy");
    assert.equal(await today.getAttribute('data-plan'), String(here.planId));
    assert.equal(await today.getAttribute('data-item'), '1');
    assert.equal(await today.getByTestId('worklist-status').textContent(), 'prévue');
    assert.equal(await rows.filter({ hasText: 'Marchand' }).count(), 0, "another ward's administration is not listed");
    assert.equal(await rows.filter({ hasText: demo }).count(), 0, 'no demonstration patient on a real ward');
    const sessions = page.getByTestId('session-row');
    const rehab = sessions.filter({ hasText: 'Lefranc' }).filter({ hasText: 'Rééducation' });
    assert.ok(await rehab.count() >= 1, "this ward's rehabilitation session today");
    assert.match(await rehab.first().textContent(), /2 séance\(s\)/);
    assert.equal(await sessions.filter({ hasText: 'Marchand' }).count(), 0, "another ward's sessions are not listed");
    assert.equal(await sessions.filter({ hasText: demo }).count(), 0);
    assert.ok(there.planId);
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the worklist of a ward');
  }],
], { demo: 200 });
