// Follow-up: the worklist lists an approved plan's visits, the
// visit page makes a patient questionnaire link, the patient answers it
// without an account (save, resume, submit once; a used link gets a clear
// message), and the outcome report page shows its denominators and its charts.
import assert from 'node:assert/strict';
import { run, login, recordTreatmentConsent } from './harness.mjs';

const PW = 'Tr1cky-Passw0rd-for-tests';
function day(offset) {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

async function approvedPlan(server) {
  const admin = await server.client();
  let r = await admin.request('POST', '/api/v1/users', { username: 'doc', role: 'physician', password: PW });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const doc = await server.client('doc', PW);
  r = await admin.request('POST', '/api/v1/patients', {
    family_name: 'Lefèvre', given_names: 'Anaïs', birth_date: '1985-02-03', sex: 'female', language: 'fr',
    phone: '+33 6 12 34 56 78',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const pid = r.body.id;
  await admin.request('POST', `/api/v1/patients/${pid}/weights`, { date: day(0), kg: 61 });
  await admin.request('POST', `/api/v1/patients/${pid}/conditions`, {
    icd10: 'S14.1', label: 'Cord injury', onset_date: day(-90), details: { level: 'C5' } });
  const d = day(-3);
  const q = (value, unit) => ({ value, unit, date: d });
  r = await admin.request('POST', '/api/v1/screenings', {
    patient_id: pid, protocol: 'sci',
    results: { hb: q(13.5, 'g/dL'), wbc: q(6.1, '10^9/L'), plt: q(240, '10^9/L'), creatinine: q(0.9, 'mg/dL'),
      alt: q(22, 'U/L'), ast: q(25, 'U/L'), hiv: { positive: false, date: d }, hbv: { positive: false, date: d },
      hcv: { positive: false, date: d }, syphilis: { positive: false, date: d } },
    findings: { ecg: { state: 'normal', date: d } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await doc.request('POST', `/api/v1/screenings/${r.body.id}/decision`, { decision: 'eligible', password: PW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await recordTreatmentConsent(admin, pid); // H15: the approval needs it
  r = await admin.request('POST', '/api/v1/plans', { patient_id: pid, protocol: 'sci', start: day(7) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const plan = r.body.id;
  r = await doc.request('POST', `/api/v1/plans/${plan}/approve`, { password: PW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.follow_up_visits, 4);
  return { pid, plan };
}

await run([
  ['worklist, visit, patient link answered without an account, report', async ({ page, server, browser, baseURL }) => {
    await approvedPlan(server);
    await login(page, server);
    await page.getByTestId('nav-followup').click();
    await page.getByTestId('followup-tabs').waitFor();
    await page.getByTestId('tab-all').click();
    await page.getByTestId('followup-table').waitFor();
    assert.equal(await page.getByTestId('followup-row').count(), 4);
    assert.match(await page.getByTestId('followup-row').first().innerText(), /Lefèvre/);
    await page.getByTestId('visit-link').first().click();
    await page.getByTestId('visit-facts').waitFor();
    assert.match(await page.getByTestId('visit-state').innerText(), /upcoming/);
    await page.locator('#link-instrument').selectOption('nrs-pain');
    await page.getByTestId('link-submit').click();
    const url = await page.getByTestId('link-url').innerText();
    assert.match(url, /#\/q\/[A-Za-z0-9_-]{43}$/);
    await page.getByTestId('link-qr').waitFor(); // the QR code of the link is shown

    // The patient: a fresh browser context, no login, the page in French.
    const ctx = await browser.newContext({ baseURL, locale: 'fr-FR', viewport: { width: 390, height: 800 } });
    const p = await ctx.newPage();
    await p.goto(url);
    await p.getByTestId('q-form').waitFor();
    await p.getByTestId('q-current-3').check();
    await p.getByTestId('q-save').click();
    await p.getByText('Enregistré').waitFor();
    await p.reload();
    await p.getByTestId('q-form').waitFor();
    assert.equal(await p.getByTestId('q-current-3').isChecked(), true, 'the draft is resumed');
    await p.getByTestId('q-submit').click();
    await p.getByTestId('q-error').waitFor({ state: 'visible' }); // average and worst are missing
    await p.getByTestId('q-average-4').check();
    await p.getByTestId('q-worst-7').check();
    await p.getByTestId('q-submit').click();
    await p.getByTestId('q-done').waitFor();
    await p.goto(url);
    await p.reload();
    await p.getByTestId('q-error').waitFor();
    assert.match(await p.getByTestId('q-error').innerText(), /submitted|envoy|déjà|already/i);
    await ctx.close();

    await page.getByTestId('nav-reports').click();
    await page.getByTestId('report-form').waitFor();
    await page.locator('#report-protocol').selectOption('sci');
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-flow').waitFor();
    const flow = await page.getByTestId('report-flow').innerText();
    assert.match(flow, /Screened\s+1/);
    assert.match(flow, /Treated\s+0/);
    await page.getByTestId('report-ae').waitFor();
    // the charts: one under each measure's table and one under the adverse events, drawn by the
    // server as SVG, loaded as images with the session cookie, each with its text alternative
    await page.getByTestId('report-chart-ae').waitFor();
    const measures = await page.getByTestId('report-measure').count();
    assert.equal(await page.getByTestId('report-chart-trajectory').count(), measures);
    assert.equal(await page.getByTestId('report-chart-ais').count(), 0, 'no ISNCSCI data: no AIS chart');
    const imgs = page.locator('[data-testid^="report-chart-"] img');
    assert.equal(await imgs.count(), measures + 1);
    await page.waitForFunction(() => [...document.querySelectorAll('.report-chart img')].every((i) => i.complete));
    const loaded = await imgs.evaluateAll((list) => list.map((i) => ({ w: i.naturalWidth, alt: i.alt, src: i.getAttribute('src') })));
    for (const img of loaded) {
      assert.ok(img.w > 0, `chart loaded: ${img.src}`);
      assert.match(img.src, /^\/api\/v1\/reports\/outcomes\/chart\?protocol=sci&kind=(trajectory&measure=\d+|ae)$/);
    }
    assert.match(loaded[measures].alt, /among 0 treated patients: no adverse event/);

    // filters: every programme, a condition the patient does not have, then one it has
    await page.locator('#report-protocol').selectOption('all');
    await page.locator('#report-condition').fill('G12');
    await page.getByTestId('report-submit').click();
    await page.waitForFunction(() => location.hash.includes('condition=G12'));
    await page.getByTestId('report-flow').waitFor();
    assert.match(await page.getByTestId('report-flow').innerText(), /Screened\s+0/);
    assert.equal(await page.locator('#report-condition').inputValue(), 'G12');
    await page.locator('#report-condition').fill('s14');
    await page.getByTestId('report-submit').click();
    await page.waitForFunction(() => location.hash.includes('condition=s14'));
    await page.waitForFunction(() => /Screened\s+1/.test(document.querySelector('[data-testid=report-flow]')?.innerText || ''));
    const csvHref = await page.getByTestId('report-csv').getAttribute('href');
    assert.match(csvHref, /protocol=all/);
    assert.match(csvHref, /condition=s14/);
    // a malformed filter is refused with the field named, next to the form
    await page.locator('#report-condition').fill('S1%4');
    await page.getByTestId('report-submit').click();
    await page.getByTestId('report-error').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('report-error').innerText(), /condition/i);
  }],
]);
