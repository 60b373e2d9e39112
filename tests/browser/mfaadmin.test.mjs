// The administrator's side of two-step login and the security events, in
// French, only through what a person sees: the users page shows which
// accounts have an authenticator, resets a physician's after a confirmation
// that names them, and sets which roles must use it (checked through the
// API); quality assurance opens "Événements de sécurité" from the menu and
// finds a failed login with its kind in French and the time in the
// browser's own time zone, filters it by kind and username. No English, no
// stored codes, no UTC text on either page.
import assert from 'node:assert/strict';
import {
  run, login, toFrench, userRow, totp, totpStepNow, assertFrenchPage,
} from './harness.mjs';

const PW = 'Mot-de-passe-du-medecin-2026';
const DOCTOR = 'dr.lemoine';
const NURSE = 'inf.roux';
const QA = 'qualite.dupont';
// Far from UTC in December (UTC+13), so that a time in UTC cannot pass for it.
const ZONE = 'Pacific/Auckland';

async function listedMfa(api, username) {
  const r = await api.request('GET', '/api/v1/users?per_page=200');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.items.find((u) => u.username === username).mfa_enrolled;
}

const USERS_ENGLISH = [/\bset up\b/i, /\bReset\b/, /\bTwo-step\b/i, /\brequired\b/i, /\bphysician\b/, /\bnurse\b/,
  /\bactive\b/, /\bSave\b/, /\bRoles?\b/];
const SECURITY_ENGLISH = [/\bLogin failed\b/i, /\bEvents?\b/, /\bUsername\b/, /\bShow\b/, /\bunknown\b/, /\bClient\b/,
  /\bAll\b/, /\blocked\b/i, /\btoken\b/i, /\bno such account\b/i];

await run([
  ['l’administrateur voit la connexion en deux étapes, la réinitialise et choisit les rôles qui la doivent', async ({ page, server }) => {
    const admin = await server.client();
    for (const [username, role] of [[DOCTOR, 'physician'], [NURSE, 'nurse']]) {
      const r = await admin.request('POST', '/api/v1/users', { username, role, password: PW });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // The physician enrols an authenticator through the API, as the app would.
    const doctor = await server.client(DOCTOR, PW);
    let r = await doctor.request('POST', '/api/v1/mfa/enrol', { password: PW });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await doctor.request('POST', '/api/v1/mfa/confirm', { code: totp(r.body.secret, totpStepNow()) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(await listedMfa(admin, DOCTOR), 1);

    await login(page, server);
    await toFrench(page);
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByRole('heading', { name: 'Comptes utilisateurs' }).waitFor();
    const table = page.getByTestId('users-table');
    assert.ok(await table.getByRole('columnheader', { name: 'Connexion en deux étapes' }).isVisible());
    assert.equal(await userRow(page, DOCTOR).getByTestId('user-mfa').textContent(), 'activée');
    assert.equal(await userRow(page, NURSE).getByTestId('user-mfa').textContent(), 'non activée');
    assert.equal(await userRow(page, NURSE).getByRole('button', { name: 'Réinitialiser la connexion en deux étapes' }).count(), 0,
      'nothing to reset without an authenticator');

    // Reset: asked first, naming the physician; cancelling changes nothing.
    const resetButton = userRow(page, DOCTOR).getByRole('button', { name: 'Réinitialiser la connexion en deux étapes' });
    await resetButton.click();
    await page.getByTestId('confirm-dialog').waitFor();
    assert.equal(await page.getByTestId('confirm-title').textContent(), `Réinitialiser la connexion en deux étapes de ${DOCTOR} ?`);
    assert.match(await page.getByTestId('confirm-text').textContent(), /codes de secours ne fonctionneront plus/);
    assert.equal(await page.getByTestId('confirm-cancel').textContent(), 'Annuler');
    await page.getByTestId('confirm-cancel').click();
    assert.equal(await listedMfa(admin, DOCTOR), 1, 'cancelled: still enrolled');
    await resetButton.click();
    await page.getByTestId('confirm-dialog').waitFor();
    await page.getByRole('button', { name: 'Confirmer' }).click();
    await page.getByText(`Connexion en deux étapes de ${DOCTOR} réinitialisée.`).waitFor();
    assert.equal(await userRow(page, DOCTOR).getByTestId('user-mfa').textContent(), 'non activée');
    assert.equal(await userRow(page, DOCTOR).getByRole('button', { name: 'Réinitialiser la connexion en deux étapes' }).count(), 0);
    assert.equal(await listedMfa(admin, DOCTOR), 0, 'the reset is stored');

    // The roles that must use it: the test set-up requires it of none.
    const policy = page.getByTestId('mfa-policy-form');
    await policy.getByRole('heading', { name: 'Connexion en deux étapes par rôle' }).waitFor();
    assert.equal(await policy.getByLabel('infirmier', { exact: true }).isChecked(), false);
    await policy.getByRole('button', { name: 'Enregistrer les rôles' }).click();
    await policy.getByText('Aucun changement.').waitFor();
    await policy.getByLabel('infirmier', { exact: true }).check();
    await policy.getByRole('button', { name: 'Enregistrer les rôles' }).click();
    await page.getByText('Exigence de connexion en deux étapes enregistrée.').waitFor();
    r = await admin.request('GET', '/api/v1/mfa/policy');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.required, {
      admin: false, analyst: false, coordinator: false, lab: false, nurse: true, physician: false, qa: false,
    });
    assert.equal(await page.getByTestId('mfa-policy-form').getByLabel('infirmier', { exact: true }).isChecked(), true);
    assert.equal(await userRow(page, NURSE).getByTestId('user-mfa').textContent(), 'non activée — exigée pour le rôle');

    assertFrenchPage(await page.locator('main').innerText(), USERS_ENGLISH, 'the users page');
  }],

  ['l’assurance qualité voit un échec de connexion à l’heure locale, en français', async ({ browser, server }) => {
    const admin = await server.client();
    let r = await admin.request('POST', '/api/v1/users', { username: QA, role: 'qa', password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await server.publicRequest('POST', '/api/v1/session', { username: DOCTOR, password: 'pas-le-bon-mot-de-passe' });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    // a name without an account is not kept: the page says so in words
    r = await server.publicRequest('POST', '/api/v1/session', { username: 'personne', password: 'pas-le-bon-mot-de-passe' });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    r = await admin.request('GET', `/api/v1/security-events?kind=login_failed&username=${DOCTOR}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.total, 1, JSON.stringify(r.body));
    const at = new Date(r.body.items[0].at);
    const fmt = (timeZone) => new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
    assert.notEqual(fmt(ZONE), fmt('UTC'));
    const all = (await admin.request('GET', '/api/v1/security-events')).body.total;

    const context = await browser.newContext({ baseURL: server.baseURL, locale: 'fr-FR', timezoneId: ZONE });
    try {
      const page = await context.newPage();
      await login(page, server, QA, PW);
      await toFrench(page);
      await page.getByRole('link', { name: 'Événements de sécurité' }).click();
      await page.getByRole('heading', { name: 'Événements de sécurité' }).waitFor();
      await page.getByTestId('security-table').waitFor();
      assert.equal(await page.getByTestId('security-count').textContent(), all === 1 ? '1 événement' : `${all} événements`);
      const failed = page.getByTestId('security-row').filter({ has: page.getByTestId('security-user').getByText(DOCTOR, { exact: true }) });
      assert.equal(await failed.count(), 1);
      assert.equal(await failed.getByTestId('security-kind').textContent(), 'Échec de connexion');
      assert.equal(await failed.getByTestId('security-when').textContent(), fmt(ZONE), 'the browser’s local time');
      assert.equal(await failed.getByTestId('security-address').textContent(), '127.0.0.1');
      const nameless = page.getByTestId('security-row').filter({ has: page.getByTestId('security-user').getByText('compte inexistant', { exact: true }) });
      assert.equal(await nameless.count(), 1);
      assert.equal(await nameless.getByTestId('security-kind').textContent(), 'Échec de connexion');
      assertFrenchPage(await page.locator('main').innerText(), SECURITY_ENGLISH, 'the security events page');

      // The filters: kinds in French; one kind and one user.
      const kinds = await page.getByLabel('Événement', { exact: true }).locator('option').allTextContents();
      assert.deepEqual(kinds, ['Tous les événements', 'Échec de connexion', 'Échec de signature', 'Compte verrouillé',
        'Requête intersite refusée', 'Session expirée utilisée', 'Jeton révoqué utilisé', 'Jeton expiré utilisé']);
      await page.getByLabel('Événement', { exact: true }).selectOption({ label: 'Échec de connexion' });
      await page.getByLabel('Nom d’utilisateur').fill(DOCTOR);
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.waitForURL(/kind=login_failed&username=/);
      // the unfiltered table stays on the page until the filtered one replaces it
      await page.waitForFunction((user) => {
        const cells = [...document.querySelectorAll('[data-testid="security-user"]')];
        return cells.length > 0 && cells.every((c) => c.textContent === user);
      }, DOCTOR);
      assert.equal(await page.getByTestId('security-count').textContent(), '1 événement');
      assert.deepEqual(await page.getByTestId('security-user').allTextContents(), [DOCTOR]);
      await page.getByLabel('Événement', { exact: true }).selectOption({ label: 'Compte verrouillé' });
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.getByText('Aucun événement de sécurité enregistré.').waitFor();
      // a malformed username is shown on the form, in French
      await page.getByLabel('Nom d’utilisateur').fill('Pas Valide');
      await page.getByRole('button', { name: 'Afficher' }).click();
      await page.getByTestId('security-error').waitFor();
      assertFrenchPage(await page.locator('main').innerText(), SECURITY_ENGLISH, 'the filtered page');
    } finally {
      await context.close().catch(() => {});
    }
  }],
]);
