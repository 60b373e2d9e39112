// Unit page: identity and contents, label preview (PNG) and PDF, its
// freezing and thaw records (H14), custody history, and the moves the
// user's role allows.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { t, formatDateTime, formatNumber, formatDate, formatWhen } from '../i18n.js';
import { can, navigate } from '../app.js';
import { field } from '../ui.js';
import { dataTable, facts, actionForm, section, pageHead, labNav, replace, stateBadge, din } from './lab-ui.js';
import { instant, localNow, amountText } from './bedside.js';
import { session } from '../state.js';

// A planned administration as the lab chooses it: date, route, product, dose.
export function plannedText(p) {
  return [formatDate(p.date), t(`prog.route.${p.route}`), t(`lab.product.${p.product_type}`),
    amountText(p.amount, p.dose_unit)].join(' · ');
}

// The patient's planned administrations not given yet ([] for a role that
// may not read them).
async function plannedFor(patientId) {
  if (!patientId || !can(['lab', 'admin', 'coordinator', 'physician', 'nurse'])) return [];
  const { data } = await api('GET', `/planned-administrations?patient_id=${patientId}`);
  return data.items || [];
}

// Reservation: the patient (picker), then one of their planned
// administrations; the unit is reserved for that one (what the bedside
// check compares), with its product.
function reserveForm(id) {
  let plans = [];
  const plannedField = field('reserve-form', { name: 'planned', label: t('lab.unit.planned'), type: 'select', required: true,
    options: [['', t('lab.unit.planned_first')]], help: t('lab.unit.planned_help') });
  const select = plannedField.querySelector('select');
  const fill = async (patient) => {
    plans = patient ? await plannedFor(patient.id) : [];
    clear(select);
    select.append(h('option', { value: '' }, !patient ? t('lab.unit.planned_first') : plans.length ? t('form.choose') : t('lab.unit.planned_none')),
      ...plans.map((p, k) => h('option', { value: String(k) }, plannedText(p))));
  };
  return actionForm({ id: 'reserve-form', title: t('lab.unit.reserve'), path: `/units/${id}/reserve`,
    fields: [
      { name: 'patient_id', label: t('lab.unit.patient'), source: 'patient', kind: 'int', required: true,
        help: t('picker.help.patient'), onPick: fill },
      { name: 'planned', node: plannedField }],
    build: (b) => {
      const p = plans[Number(b.planned)];
      return p ? { patient_id: b.patient_id, plan_id: p.plan_id, plan_item: p.item, product_type: p.product_type }
        : { patient_id: b.patient_id };
    },
    validate: (b) => (!b.patient_id ? ['patient_id', t('picker.required')]
      : !b.plan_id ? ['planned', t('lab.unit.planned_required')] : null) });
}

const tenths = (n) => formatNumber(n / 10);

// The notes the server writes itself on custody events (core/lab_rules.c,
// store/lab_units.c, store/lab_cryo.c, app/laboratory.c) are English
// sentences with codes: shown in the reader's language, dates local, no
// internal number. Any other note is a person's and is shown as typed.
const ARRIVAL_OUT_OF_RANGE = /^temperature on arrival (-?\d+\.\d) C outside the range (-?\d+\.\d) to (-?\d+\.\d) C$/;
const SYSTEM_NOTES = [
  [/^unit made$/, () => t('lab.custody_note.made')],
  [/^expiry date passed$/, () => t('lab.custody_note.expired')],
  [/^batch released by QA$/, () => t('lab.custody_note.batch_released')],
  [/^reservation released$/, () => t('lab.custody_note.unreserved')],
  [/^reserved for MRN (\S+?)(?:, planned administration (\d+))?$/, (m) => (m[2]
    ? t('lab.custody_note.reserved_item', { mrn: m[1], n: m[2] }) : t('lab.custody_note.reserved', { mrn: m[1] }))],
  [/^issued to (.*) for MRN (\S+)$/, (m) => t('lab.custody_note.issued', { ward: m[1], mrn: m[2] })],
  [/^administered to patient \d+ on (\d{4}-\d\d-\d\d)$/, (m) => t('lab.custody_note.administered', { date: formatDate(m[1]) })],
  [/^thawed at (\S+), (\d+) viable cells, viability (\d+\.\d) %$/, (m) => t('lab.custody_note.thawed',
    { at: formatDateTime(m[1]), cells: m[2], viability: formatNumber(Number(m[3])) })],
  // store/lab_units.c lab_unit_receive: the temperature on arrival and the receiver's note
  [/^arrived at (-?\d+\.\d) C \(range (-?\d+\.\d) to (-?\d+\.\d) C\)(?:: ([\s\S]*))?$/, (m) => {
    const text = t('lab.custody_note.arrived', { temperature: formatNumber(Number(m[1])), low: formatNumber(Number(m[2])),
      high: formatNumber(Number(m[3])) });
    return m[4] ? t('lab.custody_note.with_note', { text, note: m[4] }) : text;
  }],
  [ARRIVAL_OUT_OF_RANGE, (m) => t('lab.custody_note.arrival_out_of_range', { temperature: formatNumber(Number(m[1])),
    low: formatNumber(Number(m[2])), high: formatNumber(Number(m[3])) })],
];
function custodyNote(note) {
  for (const [re, text] of SYSTEM_NOTES) {
    const m = re.exec(note || '');
    if (m) return text(m);
  }
  return note;
}

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

// Shipping to another site of the group: the destination chosen by its
// name, a courier note, and a confirmation naming the unit and the site.
function shipForm(id, u, sites) {
  const here = session.site ? session.site.code : u.site_code;
  const others = sites.filter((s) => s.code !== here);
  const name = (code) => { const s = others.find((x) => x.code === code); return s ? s.name || s.code : ''; };
  return actionForm({ id: 'ship-form', title: t('shipping.ship'), path: `/units/${id}/ship`, submit: t('shipping.ship_submit'),
    fields: [
      { name: 'to_site', label: t('shipping.to_site'), type: 'select', required: true,
        options: [['', t('form.choose')], ...others.map((s) => [s.code, s.name || s.code])] },
      { name: 'note', label: t('shipping.note'), help: t('shipping.note_help') }],
    validate: (b) => (!b.to_site ? ['to_site', t('shipping.to_site_required')] : null),
    confirm: (b) => ({ title: t('shipping.confirm', { din: din(u), site: name(b.to_site) }), text: t('shipping.confirm_text'),
      ok: t('shipping.ship_submit') }),
    message: t('shipping.shipped') });
}

// Receiving at the destination: the temperature on arrival (a decimal comma
// in French) and a note. Out of its range the server puts the unit in
// quarantine; the page says so.
function receiveForm(id) {
  return actionForm({ id: 'receive-form', title: t('shipping.receive'), path: `/units/${id}/receive`, submit: t('shipping.receive_submit'),
    fields: [
      { name: 'temperature_c', label: t('shipping.temperature'), kind: 'number', required: true, inputmode: 'decimal',
        help: t('shipping.temperature_help') },
      { name: 'note', label: t('lab.notes') }],
    validate: (b) => (b.temperature_c === undefined ? ['temperature_c', t('error.required')]
      : !Number.isFinite(b.temperature_c) ? ['temperature_c', t('shipping.temperature_invalid')] : null),
    onDone: (data) => navigate(location.hash, data.quarantined
      ? { text: t('shipping.received_quarantine'), kind: 'error' } : t('shipping.received')) });
}

// Why a unit is in quarantine when its temperature on arrival put it there.
function arrivalQuarantine(u, custody) {
  if (u.state !== 'quarantine') return null;
  const last = (custody || []).filter((c) => c.event === 'hold').pop();
  const m = last && ARRIVAL_OUT_OF_RANGE.exec(last.note || '');
  if (!m) return null;
  return h('p', { class: 'alert alert-error', role: 'alert', 'data-testid': 'unit-quarantine-reason' },
    t('shipping.quarantined_because', { reason: custodyNote(last.note) }));
}

export async function renderUnit(ctx, id) {
  const { data } = await api('GET', `/units/${id}`);
  if (!ctx.alive()) return;
  const u = data.unit;
  // the planned administration the unit is reserved for ("plan:P:N")
  const ref = /^plan:(\d+):(\d+)$/.exec(u.reserved_for || '');
  // another site's patient is not named (docs/api.md, Sites): nor is their plan read
  const reservedItem = ref && u.state === 'reserved' && u.reserved_mrn
    ? (await plannedFor(u.reserved_patient_id)).find((p) => p.plan_id === Number(ref[1]) && p.item === Number(ref[2])) : null;
  const inTransit = Boolean(u.shipped_to_code);
  const here = session.site ? session.site.code : '';
  const mayShip = can(['lab']) && !inTransit && u.site_code === here && ['released', 'reserved'].includes(u.state);
  const sites = mayShip ? ((await api('GET', '/sites?scope=all')).data.items || []) : [];
  if (!ctx.alive()) return;
  const reservedPatient = u.reserved_patient_id && u.reserved_mrn
    ? { id: u.reserved_patient_id, mrn: u.reserved_mrn, family_name: u.reserved_family_name, given_names: u.reserved_given_names } : null;
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
      ['site', t('shipping.site'), u.site_name || u.site_code],
      inTransit ? ['in-transit', t('shipping.in_transit'), h('strong', { 'data-testid': 'unit-in-transit' },
        t('shipping.in_transit_to', { site: u.shipped_to_name || u.shipped_to_code }))] : null,
      u.owner_patient_id ? ['owner', t('lab.unit.autologous'), h('strong', {}, u.owner_mrn || t('lab.unit.other_site_patient'))] : null,
      u.reserved_patient_id ? ['reserved', t('lab.unit.reserved_for'),
        h('span', {}, h('strong', { 'data-testid': 'reserved-patient' }, u.reserved_mrn
          ? `${u.reserved_mrn} · ${u.reserved_family_name} ${u.reserved_given_names}` : t('lab.unit.other_site_patient')),
          reservedItem ? h('span', { 'data-testid': 'reserved-planned' }, ` — ${plannedText(reservedItem)}`) : null)] : null,
      u.issued_patient_id ? ['issued', t('lab.unit.issued_to'), `${u.issued_mrn || t('lab.unit.other_site_patient')} · ${u.issued_ward}`] : null,
    ]),
    h('p', {}, h('a', { href: `#/lab/lookback?batch=${u.batch_id}`, 'data-testid': 'unit-lookback' }, t('lab.lookback.from_unit'))),
    section(t('lab.label.title'),
      h('img', { src: `/api/v1/units/${id}/label.png?v=${u.version}`, alt: t('lab.label.alt', { din: din(u) }), class: 'lab-label',
        width: '300', height: '450', 'data-testid': 'label-preview' }),
      h('p', {}, h('a', { href: `/api/v1/units/${id}/label.pdf`, 'data-testid': 'label-pdf', download: `label-${din(u)}.pdf` }, t('lab.label.pdf')))),
  ];
  const why = arrivalQuarantine(u, data.custody);
  if (why) nodes.splice(2, 0, why);
  nodes.push(...cryoSection(id, u, data));
  if (inTransit && u.shipped_to_code === here && can(['lab', 'physician', 'nurse'])) nodes.push(receiveForm(id));
  if (mayShip) nodes.push(shipForm(id, u, sites));
  const inLab = ['quarantine', 'released', 'reserved', 'returned', 'expired'].includes(u.state);
  // a unit on its way is only received: nothing else is done to it meanwhile
  if (can(['lab']) && !inTransit) {
    if (inLab) {
      nodes.push(actionForm({ id: 'move-form', title: t('lab.unit.move'), path: `/units/${id}/move`, fields: [
        { name: 'freezer', label: t('lab.freezer'), required: true, value: u.freezer },
        { name: 'rack', label: t('lab.rack'), required: true, value: u.rack },
        { name: 'box', label: t('lab.box'), required: true, value: u.box },
        { name: 'position', label: t('lab.position'), required: true, value: u.position },
        { name: 'note', label: t('lab.notes') }] }));
    }
    if (u.state === 'released') {
      nodes.push(reserveForm(id));
    }
    if (u.state === 'reserved') {
      nodes.push(actionForm({ id: 'unreserve-form', title: t('lab.unit.unreserve'), path: `/units/${id}/unreserve`,
        fields: [{ name: 'reason', label: t('lab.reason') }] }));
    }
    if (u.state === 'released' || u.state === 'reserved') {
      nodes.push(actionForm({ id: 'issue-form', title: t('lab.unit.issue'), path: `/units/${id}/issue`, fields: [
        { name: 'ward', label: t('lab.unit.ward'), required: true },
        { name: 'patient_id', label: t('lab.unit.patient'), source: 'patient', kind: 'int', help: t('picker.help.patient'),
          value: reservedPatient ? { item: reservedPatient } : null }] }));
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
  if (can(['lab', 'qa']) && !inTransit && !['administered', 'discarded'].includes(u.state)) {
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
      { name: 'password', signature: t(`sig.meaning.unit_${ev}`) }] }));
  }
  nodes.push(section(t('lab.unit.custody'), dataTable('custody', [
    ['at', t('lab.at'), (r) => formatDateTime(r.at)], ['username', t('lab.recorded_by')],
    ['event', t('lab.unit.event'), (r) => t(`lab.custody.${r.event}`)],
    ['from_state', t('lab.from'), (r) => [r.from_state && t(`lab.state.${r.from_state}`), r.from_location, r.from_site].filter(Boolean).join(' · ')],
    ['to_state', t('lab.to'), (r) => [r.to_state && t(`lab.state.${r.to_state}`), r.to_location, r.to_site].filter(Boolean).join(' · ')],
    ['note', t('lab.notes'), (r) => custodyNote(r.note)]],
  data.custody)));
  replace(ctx.main, ...nodes);
}
