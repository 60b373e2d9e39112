// Patients in the browser: log in, create, find without accents, edit with a
// stale version (conflict), duplicate warning, field errors, weights and
// conditions, sorting and pages, French, log out.
import assert from 'node:assert/strict';
import { run, login } from './harness.mjs';

async function createViaForm(page, p) {
  await page.getByTestId('nav-patients').click();
  await page.getByTestId('new-patient').click();
  await page.getByTestId('patient-form').waitFor();
  await page.getByLabel('Family name').fill(p.family_name);
  await page.getByLabel('Given names').fill(p.given_names);
  await page.getByLabel('Date of birth').fill(p.birth_date);
  await page.getByLabel('Sex').selectOption(p.sex);
  await page.locator('#patient-language').selectOption(p.language);
  if (p.weight_kg) await page.getByLabel('Weight today (kg)').fill(String(p.weight_kg));
  await page.getByTestId('patient-submit').click();
}

await run([
  ['create, find unaccented, stale edit conflict, French, log out', async ({ page, server }) => {
    await login(page, server);
    // Create "Éloïse Durand" through the form; Enter in a field submits.
    await createViaForm(page, {
      family_name: 'Durand', given_names: 'Éloïse', birth_date: '1987-03-14', sex: 'female', language: 'fr', weight_kg: 61.5,
    });
    await page.getByTestId('patient-name').waitFor();
    assert.match(await page.getByTestId('patient-name').textContent(), /DURAND, Éloïse/);
    assert.match(await page.getByTestId('flash').textContent(), /Patient created/);
    const mrn = (await page.getByTestId('patient-mrn').textContent()).replace(/\D/g, '');
    assert.match(mrn, /^\d{8}$/, 'an 8-digit MRN');
    assert.equal(await page.getByTestId('weight-row').count(), 1);
    const patientUrl = page.url();
    const id = Number(/#\/patients\/(\d+)/.exec(patientUrl)[1]);

    // Find her by an unaccented, lower-case search.
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-search').fill('eloise');
    await page.getByTestId('patient-search').press('Enter');
    const row = page.getByTestId('patient-row').filter({ hasText: 'Durand' });
    await row.first().waitFor();
    assert.match(await row.first().textContent(), /Éloïse/);
    assert.match(page.url(), /q=eloise/);
    // A search that matches nothing says so.
    await page.getByTestId('patient-search').fill('zzzz-nobody');
    await page.getByTestId('patient-search').press('Enter');
    await page.getByTestId('patients-empty').waitFor();

    // Open the edit form, change the record behind its back, then save.
    await page.goto(patientUrl);
    await page.getByTestId('edit-patient').click();
    await page.getByTestId('patient-form').waitFor();
    const api = await server.client();
    const cur = await api.request('GET', `/api/v1/patients/${id}`);
    assert.equal(cur.status, 200);
    const version = cur.body.version;
    const changed = await api.request('PATCH', `/api/v1/patients/${id}`, { phone: '+33 1 23 45 67 89', reason: 'new number' },
      { 'If-Match': `"${version}"` });
    assert.equal(changed.status, 200, `PATCH behind the form: ${JSON.stringify(changed.body)}`);
    await page.getByLabel('Email').fill('eloise.durand@example.org');
    await page.getByLabel('Reason for the change').fill('email given by the patient');
    await page.getByTestId('patient-submit').click();
    const conflict = page.getByTestId('conflict-message');
    await conflict.waitFor();
    assert.match(await conflict.textContent(), /changed by someone else/);
    // It says what the other person changed (not what this form changed).
    const diff = await page.getByTestId('conflict-diff').textContent();
    assert.match(diff, /Phone/);
    assert.match(diff, /\+33 1 23 45 67 89/);
    assert.doesNotMatch(diff, /Email/);
    // Nothing was saved: the email is still empty on the server.
    const after = await api.request('GET', `/api/v1/patients/${id}`);
    assert.equal(after.body.email, '');
    // Reload brings the other person's change into the form; saving then works.
    await page.getByTestId('conflict-reload').click();
    await conflict.waitFor({ state: 'detached' });
    assert.equal(await page.getByLabel('Phone').inputValue(), '+33 1 23 45 67 89');
    await page.getByLabel('Email').fill('eloise.durand@example.org');
    await page.getByLabel('Email').press('Enter');
    await page.getByTestId('patient-name').waitFor();
    assert.equal(await page.getByTestId('fact-email').textContent(), 'eloise.durand@example.org');
    assert.equal(await page.getByTestId('fact-phone').textContent(), '+33 1 23 45 67 89');

    // Switch to French: labels in French, remembered for the user.
    await page.getByTestId('lang-fr').click();
    await page.getByText('Date de naissance').first().waitFor();
    assert.equal(await page.getByTestId('nav-requests').textContent(), 'Demandes de consultation');
    assert.equal(await page.getByTestId('logout').textContent(), 'Se déconnecter');
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await page.getByTestId('lang-fr').getAttribute('aria-pressed'), 'true');
    await page.getByTestId('nav-patients').click();
    await page.getByLabel('Rechercher un patient').waitFor();
    const again = await server.client();
    const s = await again.request('GET', '/api/v1/session');
    assert.equal(s.body.user.language, 'fr', 'language preference stored on the server');

    // Log out: back to the login form (in French), and the session is gone.
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.getByTestId('login-submit').textContent(), 'Se connecter');
    const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    assert.equal(status, 401);

    // Leave the admin in English for the other tests.
    await again.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],

  ['a language switch keeps what was typed and the version it started from', async ({ page, server }) => {
    const api = await server.client();
    const created = await api.request('POST', '/api/v1/patients', {
      family_name: 'Moreau', given_names: 'Inès', birth_date: '1983-02-11', sex: 'female', language: 'fr',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    await login(page, server);
    await page.goto(`/#/patients/${id}/edit`);
    await page.getByTestId('patient-form').waitFor();
    await page.getByLabel('Phone').fill('+33 6 00 00 00 01');
    await page.getByLabel('Reason for the change').fill('new number');
    const cur = await api.request('GET', `/api/v1/patients/${id}`);
    const moved = await api.request('PATCH', `/api/v1/patients/${id}`, { address: '3 place du Marché', reason: 'moved' },
      { 'If-Match': `"${cur.body.version}"` });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    await page.getByTestId('lang-fr').click();
    await page.getByLabel('Téléphone').waitFor();
    assert.equal(await page.getByLabel('Téléphone').inputValue(), '+33 6 00 00 00 01');
    await page.getByTestId('patient-submit').click();
    const conflict = page.getByTestId('conflict-message');
    await conflict.waitFor();
    assert.match(await conflict.textContent(), /modifié par quelqu’un d’autre/);
    assert.match(await page.getByTestId('conflict-diff').textContent(), /Adresse.*3 place du Marché/);
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],

  ['duplicate warning shows the matched record and can be confirmed', async ({ page, server }) => {
    await login(page, server);
    const p = { family_name: 'Lefèvre', given_names: 'Zoé', birth_date: '1990-07-01', sex: 'female', language: 'fr' };
    await createViaForm(page, p);
    await page.getByTestId('patient-name').waitFor();
    const firstMrn = (await page.getByTestId('patient-mrn').textContent()).replace(/\D/g, '');
    // Same person, written without accents and in capitals.
    await createViaForm(page, { ...p, family_name: 'LEFEVRE', given_names: 'zoe' });
    const warning = page.getByTestId('duplicate-warning');
    await warning.waitFor();
    const match = await page.getByTestId('duplicate-match').first().textContent();
    assert.match(match, /LEFÈVRE, Zoé/);
    assert.ok(match.includes(firstMrn), `the match shows the MRN ${firstMrn}: ${match}`);
    assert.match(match, /1990-07-01/);
    await page.getByTestId('confirm-duplicate').click();
    await page.getByTestId('patient-name').waitFor();
    const secondMrn = (await page.getByTestId('patient-mrn').textContent()).replace(/\D/g, '');
    assert.notEqual(secondMrn, firstMrn);
  }],

  ['an invalid field is named and highlighted', async ({ page, server }) => {
    await login(page, server);
    await createViaForm(page, { family_name: 'Martin', given_names: 'Hugo', birth_date: '2999-01-01', sex: 'male', language: 'en' });
    await page.getByTestId('form-error').waitFor();
    const input = page.getByLabel('Date of birth');
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await page.getByTestId('error-birth_date').waitFor();
    assert.match(await page.getByTestId('form-error').textContent(), /Date of birth/);
    assert.ok(await input.evaluate((el) => el === document.activeElement), 'focus on the bad field');
    // A required field left empty is caught before sending.
    await page.getByLabel('Family name').fill('');
    await page.getByTestId('patient-submit').click();
    assert.equal(await page.getByLabel('Family name').getAttribute('aria-invalid'), 'true');
    // In French the server's error is explained in French.
    await page.getByTestId('lang-fr').click();
    await page.getByLabel('Nom de famille').fill('Martin');
    await page.getByLabel('Date de naissance').fill('2999-01-01');
    await page.getByTestId('patient-submit').click();
    await page.getByTestId('error-birth_date').waitFor();
    const fr = await page.getByTestId('error-birth_date').textContent();
    assert.match(fr, /valide|limites/, `French message: ${fr}`);
    assert.match(await page.getByTestId('form-error').textContent(), /^Date de naissance/);
    await (await server.client()).request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],

  ['weights and conditions are added on the patient page', async ({ page, server }) => {
    const api = await server.client();
    const created = await api.request('POST', '/api/v1/patients', {
      family_name: 'Bernard', given_names: 'Louis', birth_date: '1975-11-30', sex: 'male', language: 'fr',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await login(page, server);
    await page.goto(`/#/patients/${created.body.id}`);
    await page.getByTestId('weights-empty').waitFor();
    await page.getByLabel('Weight (kg)').fill('72.4');
    await page.getByLabel('Weight (kg)').press('Enter');
    await page.getByTestId('weight-row').first().waitFor();
    assert.match(await page.getByTestId('weight-row').first().textContent(), /72\.4/);
    // A weight out of range is refused and its field highlighted.
    await page.getByLabel('Weight (kg)').fill('900');
    await page.getByTestId('weight-submit').click();
    await page.getByTestId('weight-error').waitFor();
    assert.equal(await page.getByLabel('Weight (kg)').getAttribute('aria-invalid'), 'true');

    await page.getByLabel('ICD-10 code').fill('S14.1');
    await page.getByLabel('Description').fill('Cervical cord injury');
    await page.getByLabel('Date of injury').fill('2025-06-01');
    await page.getByLabel('Neurological level').selectOption('C5');
    await page.getByLabel('AIS grade').selectOption('B');
    await page.getByTestId('condition-submit').click();
    const crow = page.getByTestId('condition-row').first();
    await crow.waitFor();
    const text = await crow.textContent();
    assert.match(text, /S14\.1/);
    assert.match(text, /Cervical cord injury/);
    assert.match(text, /Neurological level: C5 · AIS grade: B – sensory incomplete/);
    // A bad ICD-10 code: the server names the field.
    await page.getByLabel('ICD-10 code').fill('XYZ');
    await page.getByLabel('Description').fill('Nonsense');
    await page.getByTestId('condition-submit').click();
    await page.getByTestId('condition-error').waitFor();
    assert.equal(await page.getByLabel('ICD-10 code').getAttribute('aria-invalid'), 'true');
  }],

  ['sorting and pages', async ({ page, server }) => {
    const api = await server.client();
    for (let i = 0; i < 30; i++) {
      const r = await api.request('POST', '/api/v1/patients', {
        family_name: `Zpage${String(i).padStart(2, '0')}`, given_names: 'Test', birth_date: `1960-01-${String(i + 1).padStart(2, '0')}`,
        sex: 'unknown', language: 'en',
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await login(page, server);
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-search').fill('zpage');
    await page.getByTestId('patient-search').press('Enter');
    await page.getByTestId('pager-info').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="pager-info"]')?.textContent.includes('30'));
    assert.equal(await page.getByTestId('patient-row').count(), 25);
    const firstName = () => page.getByTestId('patient-row').first().locator('td').nth(1).textContent();
    assert.match(await firstName(), /Zpage00/);
    await page.getByTestId('pager-next').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="patient-row"]').length === 5);
    assert.match(await firstName(), /Zpage25/);
    // Sort by family name descending (second click on the header).
    await page.getByTestId('sort-family_name').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="patient-row"] td:nth-child(2)')?.textContent.includes('Zpage29'));
    assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);
    assert.match(page.url(), /order=desc/);
    // Sort by birth date ascending.
    await page.getByTestId('sort-birth_date').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="patient-row"] td:nth-child(4)')?.textContent.includes('01/01/1960'));
  }],
]);
