// Batch page: collections, manufacturing steps, deviations, the QC sheet
// against its specification, release readiness with QA's signed release or
// rejection, and the units made from it.
import { h } from '../dom.js';
import { api } from '../api.js';
import { t, formatDate, formatDateTime, formatWhen } from '../i18n.js';
import { can } from '../app.js';
import { dataTable, facts, actionForm, section, pageHead, labNav, replace, stateBadge, din } from './lab-ui.js';
import { instant, localNow } from './bedside.js';

const STEPS = ['isolation', 'passage', 'harvest', 'formulation', 'cryopreservation', 'cm-harvest', 'concentration'];


// Test names come from the catalogue (lab.qc.test.<code>), never the spec's English.
const testName = (it) => t(`lab.qc.test.${it.test}`);

// "CD14+ cells (or CD11b+ cells)": alternatives of which one result suffices.
function itemLabel(spec, it) {
  const others = it.one_of ? spec.items.filter((x) => x.one_of === it.one_of && x.test !== it.test) : [];
  return others.length ? t('lab.qc.or', { name: testName(it), other: others.map(testName).join(', ') }) : testName(it);
}

// Shown with a few significant digits; the server compares the exact values.
const num = (x) => Number(x.toPrecision(4));

function qcSheet(spec, results, readiness) {
  if (!spec) return h('p', { class: 'alert alert-error', 'data-testid': 'no-spec' }, t('lab.qc.no_spec'));
  const endo = readiness && readiness.endotoxin;
  const limit = (it) => {
    if (it.rule === 'negative') return t('lab.qc.not_detected');
    if (it.rule === 'positive') return t('lab.qc.observed');
    if (it.rule === 'endotoxin') {
      return endo && endo.limit !== null
        ? t('lab.qc.endotoxin_limit', { limit: num(endo.limit), unit: it.unit, k: endo.k, kg: endo.body_kg, ml: endo.dose_ml })
        : t('lab.qc.endotoxin_no_dose');
    }
    if (it.rule === 'min') return `≥ ${it.low} ${it.unit}`;
    if (it.rule === 'max') return `≤ ${it.high} ${it.unit}`;
    if (it.rule === 'range') return `${it.low}–${it.high} ${it.unit}`;
    return `${t('lab.qc.report')} (${it.unit})`;
  };
  const outcome = (it, r) => {
    if (r.pending) return t('lab.qc.pending');
    if (it.rule === 'negative') return r.detected ? t('lab.qc.detected') : t('lab.qc.not_detected');
    if (it.rule === 'positive') return r.detected ? t('lab.qc.observed') : t('lab.qc.not_observed');
    return `${r.value} ${r.unit}`;
  };
  const rows = spec.items.map((it) => {
    const rs = results.filter((r) => r.test === it.test);
    const shown = rs.map((r) => outcome(it, r)).join('; ');
    const verdicts = rs.map((r) => r.verdict);
    const verdict = verdicts.length === 0 ? 'missing' : verdicts.includes('fail') ? 'fail'
      : verdicts.includes('invalid') ? 'invalid' : verdicts.includes('pending') ? 'pending' : 'pass';
    return { id: it.test, name: itemLabel(spec, it), limit: limit(it), shown, verdict };
  });
  return dataTable('qc-sheet', [['name', t('lab.test')], ['limit', t('lab.qc.specification')], ['shown', t('lab.result')],
    ['verdict', t('lab.qc.verdict'), (r) => h('span', { class: `badge badge-${r.verdict}`, 'data-testid': `qc-verdict-${r.id}` }, t(`lab.qc.${r.verdict}`))]], rows);
}

export async function renderBatch(ctx, id) {
  const { data } = await api('GET', `/batches/${id}`);
  if (!ctx.alive()) return;
  const b = data.batch;
  const open = b.status === 'in_process';
  const nodes = [labNav('home'), pageHead(t('lab.batch.title', { code: b.code })),
    facts('batch-facts', [
      ['product', t('lab.product_type'), t(`lab.product.${b.product_type}`)],
      ['status', t('lab.batch.status'), h('strong', { 'data-testid': 'batch-status' }, t(`lab.batch.status.${b.status}`))],
      ['spec', t('lab.qc.spec_version'), b.spec_version || '—'],
      b.decided_by ? ['decided', t('lab.batch.decided_by'), `${b.decided_by} · ${formatDateTime(b.decided_at)}`] : null,
      b.decision_reason ? ['reason', t('lab.reason'), b.decision_reason] : null,
    ]),
    section(t('lab.collections'), dataTable('batch-collections', [
      ['id', '#'], ['source', t('lab.source'), (r) => t(`lab.source.${r.source}`)], ['collected_on', t('lab.collected_on'), (r) => formatDate(r.collected_on)],
      ['donor_code', t('lab.donor'), (r) => h('a', { href: `#/lab/donors/${r.donor_id}` }, r.donor_code)],
      ['donor_eligibility', t('lab.donor.eligibility'), (r) => t(`lab.eligibility.${r.donor_eligibility}`)]], data.collections)),
    section(t('lab.batch.steps'), dataTable('batch-steps', [
      ['step', t('lab.step'), (r) => t(`lab.step.${r.step}`)], ['performed_at', t('lab.performed'), (r) => formatDateTime(r.performed_at)],
      ['operator', t('lab.operator')], ['passage', t('lab.passage')], ['cell_count', t('lab.cell_count')], ['notes', t('lab.notes')]],
    data.steps)),
  ];
  if (open && can(['lab'])) {
    nodes.push(actionForm({
      id: 'step-form', title: t('lab.batch.add_step'), path: `/batches/${id}/steps`,
      build: (b) => ({ ...b, performed_at: instant(b.performed_at) }),
      fields: [
        { name: 'step', label: t('lab.step'), type: 'select', required: true, options: STEPS.map((s) => [s, t(`lab.step.${s}`)]) },
        { name: 'performed_at', label: t('lab.performed_at'), type: 'datetime-local', required: true, value: localNow() },
        { name: 'operator', label: t('lab.operator'), required: true },
        { name: 'passage', label: t('lab.passage'), kind: 'int', inputmode: 'numeric' },
        { name: 'cell_count', label: t('lab.cell_count'), kind: 'int', inputmode: 'numeric' },
        { name: 'notes', label: t('lab.notes'), type: 'textarea' },
      ],
    }));
  }
  nodes.push(section(t('lab.qc.title'), qcSheet(data.spec, data.qc_results, data.readiness)));
  if (open && can(['lab']) && data.spec) {
    nodes.push(actionForm({
      id: 'qc-form', title: t('lab.qc.add'), path: `/batches/${id}/qc`,
      build: (body) => {
        const it = data.spec.items.find((x) => x.test === body.test);
        const out = { test: body.test, tested_on: body.tested_on };
        if (body.method) out.method = body.method;
        if (body.outcome === 'pending') out.pending = true;
        else if (it && it.rule === 'negative') out.detected = body.outcome === 'detected';
        else if (it && it.rule === 'positive') out.detected = body.outcome === 'observed';
        else { if (body.value !== undefined) out.value = body.value; out.unit = it ? it.unit : ''; }
        return out;
      },
      fields: [
        { name: 'test', label: t('lab.test'), type: 'select', required: true,
          options: data.spec.items.map((it) => [it.test, `${testName(it)}${it.unit ? ` (${it.unit})` : ''}`]) },
        { name: 'outcome', label: t('lab.qc.outcome'), type: 'select', required: true,
          options: [['value', t('lab.qc.value_or_negative')], ['detected', t('lab.qc.detected')],
            ['observed', t('lab.qc.observed')], ['not_observed', t('lab.qc.not_observed')], ['pending', t('lab.qc.pending')]] },
        { name: 'value', label: t('lab.qc.value'), kind: 'number', inputmode: 'decimal' },
        { name: 'method', label: t('lab.qc.method') },
        { name: 'tested_on', label: t('lab.qc.tested_on'), type: 'date', required: true },
      ],
    }));
  }
  nodes.push(section(t('lab.batch.deviations'), dataTable('batch-deviations', [
    ['description', t('lab.description')], ['status', t('lab.batch.status'), (r) => t(`lab.deviation.${r.status}`)],
    ['disposition', t('lab.disposition')], ['opened_by', t('lab.recorded_by')]], data.deviations)));
  if (open && can(['lab', 'qa'])) {
    nodes.push(actionForm({ id: 'deviation-form', title: t('lab.deviation.open'), path: `/batches/${id}/deviations`,
      fields: [{ name: 'description', label: t('lab.description'), type: 'textarea', required: true }] }));
  }
  if (open && can(['qa'])) {
    for (const dv of data.deviations.filter((x) => x.status === 'open')) {
      nodes.push(actionForm({ id: `close-deviation-${dv.id}`, title: t('lab.deviation.close', { text: dv.description }),
        path: `/batches/${id}/deviations/${dv.id}/close`,
        fields: [{ name: 'disposition', label: t('lab.disposition'), type: 'textarea', required: true }] }));
    }
  }
  const r = data.readiness;
  nodes.push(section(t('lab.release.title'),
    r.ready ? h('p', { class: 'alert alert-ok', 'data-testid': 'release-ready' }, t('lab.release.ready'))
      : h('div', { class: 'alert alert-error', 'data-testid': 'release-blocks' }, h('p', {}, t('lab.release.blocked', { n: r.count })),
        h('ul', {}, r.blocks.map((x) => h('li', { 'data-testid': 'release-block' }, x.message))))));
  if (open && can(['qa'])) {
    nodes.push(actionForm({ id: 'release-form', title: t('lab.release.sign'), path: `/batches/${id}/release`,
      submit: t('lab.release.submit'), message: t('lab.release.done'),
      build: (b) => ({ ...b, meaning: t('lab.release.meaning') }),
      fields: [{ name: 'password', signature: t('lab.release.meaning') }] }));
    nodes.push(actionForm({ id: 'reject-form', title: t('lab.reject.title'), path: `/batches/${id}/reject`, danger: true,
      submit: t('lab.reject.submit'),
      fields: [{ name: 'reason', label: t('lab.reason'), type: 'textarea', required: true },
        { name: 'password', signature: t('sig.meaning.batch_reject') }] }));
  }
  nodes.push(section(t('lab.units'), dataTable('batch-units', [
    ['din', t('lab.din'), (u) => h('a', { href: `#/lab/units/${u.id}`, 'data-testid': 'unit-link' }, din(u))],
    ['product_code', t('lab.product_code')], ['division', t('lab.division')], ['cells', t('lab.cells')],
    ['volume_ml', t('lab.volume_ml')], ['expiry', t('lab.expiry'), (u) => formatWhen(u.expiry)], ['state', t('lab.state'), (u) => stateBadge(u.state)]],
  data.units)));
  if (open && can(['lab'])) {
    nodes.push(actionForm({ id: 'unit-form', title: t('lab.unit.add'), path: `/batches/${id}/units`,
      fields: [
        { name: 'product_code', label: t('lab.product_code'), required: true, help: t('lab.unit.code_help') },
        { name: 'division', label: t('lab.division'), kind: 'int', inputmode: 'numeric', value: '0' },
        { name: 'cells', label: t('lab.cells'), kind: 'int', required: true, inputmode: 'numeric' },
        { name: 'viability', label: t('lab.viability'), kind: 'number', inputmode: 'decimal' },
        { name: 'volume_ml', label: t('lab.volume_ml'), kind: 'number', required: true, inputmode: 'decimal' },
        { name: 'expiry', label: t('lab.expiry'), type: 'date', required: true },
        { name: 'storage', label: t('lab.storage_conditions') },
        { name: 'freezer', label: t('lab.freezer') }, { name: 'rack', label: t('lab.rack') },
        { name: 'box', label: t('lab.box') }, { name: 'position', label: t('lab.position') },
      ] }));
  }
  nodes.push(h('p', {}, h('a', { href: `#/lab/lookback?batch=${id}`, 'data-testid': 'batch-lookback' }, t('lab.lookback.from_batch'))));
  replace(ctx.main, ...nodes);
}
