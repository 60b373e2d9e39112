// Data the bedside tests set up through the API, shared by bedside.test.mjs
// and consent.test.mjs: calendar days, the API call that must answer a given
// status, a write behind the server's back with the sqlite3 command-line tool
// (where time must pass), and a released unit reserved and issued for a plan
// item.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export const day = (offset) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
};

export function sql(server, statement) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 30000', path.join(server.dataDir, 'cellclinic.db'), statement],
    { encoding: 'utf8' });
}
export const quote = (s) => `'${String(s).replace(/'/g, "''")}'`;

export async function ok(c, method, p, body, want, what) {
  const r = await c.request(method, `/api/v1${p}`, body);
  assert.equal(r.status, want, `${what || `${method} ${p}`}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// A unit of a new batch (clients: lab, physician, qa; their password signs):
// released unless quarantine; reserved for the plan item and issued to the
// ward (default 'Ward A') when pid is given.
export async function releasedUnit({ lab, physician, qa }, password, cells, { pid, planId, item, quarantine = false, ward = 'Ward A' } = {}) {
  const today = day(0);
  const donor = await ok(lab, 'POST', '/donors', { kind: 'allogeneic', consent_date: today }, 201);
  const did = donor.donor.id;
  for (const test of ['hbsag', 'anti-hbc', 'anti-hcv', 'anti-hiv-1-2', 'syphilis', 'htlv-1-2', 'nat-hiv', 'nat-hcv', 'nat-hbv', 'cmv']) {
    await ok(lab, 'POST', `/donors/${did}/tests`, { test, result: 'negative', sampled_on: today }, 201);
  }
  await ok(physician, 'POST', `/donors/${did}/eligibility`, { decision: 'eligible', password }, 200);
  const col = await ok(lab, 'POST', '/collections', { donor_id: did, source: 'cord-tissue', collected_on: today, mass_g: 20 }, 201);
  const b = await ok(lab, 'POST', '/batches', { product_type: 'uc-msc', collection_ids: [col.collection.id] }, 201);
  const bid = b.batch.id;
  const u = (await ok(lab, 'POST', `/batches/${bid}/units`, { product_code: 'S1234', cells, volume_ml: 10, viability: 93,
    expiry: day(365), storage: '<= -150 C' }, 201)).unit;
  if (quarantine) return u;
  // the ISCT panel: value true is "observed"
  for (const [test, value, un] of [['sterility'], ['mycoplasma'], ['endotoxin', 0.1, 'EU/mL'], ['viability', 92, '%'],
    ['plastic_adherence', true], ['cd73', 98, '%'], ['cd90', 99, '%'], ['cd105', 97, '%'], ['cd34', 0.5, '%'],
    ['cd45', 0.4, '%'], ['cd14', 0.6, '%'], ['cd19', 0.2, '%'], ['hla_dr', 0.3, '%'], ['diff_osteo', true],
    ['diff_adipo', true], ['diff_chondro', true]]) {
    await ok(lab, 'POST', `/batches/${bid}/qc`, value === undefined || value === true
      ? { test, tested_on: today, detected: value === true } : { test, tested_on: today, value, unit: un }, 201);
  }
  await ok(qa, 'POST', `/batches/${bid}/release`, { password }, 200);
  if (pid) {
    await ok(lab, 'POST', `/units/${u.id}/reserve`, { patient_id: pid, product_type: 'uc-msc', dose_cells: cells,
      plan_id: planId, plan_item: item }, 200);
    await ok(lab, 'POST', `/units/${u.id}/issue`, { ward }, 200);
  }
  return u;
}

// The users (username, role) with their logged-in API clients keyed by role,
// and the site's FIN and product code that released units need.
export async function clinicEnv(server, password, users) {
  const admin = await server.client();
  for (const [username, role] of users) await ok(admin, 'POST', '/users', { username, role, password }, 201);
  await ok(admin, 'PUT', '/lab/site', { fin: 'W1234' }, 200);
  await ok(admin, 'POST', '/lab/product-codes', { code: 'S1234', product_type: 'uc-msc', description: 'UC-MSC' }, 201);
  const env = { server };
  for (const [username, role] of users) env[role] = await server.client(username, password);
  return env;
}

// A normal pre-treatment work-up dated d (default three days old; coagulation included).
export function normalWorkUp(d = day(-3)) {
  const q = (value, unit, lo, hi) => ({ value, unit, date: d, ...(lo !== undefined ? { ref_low: lo, ref_high: hi } : {}) });
  const neg = { positive: false, date: d };
  return { hb: q(13.5, 'g/dL', 12, 16), wbc: q(6.1, '10^9/L'), plt: q(240, '10^9/L'), creatinine: q(0.9, 'mg/dL'),
    alt: q(22, 'U/L'), ast: q(25, 'U/L'), inr: q(1.0, '1'), aptt: q(30, 's', 25, 38), hiv: neg, hbv: neg, hcv: neg, syphilis: neg };
}

// A complete SCI work-up of patientId with results dated d, all within limits
// (POST /api/v1/screenings body).
export function sciScreening(patientId, d) {
  return {
    patient_id: patientId, protocol: 'sci', results: normalWorkUp(d),
    findings: { ecg: { state: 'normal', date: d } },
    history: { cancer_history: 'no', pregnancy: 'no', active_infection: 'no' },
  };
}
