// The access log in the browser, in French: the patient record links to
// "Qui a consulté ce dossier", whose page lists the reads of that record
// (local time, kind in French, usernames, no internal ids); the edit form asks
// for the reason of a change of demographics.
import assert from 'node:assert/strict';
import { run, login } from './harness.mjs';

await run([
  ['qui a consulté ce dossier, motif de modification (français)', async ({ page, server }) => {
    const api = await server.client();
    const created = await api.request('POST', '/api/v1/patients', {
      family_name: 'Lefèvre', given_names: 'Anaëlle', birth_date: '1979-06-21', sex: 'female', language: 'fr',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { id, mrn } = created.body;
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'fr' });
    await login(page, server);
    await page.goto(`/#/patients/${id}`);
    await page.getByTestId('patient-name').waitFor();

    // The edit form asks why; without a reason nothing is sent.
    await page.getByTestId('edit-patient').click();
    await page.getByTestId('patient-form').waitFor();
    await page.getByLabel('Téléphone').fill('+33 6 12 34 56 78');
    await page.getByTestId('patient-submit').click();
    await page.getByTestId('error-reason').waitFor();
    assert.match(await page.getByTestId('error-reason').textContent(), /\S/);
    await page.getByLabel('Motif de la modification').fill('numéro donné par la patiente');
    await page.getByTestId('patient-submit').click();
    await page.getByTestId('patient-name').waitFor();
    const audit = await api.request('GET', `/api/v1/audit?entity=patient&id=${id}`);
    assert.equal(audit.body.items[0].reason, 'numéro donné par la patiente');

    // The record links to who read it; the page lists the admin's reads.
    await page.getByTestId('patient-access-log').click();
    await page.getByTestId('access-table').waitFor();
    assert.equal(await page.locator('h1').textContent(), 'Qui a consulté ce dossier');
    assert.match(await page.getByTestId('access-subject').textContent(), new RegExp(`LEFÈVRE, Anaëlle .*${mrn}`));
    const users = await page.getByTestId('access-user').allTextContents();
    assert.ok(users.length >= 2 && users.every((u) => u === 'admin'), users.join(','));
    const kinds = await page.getByTestId('access-what').allTextContents();
    assert.ok(kinds.includes('Dossier'), kinds.join(','));
    const text = await page.getByTestId('access-table').textContent();
    assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT|Z\b/, 'no raw UTC instants');
    assert.doesNotMatch(text, /\b(record|search|list)\b/, 'no English or raw codes');
    assert.doesNotMatch(text, new RegExp(`patient_id|/api/v1/`), 'no internal ids or routes');

    // Per user, from the same page.
    await page.getByLabel('Nom d’utilisateur').fill('admin');
    await page.getByLabel('N° de dossier du patient').fill('');
    await page.getByTestId('access-submit').click();
    await page.getByText('Dossiers consultés par admin').waitFor();
    await page.getByTestId('access-table').waitFor();
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],
]);
