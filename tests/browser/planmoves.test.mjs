// Moving a stay in the browser, in French, as the physician: a dose
// postponed from the plan page (date typed as dd/mm/yyyy, reason,
// confirmation), a refused move that names the protocol rule under the date,
// the rest of the stay shifted by two days, the follow-up visits re-dated;
// then a dose given late after its move shows "administré avec 2 jours de
// retard" on the plan and on the patient page.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent } from './harness.mjs';
import { day, sql, quote, ok, releasedUnit, clinicEnv, normalWorkUp } from './clinic_fixtures.mjs';

const PASSWORD = 'moves-browser-password-1';
const ENGLISH = [/\bPlanned\b/, /\bMove\b/, /\bShift\b/, /\bReason\b/, /\bgiven\b/, /\bdays late\b/, /\bAdministration \d+ from\b/];

let env = null;
async function setup(server) {
  if (env) return env;
  env = await clinicEnv(server, PASSWORD, [['coordinator1', 'coordinator'], ['drmoves', 'physician'], ['nurse1', 'nurse'],
    ['lab1', 'lab'], ['qa1', 'qa']]);
  return env;
}

// An approved sci plan from `start`: IV 2, IT 3, IV 4, IT 6, IV 7, IT 9, IV 10, IT 12; discharge day 15.
async function approvedPlan(e, family, start) {
  const p = await ok(e.coordinator, 'POST', '/patients', { family_name: family, given_names: 'Jean', birth_date: '1984-02-11',
    sex: 'male', language: 'fr', confirm_duplicate: true }, 201);
  await ok(e.nurse, 'POST', `/patients/${p.id}/weights`, { date: day(0), kg: 72 }, 201);
  await ok(e.physician, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S14.1', label: 'Lésion médullaire', onset_date: day(-90),
    details: { level: 'C5' } }, 201);
  const s = await ok(e.physician, 'POST', '/screenings', { patient_id: p.id, protocol: 'sci', results: normalWorkUp(),
    findings: { ecg: { state: 'normal', date: day(-2) } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' } }, 201);
  await ok(e.physician, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
  await recordTreatmentConsent(e.coordinator, p.id);
  const pl = await ok(e.coordinator, 'POST', '/plans', { patient_id: p.id, protocol: 'sci', start }, 201);
  await ok(e.physician, 'POST', `/plans/${pl.id}/approve`, { password: PASSWORD }, 200);
  return { p, planId: pl.id };
}

// dd/mm/yyyy as the French page writes a date and the physician types it.
const fr = (iso) => iso.split('-').reverse().join('/');

function addMonths(iso, months) {
  const [y, m, d] = iso.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12); const nm = total % 12;
  const last = new Date(Date.UTC(ny, nm + 1, 0)).getUTCDate();
  return `${ny}-${String(nm + 1).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

const item = (page, n) => page.locator(`[data-testid="plan-item"][data-item="${n}"]`);

async function moveItem(page, n, date, reason) {
  await item(page, n).getByTestId(`move-${n}`).click();
  await page.getByTestId('move-form').waitFor();
  await page.getByLabel('Nouvelle date').fill(date);
  await page.getByTestId('move-form').getByLabel('Motif').fill(reason);
  await page.getByTestId('move-form-submit').click();
}

async function signIn(page, server) {
  await login(page, server, 'drmoves', PASSWORD);
  await toFrench(page);
}

await run([
  ['the physician postpones a dose, is refused by the spacing rule, shifts the rest of the stay (French)', async ({ page, server }) => {
    const e = await setup(server);
    const { planId } = await approvedPlan(e, 'Décalé', day(1));
    await signIn(page, server);
    await page.goto(`/#/plans/${planId}`);
    await page.getByTestId('plan-items').waitFor();
    assert.equal(await item(page, 3).getByTestId('item-date').textContent(), fr(day(4)));
    assert.equal(await item(page, 3).getByTestId('item-state').textContent(), 'Prévue');

    // a dose postponed by one day: the confirmation names both dates
    await moveItem(page, 3, fr(day(5)), 'fièvre la veille');
    await page.getByTestId('confirm-dialog').waitFor();
    assert.match(await page.getByTestId('confirm-text').textContent(),
      new RegExp(`Déplacer l’administration 3 du ${fr(day(4))} au ${fr(day(5))}`));
    await page.getByTestId('confirm-ok').click();
    await page.waitForFunction((d) => document.querySelector('[data-testid="plan-item"][data-item="3"] [data-testid="item-date"]')?.textContent === d, fr(day(5)));
    assert.match(await page.locator('#flash').textContent(), /Nouvelles dates enregistrées/);
    assert.equal(await item(page, 3).getByTestId('item-state').textContent(), `Prévue (prévue d’abord le ${fr(day(4))})`);

    // a refused move names its rule under the date and changes nothing
    const before = await ok(e.physician, 'GET', `/plans/${planId}`, undefined, 200);
    await moveItem(page, 4, fr(day(5)), 'bloc indisponible');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('error-date').waitFor();
    assert.match(await page.getByTestId('error-date').textContent(), /Règle du protocole \(espacement par voie\)/);
    const after = await ok(e.physician, 'GET', `/plans/${planId}`, undefined, 200);
    assert.equal(after.version, before.version, 'a refused move changes nothing');
    assert.equal(await item(page, 4).getByTestId('item-date').textContent(), fr(day(6)));
    // a date not written dd/mm/yyyy is refused before anything is sent
    await page.getByLabel('Nouvelle date').fill(day(7));
    await page.getByTestId('move-form-submit').click();
    assert.equal(await page.getByTestId('error-date').textContent(), 'Saisissez une date au format jj/mm/aaaa.');

    // the rest of the stay two days later: the patient arrives late
    await page.getByTestId('shift-form').getByLabel('Nombre de jours').fill('2');
    await page.getByTestId('shift-form').getByLabel('Motif').fill('arrivée retardée du patient');
    await page.getByTestId('shift-form-submit').click();
    await page.getByTestId('confirm-dialog').waitFor();
    assert.match(await page.getByTestId('confirm-text').textContent(), /Décaler de 2 jours/);
    await page.getByTestId('confirm-ok').click();
    await page.waitForFunction((d) => document.querySelector('[data-testid="plan-item"][data-item="8"] [data-testid="item-date"]')?.textContent === d, fr(day(14)));
    assert.match(await page.locator('#flash').textContent(), /visites de suivi redatées : 4/);
    const dates = await page.getByTestId('item-date').allTextContents();
    assert.deepEqual(dates, [4, 5, 7, 8, 9, 11, 12, 14].map((d) => fr(day(d))));
    // follow-up visits 1, 3, 6 and 12 months after the new last administration
    const visits = await page.getByTestId('follow-up-date').allTextContents();
    assert.deepEqual(visits, [1, 3, 6, 12].map((m) => fr(addMonths(day(14), m))));
    assertFrenchPage(await page.locator('#main').innerText(), ENGLISH, 'the moved plan');
  }],

  ['a dose given two days late after its move shows the delay on the plan and the patient page (French)', async ({ page, server }) => {
    const e = await setup(server);
    const { p, planId } = await approvedPlan(e, 'Retard', day(7));
    // two days have passed: the stay began on day(-3) and administration 1, planned
    // on day(-2), was not given (written behind the server's back)
    const body = JSON.parse(sql(server, `SELECT body FROM plans WHERE id = ${planId}`));
    body.start = day(-3);
    body.administrations[0].date = day(-2);
    body.administrations[0].day = 2;
    sql(server, `UPDATE plans SET body = ${quote(JSON.stringify(body))}, start_date = '${day(-3)}' WHERE id = ${planId}`);
    const u = await releasedUnit({ lab: e.lab, physician: e.physician, qa: e.qa }, PASSWORD, body.administrations[0].cells,
      { pid: p.id, planId, item: 1 });
    const give = { plan_id: planId, item: 1, wristband: p.mrn, route: 'intravenous', site: 'arm',
      units: [{ din: `${u.din}${u.din_check}`, product_code: u.product_code }] };
    const refused = await e.nurse.request('POST', '/api/v1/administrations', give);
    assert.equal(refused.status, 409, 'two days after its date the bedside check asks the physician to reschedule');

    await signIn(page, server);
    await page.goto(`/#/plans/${planId}`);
    await page.getByTestId('plan-items').waitFor();
    await moveItem(page, 1, fr(day(0)), 'patient arrivé en retard');
    await page.getByTestId('confirm-ok').click();
    await page.waitForFunction((d) => document.querySelector('[data-testid="plan-item"][data-item="1"] [data-testid="item-date"]')?.textContent === d, fr(day(0)));

    await ok(e.nurse, 'POST', '/administrations', give, 201, 'given today, against its planned item');
    await page.reload();
    await page.getByTestId('plan-items').waitFor();
    assert.equal(await item(page, 1).getByTestId('item-state').textContent(),
      `Administrée le ${fr(day(0))} — administré avec 2 jours de retard (prévue d’abord le ${fr(day(-2))})`);
    assert.equal(await item(page, 1).getByTestId('move-1').count(), 0, 'a given administration has no move button');
    assertFrenchPage(await page.locator('#main').innerText(), ENGLISH, 'the plan with a late dose');

    await page.goto(`/#/patients/${p.id}`);
    await page.getByTestId('programmes-section').waitFor();
    assert.equal(await page.getByTestId('plan-late').textContent(), 'En retard : Administration 1 administré avec 2 jours de retard');
    assertFrenchPage(await page.locator('#main').innerText(), ENGLISH, 'the patient page');
  }],
]);
