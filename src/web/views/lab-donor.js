// Donor page: consent, screening tests, eligibility (physician or qa signs),
// collections, and a new batch from a collection.
import { h } from '../dom.js';
import { api } from '../api.js';
import { t, formatDate, formatDateTime } from '../i18n.js';
import { can, navigate } from '../app.js';
import { syntheticBadge } from '../ui.js';
import { dataTable, facts, actionForm, section, pageHead, labNav, replace, productOptions } from './lab-ui.js';

// The donor-testing markers (core/donor_testing.h), in the panel's order.
const MARKERS = ['hbsag', 'anti-hbc', 'anti-hcv', 'anti-hiv-1-2', 'syphilis', 'htlv-1-2', 'nat-hiv', 'nat-hcv', 'nat-hbv', 'cmv'];
const RESULTS = ['negative', 'positive', 'indeterminate'];
const SOURCES = ['cord-blood', 'cord-tissue', 'placenta', 'bone-marrow', 'adipose'];

export async function renderDonorNew(ctx) {
  replace(ctx.main, labNav('home'), pageHead(t('lab.donor.new')),
    actionForm({
      id: 'donor-form', submit: t('lab.donor.create'),
      fields: [
        { name: 'kind', label: t('lab.donor.kind'), type: 'select', required: true,
          options: [['allogeneic', t('lab.kind.allogeneic')], ['autologous', t('lab.kind.autologous')]] },
        { name: 'patient_id', label: t('lab.donor.patient'), source: 'patient', kind: 'int', help: t('lab.donor.patient_pick_help') },
        { name: 'code', label: t('lab.donor.code'), help: t('lab.donor.code_help') },
        { name: 'consent_date', label: t('lab.donor.consent_date'), type: 'date' },
        { name: 'consent_reference', label: t('lab.donor.consent_reference') },
      ],
      path: '/donors',
      onDone: (data) => navigate(`#/lab/donors/${data.donor.id}`, t('lab.donor.created')),
    }));
}

// What the donor's kind needs (the panel and the sample window), for those
// who may read the panels; nothing otherwise.
async function panelFacts(kind) {
  let panels;
  try {
    panels = (await api('GET', '/lab/donor-panels')).data.panels;
  } catch {
    return null;
  }
  const p = panels.find((x) => x.kind === kind);
  if (!p) return null;
  const needed = p.markers.filter((m) => m.need !== 'none')
    .map((m) => (m.need === 'result' ? t('lab.donor.panel_recorded', { marker: t(`lab.marker.${m.marker}`) }) : t(`lab.marker.${m.marker}`)));
  return facts('donor-panel', [
    ['panel', t('lab.donor.panel'), needed.join(', ')],
    ['window', t('lab.donor.window'), t('lab.donor.window_days', { before: p.days_before, after: p.days_after })],
  ]);
}

export async function renderDonor(ctx, id) {
  const { data } = await api('GET', `/donors/${id}`);
  const panel = await panelFacts(data.donor.kind);
  if (!ctx.alive()) return;
  const d = data.donor;
  const nodes = [labNav('home'), pageHead(t('lab.donor.title', { code: d.code })),
    facts('donor-facts', [
      ['code', t('lab.donor.code'), [d.code, d.synthetic ? [' ', syntheticBadge()] : null]],
      ['kind', t('lab.donor.kind'), t(`lab.kind.${d.kind}`)],
      d.patient_mrn ? ['patient', t('lab.donor.patient'), h('a', { href: `#/patients/${d.patient_id}` }, d.patient_mrn)] : null,
      ['consent', t('lab.donor.consent_date'), d.consent_date ? formatDate(d.consent_date) : t('lab.donor.no_consent')],
      ['eligibility', t('lab.donor.eligibility'), h('strong', { 'data-testid': 'donor-eligibility' }, t(`lab.eligibility.${d.eligibility}`))],
      d.eligibility_by ? ['signed', t('lab.donor.signed_by'), `${d.eligibility_by} · ${formatDateTime(d.eligibility_at)}`] : null,
    ]),
    section(t('lab.donor.tests'), panel,
      dataTable('donor-tests', [['test', t('lab.test'), (r) => t(`lab.marker.${r.test}`)],
        ['result', t('lab.result'), (r) => t(`lab.result.${r.result}`)], ['sampled_on', t('lab.sampled_on'), (r) => formatDate(r.sampled_on)],
        ['recorded_by', t('lab.recorded_by')]], data.tests)),
  ];
  const signed = d.eligibility !== 'incomplete';
  if (can(['lab'])) {
    nodes.push(actionForm({
      id: 'test-form', title: t('lab.donor.add_test'), path: `/donors/${id}/tests`,
      fields: [
        { name: 'test', label: t('lab.test'), type: 'select', required: true, options: [['', t('form.choose')], ...MARKERS.map((x) => [x, t(`lab.marker.${x}`)])] },
        { name: 'result', label: t('lab.result'), type: 'select', required: true, options: RESULTS.map((x) => [x, t(`lab.result.${x}`)]) },
        { name: 'sampled_on', label: t('lab.sampled_on'), type: 'date', required: true },
        signed ? { name: 'reason', label: t('lab.reason'), required: true, help: t('lab.donor.reopen_help') } : null,
      ].filter(Boolean),
    }));
  }
  if (can(['physician', 'qa'])) {
    nodes.push(actionForm({
      id: 'eligibility-form', title: t('lab.donor.decide'), path: `/donors/${id}/eligibility`, submit: t('lab.donor.sign'),
      fields: [
        { name: 'decision', label: t('lab.donor.decision'), type: 'select', required: true,
          options: ['eligible', 'ineligible', 'incomplete'].map((x) => [x, t(`lab.eligibility.${x}`)]) },
        { name: 'reason', label: t('lab.reason'), help: t('lab.donor.reason_help') },
        { name: 'password', signature: t('sig.meaning.donor_eligibility') },
      ],
    }));
  }
  nodes.push(section(t('lab.collections'),
    dataTable('donor-collections', [['id', '#'], ['source', t('lab.source'), (r) => t(`lab.source.${r.source}`)],
      ['collected_on', t('lab.collected_on'), (r) => formatDate(r.collected_on)], ['volume_ml', t('lab.volume_ml')], ['mass_g', t('lab.mass_g')],
      ['lookback', '', (r) => h('a', { href: `#/lab/lookback?collection=${r.id}` }, t('lab.tab.lookback'))]],
    data.collections)));
  if (can(['lab'])) {
    nodes.push(actionForm({
      id: 'collection-form', title: t('lab.collection.add'), path: '/collections',
      build: (b) => ({ ...b, donor_id: Number(id) }),
      fields: [
        { name: 'source', label: t('lab.source'), type: 'select', required: true,
          options: [['', t('form.choose')], ...SOURCES.map((x) => [x, t(`lab.source.${x}`)])] },
        { name: 'collected_on', label: t('lab.collected_on'), type: 'date', required: true },
        { name: 'volume_ml', label: t('lab.volume_ml'), kind: 'number', inputmode: 'decimal' },
        { name: 'mass_g', label: t('lab.mass_g'), kind: 'number', inputmode: 'decimal' },
        { name: 'site', label: t('lab.site') },
      ],
    }));
    if (data.collections.length) {
      nodes.push(actionForm({
        id: 'batch-form', title: t('lab.batch.new'), path: '/batches', submit: t('lab.batch.create'),
        build: (b) => ({ product_type: b.product_type, collection_ids: [Number(b.collection_id)] }),
        fields: [
          { name: 'product_type', label: t('lab.product_type'), type: 'select', required: true, options: productOptions() },
          { name: 'collection_id', label: t('lab.collection'), type: 'select', required: true,
            options: data.collections.map((c) => [String(c.id), `#${c.id} ${t(`lab.source.${c.source}`)} ${formatDate(c.collected_on)}`]) },
        ],
        onDone: (b) => navigate(`#/lab/batches/${b.batch.id}`, t('lab.batch.created')),
      }));
    }
  }
  nodes.push(h('p', {}, h('a', { href: `#/lab/lookback?donor=${id}`, 'data-testid': 'donor-lookback' }, t('lab.lookback.from_donor'))));
  replace(ctx.main, ...nodes);
}
