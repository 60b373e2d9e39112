// After failed password attempts, the account's owner is told at the next
// login, in their language and local time, once.
import assert from 'node:assert/strict';
import { run, login } from './harness.mjs';

const PASSWORD = 'account-browser-password-1';

async function failLogins(server, username, n) {
  for (let i = 0; i < n; i++) {
    const r = await server.publicRequest('POST', '/api/v1/session', { username, password: `wrong-password-${i}` });
    assert.equal(r.status, 401);
  }
}

await run([
  ['the next login tells of failed attempts (English), once', async ({ page, server }) => {
    const admin = await server.client();
    assert.equal((await admin.request('POST', '/api/v1/users', { username: 'nurse.en', role: 'nurse', password: PASSWORD })).status, 201);
    await failLogins(server, 'nurse.en', 3);
    await login(page, server, 'nurse.en', PASSWORD);
    const notice = page.getByTestId('flash');
    await notice.waitFor({ state: 'visible' });
    const text = await notice.textContent();
    assert.match(text, /Since your last login, 3 password attempts on your account failed, the last on /);
    assert.match(text, /If this was not you, tell your administrator\./);
    assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT|Z\b|failed_attempts|login\.notice/, 'local time, no raw codes');
    assert.match(await notice.getAttribute('class'), /flash-error/);
    // told once: the next login says nothing
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    await login(page, server, 'nurse.en', PASSWORD);
    await page.getByTestId('dash-title').waitFor();
    assert.equal(await notice.isVisible(), false);
  }],

  ['the notice is in French for a French-speaking user', async ({ page, server }) => {
    const admin = await server.client();
    assert.equal((await admin.request('POST', '/api/v1/users', { username: 'infirmiere', role: 'nurse', password: PASSWORD })).status, 201);
    const own = await server.client('infirmiere', PASSWORD);
    assert.equal((await own.request('PATCH', '/api/v1/session/preferences', { language: 'fr' })).status, 200);
    await failLogins(server, 'infirmiere', 1);
    await login(page, server, 'infirmiere', PASSWORD);
    const notice = page.getByTestId('flash');
    await notice.waitFor({ state: 'visible' });
    const text = await notice.textContent();
    assert.match(text, /Depuis votre dernière connexion, une tentative de mot de passe a échoué sur votre compte/);
    assert.match(text, /Si ce n’était pas vous, prévenez votre administrateur\./);
    assert.doesNotMatch(text, /password|\d{4}-\d\d-\d\dT/);
  }],
]);
