// The laboratory's settings, set by the administrator in French through
// "Réglages du laboratoire" in the menu: the facility the unit labels name
// (kept after a reload), the allogeneic donors' testing panel (a marker made
// "non exigé", the window widened), and a window the server refuses, shown
// next to its field in French, with nothing changed (checked through the API
// and after a reload). The post-thaw settings show the viability with a
// decimal comma. No English, no stored codes on the page.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';

const ENGLISH = [/\bSave\b/, /\bFacility\b/, /\bmust be\b/i, /\brequired\b/i, /\bdays?\b/, /\bnegative\b/, /\bAllogeneic\b/i,
  /\bAutologous\b/i, /\bLabel\b/, /\bhours\b/i, /\bEnglish\b/, /\bFrench\b/, /\bout of\b/i];

const ADDRESS = 'Clinique des Cèdres\n12 rue des Lilas\n75011 Paris\nFrance';

async function openSettings(page) {
  await page.getByRole('link', { name: 'Réglages du laboratoire' }).click();
  await page.getByRole('heading', { name: 'Réglages du laboratoire', level: 1 }).waitFor();
  await page.getByTestId('site-form').waitFor();
}

async function allogeneic(api) {
  const r = await api.request('GET', '/api/v1/lab/donor-panels');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.panels.find((p) => p.kind === 'allogeneic');
}

await run([
  ['l’administrateur règle l’établissement, les analyses des donneurs et voit une erreur en français', async ({ page, server }) => {
    const admin = await server.client();
    await login(page, server);
    await toFrench(page);
    await openSettings(page);

    // The facility: FIN, name, four address lines, the label language in words.
    const site = page.getByTestId('site-form');
    const languages = await site.getByLabel('Langue des étiquettes').locator('option').allTextContents();
    assert.deepEqual(languages, ['Français', 'Anglais']);
    await site.getByLabel('Numéro d’identification de l’établissement ISBT 128 (FIN)').fill('B1234');
    await site.getByLabel('Nom de l’établissement').fill('Centre de thérapie cellulaire des Cèdres');
    await site.getByLabel('Adresse de l’établissement').fill(ADDRESS);
    await site.getByLabel('Langue des étiquettes').selectOption({ label: 'Anglais' });
    await site.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await page.getByTestId('flash').getByText('Établissement enregistré.').waitFor();
    let r = await admin.request('GET', '/api/v1/lab/site');
    assert.equal(r.status, 200);
    assert.equal(r.body.site.fin, 'B1234');
    assert.equal(r.body.site.facility_name, 'Centre de thérapie cellulaire des Cèdres');
    assert.equal(r.body.site.facility_address, ADDRESS);
    assert.equal(r.body.site.label_language, 'en');

    await page.reload();
    await page.getByTestId('site-form').waitFor();
    const kept = page.getByTestId('site-form');
    assert.equal(await kept.getByLabel('Numéro d’identification de l’établissement ISBT 128 (FIN)').inputValue(), 'B1234');
    assert.equal(await kept.getByLabel('Nom de l’établissement').inputValue(), 'Centre de thérapie cellulaire des Cèdres');
    assert.equal(await kept.getByLabel('Adresse de l’établissement').inputValue(), ADDRESS);
    assert.equal(await kept.getByLabel('Langue des étiquettes').locator('option:checked').textContent(), 'Anglais');

    // The allogeneic panel: HTLV-I/II no longer required, 30 days before.
    let panel = page.getByTestId('panel-allogeneic');
    await panel.getByRole('heading', { name: 'Donneurs allogéniques' }).waitFor();
    const needs = await panel.getByLabel('anticorps anti-HTLV-I/II').locator('option').allTextContents();
    assert.deepEqual(needs, ['doit être négatif', 'résultat enregistré', 'non exigé']);
    assert.equal(await panel.getByLabel('anticorps anti-HTLV-I/II').locator('option:checked').textContent(), 'doit être négatif');
    assert.equal(await panel.getByLabel('sérologie CMV').locator('option:checked').textContent(), 'résultat enregistré');
    assert.equal(await panel.getByLabel('Échantillon au plus tant de jours avant le prélèvement').inputValue(), '0');
    await panel.getByLabel('anticorps anti-HTLV-I/II').selectOption({ label: 'non exigé' });
    await panel.getByLabel('Échantillon au plus tant de jours avant le prélèvement').fill('30');
    await panel.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await page.getByTestId('flash').getByText('Analyses enregistrées : Donneurs allogéniques.').waitFor();
    let p = await allogeneic(admin);
    assert.equal(p.days_before, 30);
    assert.equal(p.days_after, 7);
    assert.equal(p.markers.find((m) => m.marker === 'htlv-1-2').need, 'none');
    assert.equal(p.markers.find((m) => m.marker === 'hbsag').need, 'negative', 'the others keep theirs');
    panel = page.getByTestId('panel-allogeneic');
    assert.equal(await panel.getByLabel('anticorps anti-HTLV-I/II').locator('option:checked').textContent(), 'non exigé');
    assert.equal(await panel.getByLabel('Échantillon au plus tant de jours avant le prélèvement').inputValue(), '30');

    // 8 days after is refused: the error is under that field, in French, and nothing changes.
    await panel.getByLabel('anticorps anti-HTLV-I/II').selectOption({ label: 'doit être négatif' });
    await panel.getByLabel('Échantillon au plus tant de jours après le prélèvement').fill('8');
    await panel.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    const fieldError = panel.getByTestId('error-days_after');
    await fieldError.waitFor();
    const message = await fieldError.textContent();
    assert.equal(message, 'Cette valeur est hors des limites permises.');
    assert.match(await panel.getByTestId('panel-allogeneic-error').textContent(),
      /^Échantillon au plus tant de jours après le prélèvement ?: Cette valeur est hors des limites permises\.$/);
    assertFrenchPage(message, ENGLISH, 'the field error');
    assert.equal(await panel.getByLabel('Échantillon au plus tant de jours après le prélèvement').getAttribute('aria-invalid'), 'true');
    p = await allogeneic(admin);
    assert.equal(p.days_after, 7, 'the refused window is not stored');
    assert.equal(p.markers.find((m) => m.marker === 'htlv-1-2').need, 'none', 'nor the marker sent with it');
    await page.reload();
    panel = page.getByTestId('panel-allogeneic');
    await panel.waitFor();
    assert.equal(await panel.getByLabel('Échantillon au plus tant de jours après le prélèvement').inputValue(), '7');
    assert.equal(await panel.getByLabel('anticorps anti-HTLV-I/II').locator('option:checked').textContent(), 'non exigé');

    // Post-thaw: the viability with a decimal comma, read and typed.
    const cryo = page.getByTestId('cryo-uc-msc');
    assert.equal(await cryo.getByLabel('Viabilité minimale (%)').inputValue(), '70,0');
    await cryo.getByLabel('Viabilité minimale (%)').fill('72,5');
    await cryo.getByLabel('Heures après décongélation').fill('4');
    await cryo.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await page.getByTestId('flash').getByText('Réglages de cryoconservation enregistrés : UC-MSC.').waitFor();
    r = await admin.request('GET', '/api/v1/lab/cryo-settings');
    const uc = r.body.find((c) => c.product_type === 'uc-msc');
    assert.deepEqual([uc.post_thaw_hours, uc.min_viability_tenths], [4, 725]);
    assert.equal(await page.getByTestId('cryo-uc-msc').getByLabel('Viabilité minimale (%)').inputValue(), '72,5');

    assertFrenchPage(await page.locator('main').innerText(), ENGLISH, 'the laboratory settings page');
  }],
]);
