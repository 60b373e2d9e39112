// Consultation-request inbox: requests submitted through the public API are
// converted into a patient and declined with a reason in the UI, each after a
// confirmation.
import assert from 'node:assert/strict';
import { run, login } from './harness.mjs';

async function submitRequest(server, body) {
  const r = await server.publicRequest('POST', '/api/v1/consultation-requests', { consent: true, ...body });
  assert.equal(r.status, 201, `public request: ${r.status} ${JSON.stringify(r.body)}`);
  assert.equal(r.body.status, 'new');
  return r.body.id;
}

await run([
  ['convert one request into a patient and decline another with a reason', async ({ page, server }) => {
    // Two patients first, so that patient ids and request ids differ.
    const api0 = await server.client();
    for (const g of ['Anne', 'Marc']) {
      const r = await api0.request('POST', '/api/v1/patients', {
        family_name: 'Setup', given_names: g, birth_date: '1970-01-01', sex: 'unknown', language: 'en',
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const convertId = await submitRequest(server, {
      name: 'Camille Rousseau', email: 'camille@example.org', condition: 'Spinal cord injury C6, 2024',
      message: 'Bonjour,\nje souhaite une consultation.', language: 'fr', birth_date: '1992-05-17',
    });
    const declineId = await submitRequest(server, {
      name: 'John Smith', phone: '+44 20 7946 0000', condition: 'Hair loss', language: 'en',
    });

    await login(page, server);
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('requests-table').waitFor();
    assert.equal(await page.getByTestId('tab-new').getAttribute('aria-current'), 'page');
    assert.equal(await page.getByTestId('request-row').count(), 2);

    // Convert: the names are prefilled from the request; sex is to be chosen.
    await page.getByTestId('request-link').filter({ hasText: 'Camille Rousseau' }).click();
    await page.getByTestId('convert-form').waitFor();
    assert.match(await page.getByTestId('request-message').textContent(), /consultation/);
    assert.equal(await page.getByLabel('Family name').inputValue(), 'Rousseau');
    assert.equal(await page.getByLabel('Given names').inputValue(), 'Camille');
    assert.equal(await page.getByLabel('Date of birth').inputValue(), '1992-05-17');
    await page.getByLabel('Sex').selectOption('female');
    await page.getByTestId('convert-submit').click();
    // The confirmation can be cancelled: nothing happens.
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByTestId('confirm-cancel').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'hidden' });
    const still = await (await server.client()).request('GET', `/api/v1/consultation-requests/${convertId}`);
    assert.equal(still.body.status, 'new');
    await page.getByTestId('convert-submit').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('patient-name').waitFor();
    assert.match(await page.getByTestId('patient-name').textContent(), /ROUSSEAU, Camille/);
    assert.equal(await page.getByTestId('fact-email').textContent(), 'camille@example.org');
    const done = await (await server.client()).request('GET', `/api/v1/consultation-requests/${convertId}`);
    assert.equal(done.body.status, 'converted');
    assert.ok(done.body.patient_id, 'the request points to the patient');
    assert.match(page.url(), new RegExp(`#/patients/${done.body.patient_id}$`), 'the new patient is shown');

    // Decline the other one: a reason is required.
    await page.goto(`/#/requests/${declineId}`);
    await page.getByTestId('decline-form').waitFor();
    await page.getByTestId('decline-submit').click();
    assert.equal(await page.getByLabel('Reason for declining').getAttribute('aria-invalid'), 'true');
    await page.getByLabel('Reason for declining').fill('Not an indication treated by the clinic.');
    await page.getByTestId('decline-submit').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('fact-decline_reason').waitFor();
    assert.equal(await page.getByTestId('fact-decline_reason').textContent(), 'Not an indication treated by the clinic.');
    assert.equal(await page.getByTestId('status-badge').textContent(), 'Declined');
    assert.equal(await page.getByTestId('decline-form').count(), 0, 'no more actions on a declined request');

    // The inbox lists them by status.
    await page.getByTestId('back-to-requests').click();
    await page.getByTestId('tab-declined').waitFor();
    assert.equal(await page.getByTestId('tab-declined').getAttribute('aria-current'), 'page');
    assert.match(await page.getByTestId('requests-table').textContent(), /John Smith/);
    await page.getByTestId('tab-converted').click();
    await page.getByTestId('request-row').filter({ hasText: 'Camille Rousseau' }).waitFor();
    await page.getByTestId('tab-new').click();
    await page.getByTestId('requests-empty').waitFor();
  }],

  ['converting a request of a known patient warns of the duplicate first', async ({ page, server }) => {
    const api = await server.client();
    const existing = await api.request('POST', '/api/v1/patients', {
      family_name: 'Girard', given_names: 'Noémie', birth_date: '1979-09-09', sex: 'female', language: 'fr',
    });
    assert.equal(existing.status, 201, JSON.stringify(existing.body));
    const id = await submitRequest(server, {
      name: 'Noemie GIRARD', email: 'noemie@example.org', condition: 'Multiple sclerosis', language: 'fr', birth_date: '1979-09-09',
    });
    await login(page, server);
    await page.goto(`/#/requests/${id}`);
    await page.getByTestId('convert-form').waitFor();
    await page.getByLabel('Sex').selectOption('female');
    await page.getByLabel('Family name').press('Enter');
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('duplicate-warning').waitFor();
    const match = await page.getByTestId('duplicate-match').first().textContent();
    assert.ok(match.includes(existing.body.mrn), `the match names MRN ${existing.body.mrn}: ${match}`);
    const still = await api.request('GET', `/api/v1/consultation-requests/${id}`);
    assert.equal(still.body.status, 'new', 'nothing converted before confirming');
    await page.getByTestId('confirm-duplicate').click();
    await page.getByTestId('patient-name').waitFor();
    assert.notEqual((await page.getByTestId('patient-mrn').textContent()).replace(/\D/g, ''), existing.body.mrn);
  }],

  ['a request handled elsewhere meanwhile says so', async ({ page, server }) => {
    const id = await submitRequest(server, { name: 'Léa Petit', email: 'lea@example.org', condition: 'ALS', language: 'fr' });
    await login(page, server);
    await page.goto(`/#/requests/${id}`);
    await page.getByTestId('decline-form').waitFor();
    const api = await server.client();
    const r = await api.request('POST', `/api/v1/consultation-requests/${id}/decline`, { reason: 'Handled by phone.' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await page.getByLabel('Reason for declining').fill('Duplicate request.');
    await page.getByTestId('decline-submit').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('decline-error').waitFor();
    assert.match(await page.getByTestId('decline-error').textContent(), /already been handled/);
  }],
]);
