// The public consultation request page (/#/consultation), no account: a
// visitor with a French browser fills it (a refused field is named under
// it, in French), sends it and is thanked; a German browser sees it in
// German, nothing in English; the coordinator, in French, finds the new
// request on the dashboard, converts it, and the patient record carries the
// condition (code, the visitor's words, level and date of the injury), the
// message as a note and the link back to the request. A German patient
// answers questionnaire links in German (the NRS, the project's satisfaction
// questionnaire); a validated instrument without its licensed German text
// (the NBD score) is shown whole in English, said in German at the top. Last, the rate limit's refusal is
// a sentence on the page.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent } from './harness.mjs';

const PW = 'Tr1cky-Passw0rd-for-tests';
const ENGLISH = [/\bRequest\b/, /\bSend\b/, /\bcountry\b/i, /\bEmail address\b/, /\bDiagnosis\b/, /\bThank you\b/,
  /\brequired\b/, /\bLevel\b/, /\binjury\b/i, /\bcontacted\b/];
const GERMAN_NOT_ENGLISH = [...ENGLISH, /\bthe\b/, /\byour\b/i, /\bChoose\b/, /\bPatient's\b/];

function day(offset) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

// dd/mm/yyyy of today in the browser's time zone (the page's local day)
function todayFr() {
  const d = new Date();
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

async function openForm(browser, baseURL, locale) {
  const ctx = await browser.newContext({ baseURL, locale, viewport: { width: 390, height: 900 } });
  ctx.setDefaultTimeout(10000);
  const p = await ctx.newPage();
  await p.goto('/#/consultation');
  await p.getByTestId('pub-form').waitFor();
  return { ctx, p };
}

const mainText = (p) => p.locator('#main').innerText();
const missingIn = (p, lang) => p.evaluate((l) => globalThis.ccI18nMissing(l), lang);

await run([
  ['a French visitor asks for a consultation; the coordinator converts it in French', async ({ page, server, browser, baseURL }) => {
    const { ctx, p } = await openForm(browser, baseURL, 'fr-FR');
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'fr', 'the browser language chooses French');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Demande de consultation');
    assert.equal(await p.getByTestId('logout').isVisible(), false, 'no account, no staff menu');
    // the countries in French, the diagnoses from the list
    assert.equal(await p.locator('#pub-country option[value="DE"]').innerText(), 'Allemagne');
    assert.equal(await p.locator('#pub-diagnosis option[value="sci"]').innerText(), 'Lésion de la moelle épinière');
    assert.equal(await p.getByTestId('pub-sci').isVisible(), false, 'the injury questions wait for the diagnosis');
    assertFrenchPage(await mainText(p), ENGLISH, 'the request page');

    await p.getByLabel('Votre nom (ou celui du patient)').fill('Camille Rousseau');
    await p.getByLabel('Adresse e-mail').fill('camille-chez-example.org');
    await p.getByLabel('Pays de résidence').selectOption('FR');
    await p.getByLabel('Date de naissance du patient').fill('1994-09-21');
    await p.locator('#pub-diagnosis').selectOption('sci');
    await p.getByTestId('pub-sci').waitFor();
    await p.getByLabel('Niveau de la lésion').selectOption('C5');
    await p.getByLabel('Date de la lésion').fill('2025-03-14');
    await p.getByLabel('Le diagnostic, avec vos mots').fill('Tétraplégie incomplète après un accident de ski');
    await p.getByLabel('Votre message').fill('Bonjour,\nmon frère souhaite une consultation.');
    assert.equal(await p.getByLabel('Langue de notre réponse').inputValue(), 'fr');
    // a refused field is named under it, in French; nothing is stored
    await p.getByTestId('pub-submit').click();
    await p.getByTestId('error-email').waitFor();
    assert.equal(await p.locator('.field-email [data-testid="error-email"]').innerText(), 'Ce n’est pas une adresse électronique valide.');
    const coordinatorApi = await server.client();
    let list = await coordinatorApi.request('GET', '/api/v1/consultation-requests?status=new');
    assert.equal(list.body.total, 0, 'a refused request is not stored');
    // the consent to be contacted is required
    await p.getByLabel('Adresse e-mail').fill('camille@example.org');
    await p.getByTestId('pub-submit').click();
    await p.getByTestId('error-consent').waitFor();
    assert.match(await p.getByTestId('error-consent').innerText(), /accepter d’être contacté/);
    assertFrenchPage(await mainText(p), ENGLISH, 'the refused request page');
    await p.getByTestId('pub-consent').check();
    await p.getByTestId('pub-submit').click();
    await p.getByTestId('pub-thanks').waitFor();
    assert.equal(await p.getByTestId('pub-thanks-title').innerText(), 'Merci');
    assertFrenchPage(await mainText(p), ENGLISH, 'the thank-you page');
    await ctx.close();
    list = await coordinatorApi.request('GET', '/api/v1/consultation-requests?status=new');
    assert.equal(list.body.total, 1);
    const stored = list.body.items[0];
    assert.deepEqual([stored.diagnosis, stored.injury_level, stored.injury_date, stored.country, stored.consent, stored.language],
      ['sci', 'C5', '2025-03-14', 'FR', true, 'fr']);

    // the coordinator, in French
    let r = await coordinatorApi.request('POST', '/api/v1/users', { username: 'coord', role: 'coordinator', password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await login(page, server, 'coord', PW);
    await toFrench(page);
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dash-new_requests').waitFor();
    assert.equal(await page.getByTestId('dash-new_requests-count').innerText(), '1');
    const item = page.getByTestId('dash-new_requests-item');
    assert.match(await item.innerText(), /Camille Rousseau — Lésion de la moelle épinière, Tétraplégie incomplète/);
    assertFrenchPage(await page.getByTestId('dash-new_requests').innerText(), ENGLISH, 'the dashboard tile');
    await item.getByRole('link', { name: 'Camille Rousseau' }).click();
    await page.getByTestId('convert-form').waitFor();
    assert.equal(await page.getByTestId('fact-diagnosis').innerText(), 'Lésion de la moelle épinière');
    assert.equal(await page.getByTestId('fact-injury_level').innerText(), 'C5');
    assert.equal(await page.getByTestId('fact-injury_date').innerText(), '14/03/2025');
    assert.equal(await page.getByTestId('fact-country').innerText(), 'France');
    assert.equal(await page.getByTestId('fact-consent').innerText(), 'Donné');
    assertFrenchPage(await page.getByTestId('request-facts').innerText(), ENGLISH, 'the request');
    assert.equal(await page.locator('#convert-birth-date').inputValue(), '1994-09-21');
    await page.locator('#convert-sex').selectOption('male');
    await page.getByTestId('convert-submit').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('patient-name').waitFor();
    assert.match(await page.getByTestId('patient-name').innerText(), /ROUSSEAU, Camille/);
    // the condition, structured, and the message as a note
    const row = page.getByTestId('condition-row');
    assert.equal(await row.count(), 1);
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[0], 'S14.1');
    assert.equal(cells[1], 'Tétraplégie incomplète après un accident de ski');
    assert.match(cells[2], /2025-03-14|14\/03\/2025/);
    assert.match(cells[3], /C5/);
    const link = page.getByTestId('patient-request-link');
    assert.equal(await link.innerText(), `Demande de consultation du ${todayFr()}`);
    assert.equal(await link.getAttribute('href'), `#/requests/${stored.id}`);
    assert.match(await page.getByTestId('patient-request-note').innerText(), /mon frère souhaite une consultation/);
    assertFrenchPage(await page.getByTestId('patient-request').innerText(), ENGLISH, 'the request on the patient page');
    await link.click();
    await page.getByTestId('request-patient-link').waitFor();
    assert.equal(await page.getByTestId('status-badge').innerText(), 'Convertie');
    // the dashboard has no new request left
    await page.getByTestId('nav-dashboard').click();
    await page.getByTestId('dash-new_requests-empty').waitFor();
    assert.equal(await page.getByTestId('dash-new_requests-count').innerText(), '0');
  }],

  ['a German browser sees the request page in German, switchable', async ({ browser, baseURL }) => {
    const { ctx, p } = await openForm(browser, baseURL, 'de-DE');
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'de');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Beratungsanfrage');
    assert.equal(await p.locator('#pub-country option[value="FR"]').innerText(), 'Frankreich');
    assert.equal(await p.locator('#pub-diagnosis option[value="multiple_sclerosis"]').innerText(), 'Multiple Sklerose');
    assert.equal(await p.getByLabel('Sprache unserer Antwort').inputValue(), 'de');
    // a refused field, in German (the server's message: the German catalogue)
    await p.getByTestId('pub-submit').click();
    await p.getByTestId('error-name').waitFor();
    assert.equal(await p.getByTestId('error-name').innerText(), 'Dieses Feld ist erforderlich.');
    await p.getByLabel('Ihr Name (oder der des Patienten)').fill('Jürgen Weiß');
    await p.locator('#pub-diagnosis').selectOption('multiple_sclerosis');
    await p.getByLabel('E-Mail-Adresse').fill('jw-bei-example.de');
    await p.getByTestId('pub-submit').click();
    await p.getByTestId('error-email').waitFor();
    assert.equal(await p.getByTestId('error-email').innerText(), 'Dies ist keine gültige E-Mail-Adresse.');
    const text = await mainText(p);
    for (const re of GERMAN_NOT_ENGLISH) assert.doesNotMatch(text, re, `English on the German page:\n${text}`);
    { const missing = await missingIn(p, 'de'); assert.deepEqual(missing, [], `every text of the page comes from the German catalogue: ${missing}`); }
    // the staff's languages are offered too; switching keeps what was typed
    await p.getByTestId('lang-en').click();
    await p.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Request a consultation');
    assert.equal(await p.locator('#pub-name').inputValue(), 'Jürgen Weiß');
    await p.getByTestId('lang-de').click();
    await p.waitForFunction(() => document.documentElement.lang === 'de');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Beratungsanfrage');
    // German is a patient-page language only: the login page offers English and French
    await p.goto('/#/login');
    await p.getByTestId('login-form').waitFor();
    assert.notEqual(await p.evaluate(() => document.documentElement.lang), 'de');
    assert.equal(await p.getByTestId('lang-de').isVisible(), false);
    await ctx.close();
  }],

  ['a German patient answers questionnaire links in German; one without German is in English, said in German', async ({ page, server, browser, baseURL }) => {
    const admin = await server.client();
    let r = await admin.request('POST', '/api/v1/users', { username: 'qdoc', role: 'physician', password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const doc = await server.client('qdoc', PW);
    r = await admin.request('POST', '/api/v1/patients', {
      family_name: 'Schäfer', given_names: 'Jonas', birth_date: '1984-06-07', sex: 'male', language: 'de' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const pid = r.body.id;
    await admin.request('POST', `/api/v1/patients/${pid}/weights`, { date: day(0), kg: 74 });
    await admin.request('POST', `/api/v1/patients/${pid}/conditions`, {
      icd10: 'S24.1', label: 'Querschnittlähmung', onset_date: day(-120), details: { level: 'T8' } });
    const d = day(-3);
    const q = (value, unit) => ({ value, unit, date: d });
    r = await admin.request('POST', '/api/v1/screenings', {
      patient_id: pid, protocol: 'sci',
      results: { hb: q(14, 'g/dL'), wbc: q(6, '10^9/L'), plt: q(230, '10^9/L'), creatinine: q(0.9, 'mg/dL'),
        alt: q(22, 'U/L'), ast: q(25, 'U/L'), inr: q(1.0, '1'),
        aptt: { value: 30, unit: 's', ref_low: 25, ref_high: 38, date: d }, hiv: { positive: false, date: d },
        hbv: { positive: false, date: d }, hcv: { positive: false, date: d }, syphilis: { positive: false, date: d } },
      findings: { ecg: { state: 'normal', date: d } },
      history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await doc.request('POST', `/api/v1/screenings/${r.body.id}/decision`, { decision: 'eligible', password: PW });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await recordTreatmentConsent(admin, pid);
    r = await admin.request('POST', '/api/v1/plans', { patient_id: pid, protocol: 'sci', start: day(7) });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await doc.request('POST', `/api/v1/plans/${r.body.id}/approve`, { password: PW });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await admin.request('GET', `/api/v1/follow-up?state=all&patient_id=${pid}`);
    assert.ok(r.body.items.length > 0, JSON.stringify(r.body));
    const visit = r.body.items[0].id;
    // links use the clinic's public address, set by the administrator
    r = await admin.request('PUT', '/api/v1/clinic-site', { name: 'Klinik am See', public_base_url: baseURL });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await admin.request('POST', `/api/v1/follow-up/${visit}/links`,
      { instrument: 'nrs-pain', days: 14 });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const url = r.body.url;

    // the patient's browser speaks English: the link's language (the patient's) wins
    const ctx = await browser.newContext({ baseURL, locale: 'en-GB', viewport: { width: 390, height: 900 } });
    ctx.setDefaultTimeout(10000);
    const p = await ctx.newPage();
    await p.goto(url);
    await p.getByTestId('q-form').waitFor();
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'de');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Numerische Rating-Skala für Schmerzen (NRS)');
    assert.match(await mainText(p), /Schmerz jetzt/);
    assert.match(await p.getByTestId('q-form').innerText(), /0 \(kein Schmerz\)/);
    assert.equal(await p.getByTestId('q-submit').innerText(), 'Meine Antworten senden');
    await p.getByTestId('q-current-3').check();
    await p.getByTestId('q-submit').click();
    await p.getByTestId('q-error').waitFor({ state: 'visible' });
    assert.match(await p.getByTestId('q-error').innerText(), /Antwort fehlt|ungültig/);
    { const missing = await missingIn(p, 'de'); assert.deepEqual(missing, [], `every text of the questionnaire is German: ${missing}`); }
    const text = await mainText(p);
    for (const re of [/\bPain\b/, /\bSend\b/, /\bsave\b/i, /\bworst\b/i, /\bmissing\b/]) {
      assert.doesNotMatch(text, re, `English on the German questionnaire:\n${text}`);
    }
    await p.getByTestId('q-average-2').check();
    await p.getByTestId('q-worst-5').check();
    await p.getByTestId('q-submit').click();
    await p.getByTestId('q-done').waitFor();
    assert.match(await p.getByTestId('q-done').innerText(), /Ihre Antworten wurden/);
    await p.reload();
    await p.getByTestId('q-error').waitFor();
    assert.equal(await p.getByTestId('q-error').innerText(), 'Dieser Fragebogen wurde bereits abgeschickt. Vielen Dank.');

    // the project's own satisfaction questionnaire: every text German
    r = await admin.request('POST', `/api/v1/follow-up/${visit}/links`,
      { instrument: 'satisfaction', days: 14 });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await p.goto(r.body.url);
    await p.getByTestId('q-form').waitFor();
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'de');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Zufriedenheit und wahrgenommene Wirksamkeit');
    assert.equal(await p.getByTestId('q-other-language').count(), 0);
    const form = await p.getByTestId('q-form').innerText();
    for (const s of ['Gesamtzufriedenheit mit der Behandlung', 'Weder zufrieden noch unzufrieden',
      'Gesamteindruck der Veränderung seit der Behandlung', 'Geringfügig verbessert', 'Krampfanfälle (Epilepsie)',
      'Viel besser', 'Trifft nicht zu', 'Würde die Behandlung weiterempfehlen', 'Anmerkungen']) {
      assert.ok(form.includes(s), `"${s}" on the German questionnaire:\n${form}`);
    }
    await p.getByTestId('q-satisfaction-4').check();
    await p.getByTestId('q-change_pain-better').check();
    await p.getByTestId('q-submit').click();
    await p.getByTestId('q-error').waitFor({ state: 'visible' });
    assert.match(await p.getByTestId('q-error').innerText(), /Antwort fehlt/);
    assert.deepEqual(await missingIn(p, 'de'), [], 'every text of the satisfaction questionnaire is German');
    const sat = await mainText(p);
    for (const re of [/\bSatisfaction\b/i, /\bimproved\b/i, /\bworse\b/i, /\bbetter\b/i, /\brecommend/i,
      /\bComments\b/, /\bapplicable\b/i, /\bSend\b/, /\bmissing\b/]) {
      assert.doesNotMatch(sat, re, `English on the German questionnaire:\n${sat}`);
    }
    await p.getByTestId('q-pgic-2').check();
    await p.getByTestId('q-would_recommend-yes').check();
    await p.getByLabel('Anmerkungen').fill('Ich gehe wieder ohne Hilfe die Treppe hinauf.');
    await p.getByTestId('q-submit').click();
    await p.getByTestId('q-done').waitFor();
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Vielen Dank');
    assert.equal(await p.getByTestId('q-done').innerText(),
      'Ihre Antworten wurden an Ihr Behandlungsteam gesendet. Dieser Link ist jetzt geschlossen.');
    assert.deepEqual(await missingIn(p, 'de'), []);

    // the NBD score is validated: its German words come from the licensed translation only, which the
    // clinic does not ship, so the patient reads it in English, told so in German first
    r = await admin.request('POST', `/api/v1/follow-up/${visit}/links`,
      { instrument: 'nbd', days: 14 });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await p.goto(r.body.url);
    await p.getByTestId('q-form').waitFor();
    const notice = p.getByTestId('q-other-language');
    assert.equal(await notice.innerText(),
      'Dieser Fragebogen ist noch nicht auf Deutsch verfügbar. Er wird Ihnen deshalb auf Englisch angezeigt.');
    assert.equal(await notice.getAttribute('lang'), 'de');
    assert.equal(await p.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await p.getByRole('heading', { level: 1 }).innerText(), 'Neurogenic Bowel Dysfunction score (NBD)');
    assert.equal(await p.getByTestId('q-submit').innerText(), 'Send my answers');
    assert.equal(await p.getByTestId('q-save').innerText(), 'Save and continue later');
    const nbd = (await mainText(p)).replace(await notice.innerText(), '');
    for (const re of [/Meine Antworten/, /Speichern/, /Ihre Antworten/]) {
      assert.doesNotMatch(nbd, re, `German besides the notice on the English questionnaire:\n${nbd}`);
    }
    // the English page is this link's, not the browser's new choice
    assert.notEqual(await p.evaluate(() => localStorage.getItem('cc.language')), 'en');
    await ctx.close();

    // the staff's handout for this patient is German, the satisfaction questionnaire named in German;
    // for the NBD score it says the questionnaire is in English
    await login(page, server);
    await page.goto(`/#/follow-up/${visit}`);
    await page.getByTestId('link-form').waitFor();
    await page.locator('#link-instrument').selectOption('satisfaction');
    await page.getByTestId('link-submit').click();
    const handout = page.getByTestId('handout');
    await handout.waitFor();
    assert.equal(await handout.getAttribute('lang'), 'de');
    assert.equal(await handout.locator('h2').innerText(), 'Ihr Nachsorge-Fragebogen');
    assert.equal(await page.getByTestId('handout-intro').innerText(), 'Ihre Klinik bittet Sie, den Fragebogen '
      + '„Zufriedenheit und wahrgenommene Wirksamkeit“ zu beantworten. Das dauert nur wenige Minuten.');
    assert.equal(await page.getByTestId('handout-other-language').count(), 0);
    assert.doesNotMatch(await handout.innerText(), /\b(your|the|questionnaire|valid|answers?|until)\b/i);
    await page.locator('#link-instrument').selectOption('nbd');
    await page.getByTestId('link-submit').click();
    await page.getByTestId('handout-other-language').waitFor();
    assert.match(await page.getByTestId('handout-intro').innerText(), /„Neurogenic Bowel Dysfunction score \(NBD\)“/);
    assert.match(await page.getByTestId('handout-other-language').innerText(), /^Dieser Fragebogen ist noch nicht auf Deutsch/);
  }],

  ['the rate limit refuses with a sentence in the page\'s language', async ({ server, browser, baseURL }) => {
    for (let i = 0; ; i++) {
      const r = await server.publicRequest('POST', '/api/v1/consultation-requests', {
        name: `Limite ${i}`, email: `l${i}@example.org`, condition: 'Stroke', language: 'fr', consent: true });
      if (r.status === 429) break;
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.ok(i < 20, 'the limit is reached');
    }
    const { ctx, p } = await openForm(browser, baseURL, 'fr-FR');
    await p.getByLabel('Votre nom (ou celui du patient)').fill('Dominique Lenoir');
    await p.getByLabel('Numéro de téléphone').fill('+33 6 00 00 00 00');
    await p.locator('#pub-diagnosis').selectOption('multiple_sclerosis');
    await p.getByTestId('pub-consent').check();
    await p.getByTestId('pub-submit').click();
    await p.getByTestId('pub-error').waitFor({ state: 'visible' });
    assert.match(await p.getByTestId('pub-error').innerText(),
      /^Trop de demandes ont été envoyées depuis votre connexion\. Veuillez réessayer dans \d+ minutes\.$/);
    assert.equal(await p.getByTestId('pub-thanks').count(), 0);
    await ctx.close();
  }],
]);
