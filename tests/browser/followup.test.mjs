// Follow-up: the worklist lists an approved plan's visits, the
// visit page makes a patient questionnaire link, the patient answers it
// without an account (save, resume, submit once; a used link gets a clear
// message), and the outcome report page shows its denominators and its charts.
// A nurse scores FLACC in French at a 5-year-old's spina bifida visit: the
// visit names FLACC, not the self-rated NRS, offers no link for either, and the
// total is shown.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent, scrollThroughReport } from './harness.mjs';

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
      alt: q(22, 'U/L'), ast: q(25, 'U/L'), inr: q(1.0, '1'),
      aptt: { value: 30, unit: 's', ref_low: 25, ref_high: 38, date: d }, hiv: { positive: false, date: d }, hbv: { positive: false, date: d },
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

// A 5-year-old with spina bifida, eligible, with an approved spina-bifida plan.
async function childPlan(server) {
  const admin = await server.client();
  for (const [username, role] of [['paeddoc', 'physician'], ['paednurse', 'nurse']]) {
    const r = await admin.request('POST', '/api/v1/users', { username, role, password: PW });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const doc = await server.client('paeddoc', PW);
  const born = new Date();
  born.setUTCFullYear(born.getUTCFullYear() - 5);
  born.setUTCDate(Math.min(born.getUTCDate(), 28));
  let r = await admin.request('POST', '/api/v1/patients', {
    family_name: 'Moreau', given_names: 'Léa', birth_date: born.toISOString().slice(0, 10), sex: 'female',
    language: 'fr' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const pid = r.body.id;
  await admin.request('POST', `/api/v1/patients/${pid}/weights`, { date: day(0), kg: 18 });
  await admin.request('POST', `/api/v1/patients/${pid}/conditions`, {
    icd10: 'Q05.7', label: 'Spina bifida lombaire', onset_date: born.toISOString().slice(0, 10) });
  const d = day(-3);
  const q = (value, unit) => ({ value, unit, date: d });
  r = await admin.request('POST', '/api/v1/screenings', {
    patient_id: pid, protocol: 'spina-bifida',
    results: { hb: q(12.5, 'g/dL'), wbc: q(7.1, '10^9/L'), plt: q(260, '10^9/L'), creatinine: q(0.4, 'mg/dL'),
      alt: q(20, 'U/L'), ast: q(30, 'U/L'), inr: q(1.0, '1'), aptt: { value: 30, unit: 's', ref_low: 25, ref_high: 38, date: d },
      hiv: { positive: false, date: d }, hbv: { positive: false, date: d },
      hcv: { positive: false, date: d }, syphilis: { positive: false, date: d } },
    findings: { ecg: { state: 'normal', date: d } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await doc.request('POST', `/api/v1/screenings/${r.body.id}/decision`, { decision: 'eligible', password: PW });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await admin.request('POST', '/api/v1/plans', { patient_id: pid, protocol: 'spina-bifida', start: day(7) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const plan = r.body.id;
  await recordTreatmentConsent(admin, pid, 'spina-bifida'); // H15
  r = await doc.request('POST', `/api/v1/plans/${plan}/approve`, { password: PW, dose_reason: 'dose by weight, as the protocol says' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return { pid, admin };
}

await run([
  ['worklist, visit, patient link answered without an account, report', async ({ page, server, browser, baseURL }) => {
    await approvedPlan(server);
    const admin = await server.client();
    // the patient opens the clinic's public address (here, this test server)
    const site = await admin.request('PUT', '/api/v1/clinic-site', { name: 'Clinique du Lac', public_base_url: baseURL });
    assert.equal(site.status, 200, JSON.stringify(site.body));
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
    // each measure's table and chart are drawn when scrolled near
    await scrollThroughReport(page);
    const measures = await page.getByTestId('report-measure').count();
    assert.equal(await page.getByTestId('report-chart-trajectory').count(), measures);
    assert.equal(await page.getByTestId('report-chart-ais').count(), 0, 'no ISNCSCI data: no AIS chart');
    const imgs = page.locator('[data-testid^="report-chart-"] img');
    assert.equal(await imgs.count(), measures + 1);
    // each chart loads when scrolled to
    for (let i = 0; i < measures + 1; i++) await imgs.nth(i).scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.querySelectorAll('.report-chart img')].every((i) => i.complete && i.naturalWidth > 0));
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
  ['a nurse scores FLACC in French at a young child\'s visit and sees the total', async ({ page, server }) => {
    const { pid, admin } = await childPlan(server);
    await login(page, server, 'paednurse', PW);
    await toFrench(page);
    await page.getByTestId('nav-followup').click();
    await page.getByTestId('tab-all').click();
    await page.getByTestId('followup-table').waitFor();
    await page.getByTestId('followup-row').filter({ hasText: 'Moreau' }).first().getByTestId('visit-link').click();
    await page.getByTestId('visit-facts').waitFor();
    const named = await page.getByTestId('visit-instruments').innerText();
    assert.match(named, /FLACC/);
    assert.doesNotMatch(named, /numérique/i, 'no self-rated NRS at 5 years');
    // FLACC is observed by staff: no patient link offers it, nor the NRS
    const linkable = await page.locator('#link-instrument option').evaluateAll((o) => o.map((x) => x.value));
    assert.ok(linkable.includes('satisfaction') && !linkable.includes('flacc') && !linkable.includes('nrs-pain'),
      linkable.join(' '));

    const form = page.getByTestId('score-form');
    await page.locator('#score-instrument').selectOption('flacc');
    await form.getByText('Consolabilité').waitFor();
    await page.getByTestId('score-face-1').check();
    await page.getByTestId('score-legs-0').check();
    await page.getByTestId('score-activity-2').check();
    await page.getByTestId('score-consolability-1').check();
    // the cry is not scored yet: refused, the item named in French, nothing recorded
    await page.getByTestId('score-submit').click();
    await page.getByTestId('score-error').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('score-error').innerText(), /^Pleurs :/);
    let r = await admin.request('GET', `/api/v1/patients/${pid}/observations`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.items.length, 0, 'a refused score records nothing');
    await page.getByTestId('score-cry-1').check();
    await page.getByTestId('score-submit').click();
    await page.getByTestId('score-result').waitFor();
    assert.equal(await page.getByTestId('score-value-total').innerText(), '5'); // 1 + 0 + 2 + 1 + 1
    const text = await form.innerText();
    for (const fr of ['Visage', 'Jambes', 'Activité', 'Pleurs', 'Consolabilité', 'Total', 'grimace ou froncement']) {
      assert.ok(text.includes(fr), `the form reads "${fr}"`);
    }
    assertFrenchPage(text, [/\bFace\b/, /\bLegs\b/, /\bActivity\b/, /\bCry\b/, /\bConsolability\b/,
      /\bRecord/, /\bScore an\b/, /\bobserved\b/i, /\brecorded\b/], 'the FLACC score form');
    r = await admin.request('GET', `/api/v1/patients/${pid}/observations`);
    assert.equal(r.body.items.length, 1);
    assert.equal(r.body.items[0].instrument, 'flacc');
    assert.equal(r.body.items[0].source, 'clinician');
  }],
]);
