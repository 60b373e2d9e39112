// Informed consent through the interface, in French (hazard H15): a
// physician tries to approve a plan without a treatment consent and reads the
// refusal in French; collects the consent on the patient's chart (the
// document shown in the patient's language, signed on the tablet with the
// physician as witness typing their password) and approves the plan. A
// coordinator records a consent from a signed paper copy, then withdraws it
// with a reason after a confirmation; the nurse's bedside check then refuses.
//
// Data is set up through the API; the plan's dates are moved to today with
// the sqlite3 command-line tool, as tests/browser/bedside.test.mjs does.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';
import { day, sql, quote, ok, releasedUnit } from './clinic_fixtures.mjs';

const PASSWORD = 'consent-browser-password-1';
const FR = JSON.parse(fs.readFileSync(new URL('../../src/web/i18n/fr.json', import.meta.url), 'utf8'));
const DOC_TEXT = 'J’ai été informé(e) du traitement par cellules souches, de ses bénéfices attendus et de ses risques.';
const ENGLISH = [/\bTreatment\b/, /\bWithdraw/, /\bConsents?\b/, /\bSigned\b/, /\bpatient has\b/, /\bIn force\b/];
const TODAY = day(0);
const frDay = (iso) => iso.split('-').reverse().join('/');

let env = null;
async function setup(server) {
  if (env) return env;
  const admin = await server.client();
  for (const [username, role] of [['coordinatrice', 'coordinator'], ['docteur', 'physician'], ['infirmier', 'nurse'],
    ['labo', 'lab'], ['qualite', 'qa']]) {
    await ok(admin, 'POST', '/users', { username, role, password: PASSWORD }, 201);
  }
  await ok(admin, 'PUT', '/lab/site', { fin: 'W1234' }, 200);
  await ok(admin, 'POST', '/lab/product-codes', { code: 'S1234', product_type: 'uc-msc', description: 'UC-MSC' }, 201);
  env = { server, admin };
  for (const name of ['coordinatrice', 'docteur', 'infirmier', 'labo', 'qualite']) env[name] = await server.client(name, PASSWORD);
  // the programme's treatment consent, in French, as the coordinator stores it
  await ok(env.coordinatrice, 'POST', '/consent-documents', { protocol: 'sci', kind: 'treatment', language: 'fr',
    title: 'Consentement au traitement', text: DOC_TEXT }, 201);
  return env;
}

// A French-speaking patient with a weight, a condition, a signed eligibility
// decision and a draft sci plan.
async function draftPlan(e, family) {
  const p = await ok(e.coordinatrice, 'POST', '/patients', { family_name: family, given_names: 'Hélène',
    birth_date: '1986-05-04', sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
  await ok(e.infirmier, 'POST', `/patients/${p.id}/weights`, { date: TODAY, kg: 64 }, 201);
  await ok(e.docteur, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S14.1', label: 'Lésion médullaire',
    onset_date: day(-90), details: { level: 'C5' } }, 201);
  const d = day(-3);
  const q = (value, unit) => ({ value, unit, date: d });
  const neg = { positive: false, date: d };
  const s = await ok(e.docteur, 'POST', '/screenings', { patient_id: p.id, protocol: 'sci',
    results: { hb: q(13.5, 'g/dL'), wbc: q(6.1, '10^9/L'), plt: q(240, '10^9/L'), creatinine: q(0.9, 'mg/dL'),
      alt: q(22, 'U/L'), ast: q(25, 'U/L'), inr: q(1.0, '1'),
      aptt: { value: 30, unit: 's', ref_low: 25, ref_high: 38, date: d }, hiv: neg, hbv: neg, hcv: neg, syphilis: neg },
    findings: { ecg: { state: 'normal', date: d } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' } }, 201);
  await ok(e.docteur, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
  const pl = await ok(e.coordinatrice, 'POST', '/plans', { patient_id: p.id, protocol: 'sci', start: day(7) }, 201);
  return { p, planId: pl.id };
}

async function switchUser(page, server, username) {
  if (await page.getByTestId('logout').isVisible()) {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
  }
  await login(page, server, username, PASSWORD);
  await toFrench(page);
}

async function approveInPage(page, planId) {
  await page.goto(`/#/plans/${planId}`);
  await page.getByTestId('approve-form').waitFor();
  await page.locator('#approve-password').fill(PASSWORD);
  await page.getByTestId('approve-submit').click();
}

// The consent form on the patient's chart: programme, kind, the document shown.
async function chooseDocument(page, patientId) {
  await page.goto(`/#/patients/${patientId}`);
  await page.getByTestId('consents-section').waitFor();
  await page.locator('#consent-protocol').selectOption('sci');
  await page.locator('#consent-kind').selectOption('treatment');
  await page.getByTestId('consent-document-text').waitFor();
  assert.equal(await page.getByTestId('consent-document-text').textContent(), DOC_TEXT, 'the document is shown in French');
}

// The nurse's bedside check of plan item 1 (intravenous, due today): the
// wristband and the unit scanned, the verdict shown.
async function bedsideCheck(page, mrn, u, planId) {
  await page.goto('/#/bedside');
  await page.getByTestId('worklist-filter').waitFor();
  await page.goto(`/#/bedside/give/${planId}/1`);
  await page.getByTestId('adm-form').waitFor();
  await page.getByTestId('adm-wristband').fill(mrn);
  await page.getByTestId('adm-wristband').press('Enter');
  await page.getByTestId('adm-din-0').fill(`${u.din}${u.din_check}`);
  await page.getByTestId('adm-din-0').press('Enter');
  await page.getByTestId('adm-product-0').fill(u.product_code);
  await page.getByTestId('adm-product-0').press('Enter');
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="verdict"]');
    const err = document.querySelector('[data-testid="adm-error"]');
    return (v && !v.hidden) || (err && !err.hidden);
  });
  if (await page.getByTestId('adm-error').isVisible()) assert.fail(`verify failed: ${await page.getByTestId('adm-error').textContent()}`);
}

await run([
  ['sans consentement au traitement le plan est refusé en français ; recueilli sur la tablette, il est approuvé', async ({ page, server }) => {
    const e = await setup(server);
    const { p, planId } = await draftPlan(e, 'Consentie');
    await switchUser(page, server, 'docteur');

    await approveInPage(page, planId);
    await page.getByTestId('approve-error').waitFor({ state: 'visible' });
    const refusal = await page.getByTestId('approve-error').textContent();
    assert.ok(refusal.includes(FR['error.consent_missing']), `the French refusal: ${refusal}`);
    assertFrenchPage(refusal, ENGLISH, 'the refusal');
    assert.equal(await page.getByTestId('plan-status').textContent(), FR['prog.status.draft']);

    await chooseDocument(page, p.id);
    assert.ok(await page.getByTestId('consents-empty').isVisible(), 'no consent yet');
    assert.equal(await page.locator('#consent-language').inputValue(), 'fr', 'the patient’s language is chosen');
    assert.equal(await page.locator('#consent-signer-name').inputValue(), 'Hélène Consentie');
    // a wrong password signs nothing
    await page.locator('#consent-password').fill('pas mon mot de passe');
    await page.getByTestId('consent-submit').click();
    await page.getByTestId('error-password').waitFor();
    assert.equal(await page.getByTestId('consent-row').count(), 0);
    await page.locator('#consent-password').fill(PASSWORD);
    await page.getByTestId('consent-submit').click();
    const row = page.getByTestId('consent-row');
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /Traitement/);
    assert.match(text, /En vigueur/);
    assert.ok(text.includes(frDay(TODAY)), `signed today, dd/mm/yyyy: ${text}`);
    assert.match(text, /Sur la tablette, témoin : docteur/);
    assertFrenchPage(await page.getByTestId('consents-section').textContent(), ENGLISH, 'the consents section');

    await approveInPage(page, planId);
    await page.getByTestId('plan-status').filter({ hasText: FR['prog.status.approved'] }).waitFor();
  }],

  ['un consentement retiré bloque la vérification au lit du patient', async ({ page, server }) => {
    const e = await setup(server);
    const { p, planId } = await draftPlan(e, 'Retirée');

    // the coordinator records the consent the patient's mother signed on paper
    await switchUser(page, server, 'coordinatrice');
    await chooseDocument(page, p.id);
    await page.locator('#consent-signer').selectOption('guardian');
    await page.locator('#consent-signer-name').fill('Marie Retirée');
    await page.locator('#consent-mode').selectOption('paper');
    await page.locator('#consent-paper-date').fill(day(-1));
    await page.locator('#consent-paper-reference').fill('classeur 2, page 7');
    await page.getByTestId('consent-submit').click();
    await page.getByTestId('error-signer_relation').waitFor(); // a guardian gives the relation
    await page.locator('#consent-signer-relation').fill('mère');
    await page.getByTestId('consent-submit').click();
    await page.getByTestId('consent-row').waitFor();
    const row = await page.getByTestId('consent-row').textContent();
    assert.match(row, /Marie Retirée \(mère\)/);
    assert.match(row, /Exemplaire papier signé \(classeur 2, page 7\)/);
    assert.ok(row.includes(frDay(day(-1))), `the paper's date: ${row}`);

    // approved; item 1 (intravenous) moved to today; its unit issued
    await ok(e.docteur, 'POST', `/plans/${planId}/approve`, { password: PASSWORD }, 200);
    const body = JSON.parse(sql(server, `SELECT body FROM plans WHERE id = ${planId}`));
    for (const a of body.administrations) if (a.n === 1) a.date = TODAY;
    sql(server, `UPDATE plans SET body = ${quote(JSON.stringify(body))} WHERE id = ${planId}`);
    const item = body.administrations.find((a) => a.n === 1);
    assert.equal(item.route, 'intravenous');
    const u = await releasedUnit({ lab: e.labo, physician: e.docteur, qa: e.qualite }, PASSWORD, item.cells,
      { pid: p.id, planId, item: 1 });

    await switchUser(page, server, 'infirmier');
    await bedsideCheck(page, p.mrn, u, planId);
    await page.getByTestId('verdict-go').waitFor();

    // the patient withdraws the treatment consent
    await switchUser(page, server, 'coordinatrice');
    await page.goto(`/#/patients/${p.id}`);
    await page.getByTestId('consent-withdraw').click();
    await page.getByTestId('withdraw-submit').click();
    await page.getByTestId('error-reason').waitFor(); // a reason is required
    await page.locator('#withdraw-reason').fill('ne souhaite plus être traitée');
    await page.getByTestId('withdraw-submit').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('confirm-text').textContent(), /Traitement/);
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('consent-status').filter({ hasText: 'Retiré' }).waitFor();
    const after = await page.getByTestId('consent-row').textContent();
    assert.ok(after.includes(`le ${frDay(TODAY)} : ne souhaite plus être traitée`), `withdrawn, when and why: ${after}`);
    assert.equal(await page.getByTestId('consent-withdraw').count(), 0, 'a withdrawn consent cannot be withdrawn again');
    assertFrenchPage(await page.getByTestId('consents-section').textContent(), ENGLISH, 'the consents section');

    // the bedside check now refuses, in French
    await switchUser(page, server, 'infirmier');
    await bedsideCheck(page, p.mrn, u, planId);
    await page.getByTestId('verdict-refused').waitFor();
    const reasons = await page.$$eval('[data-testid="bedside-reason"]', (els) => els.map((x) => ({ code: x.dataset.code, text: x.textContent })));
    assert.deepEqual(reasons.map((r) => r.code), ['consent_withdrawn'], JSON.stringify(reasons));
    assert.match(reasons[0].text, /retiré son consentement au traitement/);
    assert.ok(await page.getByTestId('adm-record').isDisabled(), 'recording stays disabled');
  }],
]);
