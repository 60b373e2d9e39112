// Bedside administration through the interface: a nurse walks a
// full intrathecal administration from the worklist (scan, verify, the second
// person's verification, record with confirmation, vital signs before and
// after, a post-procedure fever prompting an adverse event reported with the
// grade definitions in view, completion with the lumbar-puncture observation
// tasks), then every blocked scenario (wrong patient, wrong unit, expired,
// quarantined, stale weight, double administration, too-early lumbar
// puncture) shows its refusal on the page, also in French.
//
// Data is set up through the API; where time must pass (plan dates, weight
// dates, expiry) the database is written behind the server's back with the
// sqlite3 command-line tool, as tests/api/test_bedside.py does.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { run, login, toFrench, assertFrenchPage, recordTreatmentConsent, pageDrawn } from './harness.mjs';
import { day, sql, quote, ok, releasedUnit, clinicEnv, normalWorkUp } from './clinic_fixtures.mjs';

const PASSWORD = 'bedside-browser-password-1';
const TODAY = day(0);

// Everything the tests share: users, API clients, the site's lab settings.
let env = null;
async function setup(server) {
  if (env) return env;
  env = await clinicEnv(server, PASSWORD, [['coordinator1', 'coordinator'], ['physician1', 'physician'], ['nurse1', 'nurse'],
    ['lab1', 'lab'], ['qa1', 'qa']]);
  return env;
}

const results = normalWorkUp;

async function patient(e, family, { birth = '1988-04-02', sex = 'male', kg = 72.5 } = {}) {
  const p = await ok(e.coordinator, 'POST', '/patients', { family_name: family, given_names: 'Test', birth_date: birth,
    sex, language: 'fr', confirm_duplicate: true }, 201);
  await ok(e.nurse, 'POST', `/patients/${p.id}/weights`, { date: TODAY, kg }, 201);
  await ok(e.physician, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S14.1', label: 'Cord injury', onset_date: day(-90),
    details: { level: 'C5' } }, 201);
  return p;
}

// An approved sci plan whose administrations 1 (IV), 2 and 4 (intrathecal) are due today.
async function plan(e, pid) {
  const s = await ok(e.physician, 'POST', '/screenings', { patient_id: pid, protocol: 'sci', results: results(),
    findings: { ecg: { state: 'normal', date: day(-2) } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' } }, 201);
  await ok(e.physician, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
  await recordTreatmentConsent(e.coordinator, pid); // H15: the approval needs it
  const pl = await ok(e.coordinator, 'POST', '/plans', { patient_id: pid, protocol: 'sci', start: day(7) }, 201);
  await ok(e.physician, 'POST', `/plans/${pl.id}/approve`, { password: PASSWORD }, 200);
  const body = JSON.parse(sql(e.server, `SELECT body FROM plans WHERE id = ${pl.id}`));
  for (const a of body.administrations) if ([1, 2, 4].includes(a.n)) a.date = TODAY;
  sql(e.server, `UPDATE plans SET body = ${quote(JSON.stringify(body))} WHERE id = ${pl.id}`);
  const items = {};
  for (const a of body.administrations) items[a.n] = a;
  return { id: pl.id, items };
}

// A unit of a new batch: released unless quarantine; reserved for the plan
// item and issued to the ward when asked.
const unit = (e, cells, opts) => releasedUnit({ lab: e.lab, physician: e.physician, qa: e.qa }, PASSWORD, cells, opts);

const din = (u) => `${u.din}${u.din_check}`;
const scanDin = (u) => `=${u.din}00`; // the DIN barcode's content
const scanProduct = (u) => `=<${u.product_code}000`;

async function switchUser(page, server, username) {
  if (await page.getByTestId('logout').isVisible()) {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
  }
  await login(page, server, username, PASSWORD);
}

// Scans (types, then Enter, as a keyboard-wedge scanner does) the wristband
// and one unit on the administration page; Enter on the last field verifies.
async function scan(page, mrn, u, second = null) {
  await page.getByTestId('adm-form').waitFor();
  if (second) {
    await page.getByTestId('adm-second-username').fill(second.username);
    await page.getByTestId('adm-second-password').fill(second.password);
  }
  await page.getByTestId('adm-wristband').fill(mrn);
  await page.getByTestId('adm-wristband').press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.name), 'din_0', 'Enter after the wristband moves to the DIN');
  await page.getByTestId('adm-din-0').fill('');
  await page.getByTestId('adm-product-0').fill('');
  await page.getByTestId('adm-din-0').focus();
  await page.keyboard.type(u.scanDin || din(u));
  await page.keyboard.press('Enter');
  await page.keyboard.type(u.scanProduct || u.product_code);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="verdict"]');
    const err = document.querySelector('[data-testid="adm-error"]');
    return (v && !v.hidden) || (err && !err.hidden);
  });
  if (await page.getByTestId('adm-error').isVisible()) assert.fail(`verify failed: ${await page.getByTestId('adm-error').textContent()}`);
}

async function reasons(page) {
  return page.$$eval('[data-testid="bedside-reason"]', (els) => els.map((e) => ({ code: e.dataset.code, text: e.textContent })));
}

async function expectRefusal(page, code, re, what) {
  await page.getByTestId('verdict-refused').waitFor();
  const rs = await reasons(page);
  const r = rs.find((x) => x.code === code);
  assert.ok(r, `${what}: ${code} is shown (${JSON.stringify(rs)})`);
  assert.match(r.text, re, `${what}: the refusal text`);
  assert.ok(await page.getByTestId('adm-record').isDisabled(), `${what}: recording stays disabled`);
  return rs;
}

async function give(page, planId, item) {
  // through the worklist, so that the page is drawn afresh even when it is the same one
  await page.goto('/#/bedside');
  await page.getByTestId('worklist-filter').waitFor();
  await page.goto(`/#/bedside/give/${planId}/${item}`);
  await page.getByTestId('adm-form').waitFor();
}

async function confirm(page) {
  await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
  await page.getByTestId('confirm-ok').click();
}

await run([
  ['intrathecal administration with two-person verification, fever reported as an adverse event', async ({ page, server }) => {
    const e = await setup(server);
    const p = await patient(e, 'Intrathecal');
    const pl = await plan(e, p.id);
    assert.equal(pl.items[2].route, 'intrathecal');
    const u2 = await unit(e, pl.items[2].cells, { pid: p.id, planId: pl.id, item: 2 });

    await page.setViewportSize({ width: 768, height: 1024 }); // a tablet
    await switchUser(page, server, 'nurse1');
    await page.getByTestId('nav-bedside').click();
    const row = page.locator(`[data-testid="worklist-row"][data-plan="${pl.id}"][data-item="2"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'planned');
    assert.match(await row.textContent(), new RegExp(p.mrn));
    assert.match(await row.textContent(), new RegExp(din(u2).replace('*', '\\*')));
    const box = await row.getByTestId('worklist-give').boundingBox();
    assert.ok(box.height >= 44 && box.width >= 44, `a large touch target (${box.width}×${box.height})`);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= 768, `readable at 768 px without sideways scrolling (${scroll})`);
    await row.getByTestId('worklist-give').click();
    await page.getByTestId('prescription').waitFor();
    assert.match(await page.getByTestId('prescribed-route').textContent(), /Intrathecal/);
    assert.ok(await page.getByTestId('second-verifier').isVisible(), 'intrathecal asks for a second person');

    // without the second person: refused; the nurse herself: refused
    await scan(page, p.mrn, { ...u2, scanDin: scanDin(u2), scanProduct: scanProduct(u2) });
    await expectRefusal(page, 'second_check_required', /second person's verification/, 'no second person');
    await page.getByTestId('adm-second-username').fill('nurse1');
    await page.getByTestId('adm-second-password').fill(PASSWORD);
    await page.getByTestId('adm-verify').click();
    await expectRefusal(page, 'second_check_same_person', /another person than the operator/, 'the operator as second');
    // the physician's own login: everything passes
    await page.getByTestId('adm-second-username').fill('physician1');
    await page.getByTestId('adm-second-password').fill(PASSWORD);
    await page.getByTestId('adm-site').fill('L3-L4');
    await page.getByTestId('adm-verify').click();
    await page.getByTestId('verdict-go').waitFor();
    assert.ok(await page.getByTestId('adm-record').isEnabled());
    // a change after the verification needs a new one
    await page.getByTestId('adm-notes').fill('calm patient');
    assert.ok(await page.getByTestId('adm-record').isDisabled(), 'a change disables recording');
    await page.getByTestId('adm-verify').click();
    await page.getByTestId('verdict-go').waitFor();
    // confirmation: cancel keeps the page, OK records
    await page.getByTestId('adm-record').click();
    await page.getByTestId('confirm-dialog').waitFor({ state: 'visible' });
    assert.match(await page.getByTestId('confirm-text').textContent(), new RegExp(p.mrn));
    await page.getByTestId('confirm-cancel').click();
    assert.equal((await e.nurse.request('GET', `/api/v1/administrations?patient_id=${p.id}`)).body.total, 0, 'cancel records nothing');
    await page.getByTestId('adm-record').click();
    await confirm(page);
    await page.getByTestId('adm-facts').waitFor();
    const admId = Number(/administrations\/(\d+)/.exec(page.url())[1]);
    const facts = await page.getByTestId('adm-facts').textContent();
    assert.match(facts, /physician1/, 'the second verifier is shown');
    assert.match(facts, /nurse1/, 'the operator is shown');
    const unitNow = await e.lab.request('GET', `/api/v1/units/${u2.id}`);
    assert.equal(unitNow.body.unit.state, 'administered');

    // vital signs before: normal
    await page.getByTestId('vitals-phase').selectOption('before');
    for (const [k, v] of [['systolic', '120'], ['diastolic', '75'], ['heart-rate', '72'], ['spo2', '98'], ['temperature', '36,8'], ['respiratory-rate', '14']]) {
      await page.getByTestId(`vitals-${k}`).fill(v);
    }
    await page.getByTestId('vitals-submit').click();
    await page.getByTestId('vitals-row').first().waitFor();
    assert.equal(await page.getByTestId('ae-prompt').isVisible(), false, 'normal signs prompt nothing');
    // injury at C5: 20 mmHg over the 'before' reading is autonomic dysreflexia, though 140 is a normal value
    await page.getByTestId('vitals-phase').selectOption('during');
    await page.getByTestId('vitals-systolic').fill('140');
    await page.getByTestId('vitals-diastolic').fill('80');
    await page.getByTestId('vitals-submit').click();
    await page.getByTestId('ad-alert').waitFor();
    assert.match(await page.getByTestId('ad-alert').textContent(), /autonomic dysreflexia/i);
    assert.equal(await page.getByTestId('abnormal-finding').first().getAttribute('data-code'), 'autonomic_dysreflexia');
    assert.match(await page.getByTestId('abnormal-finding').first().textContent(), /20 above the baseline of 120/);
    await page.getByTestId('ae-prompt-report').click();
    await page.getByTestId('ae-form').waitFor();
    assert.equal(await page.getByTestId('ae-form-term').inputValue(), 'other', 'reported as other, specify');
    assert.equal(await page.getByTestId('ae-form-term-text').inputValue(), 'Autonomic dysreflexia', 'named');
    await page.goBack();
    await page.getByTestId('complete-notes').waitFor();
    // completion (with confirmation) generates the lumbar-puncture observation tasks
    await page.getByTestId('complete-notes').fill('uneventful');
    await page.getByTestId('complete-submit').click();
    await confirm(page);
    await page.getByTestId('adm-task').first().waitFor();
    const kinds = await page.$$eval('[data-testid="adm-task"]', (els) => els.map((x) => x.dataset.kind));
    assert.equal(kinds.filter((k) => k === 'lie_flat').length, 0, kinds.join());
    assert.equal(kinds.filter((k) => k === 'neuro_check').length, 4, kinds.join());
    assert.equal(kinds.filter((k) => k === 'headache_check').length, 3, kinds.join());
    assert.match(await page.getByTestId('adm-status').textContent(), /completed/);
    // one task done
    await page.getByTestId('task-done-button').first().click();
    await confirm(page);
    await page.getByTestId('task-done').first().waitFor();
    // vital signs after: fever -> the page prompts an adverse-event report
    await page.getByTestId('vitals-phase').selectOption('after');
    await page.getByTestId('vitals-temperature').fill('38.6');
    await page.getByTestId('vitals-submit').click();
    await page.getByTestId('ae-prompt').waitFor();
    assert.match(await page.getByTestId('abnormal-finding').first().textContent(), /38\.6|fever/i);
    await page.getByTestId('ae-prompt-report').click();

    // the adverse-event form: fever chosen, each grade with its definition
    await page.getByTestId('ae-form').waitFor();
    assert.equal(await page.getByTestId('ae-form-term').inputValue(), 'fever');
    const defs = await page.getByTestId('ae-grade-definition').allTextContents();
    assert.equal(defs.length, 5, 'fever has grades 1 to 5');
    assert.match(defs[0], /38\.0/);
    await page.getByTestId('ae-form-term').selectOption('headache');
    assert.equal(await page.getByTestId('ae-grade-definition').count(), 3, 'headache has grades 1 to 3 only');
    await page.getByTestId('ae-form-term').selectOption('fever');
    await page.getByTestId('ae-grade-1').click();
    await page.getByTestId('ae-form-related-product').selectOption('possible');
    await page.getByTestId('ae-form-related-procedure').selectOption('unlikely');
    await page.getByTestId('ae-form-expectedness').selectOption('expected');
    await page.getByTestId('ae-form-action').selectOption('treated');
    await page.getByTestId('ae-form-outcome').selectOption('recovering');
    await page.getByTestId('ae-form-description').fill('38.6 °C two hours after the lumbar puncture');
    await page.getByTestId('ae-form-submit').click();
    await confirm(page);
    await page.getByTestId('ae-facts').waitFor();
    assert.match(await page.getByTestId('ae-term').textContent(), /Fever/);
    // the administration by when it was given and its unit, never by its internal number
    const linked = await page.getByTestId('ae-linked').textContent();
    assert.match(linked, /Administration of \d{1,2} \w+ \d{4}, \d\d:\d\d/);
    assert.doesNotMatch(linked, new RegExp(`Administration ${admId}\\b`));
    assert.match(await page.getByTestId('ae-criteria').textContent(), /not serious/);
    // the record shows its event
    await page.getByTestId('ae-adm-link').click();
    await page.getByTestId('adm-ae').first().waitFor();
    assert.match(await page.getByTestId('adm-ae').first().textContent(), /Fever/);

    // the worklist: the item is given, the open tasks are listed
    await page.getByTestId('nav-bedside').click();
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'given');
    assert.ok(await page.locator('[data-testid="task-row"][data-kind="headache_check"]').count() >= 1);

    // the adverse-event list: filters and CSV
    await page.getByTestId('nav-ae').click();
    await page.getByTestId('ae-filter').waitFor();
    await page.getByTestId('ae-filter-term').selectOption('fever');
    await page.getByTestId('ae-filter-grade').selectOption('1');
    await page.getByTestId('ae-filter-submit').click();
    await page.waitForURL(/term=fever/);
    await pageDrawn(page);
    assert.equal(await page.getByTestId('ae-row').count(), 1);
    await page.getByTestId('ae-filter-grade').selectOption('3');
    await page.getByTestId('ae-filter-submit').click();
    await page.getByTestId('ae-empty').waitFor();
    const href = await page.getByTestId('ae-csv').getAttribute('href');
    assert.match(href, /format=csv/);
    const csv = await page.request.get(href.replace('grade=3', 'grade=1'));
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[1], /fever/);

    // the wristband: preview image and PDF
    await page.goto(`/#/patients/${p.id}/wristband`);
    const w = await page.getByTestId('wristband-preview').evaluate((img) => img.decode().then(() => img.naturalWidth));
    assert.equal(w, 3000);
    const pdf = await page.request.get(await page.getByTestId('wristband-pdf').getAttribute('href'));
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
  }],

  ['every blocked scenario shows its refusal', async ({ page, server }) => {
    const e = await setup(server);
    const p = await patient(e, 'Blocked');
    const other = await patient(e, 'Someone');
    const pl = await plan(e, p.id);
    const opl = await plan(e, other.id);
    const cells = pl.items[1].cells;
    const good = await unit(e, cells, { pid: p.id, planId: pl.id, item: 1 });
    const theirs = await unit(e, cells, { pid: other.id, planId: opl.id, item: 1 });
    const expired = await unit(e, cells, { pid: p.id, planId: pl.id, item: 1 });
    sql(server, `UPDATE units SET expiry = '${day(-1)}' WHERE id = ${expired.id}`);
    const quarantined = await unit(e, cells, { quarantine: true });
    const u2 = await unit(e, pl.items[2].cells, { pid: p.id, planId: pl.id, item: 2 });
    const u4 = await unit(e, pl.items[4].cells, { pid: p.id, planId: pl.id, item: 4 });
    const second = { username: 'physician1', password: PASSWORD };

    await switchUser(page, server, 'nurse1');
    // wrong patient
    await give(page, pl.id, 1);
    await scan(page, other.mrn, good);
    await expectRefusal(page, 'wrong_patient', new RegExp(`Wrong patient: the wristband reads ${other.mrn}`), 'wrong patient');
    // the same refusal in French
    await page.getByTestId('lang-fr').click();
    await page.getByTestId('adm-form').waitFor();
    await page.waitForFunction(() => document.documentElement.lang === 'fr');
    assert.equal(await page.getByTestId('adm-wristband').inputValue(), other.mrn, 'the scans survive the language switch');
    await page.getByTestId('adm-verify').click();
    await expectRefusal(page, 'wrong_patient', /Mauvais patient/, 'wrong patient (FR)');
    await page.getByTestId('lang-en').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    // wrong unit: another patient's
    await give(page, pl.id, 1);
    await scan(page, p.mrn, theirs);
    await expectRefusal(page, 'unit_other_patient', /reserved or issued for another patient/, 'wrong unit');
    // expired
    await give(page, pl.id, 1);
    await scan(page, p.mrn, expired);
    await expectRefusal(page, 'unit_expired', /expired on/, 'expired unit');
    // quarantined
    await give(page, pl.id, 1);
    await scan(page, p.mrn, quarantined);
    await expectRefusal(page, 'unit_not_released', /not been released by quality assurance/, 'quarantined unit');
    // stale weight
    sql(server, `UPDATE patient_weights SET measured_on = '${day(-31)}' WHERE patient_id = ${p.id}`);
    await give(page, pl.id, 1);
    await scan(page, p.mrn, good);
    await expectRefusal(page, 'weight_stale', /31 days old/, 'stale weight');
    await ok(e.nurse, 'POST', `/patients/${p.id}/weights`, { date: TODAY, kg: 72.5 }, 201);
    // the right unit, right patient: go
    await give(page, pl.id, 1);
    await scan(page, p.mrn, good);
    await page.getByTestId('verdict-go').waitFor();
    // double administration: given (elsewhere), then scanned again
    const body = (u, item, route, extra = {}) => ({ plan_id: pl.id, item, wristband: p.mrn, route, site: 'arm',
      units: [{ din: din(u), product_code: u.product_code }], ...extra });
    await ok(e.nurse, 'POST', '/administrations', body(good, 1, 'intravenous'), 201, 'item 1 given');
    await page.getByTestId('adm-verify').click();
    const rs = await expectRefusal(page, 'unit_already_administered', /already been administered/, 'double administration');
    assert.ok(rs.some((r) => r.code === 'item_already_given'), JSON.stringify(rs));
    // recording is refused too, even if the button were reached
    const r = await e.nurse.request('POST', '/api/v1/administrations', body(good, 1, 'intravenous'));
    assert.equal(r.status, 409);
    // too-early lumbar puncture: item 2 given two hours ago, item 4 now
    await ok(e.nurse, 'POST', '/administrations', body(u2, 2, 'intrathecal', { second_verifier: second }), 201, 'item 2 given');
    await give(page, pl.id, 4);
    await scan(page, p.mrn, u4, second);
    await expectRefusal(page, 'lp_too_soon', /last lumbar puncture was \d+ hours ago/, 'too-early lumbar puncture');
    // the worklist: item 1 given, item 4 still planned
    await page.getByTestId('nav-bedside').click();
    const r1 = page.locator(`[data-testid="worklist-row"][data-plan="${pl.id}"][data-item="1"]`);
    await r1.waitFor();
    assert.equal(await r1.getAttribute('data-status'), 'given');
    assert.equal(await page.locator(`[data-testid="worklist-row"][data-plan="${pl.id}"][data-item="4"]`).getAttribute('data-status'), 'planned');
  }],

  ['H16 in French: an anticoagulant on the chart refuses the lumbar puncture; a physician overrides with a reason', async ({ page, server }) => {
    const e = await setup(server);
    const p = await patient(e, 'Coagulation');
    const pl = await plan(e, p.id);
    const u2 = await unit(e, pl.items[2].cells, { pid: p.id, planId: pl.id, item: 2 });
    const scanned = { ...u2, scanDin: scanDin(u2), scanProduct: scanProduct(u2) };
    const english = [/\bMedications?\b/, /\bAllergy\b/, /\bcurrent\b/, /\bStop\b/, /\bSevere\b/, /\bphysician\b/];

    // the nurse finds the patient by MRN and records the medication and an allergy on the chart
    await switchUser(page, server, 'nurse1');
    await page.getByTestId('lang-fr').click();
    await page.waitForFunction(() => document.documentElement.lang === 'fr');
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-search').fill(p.mrn);
    await page.getByTestId('patient-search').press('Enter');
    await page.getByTestId('patient-row').filter({ hasText: p.mrn }).getByTestId('patient-link').click();
    await page.getByTestId('medications-section').waitFor();
    assert.match(await page.getByTestId('medications-empty').textContent(), /Aucun traitement/);
    await page.locator('#med-name').fill('Apixaban');
    await page.locator('#med-class').selectOption('anticoagulant');
    await page.locator('#med-dose').fill('5 mg matin et soir');
    await page.locator('#med-start-date').fill(day(-30));
    await page.getByTestId('medication-submit').click();
    await page.getByTestId('medication-row').waitFor();
    const row = await page.getByTestId('medication-row').textContent();
    assert.match(row, /Apixaban/);
    assert.match(row, /Anticoagulant/);
    assert.match(row, /en cours/);
    const [y, m, d] = day(-30).split('-');
    assert.match(row, new RegExp(`${d}/${m}/${y}`), 'the start date as dd/mm/yyyy');
    assert.match(await page.getByTestId('med-bleeding-warning').textContent(), /ponction lombaire sera refusée/);
    await page.locator('#allergy-substance').fill('Pénicilline');
    await page.locator('#allergy-reaction').fill('Urticaire');
    await page.locator('#allergy-severity').selectOption('moderate');
    await page.getByTestId('allergy-submit').click();
    await page.getByTestId('allergy-row').waitFor();
    assert.match(await page.getByTestId('allergy-row').textContent(), /Pénicilline.*Urticaire.*Modérée/);
    assertFrenchPage(await page.locator('main').innerText(), english, 'the chart with its medications');

    // the intrathecal administration is refused at the bedside
    await page.getByTestId('nav-bedside').click();
    const wl = page.getByTestId('worklist-row').filter({ hasText: p.mrn }).filter({ hasText: din(u2) });
    await wl.first().waitFor();
    await wl.first().getByTestId('worklist-give').click();
    await scan(page, p.mrn, scanned, { username: 'physician1', password: PASSWORD });
    const rs = await expectRefusal(page, 'anticoagulant_active',
      /Apixaban \(anticoagulant\) figure dans la liste des traitements.*Un médecin peut déroger avec un motif/,
      'anticoagulant on the list');
    assert.equal(rs.length, 1, JSON.stringify(rs));
    assertFrenchPage(await page.getByTestId('bedside-reasons').innerText(), english, 'the refusal');
    assert.equal((await e.nurse.request('GET', `/api/v1/administrations?patient_id=${p.id}`)).body.total, 0,
      'the refusal records nothing');

    // the physician gives it with a signed reason, the nurse as the second person
    await switchUser(page, server, 'physician1');
    if (!(await page.evaluate(() => document.documentElement.lang === 'fr'))) await page.getByTestId('lang-fr').click();
    await page.waitForFunction(() => document.documentElement.lang === 'fr');
    await page.getByTestId('nav-bedside').click();
    await wl.first().waitFor();
    await wl.first().getByTestId('worklist-give').click();
    await scan(page, p.mrn, scanned, { username: 'nurse1', password: PASSWORD });
    await expectRefusal(page, 'anticoagulant_active', /Apixaban/, 'without a reason, still refused');
    await page.getByTestId('adm-override-reason').fill('Apixaban arrêté il y a 4 jours ; avis favorable de l’hématologue');
    await page.getByTestId('adm-verify').click();
    await page.getByTestId('verdict-go').waitFor();
    await page.getByTestId('adm-record').click();
    await confirm(page);
    await page.getByTestId('adm-facts').waitFor();
    const facts = await page.getByTestId('adm-facts').innerText();
    assert.match(facts, /hématologue/, 'the override reason is on the record');
    assertFrenchPage(facts, english, 'the administration record');
    // the language is remembered per user: the next scenarios read English
    for (const c of [e.nurse, e.physician]) await ok(c, 'PATCH', '/session/preferences', { language: 'en' }, 200);
  }],

  ['overdue administrations stand out; the physician sees the deadlines', async ({ page, server }) => {
    const e = await setup(server);
    const p = await patient(e, 'Late');
    const pl = await plan(e, p.id);
    const body = JSON.parse(sql(server, `SELECT body FROM plans WHERE id = ${pl.id}`));
    for (const a of body.administrations) if (a.n === 1) a.date = day(-1);
    sql(server, `UPDATE plans SET body = ${quote(JSON.stringify(body))} WHERE id = ${pl.id}`);
    await ok(e.nurse, 'POST', '/adverse-events', { patient_id: p.id, term: 'anaphylaxis', grade: 4,
      onset_at: new Date(Date.now() - 30 * 3600e3).toISOString().slice(0, 19) + 'Z',
      aware_at: new Date(Date.now() - 26 * 3600e3).toISOString().slice(0, 19) + 'Z',
      seriousness: ['life_threatening'], related_product: 'probable', related_procedure: 'unlikely', expectedness: 'unexpected' }, 201);
    await switchUser(page, server, 'physician1');
    await page.getByTestId('nav-bedside').click();
    const row = page.locator(`[data-testid="worklist-row"][data-plan="${pl.id}"][data-item="1"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-status'), 'overdue');
    assert.match(await row.getAttribute('class'), /bs-overdue/);
    assert.ok(await row.getByTestId('overdue-badge').isVisible());
    await page.getByTestId('nav-ae').click();
    await page.getByTestId('ae-overdue').waitFor();
    assert.match(await page.getByTestId('ae-overdue').textContent(), new RegExp(`${p.mrn}.*Initial report.*OVERDUE`));
    // the physician signs the assessment
    await page.locator('[data-testid="ae-overdue"] a').first().click();
    await page.getByTestId('assess-form').waitFor();
    assert.match(await page.getByTestId('ae-deadlines').textContent(), /OVERDUE/);
    await page.getByTestId('assess-password').fill('wrong password!');
    await page.getByTestId('assess-submit').click();
    await page.getByTestId('assess-error').waitFor({ state: 'visible' });
    await page.getByTestId('assess-password').fill(PASSWORD);
    await page.getByTestId('assess-submit').click();
    await page.waitForFunction(() => /physician1/.test(document.querySelector('[data-testid="ae-assessed"]')?.textContent || ''));
  }],
  ['a girl of 3 at the bedside: her limits by age, a raised pressure graded and proposed as hypertension (French)', async ({ page, server }) => {
    const e = await setup(server);
    const p = await patient(e, 'Enfant', { birth: day(-(3 * 365 + 40)), sex: 'female', kg: 15 });
    const pl = await plan(e, p.id);
    const u1 = await unit(e, pl.items[1].cells, { pid: p.id, planId: pl.id, item: 1 });
    const given = await ok(e.nurse, 'POST', '/administrations', { plan_id: pl.id, item: 1, wristband: p.mrn, route: 'intravenous',
      site: 'arm', units: [{ din: din(u1), product_code: u1.product_code }] }, 201, 'item 1 given');
    await switchUser(page, server, 'nurse1');
    await toFrench(page);
    await page.goto(`/#/administrations/${given.administration.id}`);
    await page.getByTestId('vitals-form').waitFor();
    // normal for her age, abnormal for an adult (heart rate > 120, respiratory rate > 24, systolic < 90)
    await page.getByTestId('vitals-phase').selectOption('before');
    for (const [k, v] of [['heart-rate', '130'], ['respiratory-rate', '30'], ['systolic', '85'], ['diastolic', '48']]) {
      await page.getByTestId(`vitals-${k}`).fill(v);
    }
    await page.getByTestId('vitals-submit').click();
    await page.getByTestId('vitals-row').first().waitFor();
    assert.equal(await page.getByTestId('ae-prompt').isVisible(), false, 'normal signs for a girl of 3 prompt nothing');
    // 104/60: the 95th percentile for a girl of 3 (5th height percentile) -> grade 2
    await page.getByTestId('vitals-phase').selectOption('during');
    await page.getByTestId('vitals-systolic').fill('104');
    await page.getByTestId('vitals-diastolic').fill('60');
    await page.getByTestId('vitals-submit').click();
    await page.getByTestId('ae-prompt').waitFor();
    const finding = page.getByTestId('abnormal-finding').first();
    assert.equal(await finding.getAttribute('data-code'), 'hypertension_grade_2');
    assert.equal(await finding.textContent(),
      'Pression artérielle 104/60 mmHg à 3 ans : hypertension de grade 2 (CTCAE v5.0, enfant ; 95e percentile 104/65)');
    assertFrenchPage(await page.getByTestId('ae-prompt').innerText(), [/\b(?:blood pressure|years|report)\b/i], 'the prompt');
    await page.getByTestId('ae-prompt-report').click();
    await page.getByTestId('ae-form').waitFor();
    assert.equal(await page.getByTestId('ae-form-term').inputValue(), 'hypertension', 'proposed as hypertension');
    assert.ok(await page.getByTestId('ae-grade-2').locator('input').isChecked(), 'grade 2 proposed');
  }],
  ['vital signs carry their own time, entered and shown in the clinic\'s time zone (Auckland, French), kept in UTC', async ({ browser, server }) => {
    const e = await setup(server);
    const p = await patient(e, 'Fuseau');
    const pl = await plan(e, p.id);
    const u1 = await unit(e, pl.items[1].cells, { pid: p.id, planId: pl.id, item: 1 });
    const given = await ok(e.nurse, 'POST', '/administrations', { plan_id: pl.id, item: 1, wristband: p.mrn, route: 'intravenous',
      site: 'arm', units: [{ din: din(u1), product_code: u1.product_code }] }, 201, 'item 1 given');
    const zone = 'Pacific/Auckland';
    const context = await browser.newContext({ baseURL: server.baseURL, locale: 'fr-FR', timezoneId: zone });
    try {
      const page = await context.newPage();
      await login(page, server, 'nurse1', PASSWORD);
      await toFrench(page);
      await page.goto(`/#/administrations/${given.administration.id}`);
      await page.getByTestId('vitals-form').waitFor();
      // two hours ago, to the minute, as a clock in Auckland reads it
      const at = new Date(Math.floor((Date.now() - 2 * 3600e3) / 60000) * 60000);
      const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', { timeZone: zone, year: 'numeric', month: '2-digit',
        day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((x) => [x.type, x.value]));
      const local = `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
      const field = page.getByTestId('vitals-taken-at');
      assert.equal(await page.getByLabel('Prises à').getAttribute('type'), 'datetime-local');
      const now = Date.parse(`${(await field.inputValue())}:00+00:00`); // the default: now on the Auckland wall clock
      const wall = Date.parse(`${local}:00+00:00`) + 2 * 3600e3;
      assert.ok(Math.abs(now - wall) < 3 * 60e3, `the default is now in Auckland: ${await field.inputValue()} vs ${local} + 2 h`);
      await field.fill(local);
      await page.getByTestId('vitals-phase').selectOption('before');
      await page.getByTestId('vitals-systolic').fill('118');
      await page.getByTestId('vitals-diastolic').fill('76');
      await page.getByTestId('vitals-submit').click();
      const row = page.getByTestId('vitals-row').first();
      await row.waitFor();
      const rec = await ok(e.nurse, 'GET', `/administrations/${given.administration.id}`, undefined, 200);
      const vitals = (rec.vitals || rec.administration?.vitals || []);
      assert.equal(vitals.length, 1);
      assert.equal(vitals[0].taken_at, `${at.toISOString().slice(0, 19)}Z`, 'kept as the UTC instant of the time typed in Auckland');
      const shown = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'medium', timeStyle: 'short', timeZone: zone }).format(at);
      assert.ok((await row.innerText()).includes(shown), `shown in Auckland time, 24 h, French: ${shown} in ${await row.innerText()}`);
      assertFrenchPage(await row.innerText(), [/\bbefore\b/i], 'the vital signs');
    } finally {
      await context.close();
    }
  }],
]);
