// Unit labels, in French, through the interface: the laboratory opens an
// autologous unit from the inventory (found by its DIN) and its label, shown
// on the unit page and given as a PDF to print, carries "RÉSERVÉ À UN USAGE
// AUTOLOGUE" with the recipient's name, birth date and record number, the
// statement of 21 CFR 1271.90(c)(2) for a donor not screened, the type of
// donation '1' in the product code, the collection and expiry dates in
// French and the facility the admin configured. The PDF is read back with
// pdftotext and the preview with zbarimg (as the laboratory's scanner would).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { run, login, assertFrenchPage } from './harness.mjs';

const PASSWORD = 'labels-browser-password-1';

function readBack(tool, args, bytes, suffix) {
  const dir = mkdtempSync(path.join(tmpdir(), 'cc-label-'));
  try {
    const file = path.join(dir, `label${suffix}`);
    writeFileSync(file, bytes);
    return execFileSync(tool, [...args(file)], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await run([
  ['the laboratory prints the label of an autologous unit, in French', async ({ page, server }) => {
    const admin = await server.client();
    for (const [username, role] of [['etiquettes', 'lab'], ['accueil', 'coordinator']]) {
      const r = await admin.request('POST', '/api/v1/users', { username, role, password: PASSWORD });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    let r = await admin.request('PUT', '/api/v1/lab/site', {
      fin: 'W1234', facility_name: 'Laboratoire de thérapie cellulaire du CHU',
      facility_address: '12 rue des Lilas\n75012 Paris', label_language: 'fr' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    r = await admin.request('POST', '/api/v1/lab/product-codes', {
      code: 'S1A2B', product_type: 'bm-msc', description: 'Cellules stromales mésenchymateuses de moelle osseuse' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    // the patient, registered at the front desk
    const desk = await server.client('accueil', PASSWORD);
    r = await desk.request('POST', '/api/v1/patients', { family_name: 'Durand', given_names: 'Camille',
      birth_date: '1985-06-15', sex: 'female', language: 'fr', confirm_duplicate: true });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const patient = r.body;
    // the marrow collected for her own treatment, not screened: its batch and unit
    const lab = await server.client('etiquettes', PASSWORD);
    const today = new Date().toISOString().slice(0, 10);
    r = await lab.request('POST', '/api/v1/donors', { kind: 'autologous', patient_id: patient.id, consent_date: today });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await lab.request('POST', '/api/v1/collections', { donor_id: r.body.donor.id, source: 'bone-marrow', collected_on: today, volume_ml: 50 });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await lab.request('POST', '/api/v1/batches', { product_type: 'bm-msc', collection_ids: [r.body.collection.id] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const expiry = `${Number(today.slice(0, 4)) + 1}-03-01`;
    r = await lab.request('POST', `/api/v1/batches/${r.body.batch.id}/units`, {
      product_code: 'S1A2B', cells: 50000000, volume_ml: 5, viability: 91.5, expiry, storage: '≤ −150 °C' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const din = `${r.body.unit.din}${r.body.unit.din_check}`;

    // the laboratory, in French: inventory, the unit by its DIN, its label
    await login(page, server, 'etiquettes', PASSWORD);
    await page.getByTestId('lang-fr').click();
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('lab-tab-inventory').click();
    await page.getByTestId('unit-link').filter({ hasText: din }).first().click();
    await page.getByTestId('unit-facts').waitFor();
    assert.equal(await page.getByTestId('unit-din').textContent(), din);
    const size = await page.getByTestId('label-preview').evaluate((img) => img.decode().then(() => [img.naturalWidth, img.naturalHeight]));
    assert.deepEqual(size, [1200, 1800]);
    const labelSection = page.locator('section').filter({ has: page.getByTestId('label-preview') });
    assertFrenchPage(await labelSection.innerText(), [/\bLabel\b/, /\bPDF label\b/], 'the unit page\'s label section');
    assert.match(await labelSection.getByRole('heading').first().textContent(), /^Étiquette$/);
    assert.equal(await page.getByTestId('label-preview').getAttribute('alt'), `Étiquette de l’unité ${din}`);
    assert.match(await page.getByTestId('label-pdf').textContent(), /Étiquette en PDF/);

    // the PDF behind the link, as printed
    const href = await page.getByTestId('label-pdf').getAttribute('href');
    const res = await page.request.get(href);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    const text = readBack('pdftotext', (f) => ['-enc', 'UTF-8', f, '-'], await res.body(), '.pdf').split(/\s+/).join(' ');
    const fr = (iso) => iso.split('-').reverse().join('/');
    for (const want of ['RÉSERVÉ À UN USAGE AUTOLOGUE', 'Receveur : Durand, Camille',
      `Né(e) le 15/06/1985 · dossier ${patient.mrn}`, 'NON ÉVALUÉ POUR LES SUBSTANCES INFECTIEUSES',
      'Cellules stromales mésenchymateuses de moelle osseuse', 'Réservé à un usage autologue',
      `Prélevé le ${fr(today)}`, `PÉREMPTION ${fr(expiry)}`, 'Viabilité 92 %', 'QUARANTAINE',
      'Laboratoire de thérapie cellulaire du CHU', '12 rue des Lilas', '75012 Paris', '(FIN) W1234', 'S1A2B 1 00']) {
      assert.ok(text.includes(want), `"${want}" on the printed label:\n${text}`);
    }
    assertFrenchPage(text, [/\bFOR AUTOLOGOUS\b/, /\bRecipient\b/, /\bEXPIRY\b/, /\bBatch\b/, /\bcells\b/], 'the printed label');
    assert.ok(!text.includes('DANGER BIOLOGIQUE'), 'no biohazard legend for a donor with no reactive result');

    // the preview's barcodes, as the scanner reads them
    const png = await page.request.get(await page.getByTestId('label-preview').getAttribute('src'));
    const codes = readBack('zbarimg', (f) => ['-q', '--raw', f], await png.body(), '.png').split(/\s+/);
    assert.ok(codes.includes(`=${r.body.unit.din}00`), codes.join(' '));
    assert.ok(codes.includes('=<S1A2B100'), `type of donation 1 in the product code: ${codes.join(' ')}`);
  }],
]);
