// Unit page: identity and contents, label preview (PNG) and PDF, its
// freezing and thaw records (H14), custody history, and the moves the
// user's role allows.
import { h } from '../dom.js';
import { api } from '../api.js';
import { t, formatDateTime, formatNumber, formatWhen } from '../i18n.js';
import { can } from '../app.js';
import { dataTable, facts, actionForm, section, pageHead, labNav, replace, stateBadge, din, productOptions } from './lab-ui.js';
import { instant, localNow } from './bedside.js';

const tenths = (n) => formatNumber(n / 10);

// The freezing and thaw records, and the form that comes next for this role.
function cryoSection(id, u, data) {
  const frozen = (data.freezing || [])[0];
  const thawed = (data.thaw || [])[0];
  const over = ['administered', 'discarded', 'expired'].includes(u.state);
  const parts = [];
  if (!frozen) parts.push(h('p', { class: 'empty', 'data-testid': 'cryo-none' }, t('lab.cryo.not_frozen')));
  else {
    parts.push(h('h3', {}, t('lab.cryo.freezing')), facts('freezing-facts', [
      ['cryoprotectant', t('lab.cryo.cryoprotectant'), `${frozen.cryoprotectant} ${tenths(frozen.cryoprotectant_tenths)} %`],
      ['rate', t('lab.cryo.rate'), tenths(frozen.rate_tenths)],
      ['frozen-at', t('lab.cryo.frozen_at'), formatDateTime(frozen.frozen_at)],
      ['frozen-by', t('lab.cryo.operator'), frozen.operator]]));
    parts.push(h('h3', {}, t('lab.cryo.thawing')));
    if (!thawed) parts.push(h('p', { class: 'empty', 'data-testid': 'thaw-none' }, t('lab.cryo.not_thawed')));
    else {
      parts.push(facts('thaw-facts', [
        ['thawed-at', t('lab.cryo.thawed_at'), formatDateTime(thawed.thawed_at)],
        ['viable-cells', t('lab.cryo.viable_cells'), String(thawed.viable_cells)],
        ['post-thaw-viability', t('lab.cryo.viability'), `${tenths(thawed.viability_tenths)} %`],
        thawed.min_viability_tenths === null ? null
          : ['min-viability', t('lab.cryo.min_viability'), `${tenths(thawed.min_viability_tenths)} %`],
        ['expires-at', t('lab.cryo.expires_at'), h('strong', {}, formatDateTime(thawed.expires_at))],
        ['thawed-by', t('lab.cryo.operator'), thawed.operator]]));
    }
  }
  const nodes = [section(t('lab.cryo.title'), ...parts)];
  if (!frozen && !over && can(['lab'])) {
    nodes.push(actionForm({ id: 'freeze-form', title: t('lab.cryo.freeze'), path: `/units/${id}/freezing`,
      build: (b) => ({ ...b, frozen_at: instant(b.frozen_at) }),
      fields: [
        { name: 'cryoprotectant', label: t('lab.cryo.cryoprotectant'), required: true, value: 'DMSO' },
        { name: 'cryoprotectant_percent', label: t('lab.cryo.concentration'), kind: 'number', required: true, inputmode: 'decimal' },
        { name: 'rate_c_per_min', label: t('lab.cryo.rate'), kind: 'number', required: true, inputmode: 'decimal' },
        { name: 'frozen_at', label: t('lab.cryo.frozen_at'), type: 'datetime-local', required: true, value: localNow() }] }));
  }
  if (frozen && !thawed && !over && can(['lab', 'nurse'])) {
    nodes.push(actionForm({ id: 'thaw-form', title: t('lab.cryo.thaw'), path: `/units/${id}/thaw`,
      build: (b) => ({ ...b, thawed_at: instant(b.thawed_at) }),
      fields: [
        { name: 'thawed_at', label: t('lab.cryo.thawed_at'), type: 'datetime-local', required: true, value: localNow() },
        { name: 'viable_cells', label: t('lab.cryo.viable_cells'), kind: 'int', required: true, inputmode: 'numeric' },
        { name: 'viability_percent', label: t('lab.cryo.viability'), kind: 'number', required: true, inputmode: 'decimal' }] }));
  }
  return nodes;
}

export async function renderUnit(ctx, id) {
  const { data } = await api('GET', `/units/${id}`);
  if (!ctx.alive()) return;
  const u = data.unit;
  const loc = u.position ? `${u.freezer} / ${u.rack} / ${u.box} / ${u.position}` : '—';
  const nodes = [labNav('inventory'), pageHead(t('lab.unit.title', { din: din(u) }), stateBadge(u.state)),
    facts('unit-facts', [
      ['din', t('lab.din'), h('span', { 'data-testid': 'unit-din' }, din(u))],
      ['product', t('lab.product_type'), `${t(`lab.product.${u.product_type}`)} · ${u.product_code} · ${t('lab.division')} ${u.division}`],
      ['batch', t('lab.batch'), h('a', { href: `#/lab/batches/${u.batch_id}` }, u.batch_code)],
      ['cells', t('lab.cells'), String(u.cells)], ['volume', t('lab.volume_ml'), String(u.volume_ml)],
      ['viability', t('lab.viability'), u.viability === null ? '—' : `${u.viability} %`],
      ['expiry', t('lab.expiry'), formatWhen(u.expiry)], ['storage', t('lab.storage_conditions'), u.storage || '—'],
      ['location', t('lab.location'), loc],
      u.owner_mrn ? ['owner', t('lab.unit.autologous'), h('strong', {}, u.owner_mrn)] : null,
      u.reserved_mrn ? ['reserved', t('lab.unit.reserved_for'), `${u.reserved_mrn} ${u.reserved_for}`] : null,
      u.issued_mrn ? ['issued', t('lab.unit.issued_to'), `${u.issued_mrn} · ${u.issued_ward}`] : null,
    ]),
    section(t('lab.label.title'),
      h('img', { src: `/api/v1/units/${id}/label.png?v=${u.version}`, alt: t('lab.label.alt', { din: din(u) }), class: 'lab-label',
        width: '300', height: '450', 'data-testid': 'label-preview' }),
      h('p', {}, h('a', { href: `/api/v1/units/${id}/label.pdf`, 'data-testid': 'label-pdf', download: `label-${din(u)}.pdf` }, t('lab.label.pdf')))),
  ];
  nodes.push(...cryoSection(id, u, data));
  const inLab = ['quarantine', 'released', 'reserved', 'returned', 'expired'].includes(u.state);
  if (can(['lab'])) {
    if (inLab) {
      nodes.push(actionForm({ id: 'move-form', title: t('lab.unit.move'), path: `/units/${id}/move`, fields: [
        { name: 'freezer', label: t('lab.freezer'), required: true, value: u.freezer },
        { name: 'rack', label: t('lab.rack'), required: true, value: u.rack },
        { name: 'box', label: t('lab.box'), required: true, value: u.box },
        { name: 'position', label: t('lab.position'), required: true, value: u.position },
        { name: 'note', label: t('lab.notes') }] }));
    }
    if (u.state === 'released') {
      nodes.push(actionForm({ id: 'reserve-form', title: t('lab.unit.reserve'), path: `/units/${id}/reserve`, fields: [
        { name: 'patient_id', label: t('lab.donor.patient_id'), kind: 'int', required: true },
        { name: 'product_type', label: t('lab.product_type'), type: 'select', required: true, options: productOptions() },
        { name: 'dose_cells', label: t('lab.unit.dose_cells'), kind: 'int' },
        { name: 'reserved_for', label: t('lab.unit.plan_ref') }] }));
    }
    if (u.state === 'reserved') {
      nodes.push(actionForm({ id: 'unreserve-form', title: t('lab.unit.unreserve'), path: `/units/${id}/unreserve`,
        fields: [{ name: 'reason', label: t('lab.reason') }] }));
    }
    if (u.state === 'released' || u.state === 'reserved') {
      nodes.push(actionForm({ id: 'issue-form', title: t('lab.unit.issue'), path: `/units/${id}/issue`, fields: [
        { name: 'ward', label: t('lab.unit.ward'), required: true },
        { name: 'patient_id', label: t('lab.donor.patient_id'), kind: 'int', value: u.reserved_patient_id ?? '' }] }));
    }
    nodes.push(actionForm({ id: 'custody-form', title: t('lab.unit.custody_event'), path: `/units/${id}/custody`, fields: [
      { name: 'event', label: t('lab.unit.event'), type: 'select', required: true,
        options: ['thaw', 'transfer', 'inspect'].map((x) => [x, t(`lab.custody.${x}`)]) },
      { name: 'note', label: t('lab.notes'), required: true }] }));
  }
  if (can(['lab', 'nurse']) && u.state === 'issued') {
    nodes.push(actionForm({ id: 'return-form', title: t('lab.unit.return'), path: `/units/${id}/return`,
      fields: [{ name: 'reason', label: t('lab.reason'), required: true }] }));
  }
  if (can(['lab', 'qa']) && !['administered', 'discarded'].includes(u.state)) {
    if (u.state !== 'quarantine' && u.state !== 'issued' && u.state !== 'expired') {
      nodes.push(actionForm({ id: 'hold-form', title: t('lab.unit.hold'), path: `/units/${id}/hold`,
        fields: [{ name: 'reason', label: t('lab.reason'), required: true }] }));
    }
    nodes.push(actionForm({ id: 'discard-form', title: t('lab.unit.discard'), path: `/units/${id}/discard`, danger: true,
      fields: [{ name: 'reason', label: t('lab.reason'), required: true }] }));
  }
  if (can(['qa']) && (u.state === 'quarantine' || u.state === 'returned')) {
    const ev = u.state === 'quarantine' ? 'release' : 'restock';
    nodes.push(actionForm({ id: `${ev}-form`, title: t(`lab.unit.${ev}`), path: `/units/${id}/${ev}`, fields: [
      { name: 'reason', label: t('lab.reason'), required: ev === 'restock' },
      { name: 'password', label: t('lab.signature.password'), type: 'password', required: true }] }));
  }
  nodes.push(section(t('lab.unit.custody'), dataTable('custody', [
    ['at', t('lab.at'), (r) => formatDateTime(r.at)], ['username', t('lab.recorded_by')],
    ['event', t('lab.unit.event'), (r) => t(`lab.custody.${r.event}`)],
    ['from_state', t('lab.from'), (r) => [r.from_state && t(`lab.state.${r.from_state}`), r.from_location].filter(Boolean).join(' · ')],
    ['to_state', t('lab.to'), (r) => [r.to_state && t(`lab.state.${r.to_state}`), r.to_location].filter(Boolean).join(' · ')], ['note', t('lab.notes')]],
  data.custody)));
  replace(ctx.main, ...nodes);
}
