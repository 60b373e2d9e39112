// Laboratory, end to end through the interface: a donor is registered and
// screened, a physician signs eligibility, a collection becomes a batch with
// a unit (which gets its DIN), QC results are entered, QA's release is
// refused while something is missing and then signed, and the released unit
// shows its label (no QUARANTINE banner in the decoded label is checked by
// the API test; here: the preview image loads) and moves to "released".
import assert from 'node:assert/strict';
import { run, login, assertFrenchPage } from './harness.mjs';

const PASSWORD = 'lab-browser-password-1';
// The allogeneic default panel (core/donor_testing.h), as the form offers it.
const MARKERS = ['hbsag', 'anti-hbc', 'anti-hcv', 'anti-hiv-1-2', 'syphilis', 'htlv-1-2', 'nat-hiv', 'nat-hcv', 'nat-hbv', 'cmv'];

async function setup(server) {
  const admin = await server.client();
  for (const role of ['lab', 'qa', 'physician']) {
    const r = await admin.request('POST', '/api/v1/users', { username: `${role}1`, role, password: PASSWORD });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  let r = await admin.request('PUT', '/api/v1/lab/site', { fin: 'W1234' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await admin.request('POST', '/api/v1/lab/product-codes', { code: 'S1234', product_type: 'uc-msc', description: 'UC-MSC' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

async function switchUser(page, server, username) {
  if (await page.getByTestId('logout').isVisible()) {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
  }
  await login(page, server, username, PASSWORD);
}

// Submits a laboratory form and waits until the page is drawn again (the
// heading's data-drawn stamp changes); fails with the form's error if any.
async function submit(page, id) {
  const title = page.getByTestId('page-title');
  const before = await title.getAttribute('data-drawn');
  // an error shown by an earlier attempt must not count as this one's answer
  await page.evaluate((eid) => { const e = document.querySelector(`[data-testid="${eid}"]`); if (e) e.hidden = true; }, `${id}-error`);
  await page.getByTestId(`${id}-submit`).click();
  const error = page.getByTestId(`${id}-error`);
  await page.waitForFunction(([b, eid]) => {
    const h1 = document.querySelector('[data-testid="page-title"]');
    const e = document.querySelector(`[data-testid="${eid}"]`);
    return (h1 && h1.dataset.drawn !== b) || (e && !e.hidden);
  }, [before, `${id}-error`]);
  if (await error.count() && await error.isVisible()) assert.fail(`${id}: ${await error.textContent()}`);
}

await run([
  ['donor to released, labelled unit', async ({ page, server }) => {
    await setup(server);
    const today = new Date().toISOString().slice(0, 10);
    await switchUser(page, server, 'lab1');
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('new-donor').click();
    await page.getByTestId('donor-form-consent-date').fill(today);
    await page.getByTestId('donor-form-consent-reference').fill('IC-2026-001');
    await page.getByTestId('donor-form-submit').click();
    await page.getByTestId('donor-facts').waitFor();
    const donorUrl = page.url();
    assert.match(await page.getByTestId('donor-eligibility').textContent(), /incomplete/);
    for (const test of MARKERS) {
      await page.getByTestId('test-form-test').selectOption(test);
      await page.getByTestId('test-form-result').selectOption('negative');
      await page.getByTestId('test-form-sampled-on').fill(today);
      await submit(page, 'test-form');
    }
    assert.equal(await page.getByTestId('donor-tests-row').count(), MARKERS.length);
    await page.getByTestId('collection-form-source').selectOption('cord-tissue');
    await page.getByTestId('collection-form-collected-on').fill(today);
    await page.getByTestId('collection-form-mass-g').fill('18,5');
    await submit(page, 'collection-form');
    await page.getByTestId('batch-form-product-type').selectOption('uc-msc');
    await page.getByTestId('batch-form-submit').click();
    await page.getByTestId('batch-facts').waitFor();
    const batchUrl = page.url();
    await page.getByTestId('step-form-operator').fill('A. Martin');
    await submit(page, 'step-form');
    assert.equal(await page.getByTestId('batch-steps-row').count(), 1);
    await page.getByTestId('unit-form-product-code').fill('S1234');
    await page.getByTestId('unit-form-cells').fill('100000000');
    await page.getByTestId('unit-form-viability').fill('94');
    await page.getByTestId('unit-form-volume-ml').fill('10');
    await page.getByTestId('unit-form-expiry').fill(`${Number(today.slice(0, 4)) + 1}${today.slice(4)}`);
    await page.getByTestId('unit-form-storage').fill('≤ −150 °C, vapour phase of liquid nitrogen');
    for (const [f, v] of [['freezer', 'LN2-1'], ['rack', 'R1'], ['box', 'B1'], ['position', 'A1']]) {
      await page.getByTestId(`unit-form-${f}`).fill(v);
    }
    await submit(page, 'unit-form');
    assert.equal(await page.getByTestId('batch-units-row').count(), 1);
    assert.match(await page.getByTestId('state-badge').first().textContent(), /quarantine/);
    // QC: qualitative (not detected; observed), then quantitative results; CD11b answers
    // "CD14 or CD11b" and CD79alpha "CD79alpha or CD19" (ISCT)
    const qc = [['sterility', null], ['mycoplasma', null], ['plastic_adherence', 'observed'], ['diff_osteo', 'observed'],
      ['diff_adipo', 'observed'], ['diff_chondro', 'observed'], ['endotoxin', '0.1'], ['viability', '94'], ['cd73', '98'],
      ['cd90', '99'], ['cd105', '97'], ['cd34', '0.4'], ['cd45', '0.6'], ['cd11b', '0.5'], ['cd79a', '0.2']];
    for (const [test, value] of qc) {
      await page.getByTestId('qc-form-test').selectOption(test);
      await page.getByTestId('qc-form-outcome').selectOption(value === 'observed' ? 'observed' : 'value');
      if (value === 'observed') {
        await page.getByTestId('qc-form-tested-on').fill(today);
        await submit(page, 'qc-form');
        continue;
      }
      if (value) await page.getByTestId('qc-form-value').fill(value);
      await page.getByTestId('qc-form-tested-on').fill(today);
      await submit(page, 'qc-form');
    }
    assert.equal(await page.getByTestId('qc-verdict-cd73').textContent(), 'pass');
    assert.equal(await page.getByTestId('qc-verdict-hla_dr').textContent(), 'missing');
    assert.equal(await page.getByTestId('qc-verdict-diff_chondro').textContent(), 'pass');
    assert.equal(await page.getByTestId('qc-verdict-cd11b').textContent(), 'pass');
    // the endotoxin limit shown is the intrathecal K/M of the 10 mL unit: 0.2 x 70 / 10
    const endoRow = page.getByTestId('qc-sheet-row').filter({ has: page.getByTestId('qc-verdict-endotoxin') });
    assert.match(await endoRow.textContent(), /≤ 1\.4 EU\/mL/);

    // QA: release refused (HLA-DR missing, donor not signed)
    await switchUser(page, server, 'qa1');
    await page.goto(batchUrl);
    await page.getByTestId('release-blocks').waitFor();
    const blocks = await page.getByTestId('release-block').allTextContents();
    assert.ok(blocks.some((b) => /HLA-DR/.test(b)), blocks.join(' | '));
    assert.ok(blocks.some((b) => /eligibility/.test(b)), blocks.join(' | '));
    await page.getByTestId('release-form-password').fill(PASSWORD);
    await page.getByTestId('release-form-submit').click();
    await page.getByTestId('release-form-error').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('batch-status').textContent(), /in process/);

    // lab enters the last result; the physician signs eligibility
    await switchUser(page, server, 'lab1');
    await page.goto(batchUrl);
    await page.getByTestId('qc-form-test').selectOption('hla_dr');
    await page.getByTestId('qc-form-value').fill('0.3');
    await page.getByTestId('qc-form-tested-on').fill(today);
    await submit(page, 'qc-form');
    await switchUser(page, server, 'physician1');
    await page.goto(donorUrl);
    await page.getByTestId('eligibility-form-decision').selectOption('eligible');
    await page.getByTestId('eligibility-form-password').fill(PASSWORD);
    await submit(page, 'eligibility-form');
    assert.match(await page.getByTestId('donor-eligibility').textContent(), /^eligible/);

    // QA: wrong password refused, then the signed release
    await switchUser(page, server, 'qa1');
    await page.goto(batchUrl);
    await page.getByTestId('release-ready').waitFor();
    await page.getByTestId('release-form-password').fill('not my password');
    await page.getByTestId('release-form-submit').click();
    await page.getByTestId('release-form-error').waitFor({ state: 'visible' });
    await page.getByTestId('release-form-password').fill(PASSWORD);
    await submit(page, 'release-form');
    assert.match(await page.getByTestId('batch-status').textContent(), /released/);

    // the unit: released, label preview loads, PDF link, custody history
    await page.getByTestId('unit-link').first().click();
    await page.getByTestId('unit-facts').waitFor();
    assert.match(await page.getByTestId('state-badge').first().textContent(), /released/);
    const din = await page.getByTestId('unit-din').textContent();
    assert.match(din, /^W123426\d{6}[0-9A-Z*]$|^W1234\d{8}[0-9A-Z*]$/);
    const ok = await page.getByTestId('label-preview').evaluate((img) => img.decode().then(() => img.naturalWidth));
    assert.equal(ok, 1200);
    const pdf = await page.getByTestId('label-pdf').getAttribute('href');
    const res = await page.request.get(pdf);
    assert.equal(res.status(), 200);
    assert.equal(res.headers()['content-type'], 'application/pdf');
    assert.ok((await page.getByTestId('custody-row').count()) >= 2, 'create and release are in the custody history');

    // French
    await page.getByTestId('lang-fr').click();
    await page.getByTestId('unit-facts').waitFor();
    // the page is drawn again in French: wait for that, not for the English page still shown
    await page.locator('[data-testid="state-badge"]', { hasText: /libérée/ }).first().waitFor();
    assert.match(await page.getByTestId('state-badge').first().textContent(), /libérée/);
    // QC test names are translated, the alternatives named together
    await page.goto(batchUrl);
    await page.getByTestId('qc-sheet').waitFor();
    const sheet = await page.getByTestId('qc-sheet').textContent();
    for (const fr of ['Adhérence au plastique', 'Différenciation chondrogénique', 'Cellules CD14+ (ou Cellules CD11b+', 'observé']) {
      assert.ok(sheet.includes(fr), `${fr} in: ${sheet}`);
    }
    assert.ok(!sheet.includes('Plastic adherence'), sheet);

    // inventory and freezer map show it
    await page.getByTestId('lab-tab-storage').click();
    await page.getByTestId('storage-position').first().waitFor();
    assert.match(await page.getByTestId('storage-position').first().textContent(), new RegExp(din.replace('*', '\\*')));
  }],
  ['cryopreservation and thaw on the unit page, in French (H14)', async ({ page, server }) => {
    const admin = await server.client();
    for (const [username, role] of [['cryolab', 'lab'], ['cryonurse', 'nurse']]) {
      const r = await admin.request('POST', '/api/v1/users', { username, role, password: PASSWORD });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    assert.equal((await admin.request('PUT', '/api/v1/lab/site', { fin: 'W1234' })).status, 200);
    const code = await admin.request('POST', '/api/v1/lab/product-codes', { code: 'S1234', product_type: 'uc-msc' });
    assert.ok([201, 409].includes(code.status), JSON.stringify(code.body)); // the first test may have added it
    const lab = await server.client('cryolab', PASSWORD);
    const today = new Date().toISOString().slice(0, 10);
    let r = await lab.request('POST', '/api/v1/donors', { kind: 'allogeneic', consent_date: today });
    r = await lab.request('POST', '/api/v1/collections', { donor_id: r.body.donor.id, source: 'cord-tissue', collected_on: today, mass_g: 20 });
    r = await lab.request('POST', '/api/v1/batches', { product_type: 'uc-msc', collection_ids: [r.body.collection.id] });
    r = await lab.request('POST', `/api/v1/batches/${r.body.batch.id}/units`, {
      product_code: 'S1234', cells: 100000000, volume_ml: 10, viability: 93, expiry: `${Number(today.slice(0, 4)) + 1}-01-01`, storage: '<= -150 C' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const unitId = r.body.unit.id;

    await switchUser(page, server, 'cryolab');
    await page.getByTestId('lang-fr').click();
    await page.goto(`/#/lab/units/${unitId}`);
    await page.getByTestId('cryo-none').waitFor();
    assert.match(await page.getByTestId('cryo-none').textContent(), /Aucun enregistrement de congélation/);
    await page.getByTestId('freeze-form-cryoprotectant-percent').fill('10');
    await page.getByTestId('freeze-form-rate-c-per-min').fill('1');
    await submit(page, 'freeze-form');
    assert.match(await page.getByTestId('fact-cryoprotectant').textContent(), /^DMSO 10,0 %$/);
    assert.match(await page.getByTestId('fact-rate').textContent(), /^1,0$/);
    assert.match(await page.getByTestId('thaw-none').textContent(), /Pas encore décongelée/);
    assert.equal(await page.getByTestId('freeze-form').count(), 0, 'one freezing record per unit');

    // the nurse records the thaw at the clinic, with a decimal comma
    await switchUser(page, server, 'cryonurse');
    await page.getByTestId('lang-fr').click();
    await page.goto(`/#/lab/units/${unitId}`);
    await page.getByTestId('thaw-form').waitFor();
    assert.match(await page.locator('#thaw-form h2').textContent(), /Enregistrer la décongélation/);
    await page.getByTestId('thaw-form-viable-cells').fill('90000000');
    await page.getByTestId('thaw-form-viability-percent').fill('91,5');
    await submit(page, 'thaw-form');
    assert.match(await page.getByTestId('fact-post-thaw-viability').textContent(), /^91,5 %$/);
    assert.match(await page.getByTestId('fact-min-viability').textContent(), /^70,0 %$/);
    const expires = await page.getByTestId('fact-expires-at').textContent();
    assert.doesNotMatch(expires, /T\d\d:|Z$/, 'no UTC timestamp on the page');
    assert.match(await page.getByTestId('thaw-facts').textContent(), /À administrer avant le/);
    assert.equal(await page.getByTestId('thaw-form').count(), 0, 'one thaw record per unit');
  }],
  ['donor testing in French: the panel with its sample dates, a missing marker and a sample outside the window named (H13)', async ({ page, server }) => {
    const admin = await server.client();
    for (const [username, role] of [['dtlab', 'lab'], ['dtphys', 'physician']]) {
      const r = await admin.request('POST', '/api/v1/users', { username, role, password: PASSWORD });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const day = (offset) => new Date(Date.now() + offset * 86400000).toISOString().slice(0, 10);
    const today = day(0);
    await switchUser(page, server, 'dtlab');
    await page.getByTestId('lang-fr').click();
    await page.getByTestId('nav-lab').click();
    await page.getByTestId('new-donor').click();
    await page.getByTestId('donor-form-consent-date').fill(day(-3));
    await page.getByTestId('donor-form-submit').click();
    await page.getByTestId('donor-facts').waitFor();
    const donorUrl = page.url();
    // the page says what the allogeneic donor needs, by name, and the window
    const needs = await page.getByTestId('donor-panel').textContent();
    for (const fr of ['antigène HBs', 'anticorps anti-HBc', 'DGV du VHB', 'sérologie CMV (à saisir', 'de 0 jours avant à 7 jours après']) {
      assert.ok(needs.includes(fr), `${fr} in: ${needs}`);
    }
    // the tissue was collected today; the mother's sample was taken today, except anti-HBc,
    // whose only sample dates from 9 days before (the default window: the day itself to 7 days after)
    await page.getByTestId('collection-form-source').selectOption('cord-tissue');
    await page.getByTestId('collection-form-collected-on').fill(today);
    await page.getByTestId('collection-form-mass-g').fill('20');
    await submit(page, 'collection-form');
    for (const marker of MARKERS.filter((m) => m !== 'anti-hbc')) {
      await page.getByTestId('test-form-test').selectOption(marker);
      await page.getByTestId('test-form-result').selectOption('negative');
      await page.getByTestId('test-form-sampled-on').fill(today);
      await submit(page, 'test-form');
    }
    const rows = await page.getByTestId('donor-tests').textContent();
    for (const fr of ['antigène HBs', 'DGV du VIH', 'anticorps anti-VIH-1/2', 'négatif']) assert.ok(rows.includes(fr), `${fr} in: ${rows}`);
    const [y, m, d] = today.split('-');
    assert.ok(rows.includes(`${d}/${m}/${y}`), `sample dates as dd/mm/yyyy: ${rows}`);
    assertFrenchPage(await page.locator('main').textContent(), [/\bnegative\b/, /\bTest\b/], 'the donor page');

    // the physician is refused, and told which marker is missing, in French
    await switchUser(page, server, 'dtphys');
    await page.getByTestId('lang-fr').click();
    await page.goto(donorUrl);
    await page.getByTestId('eligibility-form-decision').selectOption('eligible');
    await page.getByTestId('eligibility-form-password').fill(PASSWORD);
    await page.getByTestId('eligibility-form-submit').click();
    const error = page.getByTestId('eligibility-form-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /anticorps anti-HBc : aucun résultat saisi/);
    assertFrenchPage(await error.textContent(), [/\bmarker\b/, /\bresult\b/], 'the refusal');
    assert.match(await page.getByTestId('donor-eligibility').textContent(), /incompl/);

    // the lab enters the anti-HBc result it has: sampled 9 days before the collection
    await switchUser(page, server, 'dtlab');
    await page.getByTestId('lang-fr').click();
    await page.goto(donorUrl);
    await page.getByTestId('test-form-test').selectOption('anti-hbc');
    await page.getByTestId('test-form-result').selectOption('negative');
    await page.getByTestId('test-form-sampled-on').fill(day(-9));
    await submit(page, 'test-form');
    await switchUser(page, server, 'dtphys');
    await page.getByTestId('lang-fr').click();
    await page.goto(donorUrl);
    await page.getByTestId('eligibility-form-decision').selectOption('eligible');
    await page.getByTestId('eligibility-form-password').fill(PASSWORD);
    await page.getByTestId('eligibility-form-submit').click();
    await error.waitFor({ state: 'visible' });
    assert.match(await error.textContent(), /anticorps anti-HBc : aucun échantillon prélevé dans la fenêtre autorisée/);

    // a sample of the day of the collection: the physician signs
    await switchUser(page, server, 'dtlab');
    await page.getByTestId('lang-fr').click();
    await page.goto(donorUrl);
    await page.getByTestId('test-form-test').selectOption('anti-hbc');
    await page.getByTestId('test-form-result').selectOption('negative');
    await page.getByTestId('test-form-sampled-on').fill(today);
    await submit(page, 'test-form');
    await switchUser(page, server, 'dtphys');
    await page.getByTestId('lang-fr').click();
    await page.goto(donorUrl);
    await page.getByTestId('eligibility-form-decision').selectOption('eligible');
    await page.getByTestId('eligibility-form-password').fill(PASSWORD);
    await submit(page, 'eligibility-form');
    assert.match(await page.getByTestId('donor-eligibility').textContent(), /^éligible/);
  }],
]);
