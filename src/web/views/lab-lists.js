// Laboratory lists: start page (donors, batches), inventory with the
// expiry list, freezer map, and the lookback both ways (with CSV export).
import { h } from '../dom.js';
import { api, query } from '../api.js';
import { t, language, formatDate, formatDateTime, formatWhen } from '../i18n.js';
import { can, navigate } from '../app.js';
import { field, picker, syntheticBadge, pager } from '../ui.js';
import { dataTable, pageHead, labNav, replace, stateBadge, din, section } from './lab-ui.js';
import { terms, termName, AE_READ } from './adverse.js';

const STATES = ['quarantine', 'released', 'reserved', 'issued', 'administered', 'returned', 'expired', 'discarded'];

const PER_PAGE = 50;

// The page number a list reads from the address (its own parameter, so that
// two lists of one screen page separately).
function pageOf(ctx, name) { return Math.max(1, Number.parseInt(ctx.query.get(name), 10) || 1); }

// A list's pages and total under it; moving changes only its own parameter.
function listPager(ctx, path, name, data) {
  return pager({
    page: data.page, perPage: data.per_page, total: data.total, always: true, testid: `${name}-pager`,
    onPage: (n) => {
      const q = new URLSearchParams(ctx.query);
      q.set(`${name}_page`, String(n));
      navigate(`#${path}?${q}`);
    },
  });
}

const BATCH_STATUSES = ['in_process', 'released', 'rejected'];

// The batch list may be narrowed to one status (the dashboard's link to the
// batches in process): the list then has as many rows as the tile counts.
export async function renderLabHome(ctx) {
  const status = BATCH_STATUSES.includes(ctx.query.get('status')) ? ctx.query.get('status') : '';
  const [{ data: donors }, { data: batches }] = await Promise.all([
    api('GET', `/donors${query({ page: pageOf(ctx, 'donors_page'), per_page: PER_PAGE })}`),
    api('GET', `/batches${query({ status, page: pageOf(ctx, 'batches_page'), per_page: PER_PAGE })}`)]);
  if (!ctx.alive()) return;
  replace(ctx.main, labNav('home'),
    pageHead(t('lab.title'), can(['lab']) ? h('a', { href: '#/lab/donors/new', class: 'btn btn-primary', 'data-testid': 'new-donor' }, t('lab.donor.new')) : null),
    section(t('lab.donors'), dataTable('donors', [
      ['code', t('lab.donor.code'), (d) => [h('a', { href: `#/lab/donors/${d.id}`, 'data-testid': 'donor-link' }, d.code),
        d.synthetic ? [' ', syntheticBadge()] : null]],
      ['kind', t('lab.donor.kind'), (d) => t(`lab.kind.${d.kind}`)],
      ['eligibility', t('lab.donor.eligibility'), (d) => t(`lab.eligibility.${d.eligibility}`)],
      ['created_at', t('lab.created_at'), (d) => formatDateTime(d.created_at)]], donors.items), listPager(ctx, '/lab', 'donors', donors)),
    section(status ? t('lab.batches_with_status', { status: t(`lab.batch.status.${status}`) }) : t('lab.batches'),
      status ? h('p', { class: 'help' }, h('a', { href: '#/lab', 'data-testid': 'batches-all' }, t('lab.batches_all'))) : null,
      dataTable('batches', [
      ['code', t('lab.batch'), (b) => h('a', { href: `#/lab/batches/${b.id}`, 'data-testid': 'batch-link' }, b.code)],
      ['product_type', t('lab.product_type'), (b) => t(`lab.product.${b.product_type}`)],
      ['status', t('lab.batch.status'), (b) => t(`lab.batch.status.${b.status}`)],
      ['unit_count', t('lab.units')], ['created_at', t('lab.created_at'), (b) => formatDateTime(b.created_at)]], batches.items),
      listPager(ctx, '/lab', 'batches', batches)));
}

function unitTable(testid, items) {
  return dataTable(testid, [
    ['din', t('lab.din'), (u) => h('a', { href: `#/lab/units/${u.id}`, 'data-testid': 'unit-link' }, din(u))],
    ['product_type', t('lab.product_type'), (u) => t(`lab.product.${u.product_type}`)],
    ['batch_code', t('lab.batch')], ['expiry', t('lab.expiry'), (u) => formatWhen(u.expiry)], ['state', t('lab.state'), (u) => stateBadge(u.state)],
    ['location', t('lab.location'), (u) => (u.position ? `${u.freezer}/${u.rack}/${u.box}/${u.position}` : '')],
    ['owner_mrn', t('lab.unit.autologous'), (u) => (u.owner_patient_id ? u.owner_mrn || t('lab.unit.other_site_patient') : '')]], items);
}

export async function renderInventory(ctx) {
  const state = STATES.includes(ctx.query.get('state')) ? ctx.query.get('state') : '';
  const within = Number(ctx.query.get('expiring_within')) || 30;
  const [{ data: units }, { data: expiring }] = await Promise.all([
    api('GET', `/units${query({ state, page: pageOf(ctx, 'units_page'), per_page: PER_PAGE })}`),
    api('GET', `/units${query({ expiring_within: within, with_expired: 'true', page: pageOf(ctx, 'expiring_page'), per_page: PER_PAGE })}`)]);
  if (!ctx.alive()) return;
  const filter = h('form', { class: 'filters', 'data-testid': 'inventory-filter' },
    h('label', { for: 'inv-state' }, t('lab.state')),
    h('select', { id: 'inv-state', name: 'state', 'data-testid': 'inventory-state',
      on: { change: (e) => navigate(`#/lab/inventory${query({ state: e.target.value })}`) } },
    h('option', { value: '' }, t('lab.all')), STATES.map((s) => h('option', { value: s, selected: s === state }, t(`lab.state.${s}`)))));
  // a unit by its DIN, typed or scanned: its page opens
  const find = h('form', { class: 'filters', 'data-testid': 'unit-find', on: { submit: (e) => e.preventDefault() } },
    picker('unit-find', { name: 'unit', label: t('lab.inventory.find'), source: 'unit', help: t('lab.inventory.find_help'),
      onPick: (u) => { if (u) navigate(`#/lab/units/${u.id}`); } }));
  replace(ctx.main, labNav('inventory'), pageHead(t('lab.inventory.title')), find, filter,
    unitTable('units', units.items), listPager(ctx, '/lab/inventory', 'units', units),
    section(t('lab.inventory.expired_or_expiring', { days: within }), unitTable('expiring', expiring.items),
      listPager(ctx, '/lab/inventory', 'expiring', expiring)));
}

export async function renderStorage(ctx) {
  const freezer = ctx.query.get('freezer') || '';
  const { data } = await api('GET', `/storage${query({ freezer })}`);
  if (!ctx.alive()) return;
  // One block per freezer and box: which position holds what.
  const boxes = new Map();
  for (const p of data.positions) {
    const key = `${p.freezer} / ${p.rack} / ${p.box}`;
    if (!boxes.has(key)) boxes.set(key, []);
    boxes.get(key).push(p);
  }
  replace(ctx.main, labNav('storage'), pageHead(t('lab.storage.title')),
    boxes.size === 0 ? h('p', { class: 'empty', 'data-testid': 'storage-empty' }, t('lab.storage.empty')) : null,
    [...boxes].map(([key, ps]) => h('section', { class: 'lab-box', 'data-testid': 'storage-box' }, h('h2', {}, key),
      h('ul', { class: 'lab-positions' }, ps.map((p) => h('li', { class: `lab-pos lab-pos-${p.state}`, 'data-testid': 'storage-position' },
        h('span', { class: 'lab-pos-name' }, p.position), ' ',
        h('a', { href: `#/lab/units/${p.unit_id}` }, `${p.din}${p.din_check}`), ' ', stateBadge(p.state)))))));
}

const FROM = ['donor', 'collection', 'batch', 'unit', 'patient'];

// The record a lookback starts from, as its picker shows it (the patient's
// chart is not the laboratory's: its picker starts empty).
async function startRecord(from, id) {
  if (!id || from === 'patient') return null;
  const { data } = await api('GET', `/${from === 'batch' ? 'batches' : `${from}s`}/${id}`);
  return data[from] || null;
}

// Where to start: the kind of record, then the record itself by what is
// printed on it (donor code, batch number, DIN, MRN) or typed in part.
function lookbackForm(from, start) {
  const pick = (kind, item) => picker('lookback', { name: 'record', label: t(`lab.lookback.pick.${kind}`), source: kind, required: true,
    help: t(`lab.lookback.pick_help.${kind}`), value: item ? { item } : null,
    onPick: (x) => { if (x) navigate(`#/lab/lookback?${kind}=${x.id}`); } });
  const kindField = field('lookback', { name: 'from', label: t('lab.lookback.from'), type: 'select', required: true, value: from || 'donor',
    options: FROM.map((f) => [f, t(`lab.lookback.${f}`)]) });
  let current = pick(from || 'donor', start);
  const form = h('form', { id: 'lookback-form', class: 'card lab-form', 'data-testid': 'lookback-form' }, kindField, current);
  kindField.querySelector('select').addEventListener('change', (e) => {
    const next = pick(e.target.value, null);
    current.replaceWith(next);
    current = next;
    next.querySelector('input[type="text"]').focus();
  });
  form.addEventListener('submit', (e) => e.preventDefault());
  return form;
}

export async function renderLookback(ctx) {
  const from = FROM.find((f) => ctx.query.get(f));
  const id = from ? ctx.query.get(from) : '';
  const valid = from && /^\d+$/.test(id);
  const start = valid ? await startRecord(from, id) : null;
  if (!ctx.alive()) return;
  const nodes = [labNav('lookback'), pageHead(t('lab.lookback.title')), lookbackForm(from, start)];
  if (valid) {
    // a unit's lookback is its batch's, narrowed to that unit
    const path = from === 'patient' ? `/lookback/patients/${id}` : from === 'unit' ? `/lookback/batches/${start.batch_id}` : `/lookback/${from}s/${id}`;
    const [{ data }, list] = await Promise.all([api('GET', path), terms()]);
    if (!ctx.alive()) return;
    if (from === 'unit') {
      data.units = (data.units || []).filter((u) => u.id === Number(id));
      data.recipients = (data.recipients || []).filter((r) => r.unit_id === Number(id));
      const who = new Set(data.recipients.map((r) => r.patient_id));
      data.adverse_events = (data.adverse_events || []).filter((e) => who.has(e.patient_id));
    }
    if (from !== 'unit') nodes.push(h('p', {}, h('a', { href: `/api/v1${path}?format=csv&lang=${language()}`, 'data-testid': 'lookback-csv', download: `lookback-${from}-${id}.csv` }, t('lab.lookback.csv'))));
    nodes.push(...lookbackResults(from, data, list));
  }
  replace(ctx.main, ...nodes);
}

// What a recipient went through: how many adverse events, the highest grade,
// how many were serious, and how the last one ended.
function eventSummary(events) {
  if (!events.length) return t('lab.lookback.summary_none');
  const last = events[events.length - 1];
  return t('lab.lookback.summary_text', {
    n: events.length, grade: Math.max(...events.map((e) => e.grade)),
    serious: events.filter((e) => e.serious).length, outcome: t(`ae.outcome.${last.outcome}`),
  });
}

// The recipients' (or the patient's) adverse events: term in the reader's
// language, grade, seriousness, onset and resolution in local time, outcome.
function eventTable(events, list, patients) {
  const who = (e) => patients.get(e.patient_id);
  return dataTable('lookback-events', [
    patients.size ? ['patient', t('lab.lookback.patient'), (e) => (who(e) ? [h('span', { class: 'mrn' }, who(e).mrn), ' ', `${who(e).family_name}, ${who(e).given_names}`] : '')] : null,
    ['term', t('ae.term'), (e) => (can(AE_READ) ? h('a', { href: `#/adverse-events/${e.id}`, 'data-testid': 'lookback-event-term' }, termName(list, e.term_code, e.term_text))
      : h('span', { 'data-testid': 'lookback-event-term' }, termName(list, e.term_code, e.term_text)))],
    ['grade', t('ae.grade'), (e) => h('span', { 'data-testid': 'lookback-event-grade' }, t('ae.grade_n', { n: e.grade }))],
    ['serious', t('ae.serious'), (e) => h('span', { 'data-testid': 'lookback-event-serious', class: e.serious ? 'badge bs-badge bs-overdue' : '' },
      e.serious ? t('lab.lookback.serious_yes') : t('lab.lookback.serious_no'))],
    ['onset_at', t('ae.onset'), (e) => formatDateTime(e.onset_at)],
    ['resolved_at', t('ae.resolved'), (e) => (e.resolved_at ? formatDateTime(e.resolved_at) : t('lab.lookback.not_resolved'))],
    ['outcome', t('ae.outcome'), (e) => h('span', { 'data-testid': 'lookback-event-outcome' }, t(`ae.outcome.${e.outcome}`))],
  ].filter(Boolean), events, t('lab.lookback.no_events'));
}

function lookbackResults(from, data, list) {
  const events = data.adverse_events || [];
  if (from === 'patient') {
    return [section(t('lab.lookback.exposures'), dataTable('exposures', [
      ['din', 'DIN', (r) => h('a', { href: `#/lab/units/${r.unit_id}` }, `${r.din}${r.din_check}`)],
      ['product_type', t('lab.product_type'), (r) => t(`lab.product.${r.product_type}`)],
      ['administered_on', t('lab.lookback.given_on'), (r) => formatDate(r.administered_on)], ['batch_code', t('lab.batch')],
      ['donor_code', t('lab.donor'), (r) => h('a', { href: `#/lab/donors/${r.donor_id}` }, r.donor_code)],
      ['donor_kind', t('lab.donor.kind'), (r) => t(`lab.kind.${r.donor_kind}`)]], data.exposures)),
    (data.issued_not_administered || []).length ? section(t('lab.lookback.issued_not_given'), unitTable('lookback-issued', data.issued_not_administered.map((u) => ({ ...u, id: u.unit_id })))) : null,
    section(t('lab.lookback.patient_events'),
      h('p', { 'data-testid': 'lookback-summary' }, eventSummary(events)), eventTable(events, list, new Map()))].filter(Boolean);
  }
  const patients = new Map();
  for (const r of data.recipients) if (!patients.has(r.patient_id)) patients.set(r.patient_id, r);
  const byPatient = (pid) => events.filter((e) => e.patient_id === pid);
  return [section(t('lab.units'), unitTable('lookback-units', data.units)),
    section(t('lab.lookback.recipients'), dataTable('recipients', [
      ['mrn', 'MRN', (r) => h('a', { href: `#/patients/${r.patient_id}` }, r.mrn)],
      ['name', t('lab.lookback.patient'), (r) => `${r.family_name}, ${r.given_names}`],
      ['din', 'DIN', (r) => `${r.din}${r.din_check}`], ['administered_on', t('lab.lookback.given_on'), (r) => formatDate(r.administered_on)],
      ['batch_code', t('lab.batch')],
      ['summary', t('lab.lookback.summary'), (r) => h('span', { 'data-testid': 'recipient-summary' }, eventSummary(byPatient(r.patient_id)))]], data.recipients)),
    section(t('lab.lookback.events'), eventTable(events, list, patients))];
}

// The units shipped to the site the user works in and not received yet:
// where each comes from, and the way to its page, where it is received.
export async function renderArrivals(ctx) {
  const { data } = await api('GET', `/units${query({ arriving: 'true', page: pageOf(ctx, 'arrivals_page'), per_page: PER_PAGE })}`);
  if (!ctx.alive()) return;
  replace(ctx.main, labNav('arrivals'), pageHead(t('shipping.arrivals.title')),
    h('p', { class: 'help' }, t('shipping.arrivals.help')),
    dataTable('arrivals', [
      ['din', t('lab.din'), (u) => h('a', { href: `#/lab/units/${u.id}`, 'data-testid': 'unit-link' }, din(u))],
      ['product_type', t('lab.product_type'), (u) => t(`lab.product.${u.product_type}`)],
      ['site_name', t('shipping.from_site'), (u) => u.site_name || u.site_code],
      ['expiry', t('lab.expiry'), (u) => formatWhen(u.expiry)],
      ['receive', t('users.actions'), (u) => (can(['lab', 'physician', 'nurse'])
        ? h('a', { href: `#/lab/units/${u.id}`, class: 'btn', 'data-testid': 'arrival-receive' }, t('shipping.receive')) : '')]],
    data.items, t('shipping.arrivals.none')),
    listPager(ctx, '/lab/arrivals', 'arrivals', data));
}
