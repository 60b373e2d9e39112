// What used to mislead a user of the interface, walked in French: the
// adverse-event form checks itself before it asks for confirmation and names
// the faulty field in French; the dashboard's counts are the lists they open
// (a resolved event is not open, a batch still waiting for QC results is
// shown as waiting).
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';
import { ok, day } from './clinic_fixtures.mjs';

const PASSWORD = 'misleads-browser-password-1';
const ENGLISH = [/\bRequired\b/, /\bfield\b/i, /\bGrade is\b/, /\bfuture\b/i, /\bOnset\b/, /\bReport\b/];

async function users(server, list) {
  const admin = await server.client();
  for (const [username, role] of list) await ok(admin, 'POST', '/users', { username, role, password: PASSWORD }, 201);
  return admin;
}

// A datetime-local value n hours from now in the browser's time zone.
async function localIn(page, hours) {
  return page.evaluate((h) => {
    const d = new Date(Date.now() + h * 3600e3);
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }, hours);
}

await run([
  ['adverse-event form: checked before the confirmation, the field named in French, nothing recorded', async ({ page, server }) => {
    const admin = await users(server, [['coordinator1', 'coordinator'], ['physician1', 'physician']]);
    const coordinator = await server.client('coordinator1', PASSWORD);
    const p = await ok(coordinator, 'POST', '/patients', { family_name: 'Validation', given_names: 'Aurélie',
      birth_date: '1981-03-04', sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
    const count = async () => (await ok(admin, 'GET', `/adverse-events?patient_id=${p.id}`, undefined, 200)).total;

    await login(page, server, 'physician1', PASSWORD);
    await toFrench(page);
    await page.goto(`/#/adverse-events/new?patient_id=${p.id}`);
    await page.getByTestId('ae-form').waitFor();
    const dialog = page.locator('#confirm-dialog');
    const banner = page.getByTestId('ae-form-error');
    const submit = async () => {
      await page.getByTestId('ae-form-submit').click();
      await banner.waitFor();
      assert.equal(await dialog.isVisible(), false, 'no confirmation is asked while the form is faulty');
      const text = await banner.innerText();
      assertFrenchPage(text, ENGLISH, 'the form error');
      return text;
    };

    // nothing chosen: the term is named first
    assert.equal(await submit(), 'Terme : Ce champ est obligatoire.');
    assert.equal(await page.locator('#ae-form-term').getAttribute('aria-invalid'), 'true');

    await page.locator('#ae-form-term').selectOption({ label: 'Fièvre' });
    assert.equal(await submit(), 'Grade : Ce champ est obligatoire.');
    assert.match(await page.getByTestId('error-grade').innerText(), /obligatoire/);

    await page.getByTestId('ae-grade-2').locator('input').check();
    await page.locator('#ae-form-onset-at').fill(await localIn(page, 3));
    assert.equal(await submit(), 'Début : Cette heure est dans le futur.');

    await page.locator('#ae-form-onset-at').fill(await localIn(page, -5));
    await page.locator('#ae-form-resolved-at').fill(await localIn(page, -6));
    assert.equal(await submit(), 'Résolution : La résolution précède le début.');

    await page.locator('#ae-form-resolved-at').fill('');
    assert.equal(await submit(), 'Lien avec le produit : Ce champ est obligatoire.');
    await page.locator('#ae-form-related-product').selectOption('possible');
    assert.equal(await submit(), 'Lien avec le geste : Ce champ est obligatoire.');
    await page.locator('#ae-form-related-procedure').selectOption('unlikely');
    assert.equal(await submit(), 'Caractère attendu : Ce champ est obligatoire.');
    assert.equal(await count(), 0, 'nothing was recorded');

    // complete: now, and only now, the confirmation
    await page.locator('#ae-form-expectedness').selectOption('expected');
    await page.getByTestId('ae-form-submit').click();
    await dialog.waitFor({ state: 'visible' });
    assert.equal(await banner.isVisible(), false, 'the banner is gone once the form is right');
    await page.locator('#confirm-ok').click();
    await page.waitForURL(/#\/adverse-events\/\d+$/);
    assert.equal(await count(), 1);
  }],

  ['dashboard in French: each count is the list its link opens; resolved events are not open; a batch waiting for QC says so', async ({ page, server }) => {
    await users(server, [['nurse1', 'nurse'], ['qa1', 'qa'], ['coord1', 'coordinator'], ['lab1', 'lab']]);
    // a batch made today, its QC results not yet in
    const lab = await server.client('lab1', PASSWORD);
    const donor = (await ok(lab, 'POST', '/donors', { kind: 'allogeneic', consent_date: day(0) }, 201)).donor;
    const col = (await ok(lab, 'POST', '/collections', { donor_id: donor.id, source: 'cord-tissue', collected_on: day(0), mass_g: 20 }, 201)).collection;
    const batch = (await ok(lab, 'POST', '/batches', { product_type: 'uc-msc', collection_ids: [col.id] }, 201)).batch;
    const nurse = await server.client('nurse1', PASSWORD);
    const coordinator = await server.client('coord1', PASSWORD);
    const p = await ok(coordinator, 'POST', '/patients', { family_name: 'Tableau', given_names: 'Inès',
      birth_date: '1975-09-21', sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
    const ago = (h) => new Date(Date.now() - h * 3600e3).toISOString().slice(0, 19) + 'Z';
    const event = (extra) => ok(nurse, 'POST', '/adverse-events', { patient_id: p.id, term: 'fever', grade: 3,
      onset_at: ago(30), aware_at: ago(2), seriousness: ['hospitalisation'], related_product: 'possible',
      related_procedure: 'unlikely', expectedness: 'expected', ...extra }, 201);
    await event({});                                             // open
    await event({ resolved_at: ago(5), outcome: 'recovered' }); // resolved, its report still owed
    await event({ outcome: 'recovered_with_sequelae' });         // over, without an end time

    await login(page, server, 'qa1', PASSWORD);
    await toFrench(page);
    await page.getByTestId('dash-title').waitFor();
    const tiles = { open_serious_events: 0, units_expiring: 0, batches_awaiting_release: 0 };
    for (const key of Object.keys(tiles)) tiles[key] = Number(await page.getByTestId(`dash-${key}-count`).innerText());
    const waiting = page.getByTestId('dash-batches_awaiting_release-item').filter({ hasText: batch.code });
    assert.match(await waiting.innerText(), /en attente des résultats du CQ/, 'a batch waiting for its QC results is shown as waiting');
    assert.equal(await page.getByTestId('dash-batches_awaiting_release-link').innerText(), 'Lots en cours');
    assertFrenchPage(await page.locator('main').innerText(), [/\bwaiting\b/i, /\bBatches\b/, /\bready\b/i, /\bexpir/i],
      'the dashboard');

    const open = async (key) => {
      await page.getByTestId('nav-dashboard').click();
      await page.getByTestId(`dash-${key}-link`).waitFor();
      await page.getByTestId(`dash-${key}-link`).click();
    };
    await open('open_serious_events');
    await page.getByTestId('ae-filter').waitFor();
    assert.equal(await page.locator('#ae-filter-open').inputValue(), 'true', 'the list is filtered on open events');
    assert.equal(await page.getByTestId('ae-row').count(), tiles.open_serious_events, 'open serious events: as many rows');
    assert.equal(tiles.open_serious_events, 1, 'only the event not resolved is open');
    assert.match(await page.getByTestId('ae-row').first().innerText(), /Tableau/);

    await open('units_expiring');
    await page.getByTestId('inventory-filter').waitFor();
    assert.equal(await page.getByTestId('expiring-row').count(), tiles.units_expiring, 'expiring units: as many rows');
    assert.ok(tiles.units_expiring >= 2, 'the demo has expired units in stock');

    await open('batches_awaiting_release');
    await page.waitForURL(/#\/lab\?status=in_process$/);
    await page.getByTestId('batches').waitFor();
    assert.equal(await page.getByTestId('batches-row').count(), tiles.batches_awaiting_release, 'batches in process: as many rows');
    assertFrenchPage(await page.locator('main').innerText(), [/\bBatches\b/, /\bin process\b/i], 'the batches in process');
  }],

  ['condition details in French: fields by condition kind, shown in words, kept as JSON by the API', async ({ page, server }) => {
    const admin = await users(server, [['physician2', 'physician']]);
    const physician = await server.client('physician2', PASSWORD);
    const p = await ok(admin, 'POST', '/patients', { family_name: 'Moelle', given_names: 'Loïc',
      birth_date: '1990-02-14', sex: 'male', language: 'fr', confirm_duplicate: true }, 201);
    await login(page, server, 'physician2', PASSWORD);
    await toFrench(page);
    await page.goto(`/#/patients/${p.id}`);
    const form = page.getByTestId('condition-form');
    await form.waitFor();
    const add = async (icd10, label, date, choices) => {
      await form.getByLabel('Code CIM-10').fill(icd10);
      await form.getByLabel('Description').fill(label);
      for (const [name, value] of choices) await form.getByLabel(name, { exact: true }).selectOption({ label: value });
      if (date) await form.locator('#condition-onset-date').fill(date);
      const before = await page.getByTestId('condition-row').count();
      await page.getByTestId('condition-submit').click();
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="condition-row"]').length > n, before);
    };
    // a spinal cord injury: its date is the injury's, its level from a list, its AIS grade
    await form.getByLabel('Code CIM-10').fill('S24.1');
    await form.getByText('Date de la lésion').waitFor();
    assert.deepEqual(await page.getByTestId('condition-details').getByRole('combobox').evaluateAll(
      (els) => els.map((e) => e.labels[0].textContent)), ['Niveau neurologique', 'Grade AIS']);
    const levels = await form.getByLabel('Niveau neurologique').locator('option').allTextContents();
    assert.equal(levels.length, 1 + 8 + 12 + 5 + 5, 'C1..C8, T1..T12, L1..L5, S1..S5 and "choose"');
    assert.equal(await form.getByLabel('Détails').count(), 0, 'no free "key: value" text any more');
    await add('S24.1', 'Lésion médullaire thoracique', '2025-06-01', [['Niveau neurologique', 'T6'], ['Grade AIS', 'A – complète']]);
    // multiple sclerosis: its course and EDSS at diagnosis (decimal comma)
    await add('G35', 'Sclérose en plaques', '2019-03-15', [['Forme évolutive', 'rémittente-récurrente'], ['EDSS au diagnostic', '3,5']]);
    // spina bifida: its type
    await add('Q05.9', 'Spina bifida', '', [['Forme de spina bifida', 'myéloméningocèle']]);

    const rows = await page.getByTestId('condition-row').allInnerTexts();
    const row = (code) => rows.find((r) => r.includes(code)) || '';
    assert.match(row('S24.1'), /01\/06\/2025/);
    assert.match(row('S24.1'), /Niveau neurologique : T6 · Grade AIS : A – complète/);
    assert.match(row('G35'), /Forme évolutive : rémittente-récurrente · EDSS au diagnostic : 3,5/);
    assert.match(row('Q05.9'), /Forme de spina bifida : myéloméningocèle/);
    assertFrenchPage(await page.getByTestId('conditions-section').innerText(),
      [/\blevel\b/i, /\bais\b/, /\bedss_at/i, /\bcourse\b/i, /\btype\b/i, /\brelapsing/i], 'the conditions');

    // the API keeps the details as JSON
    const rec = await ok(physician, 'GET', `/patients/${p.id}`, undefined, 200);
    const byCode = Object.fromEntries(rec.conditions.map((c) => [c.icd10, c.details]));
    assert.deepEqual(byCode['S24.1'], { level: 'T6', ais: 'A' });
    assert.deepEqual(byCode.G35, { course: 'relapsing_remitting', edss_at_diagnosis: 3.5 });
    assert.deepEqual(byCode['Q05.9'], { type: 'myelomeningocele' });
  }],

  ['one signature control in French: donor eligibility signed like an assessment, wrong password said, throttled', async ({ page, server }) => {
    await users(server, [['lab2', 'lab'], ['phys3', 'physician'], ['phys4', 'physician'], ['nurse3', 'nurse'], ['coord3', 'coordinator']]);
    const lab = await server.client('lab2', PASSWORD);
    const nurse = await server.client('nurse3', PASSWORD);
    const coordinator = await server.client('coord3', PASSWORD);
    const donor = (await ok(lab, 'POST', '/donors', { kind: 'allogeneic', consent_date: day(0) }, 201)).donor;
    for (const test of ['hbsag', 'anti-hbc', 'anti-hcv', 'anti-hiv-1-2', 'syphilis', 'htlv-1-2', 'nat-hiv', 'nat-hcv', 'nat-hbv', 'cmv']) {
      await ok(lab, 'POST', `/donors/${donor.id}/tests`, { test, result: 'negative', sampled_on: day(0) }, 201);
    }
    const p = await ok(coordinator, 'POST', '/patients', { family_name: 'Signature', given_names: 'Noémie',
      birth_date: '1983-05-06', sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
    const ae = (await ok(nurse, 'POST', '/adverse-events', { patient_id: p.id, term: 'headache', grade: 1,
      onset_at: new Date(Date.now() - 3600e3).toISOString().slice(0, 19) + 'Z', related_product: 'unlikely',
      related_procedure: 'possible', expectedness: 'expected' }, 201)).adverse_event;
    const WRONG = 'Mot de passe incorrect : rien n’a été signé.';
    const control = async (prefix, meaning) => {
      const sig = page.getByTestId(`${prefix}-signature`);
      await sig.waitFor();
      assert.equal(await sig.locator('legend').innerText(), 'Signature électronique');
      assert.equal(await page.getByTestId(`${prefix}-signature-meaning`).innerText(), meaning);
      assert.equal(await sig.getByLabel('Votre mot de passe').getAttribute('type'), 'password');
      assertFrenchPage(await sig.innerText(), [/\bpassword\b/i, /\bsigns?\b/i], 'the signature');
    };
    const sign = async (prefix, password) => {
      await page.getByTestId(`${prefix}-password`).fill(password);
      await page.getByTestId(`${prefix}-submit`).click();
    };

    await login(page, server, 'phys3', PASSWORD);
    await toFrench(page);
    await page.goto(`/#/lab/donors/${donor.id}`);
    await control('eligibility-form', 'Je signe cette décision d’éligibilité du donneur, au vu des résultats de dépistage enregistrés.');
    await page.getByTestId('eligibility-form-decision').selectOption('eligible');
    await sign('eligibility-form', 'pas mon mot de passe');
    const donorError = page.getByTestId('eligibility-form-error');
    await donorError.waitFor({ state: 'visible' });
    assert.equal(await donorError.innerText(), `Votre mot de passe : ${WRONG}`);
    assert.equal((await ok(lab, 'GET', `/donors/${donor.id}`, undefined, 200)).donor.eligibility, 'incomplete', 'nothing signed');

    // the assessment of an adverse event: the same control, the same message
    await page.goto(`/#/adverse-events/${ae.id}`);
    await control('assess', 'Votre mot de passe signe : grade, gravité, imputabilité et caractère attendu tels qu\'enregistrés.');
    await sign('assess', 'pas mon mot de passe');
    const aeError = page.getByTestId('assess-error');
    await aeError.waitFor({ state: 'visible' });
    assert.equal(await aeError.innerText(), `Votre mot de passe : ${WRONG}`);

    // the right password signs the donor's eligibility
    await page.goto(`/#/lab/donors/${donor.id}`);
    await page.getByTestId('eligibility-form-decision').selectOption('eligible');
    await sign('eligibility-form', PASSWORD);
    await page.waitForFunction(() => /Signé par|phys3/.test(document.querySelector('main')?.innerText || '')
      && !document.querySelector('[data-testid="eligibility-form-error"]:not([hidden])'));
    assert.equal((await ok(lab, 'GET', `/donors/${donor.id}`, undefined, 200)).donor.eligibility, 'eligible');

    // throttled: wrong passwords again and again end in "too many attempts", in French
    await page.getByTestId('logout').click();
    await login(page, server, 'phys4', PASSWORD);
    await toFrench(page);
    await page.goto(`/#/adverse-events/${ae.id}`);
    await page.getByTestId('assess-signature').waitFor();
    let text = '';
    for (let i = 0; i < 8 && !/Trop de tentatives/.test(text); i++) {
      await aeError.evaluate((el) => { el.textContent = ''; el.hidden = true; });
      await sign('assess', `faux-${i}`);
      await page.waitForFunction(() => {
        const box = document.querySelector('[data-testid="assess-error"]');
        return box && !box.hidden && box.textContent !== '';
      });
      text = await aeError.innerText();
      if (i < 5) assert.equal(text, `Votre mot de passe : ${WRONG}`);
    }
    assert.match(text, /Trop de tentatives/, 'the signature is throttled like a login');
    assertFrenchPage(text, [/\bToo many\b/], 'the throttle');
  }],
], { demo: 40 });
