// Treatment programmes in the browser: a physician records a
// screening with units and reference ranges, reads the eligibility with its
// reasons, signs the decision with the password, drafts a plan, sees the stay
// calendar and the quote, approves it with the signature; the printed plan
// uses the patient's language; an excluded patient needs a written override.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent } from './harness.mjs';

const PHYSICIAN = 'drmartin';
const PHYSICIAN_PASSWORD = 'Physician-pw-2026!';

function isoDay(offset) {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// Admin API: a physician account and a patient with a weight and an SCI condition.
async function setUp(server, family, language = 'fr') {
  const api = await server.client();
  const users = await api.request('GET', '/api/v1/users');
  if (!users.body.items.some((u) => u.username === PHYSICIAN)) {
    const u = await api.request('POST', '/api/v1/users', { username: PHYSICIAN, role: 'physician', password: PHYSICIAN_PASSWORD });
    assert.equal(u.status, 201, JSON.stringify(u.body));
  }
  const p = await api.request('POST', '/api/v1/patients', {
    family_name: family, given_names: 'Jean', birth_date: '1985-06-01', sex: 'male', language, weight_kg: 70,
  });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const c = await api.request('POST', `/api/v1/patients/${p.body.id}/conditions`, {
    icd10: 'S14.1', label: 'Cervical cord injury', onset_date: isoDay(-120), details: { level: 'C6' },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  await recordTreatmentConsent(api, p.body.id); // H15: the approval needs it
  return p.body.id;
}

async function fillNormalWorkUp(page) {
  const values = { hb: '14.1', wbc: '6.3', plt: '250', creatinine: '0.8', alt: '20', ast: '24', inr: '1', aptt: '31' };
  for (const [code, v] of Object.entries(values)) await page.getByTestId(`sc-${code}`).fill(v);
  // H16: the aPTT is judged against its laboratory's upper limit
  await page.locator('input[name="aptt.ref_low"]').fill('25');
  await page.locator('input[name="aptt.ref_high"]').fill('38');
  for (const code of ['hiv', 'hbv', 'hcv', 'syphilis']) await page.getByTestId(`sc-${code}`).selectOption('false');
  await page.locator('#sc-ecg-state').selectOption('normal');
}

// The exclusion questions start unanswered; each must be answered.
async function answerHistory(page, answers = {}) {
  for (const n of ['cancer-history', 'pregnancy', 'active-infection']) {
    await page.locator(`#sc-${n}`).selectOption(answers[n] || 'no');
  }
}

await run([
  ['screening, eligibility, signed decision, plan, approval, print in the patient language', async ({ page, server }) => {
    const id = await setUp(server, 'Lefèvre');
    await login(page, server, PHYSICIAN, PHYSICIAN_PASSWORD);
    await page.goto(`/#/patients/${id}`);
    await page.getByTestId('programmes-section').waitFor();
    await page.getByTestId('new-screening').click();
    await page.getByTestId('screening-form').waitFor();
    // Units are prefilled; reference ranges can be typed.
    assert.equal(await page.getByLabel('Haemoglobin Unit').inputValue(), 'g/dL');
    await page.getByLabel('Haemoglobin reference low').fill('13');
    await page.getByLabel('Haemoglobin reference high').fill('17');
    await fillNormalWorkUp(page);
    await answerHistory(page);
    await page.locator('#sc-protocol').selectOption('sci');
    await page.getByTestId('screening-submit').click();

    await page.getByTestId('verdict').waitFor();
    assert.equal(await page.getByTestId('verdict').textContent(), 'Eligible');
    await page.getByTestId('no-reasons').waitFor();
    // The one signature control: what signing means, then the password; a
    // wrong password signs nothing and says so; the meaning shown is the one
    // recorded with the signature.
    const decisionMeaning = await page.getByTestId('dec-signature-meaning').textContent();
    assert.match(decisionMeaning, new RegExp(`^I, ${PHYSICIAN}, decide that this patient is eligible for the programme `));
    await page.locator('#dec-password').fill('not my password');
    await page.getByTestId('decision-submit').click();
    await page.getByTestId('error-password').waitFor();
    assert.match(await page.getByTestId('error-password').textContent(), /Wrong password: nothing was signed\./);
    await page.locator('#dec-password').fill(PHYSICIAN_PASSWORD);
    await page.getByTestId('decision-submit').click();
    await page.getByTestId('decision').waitFor();
    assert.match(await page.getByTestId('decision').textContent(), new RegExp(PHYSICIAN));
    assert.ok((await page.getByTestId('decision').textContent()).includes(decisionMeaning), 'the signed meaning is the one shown');

    await page.getByTestId('plan-from-screening').click();
    await page.getByTestId('plan-form').waitFor();
    assert.equal(await page.locator('#plan-protocol').inputValue(), 'sci');
    await page.locator('#plan-start').fill(isoDay(14));
    await page.getByTestId('plan-submit').click();
    await page.getByTestId('stay-calendar').waitFor();
    assert.equal(await page.getByTestId('plan-status').textContent(), 'Draft');
    await page.waitForFunction(() => /^Treatment plan starting \d\d\/\d\d\/\d{4} — cellclinic$/.test(document.title));
    assert.equal(await page.getByTestId('cal-administration').count(), 8, 'eight administrations on the calendar');
    assert.equal(await page.getByTestId('cal-day').count(), 15, 'a 15-day stay');
    assert.match(await page.getByTestId('cal-day').nth(1).textContent(), /Intravenous infusion/);
    assert.match(await page.getByTestId('cal-day').nth(2).textContent(), /Intrathecal injection/);
    assert.match(await page.getByTestId('quote-total').textContent(), /€/);
    assert.match(await page.getByTestId('price-range').textContent(), /Within/);

    assert.equal(await page.getByTestId('approve-signature-meaning').textContent(),
      'I approve this treatment plan, its doses and its dates, for this patient.');
    await page.locator('#approve-password').fill(PHYSICIAN_PASSWORD);
    await page.getByTestId('approve-submit').click();
    await page.getByTestId('approval').waitFor();
    assert.equal(await page.getByTestId('plan-status').textContent(), 'Approved');

    // The printable plan and quote speak the patient's language (French).
    await page.getByTestId('print-plan').click();
    await page.getByTestId('print-title').waitFor();
    assert.equal(await page.getByTestId('print-title').textContent(), 'Plan de traitement et devis');
    assert.match(await page.getByTestId('stay-calendar').textContent(), /Injection intrathécale/);
    assert.match(await page.getByTestId('quote-total').textContent(), /€/);
  }],

  ['excluded patient: override needs a written reason; French interface', async ({ page, server }) => {
    const id = await setUp(server, 'Moreau', 'en');
    await login(page, server, PHYSICIAN, PHYSICIAN_PASSWORD);
    await page.getByTestId('lang-fr').click();
    // Each page has its own title, in French.
    await page.goto('/#/patients');
    await page.waitForFunction(() => document.title === 'Patients — cellclinic');
    await page.goto(`/#/patients/${id}`);
    await page.getByTestId('programmes-section').waitFor();
    await page.waitForFunction(() => document.title === 'MOREAU, Jean — cellclinic');
    // The favicon the page links to is served as SVG; /favicon.ico is a JSON 404, not the login page.
    const icon = await page.locator('link[rel="icon"]').getAttribute('href');
    const anon = await server.client();
    const got = await anon.request('GET', icon);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-type'), 'image/svg+xml');
    assert.match(got.body, /^<svg /);
    const ico = await anon.request('GET', '/favicon.ico');
    assert.equal(ico.status, 404);
    assert.equal(ico.body.error.code, 'not_found');
    await page.goto(`/#/patients/${id}/screening`);
    await page.getByTestId('screening-form').waitFor();
    await page.waitForFunction(() => document.title === 'Bilan pré-thérapeutique — MOREAU, Jean — cellclinic');
    await fillNormalWorkUp(page);
    // No exclusion question is answered in advance: submitting with one left
    // open names it in French and records nothing.
    for (const n of ['cancer-history', 'pregnancy', 'active-infection']) {
      assert.equal(await page.locator(`#sc-${n}`).inputValue(), '', `${n} starts unanswered`);
      assert.equal(await page.locator(`#sc-${n} option:checked`).textContent(), '— à renseigner —');
    }
    await page.locator('#sc-cancer-history').selectOption('yes');
    await page.locator('#sc-pregnancy').selectOption('no');
    await page.getByTestId('screening-submit').click();
    await page.getByTestId('error-active_infection').waitFor();
    assert.equal(await page.getByTestId('error-active_infection').textContent(), 'Répondez à cette question : oui, non ou inconnu.');
    assert.equal(await page.getByTestId('error-cancer_history').count(), 0, 'an answered question is not flagged');
    assert.match(await page.getByTestId('screening-error').textContent(), /^Infection active : Répondez/);
    const admin = await server.client();
    const none = await admin.request('GET', `/api/v1/patients/${id}/screenings`);
    assert.equal(none.status, 200);
    assert.equal(none.body.items.length, 0, 'nothing recorded while a question is unanswered');
    await page.locator('#sc-active-infection').selectOption('no');
    await page.getByTestId('screening-submit').click();
    await page.getByTestId('verdict').waitFor();
    // the eligibility page's title names the work-up by its date, not by a record number
    await page.waitForFunction(() => /^Éligibilité — bilan du \d\d\/\d\d\/\d{4} — cellclinic$/.test(document.title));
    assert.equal(await page.getByTestId('verdict').textContent(), 'Non éligible');
    assert.match(await page.getByTestId('reasons-table').textContent(), /cancer-history/);
    await page.locator('#dec-decision').selectOption('eligible');
    await page.locator('#dec-password').fill(PHYSICIAN_PASSWORD);
    await page.getByTestId('decision-submit').click();
    await page.getByTestId('error-override_reason').waitFor();
    await page.locator('#dec-override-reason').fill('Rémission complète depuis 2012, avis oncologique joint');
    await page.locator('#dec-password').fill(PHYSICIAN_PASSWORD);
    await page.getByTestId('decision-submit').click();
    await page.getByTestId('decision').waitFor();
    assert.match(await page.getByTestId('decision').textContent(), /Rémission complète/);
  }],

  ['child in spina bifida: dose per kg shown, approval asks a signed reason (French)', async ({ page, server }) => {
    await setUp(server, 'Physician account');
    const api = await server.client();
    const born = new Date();
    born.setFullYear(born.getFullYear() - 3);
    born.setDate(born.getDate() - 30);
    const p = await api.request('POST', '/api/v1/patients', {
      family_name: 'Petit', given_names: 'Léa', birth_date: born.toISOString().slice(0, 10), sex: 'female', language: 'fr', weight_kg: 12,
    });
    assert.equal(p.status, 201, JSON.stringify(p.body));
    await api.request('POST', `/api/v1/patients/${p.body.id}/conditions`, { icd10: 'Q05', label: 'Spina bifida', onset_date: isoDay(-1000) });
    // The signed eligibility decision is the previous test's walk; here set up by the physician's API calls.
    const doctor = await server.client(PHYSICIAN, PHYSICIAN_PASSWORD);
    const d = isoDay(-2);
    const q = (value, unit) => ({ value, unit, date: d });
    const sc = await doctor.request('POST', '/api/v1/screenings', {
      patient_id: p.body.id, protocol: 'spina-bifida',
      results: { hb: q(12.5, 'g/dL'), wbc: q(8, '10^9/L'), plt: q(300, '10^9/L'), creatinine: q(0.3, 'mg/dL'), alt: q(20, 'U/L'), ast: q(30, 'U/L'),
        inr: q(1.0, '1'), aptt: { value: 30, unit: 's', ref_low: 25, ref_high: 38, date: d },
        hiv: { positive: false, date: d }, hbv: { positive: false, date: d }, hcv: { positive: false, date: d }, syphilis: { positive: false, date: d } },
      findings: { ecg: { state: 'normal', date: d } }, history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' },
    });
    assert.equal(sc.status, 201, JSON.stringify(sc.body));
    await recordTreatmentConsent(api, p.body.id, 'spina-bifida'); // H15
    const dec = await doctor.request('POST', `/api/v1/screenings/${sc.body.id}/decision`, { decision: 'eligible', password: PHYSICIAN_PASSWORD });
    assert.equal(dec.status, 200, JSON.stringify(dec.body));

    await login(page, server, PHYSICIAN, PHYSICIAN_PASSWORD);
    await toFrench(page);
    await page.goto(`/#/patients/${p.body.id}`);
    await page.getByTestId('new-plan').click();
    await page.getByTestId('plan-form').waitFor();
    await page.locator('#plan-protocol').selectOption('spina-bifida');
    await page.locator('#plan-start').fill(isoDay(21));
    await page.getByTestId('plan-submit').click();
    await page.getByTestId('stay-calendar').waitFor();
    // 12 kg: 56 million cells (7 x 8), 4.67 million/kg, not the 120 million course floor.
    assert.equal(await page.getByTestId('dose-per-kg').textContent(), '4,67 millions de cellules/kg');
    assert.match(await page.getByTestId('child-dose').textContent(), /Enfant.*4,67 millions de cellules\/kg/);
    assertFrenchPage(await page.getByTestId('approve-form').innerText(), [/\b(?:the|reason|child|dose per)\b/i], 'the approval form');
    // The password alone does not approve a child's plan.
    await page.locator('#approve-password').fill(PHYSICIAN_PASSWORD);
    await page.getByTestId('approve-submit').click();
    await page.getByTestId('error-dose_reason').waitFor();
    assert.equal(await page.getByTestId('plan-status').textContent(), 'Brouillon');
    await page.locator('#approve-dose-reason').fill('Dose pédiatrique validée en réunion de concertation');
    await page.getByTestId('approve-submit').click();
    await page.getByTestId('approval').waitFor();
    assert.equal(await page.getByTestId('plan-status').textContent(), 'Approuvé');
    const plans = await api.request('GET', `/api/v1/plans?patient_id=${p.body.id}`);
    assert.match(plans.body.items[0].meaning, /4666666 cells per kg confirmed \(age 3 years\): Dose pédiatrique validée/);
  }],

  ['admin publishes the next protocol version from the interface', async ({ page, server }) => {
    await login(page, server);
    await page.getByTestId('nav-programmes').click();
    await page.getByTestId('protocols-table').waitFor();
    assert.equal(await page.getByTestId('protocol-row').count(), 5);
    await page.locator('#publish-protocol').selectOption('als');
    await page.waitForFunction(() => document.querySelector('#publish-json').value.includes('"version": 2'));
    const json = JSON.parse(await page.getByTestId('publish-json').inputValue());
    json.stay_days = { min: 6, max: 14 };
    await page.getByTestId('publish-json').fill(JSON.stringify(json));
    await page.getByTestId('publish-submit').click();
    await page.getByText('als version 2 published.').waitFor();
    const row = page.getByTestId('protocol-row').filter({ has: page.locator('td[data-code="als"]') });
    assert.match(await row.textContent(), /6–14 days/);
    // An invalid version names the field.
    await page.locator('#publish-protocol').selectOption('msc');
    await page.waitForFunction(() => document.querySelector('#publish-json').value.includes('"id": "msc"'));
    const bad = JSON.parse(await page.getByTestId('publish-json').inputValue());
    bad.administrations = { min: 1, max: 16, default: 3 };
    await page.getByTestId('publish-json').fill(JSON.stringify(bad));
    await page.getByTestId('publish-submit').click();
    await page.getByTestId('publish-error').waitFor();
    assert.match(await page.getByTestId('publish-error').textContent(), /stay/);
  }],
]);
