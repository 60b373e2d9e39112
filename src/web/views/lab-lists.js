// Laboratory lists: start page (donors, batches), inventory with the
// expiry list, freezer map, and the lookback both ways (with CSV export).
import { h } from '../dom.js';
import { api, query } from '../api.js';
import { t, formatDateTime, formatWhen } from '../i18n.js';
import { can, navigate } from '../app.js';
import { field, syntheticBadge } from '../ui.js';
import { dataTable, pageHead, labNav, replace, stateBadge, din, section } from './lab-ui.js';

const STATES = ['quarantine', 'released', 'reserved', 'issued', 'administered', 'returned', 'expired', 'discarded'];

export async function renderLabHome(ctx) {
  const [{ data: donors }, { data: batches }] = await Promise.all([
    api('GET', '/donors?per_page=50'), api('GET', '/batches?per_page=50')]);
  if (!ctx.alive()) return;
  replace(ctx.main, labNav('home'),
    pageHead(t('lab.title'), can(['lab']) ? h('a', { href: '#/lab/donors/new', class: 'btn btn-primary', 'data-testid': 'new-donor' }, t('lab.donor.new')) : null),
    section(t('lab.donors'), dataTable('donors', [
      ['code', t('lab.donor.code'), (d) => [h('a', { href: `#/lab/donors/${d.id}`, 'data-testid': 'donor-link' }, d.code),
        d.synthetic ? [' ', syntheticBadge()] : null]],
      ['kind', t('lab.donor.kind'), (d) => t(`lab.kind.${d.kind}`)],
      ['eligibility', t('lab.donor.eligibility'), (d) => t(`lab.eligibility.${d.eligibility}`)],
      ['created_at', t('lab.created_at'), (d) => formatDateTime(d.created_at)]], donors.items)),
    section(t('lab.batches'), dataTable('batches', [
      ['code', t('lab.batch'), (b) => h('a', { href: `#/lab/batches/${b.id}`, 'data-testid': 'batch-link' }, b.code)],
      ['product_type', t('lab.product_type'), (b) => t(`lab.product.${b.product_type}`)],
      ['status', t('lab.batch.status'), (b) => t(`lab.batch.status.${b.status}`)],
      ['unit_count', t('lab.units')], ['created_at', t('lab.created_at'), (b) => formatDateTime(b.created_at)]], batches.items)));
}

function unitTable(testid, items) {
  return dataTable(testid, [
    ['din', t('lab.din'), (u) => h('a', { href: `#/lab/units/${u.id}`, 'data-testid': 'unit-link' }, din(u))],
    ['product_type', t('lab.product_type'), (u) => t(`lab.product.${u.product_type}`)],
    ['batch_code', t('lab.batch')], ['expiry', t('lab.expiry'), (u) => formatWhen(u.expiry)], ['state', t('lab.state'), (u) => stateBadge(u.state)],
    ['location', t('lab.location'), (u) => (u.position ? `${u.freezer}/${u.rack}/${u.box}/${u.position}` : '')],
    ['owner_mrn', t('lab.unit.autologous')]], items);
}

export async function renderInventory(ctx) {
  const state = STATES.includes(ctx.query.get('state')) ? ctx.query.get('state') : '';
  const within = Number(ctx.query.get('expiring_within')) || 30;
  const [{ data: units }, { data: expiring }] = await Promise.all([
    api('GET', `/units${query({ state, per_page: 200 })}`),
    api('GET', `/units${query({ expiring_within: within, per_page: 200 })}`)]);
  if (!ctx.alive()) return;
  const filter = h('form', { class: 'filters', 'data-testid': 'inventory-filter' },
    h('label', { for: 'inv-state' }, t('lab.state')),
    h('select', { id: 'inv-state', name: 'state', 'data-testid': 'inventory-state',
      on: { change: (e) => navigate(`#/lab/inventory${query({ state: e.target.value })}`) } },
    h('option', { value: '' }, t('lab.all')), STATES.map((s) => h('option', { value: s, selected: s === state }, t(`lab.state.${s}`)))));
  replace(ctx.main, labNav('inventory'), pageHead(t('lab.inventory.title')), filter,
    unitTable('units', units.items),
    section(t('lab.inventory.expiring', { days: within }), unitTable('expiring', expiring.items)));
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

const FROM = ['donor', 'collection', 'batch', 'patient'];

export async function renderLookback(ctx) {
  const from = FROM.find((f) => ctx.query.get(f));
  const id = from ? ctx.query.get(from) : '';
  const form = h('form', { id: 'lookback-form', class: 'card lab-form', 'data-testid': 'lookback-form' },
    field('lookback', { name: 'from', label: t('lab.lookback.from'), type: 'select', required: true, value: from || 'donor',
      options: FROM.map((f) => [f, t(`lab.lookback.${f}`)]) }),
    field('lookback', { name: 'id', label: t('lab.lookback.id'), required: true, value: id, inputmode: 'numeric' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'lookback-submit' }, t('action.search'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(`#/lab/lookback?${form.elements.namedItem('from').value}=${encodeURIComponent(form.elements.namedItem('id').value.trim())}`);
  });
  const nodes = [labNav('lookback'), pageHead(t('lab.lookback.title')), form];
  if (from && /^\d+$/.test(id)) {
    const path = from === 'patient' ? `/lookback/patients/${id}` : `/lookback/${from}s/${id}`;
    const { data } = await api('GET', path);
    if (!ctx.alive()) return;
    nodes.push(h('p', {}, h('a', { href: `/api/v1${path}?format=csv`, 'data-testid': 'lookback-csv', download: `lookback-${from}-${id}.csv` }, t('lab.lookback.csv'))));
    if (from === 'patient') {
      nodes.push(section(t('lab.lookback.exposures'), dataTable('exposures', [
        ['din', 'DIN', (r) => h('a', { href: `#/lab/units/${r.unit_id}` }, `${r.din}${r.din_check}`)],
        ['product_type', t('lab.product_type'), (r) => t(`lab.product.${r.product_type}`)],
        ['administered_on', t('lab.lookback.given_on')], ['batch_code', t('lab.batch')],
        ['donor_code', t('lab.donor'), (r) => h('a', { href: `#/lab/donors/${r.donor_id}` }, r.donor_code)],
        ['donor_kind', t('lab.donor.kind'), (r) => t(`lab.kind.${r.donor_kind}`)]], data.exposures)));
    } else {
      nodes.push(section(t('lab.units'), unitTable('lookback-units', data.units)),
        section(t('lab.lookback.recipients'), dataTable('recipients', [
          ['mrn', 'MRN', (r) => h('a', { href: `#/patients/${r.patient_id}` }, r.mrn)],
          ['name', t('lab.lookback.patient'), (r) => `${r.family_name}, ${r.given_names}`],
          ['din', 'DIN', (r) => `${r.din}${r.din_check}`], ['administered_on', t('lab.lookback.given_on')],
          ['batch_code', t('lab.batch')]], data.recipients)),
        h('p', { class: 'help' }, t('lab.lookback.ae_note')));
    }
  }
  replace(ctx.main, ...nodes);
}
