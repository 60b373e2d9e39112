// Human identifiers through the interface, in French: every field that
// points at another record is a picker searched by what is printed or
// scanned (MRN and name, donor code, DIN), never an internal number.
// - the laboratory reserves a released unit by typing part of the patient's
//   name without its accents, picking the patient, then picking one of their
//   planned administrations (date, route, product, dose); it sees the MRN and
//   name of that patient on the unit; it issues the unit by scanning the MRN
//   (typed followed by Enter); the bedside check then accepts the unit for
//   that administration;
// - a nurse reports an adverse event whose patient is picked by MRN;
// - the lookback starts from a donor code and from a DIN.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent, pageDrawn } from './harness.mjs';
import { day, sql, quote, ok, releasedUnit, normalWorkUp, clinicEnv } from './clinic_fixtures.mjs';

const PASSWORD = 'picker-browser-password-1';
const TODAY = day(0);
// dd/mm/yyyy, as a French page writes a date
const frDate = (ymd) => ymd.split('-').reverse().join('/');
// English a French page must not show here
const ENGLISH = [/\b(?:Patient \(MRN or name\)|Planned administration|Reserve|Issue|Choose|No match|Donor code|reserved)\b/];

let env = null;
async function setup(server) {
  if (!env) {
    env = await clinicEnv(server, PASSWORD, [['coordinatrice', 'coordinator'], ['docteur', 'physician'], ['infirmiere', 'nurse'],
      ['laborantin', 'lab'], ['qualite', 'qa']]);
  }
  return env;
}

// A patient with an approved sci plan whose first administration (IV) is due today.
async function patientWithPlan(e, family, given) {
  const p = await ok(e.coordinator, 'POST', '/patients', { family_name: family, given_names: given, birth_date: '1988-04-02',
    sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
  await ok(e.nurse, 'POST', `/patients/${p.id}/weights`, { date: TODAY, kg: 64 }, 201);
  await ok(e.physician, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S14.1', label: 'Lésion médullaire', onset_date: day(-90),
    details: { level: 'C5' } }, 201);
  const s = await ok(e.physician, 'POST', '/screenings', { patient_id: p.id, protocol: 'sci', results: normalWorkUp(),
    findings: { ecg: { state: 'normal', date: day(-2) } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' } }, 201);
  await ok(e.physician, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
  await recordTreatmentConsent(e.coordinator, p.id);
  const pl = await ok(e.coordinator, 'POST', '/plans', { patient_id: p.id, protocol: 'sci', start: day(7) }, 201);
  await ok(e.physician, 'POST', `/plans/${pl.id}/approve`, { password: PASSWORD }, 200);
  const body = JSON.parse(sql(e.server, `SELECT body FROM plans WHERE id = ${pl.id}`));
  for (const a of body.administrations) if (a.n === 1) a.date = TODAY;
  sql(e.server, `UPDATE plans SET body = ${quote(JSON.stringify(body))} WHERE id = ${pl.id}`);
  return { p, plan: pl.id, items: Object.fromEntries(body.administrations.map((a) => [a.n, a])) };
}

// Types text into a picker's box as a person does, then waits for the matches.
async function typeInPicker(page, testid, text) {
  const box = page.getByTestId(testid);
  await box.fill('');
  await box.pressSequentially(text, { delay: 20 });
  await page.getByTestId(`${testid}-option`).first().waitFor();
}

// A scanner: the printed identifier, then Enter.
async function scan(page, testid, text) {
  const box = page.getByTestId(testid);
  await box.fill(text);
  await box.press('Enter');
}

async function submit(page, id) {
  const title = page.getByTestId('page-title');
  const before = await title.getAttribute('data-drawn');
  await page.getByTestId(`${id}-submit`).click();
  const error = page.getByTestId(`${id}-error`);
  await page.waitForFunction(([b, eid]) => {
    const h1 = document.querySelector('[data-testid="page-title"]');
    const e = document.querySelector(`[data-testid="${eid}"]`);
    return (h1 && h1.dataset.drawn !== b) || (e && !e.hidden);
  }, [before, `${id}-error`]);
  if (await error.count() && await error.isVisible()) assert.fail(`${id}: ${await error.textContent()}`);
}

await run([
  ['the lab reserves a unit by picking the patient (name typed without accents) and the planned administration, issues it by scanning the MRN (French)', async ({ page, server }) => {
    const e = await setup(server);
    const { p, plan, items } = await patientWithPlan(e, 'Lefèvre', 'Hélène');
    await patientWithPlan(e, 'Lefort', 'Paul'); // another "Lef…" the search must tell apart
    const u = await releasedUnit(e, PASSWORD, items[1].cells);
    const din = `${u.din}${u.din_check}`;

    await login(page, server, 'laborantin', PASSWORD);
    await toFrench(page);
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('lab-tab-inventory').click();
    await page.getByTestId('units').getByText(din).click();
    await page.getByTestId('reserve-form').waitFor();

    // the patient: part of the name, without accents, in lower case
    await typeInPicker(page, 'reserve-form-patient-id', 'lefevre hel');
    const options = await page.getByTestId('reserve-form-patient-id-option').allInnerTexts();
    assert.deepEqual(options, [`${p.mrn} · Lefèvre Hélène`], 'one match, shown by MRN and name');
    await page.getByTestId('reserve-form-patient-id').press('ArrowDown');
    await page.getByTestId('reserve-form-patient-id').press('Enter');
    assert.equal(await page.getByTestId('reserve-form-patient-id').inputValue(), `${p.mrn} · Lefèvre Hélène`);

    // then one of her planned administrations
    const planned = page.getByTestId('reserve-form-planned');
    await page.waitForFunction(() => document.querySelector('[data-testid="reserve-form-planned"]').options.length > 2);
    const labels = await planned.locator('option').allInnerTexts();
    const first = labels.find((l) => l.startsWith(frDate(TODAY)));
    assert.ok(first, `today's administration is offered: ${labels.join(' | ')}`);
    assert.match(first, /Perfusion intraveineuse · .*UC-MSC/i, 'with its route and product');
    assertFrenchPage(labels.join('\n'), ENGLISH, 'the planned administrations');
    await planned.selectOption({ label: first });
    assertFrenchPage(await page.getByTestId('reserve-form').innerText(), ENGLISH, 'the reservation form');
    await submit(page, 'reserve-form');

    const reserved = await page.getByTestId('fact-reserved').innerText();
    assert.ok(reserved.includes(`${p.mrn} · Lefèvre Hélène`), `the lab sees the MRN and name: ${reserved}`);
    assert.ok(reserved.includes(frDate(TODAY)), `and the planned administration: ${reserved}`);
    assertFrenchPage(await page.getByTestId('unit-facts').innerText(), ENGLISH, 'the reserved unit');
    assertFrenchPage(await page.getByTestId('issue-form').innerText(), ENGLISH, 'the issue form');
    let unit = (await e.lab.request('GET', `/api/v1/units/${u.id}`)).body.unit;
    assert.equal(unit.state, 'reserved');
    assert.equal(unit.reserved_patient_id, p.id);
    assert.equal(unit.reserved_for, `plan:${plan}:1`, 'reserved for the planned administration chosen');

    // issue: the wristband's MRN scanned into the patient picker
    await page.getByTestId('issue-form-ward').fill('Unité A');
    await scan(page, 'issue-form-patient-id', p.mrn);
    await page.waitForFunction(() => document.querySelector('[data-testid="issue-form-patient-id-value"]').value !== '');
    assert.equal(await page.getByTestId('issue-form-patient-id').inputValue(), `${p.mrn} · Lefèvre Hélène`, 'the scan picked her');
    await submit(page, 'issue-form');
    unit = (await e.lab.request('GET', `/api/v1/units/${u.id}`)).body.unit;
    assert.equal(unit.state, 'issued');
    assert.equal(unit.issued_patient_id, p.id, 'issued to the patient whose MRN was scanned');

    // the bedside check accepts the unit for the administration it was reserved for
    const scanU = { din, product_code: `=<${unit.product_code}000` };
    const r = await e.nurse.request('POST', '/api/v1/administrations/verify', { plan_id: plan, item: 1, wristband: p.mrn,
      route: 'intravenous', site: 'arm', units: [scanU] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.go, true, `the bedside check passes: ${JSON.stringify(r.body.reasons)}`);
  }],

  ['a nurse reports an adverse event whose patient is picked by MRN (French)', async ({ page, server }) => {
    const e = await setup(server);
    const { p } = await patientWithPlan(e, 'Dubois', 'Zoé');
    await login(page, server, 'infirmiere', PASSWORD);
    await toFrench(page);
    await page.goto('/#/adverse-events');
    await page.getByTestId('ae-new').click();
    await page.getByTestId('ae-form').waitFor();
    await scan(page, 'ae-form-patient-id', p.mrn);
    await page.waitForFunction(() => document.querySelector('[data-testid="ae-form-patient-id-value"]').value !== '');
    assert.equal(await page.getByTestId('ae-form-patient-id').inputValue(), `${p.mrn} · Dubois Zoé`);
    assertFrenchPage(await page.getByTestId('ae-form').innerText(), ENGLISH, 'the adverse-event form');
    await page.getByTestId('ae-form-term').selectOption('fever');
    await page.getByTestId('ae-grade-1').click();
    await page.getByTestId('ae-form-related-product').selectOption('possible');
    await page.getByTestId('ae-form-related-procedure').selectOption('unlikely');
    await page.getByTestId('ae-form-expectedness').selectOption('expected');
    await page.getByTestId('ae-form-submit').click();
    await page.locator('#confirm-ok').click();
    await page.waitForURL(/#\/adverse-events\/\d+$/);
    const id = Number(page.url().split('/').pop());
    const ae = (await e.nurse.request('GET', `/api/v1/adverse-events/${id}`)).body;
    assert.equal((ae.adverse_event || ae).patient_id, p.id, 'the event is the picked patient\'s');
  }],

  ['the lookback starts from a donor code and from a DIN (French)', async ({ page, server }) => {
    const e = await setup(server);
    const u1 = await releasedUnit(e, PASSWORD, 100000000);
    const u2 = await releasedUnit(e, PASSWORD, 100000000);
    const unit1 = (await e.lab.request('GET', `/api/v1/units/${u1.id}`)).body.unit;
    const batch = (await e.lab.request('GET', `/api/v1/batches/${unit1.batch_id}`)).body;
    const donorCode = batch.collections[0].donor_code;
    const din1 = `${u1.din}${u1.din_check}`;
    const din2 = `${u2.din}${u2.din_check}`;

    await login(page, server, 'laborantin', PASSWORD);
    await toFrench(page);
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('lab-tab-lookback').click();
    await page.getByTestId('lookback-form').waitFor();
    assertFrenchPage(await page.getByTestId('lookback-form').innerText(), ENGLISH, 'the lookback form');
    // from the donor: its code typed in lower case, picked from the list
    await page.getByTestId('lookback-from').selectOption('donor');
    await typeInPicker(page, 'lookback-record', donorCode.toLowerCase());
    await page.getByTestId('lookback-record-option').filter({ hasText: donorCode }).click();
    await page.waitForURL(/lookback\?donor=\d+$/);
    await pageDrawn(page);
    await page.getByText(din1).first().waitFor();
    let text = await page.locator('main').innerText();
    assert.ok(text.includes(din1) && !text.includes(din2), 'the donor\'s unit, not the other donor\'s');
    assert.ok((await page.getByTestId('lookback-record').inputValue()).startsWith(donorCode), 'the picker names the donor by code');
    // from the unit: its DIN scanned from the bag
    await page.getByTestId('lookback-from').selectOption('unit');
    await scan(page, 'lookback-record', din2);
    await page.waitForURL(/lookback\?unit=\d+$/);
    await pageDrawn(page);
    await page.getByText(din2).first().waitFor();
    text = await page.locator('main').innerText();
    assert.ok(text.includes(din2) && !text.includes(din1), 'the scanned unit only');
    assertFrenchPage(text, ENGLISH, 'the lookback from a unit');
  }],
]);
