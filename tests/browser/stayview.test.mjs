// The patient-facing side of follow-up, in French: the administrator sets the
// clinic's name and public address; a nurse makes a questionnaire link for a
// French patient and the printable handout shows the clinic's name, the QR
// code, the configured address and the instructions in French; the patient
// answers; the nurse opens the submitted questionnaire from the visit; the
// patient's stay timeline shows it all in date order. A laboratory list longer
// than a page shows its total and pages.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent } from './harness.mjs';
import { sciScreening } from './clinic_fixtures.mjs';

const PW = 'Tr1cky-Passw0rd-for-tests';
const ENGLISH = [/\bThe\b/, /\bScan\b/, /\bPrint\b/, /\bAnswers\b/, /\bStay\b/, /\bScreening\b/, /\bTreatment plan\b/,
  /\bFollow-up visit\b/, /\bin all\b/, /\bNext\b/, /\bClinic\b/];
function day(offset) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}
const frDate = (ymd) => ymd.split('-').reverse().join('/');

async function approvedPlan(server) {
  const admin = await server.client();
  for (const [username, role] of [['infirmiere', 'nurse'], ['docteur', 'physician']]) {
    const r = await admin.request('POST', '/api/v1/users', { username, role, password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const doc = await server.client('docteur', PW);
  let r = await admin.request('POST', '/api/v1/patients', {
    family_name: 'Girard', given_names: 'Élise', birth_date: '1979-06-12', sex: 'female', language: 'fr' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const patient = r.body;
  await admin.request('POST', `/api/v1/patients/${patient.id}/weights`, { date: day(0), kg: 64 });
  r = await admin.request('POST', '/api/v1/screenings', sciScreening(patient.id, day(-3)));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await doc.request('POST', `/api/v1/screenings/${r.body.id}/decision`, { decision: 'eligible', password: PW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await recordTreatmentConsent(admin, patient.id);
  r = await admin.request('POST', '/api/v1/plans', { patient_id: patient.id, protocol: 'sci', start: day(7) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const plan = r.body.id;
  r = await doc.request('POST', `/api/v1/plans/${plan}/approve`, { password: PW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return patient;
}

await run([
  ['public address, handout in the patient\'s language, the answered questionnaire from the visit, the stay timeline',
    async ({ page, server, browser, baseURL }) => {
      const patient = await approvedPlan(server);
      const publicUrl = `${baseURL}/`;

      // Before the administrator sets the address, no link is made.
      await login(page, server, 'infirmiere', PW);
      await toFrench(page);
      await page.goto(`/#/follow-up?state=all`);
      await page.getByTestId('visit-link').first().click();
      await page.getByTestId('link-form').waitFor();
      await page.getByTestId('link-submit').click();
      await page.getByTestId('link-error').waitFor({ state: 'visible' });
      assert.match(await page.getByTestId('link-error').innerText(), /adresse publique de la clinique n’est pas configurée/);
      assert.equal(await page.getByTestId('handout').count(), 0, 'no handout without a link');
      await page.getByTestId('logout').click();

      // The administrator sets the clinic's name and public address, in French.
      await login(page, server);
      await toFrench(page);
      await page.getByTestId('nav-clinicsettings').click();
      await page.getByTestId('clinic-form').waitFor();
      assert.equal(await page.locator('h1').innerText(), 'Réglages de la clinique');
      await page.getByTestId('clinic-url-unset').waitFor();
      await page.locator('#clinic-form-name').fill('Clinique du Lac');
      await page.locator('#clinic-form-public-base-url').fill('javascript:alert(1)');
      await page.getByTestId('clinic-form-submit').click();
      await page.getByTestId('error-public_base_url').waitFor();
      assert.match(await page.getByTestId('clinic-form-error').innerText(), /^Adresse publique \(URL de base\)/);
      let site = await (await server.client()).request('GET', '/api/v1/clinic-site');
      assert.equal(site.body.public_base_url, '', 'nothing saved on a refused address');
      await page.locator('#clinic-form-public-base-url').fill(baseURL);
      await page.getByTestId('clinic-form-submit').click();
      await page.getByText('Réglages de la clinique enregistrés.').waitFor();
      assert.equal(await page.locator('#clinic-form-public-base-url').inputValue(), publicUrl);
      assert.equal(await page.getByTestId('clinic-url-unset').count(), 0);
      assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the clinic settings');
      site = await (await server.client()).request('GET', '/api/v1/clinic-site');
      assert.equal(site.body.name, 'Clinique du Lac');
      await page.getByTestId('logout').click();

      // The nurse makes the link: the handout for a French patient.
      await login(page, server, 'infirmiere', PW);
      await page.goto(`/#/follow-up?state=all`);
      await page.getByTestId('visit-link').first().click();
      await page.getByTestId('link-form').waitFor();
      const visitHash = new URL(page.url()).hash;
      await page.locator('#link-instrument').selectOption('nrs-pain');
      await page.getByTestId('link-submit').click();
      await page.getByTestId('handout').waitFor();
      const url = await page.getByTestId('link-url').innerText();
      assert.ok(url.startsWith(`${publicUrl}#/q/`), `the link is on the configured address: ${url}`);
      const handout = page.getByTestId('handout');
      assert.equal(await handout.getAttribute('lang'), 'fr');
      assert.equal(await page.getByTestId('handout-clinic').innerText(), 'Clinique du Lac');
      assert.equal(await page.getByTestId('handout-url').innerText(), url);
      await page.getByTestId('handout-qr').waitFor();
      const text = await handout.innerText();
      assert.match(text, /Votre questionnaire de suivi/);
      assert.match(text, /Scannez le QR code avec l’appareil photo de votre téléphone/);
      assert.match(text, /Envoyer mes réponses/);
      assert.match(text, /Ce lien est valable jusqu’au \d{1,2} \S+ \d{4}\./);
      assertFrenchPage(text, ENGLISH, 'the patient handout');
      // Printed, the handout stands alone: no staff menu, no staff forms.
      await page.evaluate(() => { window.print = () => {}; });
      await page.getByTestId('handout-print').click();
      await page.emulateMedia({ media: 'print' });
      assert.equal(await handout.isVisible(), true, 'the handout is printed');
      assert.equal(await page.getByTestId('handout-qr').isVisible(), true, 'with its QR code');
      for (const staff of ['link-form-submit', 'contact-form', 'visit-facts', 'nav-followup', 'handout-print']) {
        const el = staff === 'link-form-submit' ? page.getByTestId('link-submit') : page.getByTestId(staff);
        assert.equal(await el.isVisible(), false, `${staff} is not printed`);
      }
      await page.emulateMedia({ media: 'screen' });

      // The patient answers from the address on the handout, without an account.
      const ctx = await browser.newContext({ baseURL, locale: 'fr-FR' });
      const p = await ctx.newPage();
      await p.goto(url);
      await p.getByTestId('q-form').waitFor();
      await p.getByTestId('q-current-3').check();
      await p.getByTestId('q-average-4').check();
      await p.getByTestId('q-worst-7').check();
      await p.getByTestId('q-submit').click();
      await p.getByTestId('q-done').waitFor();
      await ctx.close();

      // The nurse opens the submitted questionnaire from the visit, in French.
      await page.goto(`/${visitHash}`);
      await page.reload();
      await page.getByTestId('visit-facts').waitFor();
      await toFrench(page);
      await page.getByTestId('visit-observation-open').first().waitFor();
      await page.getByTestId('visit-observation-open').first().click();
      const answers = page.getByTestId('observation-answer');
      await answers.first().waitFor();
      assert.equal(await answers.count(), 3, 'the three answers');
      assert.match(await answers.first().innerText(), /3/);
      await page.getByTestId('observation-scores').waitFor();
      assert.match(await page.getByTestId('visit-observations').innerText(), new RegExp(`${frDate(day(0))} · .* \\(patient\\)`));
      assertFrenchPage(await page.getByTestId('visit-observations').innerText(), ENGLISH, 'the submitted questionnaire');

      // The stay timeline, from the patient's page.
      await page.goto(`/#/patients/${patient.id}`);
      await page.getByTestId('patient-timeline').click();
      await page.getByTestId('timeline').waitFor();
      const kinds = await page.getByTestId('timeline-event').evaluateAll((els) => els.map((e) => e.dataset.kind));
      assert.deepEqual(kinds.slice(0, 3), ['screening', 'plan', 'observation'], `the stay in order: ${kinds}`);
      assert.equal(kinds.filter((k) => k === 'visit').length, 4, 'the four follow-up visits');
      const dates = await page.getByTestId('timeline-date').allInnerTexts();
      assert.equal(dates[0], frDate(day(0)), 'the screening on its local date (evaluated today)');
      assert.match(await page.getByTestId('timeline-event').nth(1).innerText(), /Plan de traitement/);
      assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the stay timeline');
      // each event opens its page: the observation opens the visit it answered
      await page.getByTestId('timeline-event').nth(2).getByTestId('timeline-link').click();
      await page.getByTestId('visit-observations').waitFor();
      assert.equal(new URL(page.url()).hash, visitHash);
    }],

  ['a laboratory list longer than a page shows its total and pages, in French', async ({ page, server }) => {
    const admin = await server.client();
    let r = await admin.request('POST', '/api/v1/users', { username: 'labo', role: 'lab', password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const lab = await server.client('labo', PW);
    for (let i = 0; i < 53; i++) {
      r = await lab.request('POST', '/api/v1/donors', { kind: 'allogeneic', code: `DON-${String(i).padStart(3, '0')}`, consent_date: day(0) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await login(page, server, 'labo', PW);
    await toFrench(page);
    await page.goto('/#/lab');
    await page.getByTestId('donors-pager').waitFor();
    assert.equal(await page.getByTestId('donors-pager-info').innerText(), 'Page 1 sur 2 (53 au total)');
    assert.equal(await page.getByTestId('donor-link').count(), 50);
    assert.equal(await page.getByTestId('batches-pager-info').innerText(), 'Page 1 sur 1 (0 au total)');
    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the laboratory start page');
    await page.getByTestId('donors-pager-next').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="donors-pager-info"]')?.textContent.startsWith('Page 2'));
    assert.equal(await page.getByTestId('donor-link').count(), 3);
    assert.equal(await page.getByTestId('donors-pager-info').innerText(), 'Page 2 sur 2 (53 au total)');
    assert.match(page.url(), /donors_page=2/);
  }],
]);
