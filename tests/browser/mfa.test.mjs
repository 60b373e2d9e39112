// Two-step login in the browser, in French: a physician (a role the clinic
// makes require it) logs in to the enrolment page only, scans (reads) the
// key, types a code computed here (RFC 6238: HMAC-SHA1, 30 s, 6 digits, by
// totp() of harness.mjs), receives 10 recovery codes, then logs in with
// password and code, and once with a recovery code (a second use is refused).
import assert from 'node:assert/strict';
import { run, totp, totpStepNow } from './harness.mjs';

const PW = 'Tr1cky-Passw0rd-for-tests';
const USER = 'dr.mfa';

async function passwordStep(page) {
  await page.goto('/');
  await page.getByTestId('login-form').waitFor();
  await page.locator('#login-username').fill(USER);
  await page.locator('#login-password').fill(PW);
  await page.locator('#login-password').press('Enter');
}

async function logout(page) {
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
}

await run([
  ['a physician enrols in French, logs in with a code, and with a recovery code once', async ({ page, server }) => {
    const admin = await server.client();
    let r = await admin.request('PUT', '/api/v1/mfa/policy', { role: 'physician', required: true });
    assert.equal(r.status, 200);
    r = await admin.request('POST', '/api/v1/users', { username: USER, role: 'physician', password: PW });
    assert.equal(r.status, 201);

    await page.goto('/');
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('lang-fr').click();
    await page.getByText('Connexion', { exact: true }).first().waitFor();
    await passwordStep(page);

    // restricted to the enrolment page, the rest of the navigation hidden; the
    // account's language (English for a new one) is set to French from there
    await page.getByTestId('mfa-required').waitFor();
    await page.getByTestId('lang-fr').click();
    await page.getByText('Connexion en deux étapes', { exact: true }).first().waitFor();
    assert.match(page.url(), /#\/account\/mfa$/);
    assert.match(await page.getByTestId('mfa-required').innerText(), /Votre rôle exige une deuxième étape/);
    assert.equal(await page.locator('#mainnav').isVisible(), false, 'no navigation before enrolment');
    await page.goto('/#/patients');
    await page.getByTestId('mfa-enrol-form').waitFor();
    assert.match(page.url(), /#\/account\/mfa$/, 'another page leads back to enrolment');

    await page.locator('#mfa-password').fill(PW);
    await page.getByTestId('mfa-start').click();
    await page.getByTestId('mfa-qr').waitFor();
    assert.equal(await page.getByTestId('mfa-qr').getAttribute('aria-label'),
      'Code QR pour configurer l’application d’authentification');
    const secret = (await page.getByTestId('mfa-secret').innerText()).replace(/\s+/g, '');
    assert.match(secret, /^[A-Z2-7]{32}$/);
    const step = totpStepNow();
    await page.locator('#mfa-code').fill(totp(secret, step));
    await page.getByTestId('mfa-confirm').click();
    await page.getByTestId('mfa-recovery-codes').waitFor();
    assert.equal(await page.locator('h1').innerText(), 'Vos codes de secours');
    const codes = await page.getByTestId('mfa-recovery-codes').locator('li').allInnerTexts();
    assert.equal(codes.length, 10);
    for (const c of codes) assert.match(c, /^[a-z2-9]{5}-[a-z2-9]{5}$/);
    assert.equal(await page.getByTestId('mfa-codes-print').innerText(), 'Imprimer');
    await page.getByTestId('mfa-codes-done').click();
    await page.getByTestId('dash-title').waitFor();
    assert.equal(await page.locator('#mainnav').isVisible(), true, 'navigation after enrolment');

    // the user's own menu leads to the page, which now says it is active
    await page.getByTestId('nav-mfa').click();
    await page.getByTestId('mfa-status').waitFor();
    assert.match(await page.getByTestId('mfa-status').innerText(), /Codes de secours non utilisés : 10/);
    await logout(page);

    // password, then the next step's code (the confirming step is used up)
    await passwordStep(page);
    await page.getByTestId('login-mfa-form').waitFor();
    assert.equal(await page.locator('#login-mfa-form h1').innerText(), 'Code de votre application d’authentification');
    await page.locator('#login-totp').fill(totp(secret, step));
    await page.getByTestId('login-mfa-submit').click();
    await page.getByText('Ce code a déjà été utilisé. Attendez le code suivant et réessayez.').waitFor();
    await page.locator('#login-totp').fill(totp(secret, step + 1));
    await page.getByTestId('login-mfa-submit').click();
    await page.getByTestId('dash-title').waitFor();
    await logout(page);

    // a recovery code, good once
    await passwordStep(page);
    await page.getByTestId('login-mfa-form').waitFor();
    await page.getByTestId('login-mfa-switch').click();
    await page.locator('#login-recovery-code').fill(codes[0]);
    await page.getByTestId('login-mfa-submit').click();
    await page.getByTestId('dash-title').waitFor();
    await logout(page);
    await passwordStep(page);
    await page.getByTestId('login-mfa-form').waitFor();
    await page.getByTestId('login-mfa-switch').click();
    await page.locator('#login-recovery-code').fill(codes[0]);
    await page.getByTestId('login-mfa-submit').click();
    await page.getByText('Ce code est incorrect. Vérifiez-le et réessayez.').waitFor();
    assert.equal(await page.getByTestId('logout').isVisible(), false, 'still logged out');
  }],
]);
