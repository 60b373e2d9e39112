// A patient's chart asks for each list once: its consents and programmes
// sections both need the programmes' definitions and ask for them at once;
// the JSON client (src/web/api.js) sends one GET /api/v1/protocols for both,
// each section drawing from its own copy. In the page itself: two identical
// GETs at once share one request and give independent copies, a later GET
// fetches again, a shared error reaches both callers and a 401 calls the
// unauthorized handler once.
import assert from 'node:assert/strict';
import { run, login, toFrench, pageDrawn, recordTreatmentConsent } from './harness.mjs';
import { clinicEnv, day, ok, sciScreening } from './clinic_fixtures.mjs';

const PASSWORD = 'chart-browser-password-1';

// A French-speaking patient with a draft sci plan and a treatment consent:
// both sections then name the programme.
async function patientWithPlan(server) {
  const e = await clinicEnv(server, PASSWORD, [['coordo', 'coordinator'], ['docteure', 'physician'], ['infirmiere', 'nurse']]);
  const p = await ok(e.coordinator, 'POST', '/patients', { family_name: 'Fontaine', given_names: 'Agnès',
    birth_date: '1979-02-11', sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
  await ok(e.nurse, 'POST', `/patients/${p.id}/weights`, { date: day(0), kg: 61 }, 201);
  await ok(e.physician, 'POST', `/patients/${p.id}/conditions`, { icd10: 'S14.1', label: 'Lésion médullaire',
    onset_date: day(-90), details: { level: 'C6' } }, 201);
  const s = await ok(e.physician, 'POST', '/screenings', sciScreening(p.id, day(-3)), 201);
  await ok(e.physician, 'POST', `/screenings/${s.id}/decision`, { decision: 'eligible', password: PASSWORD }, 200);
  await ok(e.coordinator, 'POST', '/plans', { patient_id: p.id, protocol: 'sci', start: day(7) }, 201);
  await recordTreatmentConsent(e.coordinator, p.id);
  const protos = await ok(e.coordinator, 'GET', '/protocols', undefined, 200);
  const sci = protos.items.find((x) => x.id === 'sci');
  assert.ok(sci && sci.name && sci.name.fr, 'the sci programme has a French name');
  return { p, sciFr: sci.name.fr, count: protos.items.length };
}

const isProtocols = (req) => new URL(req.url()).pathname === '/api/v1/protocols';

// The client module the page's own modules use (assets are served under a
// versioned path, /v/<version>/api.js): the same instance, the same requests
// in flight.
const clientModule = () => new URL('api.js', document.querySelector('script[type=module][src]').src).href;

await run([
  ['le dossier demande les programmes une seule fois ; chaque section a sa copie', async ({ page, server }) => {
    const { p, sciFr, count } = await patientWithPlan(server);
    await login(page, server, 'docteure', PASSWORD);
    await toFrench(page);
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-search').fill(p.mrn);
    await page.getByTestId('patient-search').press('Enter');
    const link = page.getByTestId('patient-row').filter({ hasText: p.mrn }).getByTestId('patient-link');
    await link.waitFor();

    const seen = [];
    page.on('request', (req) => { if (isProtocols(req)) seen.push(req.method()); });
    await link.click();
    await page.waitForURL(`**/#/patients/${p.id}`);
    await pageDrawn(page);
    assert.ok((await page.getByTestId('patient-mrn').innerText()).includes(p.mrn), 'the chart is drawn');
    assert.ok(seen.length >= 1, 'the chart asked for the programmes');
    assert.deepEqual(seen, ['GET'], 'one GET /api/v1/protocols for the whole chart');

    // each section draws the programme from its own copy
    const plan = page.getByTestId('programmes-section').getByTestId('plan-row');
    assert.equal(await plan.count(), 1);
    assert.ok((await plan.innerText()).includes(sciFr), 'the plan names the programme');
    const consent = page.getByTestId('consent-row');
    assert.equal(await consent.count(), 1);
    assert.ok((await consent.innerText()).includes(sciFr), 'the consent names the programme');
    const choices = await page.locator('#consent-protocol option').allTextContents();
    assert.equal(choices.length, count + 1, 'every programme offered, after «choose»');
    assert.ok(choices.includes(sciFr), `«${sciFr}» offered in ${JSON.stringify(choices)}`);

    // the client itself, as the page's modules use it
    seen.length = 0;
    const url = await page.evaluate(clientModule);
    assert.match(url, /\/api\.js$/);
    const r = await page.evaluate(async (src) => {
      const { api } = await import(src);
      const [a, b] = await Promise.all([api('GET', '/protocols'), api('GET', '/protocols')]);
      const out = { shared: a.data === b.data || a.data.items === b.data.items, equal: JSON.stringify(a.data) === JSON.stringify(b.data),
        status: [a.status, b.status], n: b.data.items.length };
      a.data.items.reverse();
      a.data.items[0].id = 'changed';
      a.data.items.pop();
      out.bAfter = b.data.items.map((x) => x.id);
      out.bIntact = b.data.items.length === out.n && !out.bAfter.includes('changed');
      const c = await api('GET', '/protocols');
      out.later = c.data.items.map((x) => x.id);
      const failed = await Promise.allSettled([api('GET', '/patients/999999999'), api('GET', '/patients/999999999')]);
      out.errors = failed.map((f) => [f.status, f.reason && f.reason.status]);
      out.sameError = failed[0].reason === failed[1].reason;
      return out;
    }, url);
    assert.equal(r.shared, false, 'each caller has its own data');
    assert.equal(r.equal, true, 'the same answer');
    assert.deepEqual(r.status, [200, 200]);
    assert.equal(r.n, count);
    assert.equal(r.bIntact, true, `changing one copy left the other: ${JSON.stringify(r.bAfter)}`);
    assert.deepEqual(r.later, r.bAfter, 'a later GET has the server\'s list');
    assert.deepEqual(seen, ['GET', 'GET'], 'two at once share one request; a later one fetches again');
    assert.deepEqual(r.errors, [['rejected', 404], ['rejected', 404]]);
    assert.equal(r.sameError, true, 'both callers get the shared request\'s error');

    // a session gone behind the page's back: two callers, one request, one call of the handler
    await page.context().clearCookies();
    seen.length = 0;
    const u = await page.evaluate(async (src) => {
      const { api, onUnauthorized } = await import(src);
      let calls = 0;
      onUnauthorized(() => { calls++; });
      const failed = await Promise.allSettled([api('GET', '/protocols'), api('GET', '/protocols')]);
      return { calls, statuses: failed.map((f) => f.reason && f.reason.status) };
    }, url);
    assert.deepEqual(u.statuses, [401, 401]);
    assert.deepEqual(seen, ['GET'], 'one request for both');
    assert.equal(u.calls, 1, 'the unauthorized handler runs once per request');
  }],
]);
