// What used to mislead a user of the interface, walked in French: the
// adverse-event form checks itself before it asks for confirmation and names
// the faulty field in French; the dashboard's counts are the lists they open
// (a resolved event is not open, a batch still waiting for QC results is
// shown as waiting).
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';
import { ok } from './clinic_fixtures.mjs';

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
]);
