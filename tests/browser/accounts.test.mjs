// User accounts in French, only through what a person sees (user names,
// labels, buttons): the administrator creates an account, disables it (the
// user's open page is logged out at its next step), re-enables it and resets
// its password; the user logs in with the new password, is made to choose
// another before anything else, then works and sees their own sessions.
import assert from 'node:assert/strict';
import { run, login, toFrench, userRow } from './harness.mjs';

const USER = 'claire.martin';
const FIRST = 'Premier-mot-de-passe-2026';
const RESET = 'Remis-par-l-administrateur-77';
const CHOSEN = 'Choisi-par-Claire-elle-meme-9';

async function confirm(page, text) {
  await page.getByTestId('confirm-dialog').waitFor();
  assert.match(await page.getByTestId('confirm-title').textContent(), text);
  await page.getByRole('button', { name: 'Confirmer' }).click();
}

await run([
  ['l’administrateur désactive, réactive et réinitialise ; l’utilisatrice change son mot de passe', async ({ page, browser, server }) => {
    await login(page, server);
    await toFrench(page);
    await page.getByRole('link', { name: 'Utilisateurs' }).click();
    await page.getByRole('heading', { name: 'Comptes utilisateurs' }).waitFor();

    // Create the account through the form.
    const create = page.locator('form').filter({ has: page.getByRole('heading', { name: 'Créer un compte' }) });
    await create.getByLabel('Nom d’utilisateur').fill(USER);
    await create.getByLabel('Rôle').selectOption({ label: 'infirmier' });
    await create.getByLabel('Mot de passe').fill(FIRST);
    await page.getByRole('button', { name: 'Créer le compte' }).click();
    await page.getByText(`Compte ${USER} créé.`).waitFor();
    const row = userRow(page, USER);
    assert.match(await row.textContent(), /infirmier/);
    assert.match(await row.getByTestId('user-status').textContent(), /^actif$/);

    // The user works in a browser of her own.
    const theirs = await browser.newContext({ baseURL: server.baseURL, locale: 'fr-FR' });
    try {
      const other = await theirs.newPage();
      await login(other, server, USER, FIRST);
      await toFrench(other);
      await other.getByRole('link', { name: 'Patients' }).click();
      await other.getByRole('heading', { name: 'Patients' }).waitFor();

      // Disable: asked first, then shown disabled; her next step finds her logged out.
      await row.getByRole('button', { name: 'Désactiver' }).click();
      await confirm(page, new RegExp(`Désactiver ${USER.replace('.', '\\.')}`));
      await page.getByText(`${USER} est désactivé.`).waitFor();
      assert.match(await userRow(page, USER).getByTestId('user-status').textContent(), /^désactivé$/);
      await other.getByRole('link', { name: 'Tableau de bord' }).click();
      await other.getByTestId('login-form').waitFor();
      await other.getByText('Votre session a pris fin').waitFor();
      // and she cannot log in again
      await other.locator('#login-username').fill(USER);
      await other.locator('#login-password').fill(FIRST);
      await other.locator('#login-password').press('Enter');
      await other.getByText('Nom d’utilisateur ou mot de passe incorrect').waitFor();

      // Re-enable.
      await userRow(page, USER).getByRole('button', { name: 'Réactiver' }).click();
      await confirm(page, /Réactiver/);
      await page.getByText(`${USER} est de nouveau actif.`).waitFor();
      assert.match(await userRow(page, USER).getByTestId('user-status').textContent(), /^actif$/);

      // Reset the password.
      await userRow(page, USER).getByRole('button', { name: 'Réinitialiser le mot de passe' }).click();
      const resetTitle = page.getByRole('heading', { name: `Nouveau mot de passe pour ${USER}` });
      await resetTitle.waitFor();
      const reset = page.locator('form').filter({ has: resetTitle });
      await reset.getByLabel('Mot de passe').fill(RESET);
      await page.getByRole('button', { name: 'Définir le mot de passe' }).click();
      await page.getByText(`Mot de passe de ${USER} réinitialisé`).waitFor();
      assert.match(await userRow(page, USER).getByTestId('user-status').textContent(), /doit changer son mot de passe/);

      // She logs in with the reset password: only the change is possible.
      await other.locator('#login-username').fill(USER);
      await other.locator('#login-password').fill(RESET);
      await other.locator('#login-password').press('Enter');
      await other.getByRole('heading', { name: 'Choisissez un nouveau mot de passe' }).waitFor();
      assert.equal(await other.getByRole('link', { name: 'Patients' }).isVisible(), false, 'no navigation before the change');
      await other.goto('/#/patients');
      await other.getByRole('heading', { name: 'Choisissez un nouveau mot de passe' }).waitFor();
      // a mismatch and a wrong current password are shown in French
      await other.getByLabel('Mot de passe actuel').fill(RESET);
      await other.getByLabel(/^Nouveau mot de passe/).fill(CHOSEN);
      await other.getByLabel('Confirmer le nouveau mot de passe').fill(`${CHOSEN}x`);
      await other.getByRole('button', { name: 'Changer le mot de passe' }).click();
      await other.getByText('Les deux nouveaux mots de passe diffèrent.').waitFor();
      await other.getByLabel('Mot de passe actuel').fill('pas-le-bon-mot-de-passe');
      await other.getByLabel('Confirmer le nouveau mot de passe').fill(CHOSEN);
      await other.getByRole('button', { name: 'Changer le mot de passe' }).click();
      await other.getByText('Le mot de passe actuel est incorrect.').first().waitFor();
      await other.getByLabel('Mot de passe actuel').fill(RESET);
      await other.getByRole('button', { name: 'Changer le mot de passe' }).click();
      await other.getByText('Votre mot de passe a été changé.').waitFor();
      await other.getByRole('link', { name: 'Patients' }).click();
      await other.getByRole('heading', { name: 'Patients' }).waitFor();

      // Her own account: this session is listed, the password works next time.
      await other.getByRole('link', { name: 'Mon compte' }).click();
      await other.getByRole('heading', { name: 'Mes sessions' }).waitFor();
      assert.match(await other.getByTestId('sessions-table').textContent(), /cette session/);
      await other.getByTestId('logout').click();
      await other.getByTestId('login-form').waitFor();
      await other.locator('#login-username').fill(USER);
      await other.locator('#login-password').fill(CHOSEN);
      await other.locator('#login-password').press('Enter');
      await other.getByRole('link', { name: 'Patients' }).waitFor();

      // The administrator's list no longer asks for a change.
      await page.reload();
      await page.getByRole('heading', { name: 'Comptes utilisateurs' }).waitFor();
      assert.match(await userRow(page, USER).getByTestId('user-status').textContent(), /^actif$/);
      const text = await page.getByTestId('users-table').textContent();
      for (const english of [/\bactive\b/, /\bdisabled\b/i, /\bDisable\b/, /\bReset\b/, /\bnurse\b/, /\bEnd sessions\b/]) {
        assert.doesNotMatch(text, english, 'no English on the French page');
      }
    } finally {
      await theirs.close().catch(() => {});
    }
  }],
]);
