// Treatment programmes: protocols, screening form with units and
// reference ranges, eligibility result with its reasons and the signed
// decision, plan builder, plan with its stay calendar, approval with the
// physician's signature, printable plan and quote in the patient's language.
import { h, append, clear, today } from '../dom.js';
import { api } from '../api.js';
import { t, language, translatorFor, formatDate, formatDateTime } from '../i18n.js';
import { field, errorBox, showErrorBox, showFormError, clearFieldErrors, markFieldError, confirmDialog, pager, signatureField } from '../ui.js';
import { can, navigate } from '../app.js';
import { session } from '../state.js';
import { PROGRAMME_ROLES } from '../access.js';
export { PROGRAMME_ROLES };

const SCREEN_ROLES = ['admin', 'physician', 'nurse'];
const PLAN_ROLES = ['admin', 'coordinator', 'physician'];

const money = (cents, lang = language()) => new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB',
  { style: 'currency', currency: 'EUR' }).format(cents / 100);
const cells = (n, tr = t) => (n >= 1e6 ? tr('prog.million_cells', { n: (n / 1e6).toLocaleString() }) : String(n));
const name = (o) => (o && o.name ? (o.name[language()] || o.name.en) : '');
// Millions of cells per kg with the language's decimal separator (4,8 in French).
const millionsPerKg = (n, tr = t) => tr('prog.per_kg_value', {
  n: new Intl.NumberFormat((tr.lang || language()) === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 2 }).format(n / 1e6) });

function verdictBadge(verdict) {
  return h('span', { class: `badge badge-verdict badge-${verdict}`, 'data-testid': 'verdict' }, t(`prog.verdict.${verdict}`));
}

function statusBadge(status) {
  return h('span', { class: `badge badge-plan badge-${status}`, 'data-testid': 'plan-status' }, t(`prog.status.${status}`));
}

async function protocols() {
  const { data } = await api('GET', '/protocols');
  return data.items;
}

// A programme's name in lang (its code only when the programme is unknown),
// from the programmes' definitions; loadProtocolNames() first.
let protocolNames = {};
let instrumentNames = {};
async function loadProtocolNames() {
  const [items, { data: instruments }] = await Promise.all([protocols(), api('GET', '/instruments')]);
  for (const p of items) protocolNames[p.id] = p;
  for (const d of (instruments && instruments.items) || []) instrumentNames[d.id] = d;
}
// An instrument's name in lang, from the instruments' definitions.
function instrumentName(id, lang = language()) {
  const d = instrumentNames[id];
  return (d && (d[lang] || d.en)) || id;
}
function protocolName(id, lang = language()) {
  const p = protocolNames[id];
  return p && p.name ? (p.name[lang] || p.name.en) : id;
}

// --- list of programmes --------------------------------------------------
export async function renderProgrammes(ctx) {
  const items = await protocols();
  if (!ctx.alive()) return;
  clear(ctx.main);
  ctx.main.append(h('h1', { tabindex: '-1' }, t('prog.title')),
    h('section', { class: 'card' },
      h('table', { class: 'list', 'data-testid': 'protocols-table' },
        h('thead', {}, h('tr', {}, ['prog.protocol', 'prog.version', 'prog.products', 'prog.stay', 'prog.count', 'prog.price_range']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, items.map((p) => h('tr', { 'data-testid': 'protocol-row' },
          h('td', { 'data-code': p.id }, name(p)),
          h('td', {}, String(p.version)),
          h('td', {}, p.products.join(', ')),
          h('td', {}, t('prog.days_range', { min: p.stay_days.min, max: p.stay_days.max })),
          h('td', {}, `${p.administrations.min}–${p.administrations.max}`),
          h('td', {}, `${money(p.price_range_cents.min)} – ${money(p.price_range_cents.max)}`)))))),
    can(['admin']) ? publishForm(items) : '');
}

// Admin: publish the next version of a protocol (its whole JSON). Published
// versions never change; the server refuses anything but latest + 1.
function publishForm(items) {
  const box = errorBox('publish-error');
  const text = h('textarea', { id: 'publish-json', name: 'json', rows: 16, class: 'code', 'data-testid': 'publish-json',
    'aria-label': t('prog.publish_json'), spellcheck: 'false' });
  const pick = field('publish', { name: 'protocol', label: t('prog.protocol'), type: 'select', value: '',
    options: [['', '—'], ...items.map((p) => [p.id, name(p)])] });
  const form = h('form', { id: 'publish-form', 'data-testid': 'publish-form', class: 'no-print', novalidate: true }, box, pick,
    h('div', { class: 'field' }, h('label', { for: 'publish-json' }, t('prog.publish_json')), text),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'publish-submit' }, t('prog.publish'))));
  form.elements.protocol.addEventListener('change', async () => {
    const id = form.elements.protocol.value;
    if (!id) { text.value = ''; return; }
    const { data } = await api('GET', `/protocols/${id}`);
    text.value = JSON.stringify({ ...data.body, version: data.version + 1 }, null, 2);
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showErrorBox(box, null);
    let body;
    try { body = JSON.parse(text.value); } catch { showErrorBox(box, t('prog.publish_bad_json')); return; }
    try {
      const { data } = await api('POST', '/protocols', { body });
      navigate('#/programmes', t('prog.published', { id: data.id, version: data.version }));
    } catch (err) {
      if (err.status === 401) return;
      showFormError(form, box, err);
    }
  });
  return h('section', { class: 'card', 'aria-labelledby': 'sec-publish' },
    h('h2', { id: 'sec-publish' }, t('prog.publish_title')), h('p', { class: 'help' }, t('prog.publish_help')), form);
}

// --- the patient page's section: screenings and plans ----------------------
// Each list pages on its own (the total under it); a page change redraws
// the section in place.
const SECTION_PER_PAGE = 20;
export async function programmeSection(p, pages = { screenings: 1, plans: 1 }) {
  const [sc, pl] = await Promise.all([
    api('GET', `/patients/${p.id}/screenings?page=${pages.screenings}&per_page=${SECTION_PER_PAGE}`),
    api('GET', `/plans?patient_id=${p.id}&page=${pages.plans}&per_page=${SECTION_PER_PAGE}`), loadProtocolNames()]);
  let section = null;
  const turn = (list) => async (n) => {
    const next = await programmeSection(p, { ...pages, [list]: n });
    if (section && section.isConnected) section.replaceWith(next);
  };
  const listPager = (list, data) => pager({ page: data.page, perPage: data.per_page, total: data.total,
    always: true, testid: `${list}-pager`, onPage: turn(list) });
  const rows = [
    ...sc.data.items.map((s) => h('tr', { 'data-testid': 'screening-row' },
      h('td', {}, h('a', { href: `#/screenings/${s.id}` }, `${t('prog.screening')} ${s.id}`)),
      h('td', {}, protocolName(s.protocol)), h('td', {}, formatDate(s.evaluated_on)), h('td', {}, verdictBadge(s.verdict)),
      h('td', {}, s.decision ? t(`prog.verdict.${s.decision.decision}`) : t('prog.undecided')))),
    ...pl.data.items.map((x) => h('tr', { 'data-testid': 'plan-row' },
      h('td', {}, h('a', { href: `#/plans/${x.id}` }, `${t('prog.plan')} ${x.id}`)),
      h('td', {}, protocolName(x.protocol)), h('td', {}, `${formatDate(x.start)} → ${formatDate(x.end)}`), h('td', {}, statusBadge(x.status)),
      h('td', { 'data-testid': 'plan-late' }, lateSummary(x.plan)))),
  ];
  section = h('section', { class: 'card', 'aria-labelledby': 'sec-programmes', 'data-testid': 'programmes-section' },
    h('h2', { id: 'sec-programmes' }, t('prog.section')),
    rows.length ? h('table', { class: 'list compact' }, h('tbody', {}, rows)) : h('p', { class: 'muted' }, t('prog.none')),
    sc.data.total > SECTION_PER_PAGE ? listPager('screenings', sc.data) : null,
    pl.data.total > SECTION_PER_PAGE ? listPager('plans', pl.data) : null,
    h('div', { class: 'actions no-print' },
      can(SCREEN_ROLES) ? h('a', { class: 'btn', href: `#/patients/${p.id}/screening`, 'data-testid': 'new-screening' }, t('prog.new_screening')) : null,
      can(PLAN_ROLES) ? h('a', { class: 'btn', href: `#/patients/${p.id}/plan`, 'data-testid': 'new-plan' }, t('prog.new_plan')) : null));
  return section;
}

// --- screening form ------------------------------------------------------
const HISTORY = ['cancer_history', 'pregnancy', 'active_infection'];

export async function renderScreeningForm(ctx, patientId) {
  const [{ data: patient }, list, { data: tests }] = await Promise.all([
    api('GET', `/patients/${patientId}`), protocols(), api('GET', '/screening-tests')]);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const box = errorBox('screening-error');
  const form = h('form', { id: 'screening-form', 'data-testid': 'screening-form', novalidate: true });
  const lab = (tt) => tt.label[language()] || tt.label.en;
  const rows = tests.items.map((tt) => (tt.qualitative
    ? h('tr', {},
      h('th', { scope: 'row' }, lab(tt), h('span', { class: 'muted' }, ` LOINC ${tt.loinc}`)),
      h('td', { colspan: 3 }, h('select', { name: `${tt.code}.positive`, id: `sc-${tt.code}`, 'aria-label': lab(tt), 'data-testid': `sc-${tt.code}` },
        h('option', { value: '' }, '—'), h('option', { value: 'false' }, t('prog.negative')), h('option', { value: 'true' }, t('prog.positive')))),
      h('td', {}, h('input', { type: 'date', name: `${tt.code}.date`, value: today(), max: today(), 'aria-label': `${lab(tt)} ${t('prog.date')}` })))
    : h('tr', {},
      h('th', { scope: 'row' }, lab(tt), h('span', { class: 'muted' }, ` LOINC ${tt.loinc}`)),
      h('td', {}, h('input', { type: 'number', step: 'any', name: `${tt.code}.value`, id: `sc-${tt.code}`, 'aria-label': lab(tt), 'data-testid': `sc-${tt.code}`, inputmode: 'decimal' })),
      h('td', {}, h('input', { type: 'text', name: `${tt.code}.unit`, value: tt.unit, size: 7, 'aria-label': `${lab(tt)} ${t('prog.unit')}` })),
      h('td', {}, h('input', { type: 'number', step: 'any', name: `${tt.code}.ref_low`, size: 5, 'aria-label': `${lab(tt)} ${t('prog.ref_low')}` }), ' – ',
        h('input', { type: 'number', step: 'any', name: `${tt.code}.ref_high`, size: 5, 'aria-label': `${lab(tt)} ${t('prog.ref_high')}` })),
      h('td', {}, h('input', { type: 'date', name: `${tt.code}.date`, value: today(), max: today(), 'aria-label': `${lab(tt)} ${t('prog.date')}` })))));
  // No answer is preset: an exclusion question left at a default would read as
  // the physician's answer.
  const tri = (n) => field('sc', { name: n, label: t(`prog.history.${n}`), type: 'select', value: '', required: true,
    options: [['', t('prog.to_answer')], ['no', t('prog.no')], ['yes', t('prog.yes')], ['unknown', t('prog.unknown')]] });
  const finding = (n) => h('div', { class: 'row' },
    field('sc', { name: `${n}_state`, label: t(`prog.finding.${n}`), type: 'select', value: 'not_done',
      options: [['not_done', t('prog.not_done')], ['normal', t('prog.normal')], ['abnormal', t('prog.abnormal')]] }),
    field('sc', { name: `${n}_date`, label: t('prog.date'), type: 'date', value: today(), max: today() }));
  form.append(box,
    field('sc', { name: 'protocol', label: t('prog.protocol'), type: 'select', required: true, value: list[0] && list[0].id,
      options: list.map((p) => [p.id, name(p)]) }),
    h('fieldset', {}, h('legend', {}, t('prog.results')),
      h('div', { class: 'table-wrap' }, h('table', { class: 'list compact', 'data-testid': 'results-table' },
        h('thead', {}, h('tr', {}, ['prog.test', 'prog.value', 'prog.unit', 'prog.ref_range', 'prog.date'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, rows)))),
    h('fieldset', {}, h('legend', {}, t('prog.findings')), ['ecg', 'echocardiography', 'organ_function'].map(finding)),
    h('fieldset', {}, h('legend', {}, t('prog.history')), h('div', { class: 'row' }, HISTORY.map(tri))),
    h('fieldset', {}, h('legend', {}, t('prog.injury')), h('p', { class: 'help' }, t('prog.injury_help')),
      h('div', { class: 'row' },
        field('sc', { name: 'injury_date', label: t('prog.injury_date'), type: 'date', max: today() }),
        field('sc', { name: 'injury_level', label: t('prog.injury_level'), maxlength: 3 }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'screening-submit' }, t('prog.evaluate'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const v = (n) => form.elements.namedItem(n).value.trim();
    const unanswered = HISTORY.filter((n) => !v(n));
    if (unanswered.length) {
      for (const n of [...unanswered].reverse()) markFieldError(form, n, t('prog.history_unanswered'));
      showErrorBox(box, t('form.field_message', { field: t(`prog.history.${unanswered[0]}`), message: t('prog.history_unanswered') }));
      return;
    }
    const body = { patient_id: patient.id, protocol: v('protocol'), results: {}, findings: {}, history: {} };
    for (const tt of tests.items) {
      if (tt.qualitative) {
        if (v(`${tt.code}.positive`)) body.results[tt.code] = { positive: v(`${tt.code}.positive`) === 'true', date: v(`${tt.code}.date`) };
        continue;
      }
      const raw = v(`${tt.code}.value`).replace(',', '.');
      if (!raw) continue;
      const r = { value: Number(raw), unit: v(`${tt.code}.unit`), date: v(`${tt.code}.date`) };
      const lo = v(`${tt.code}.ref_low`); const hi = v(`${tt.code}.ref_high`);
      if (lo && hi) { r.ref_low = Number(lo); r.ref_high = Number(hi); }
      body.results[tt.code] = r;
    }
    for (const n of ['ecg', 'echocardiography', 'organ_function']) {
      const state = v(`${n}_state`);
      if (state !== 'not_done') body.findings[n] = { state, date: v(`${n}_date`) };
    }
    for (const n of HISTORY) body.history[n] = v(n);
    if (v('injury_date') || v('injury_level')) body.injury = { date: v('injury_date'), level: v('injury_level') };
    try {
      const { data } = await api('POST', '/screenings', { body });
      navigate(`#/screenings/${data.id}`, t('prog.evaluated'));
    } catch (err) {
      if (err.status === 401) return;
      showFormError(form, box, err);
    }
  });
  ctx.main.append(h('h1', { tabindex: '-1' }, t('prog.screening_title', { patient: `${patient.family_name.toUpperCase()}, ${patient.given_names}` })),
    h('section', { class: 'card' }, form));
}

// --- eligibility result and signed decision --------------------------------
// Whose record a page shows: name and MRN, linked to the patient's page.
const whose = (p) => h('p', { class: 'page-patient', 'data-testid': 'page-patient' },
  h('a', { href: `#/patients/${p.id}` }, `${p.family_name.toUpperCase()}, ${p.given_names}`), ` — ${p.mrn}`);

export async function renderScreening(ctx, id) {
  const [{ data: s }] = await Promise.all([api('GET', `/screenings/${id}`), loadProtocolNames()]);
  const { data: patient } = await api('GET', `/patients/${s.patient_id}`);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const reasons = s.reasons.length
    ? h('table', { class: 'list', 'data-testid': 'reasons-table' },
      h('thead', {}, h('tr', {}, ['prog.rule', 'prog.observed', 'prog.limit', 'prog.outcome'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, s.reasons.map((r) => h('tr', { 'data-testid': 'reason-row' },
        h('td', {}, r.rule, h('span', { class: 'muted' }, ` ${r.subject}`)), h('td', {}, r.observed), h('td', {}, r.limit),
        h('td', {}, h('span', { class: `badge badge-outcome badge-${r.outcome}` }, t(`prog.outcome.${r.outcome}`)))))))
    : h('p', { 'data-testid': 'no-reasons' }, t('prog.no_reasons'));
  let decision;
  if (s.decision) {
    decision = h('dl', { class: 'facts', 'data-testid': 'decision' },
      fact(t('prog.decision'), t(`prog.verdict.${s.decision.decision}`)),
      fact(t('prog.signed_by'), `${s.decision.signed_by} — ${formatDateTime(s.decision.signed_at)}`),
      fact(t('prog.meaning'), s.decision.meaning),
      s.decision.override ? fact(t('prog.override_reason'), s.decision.override_reason) : null);
  } else if (can(['physician'])) {
    const box = errorBox('decision-error');
    // what signing means, in the signer's language: shown before signing and
    // stored with the signature (the server's own sentence is English)
    const meaningText = (decision) => t(`prog.decision_meaning.${decision}`,
      { user: session.user.username, protocol: protocolName(s.protocol) })
      + (decision === 'eligible' && s.verdict === 'not_eligible' ? t('prog.decision_meaning_override') : '');
    // the one signature control; its meaning follows the decision chosen
    const signature = signatureField('dec', '');
    const meaning = signature.querySelector('.signature-meaning');
    const form = h('form', { id: 'decision-form', 'data-testid': 'decision-form', class: 'no-print', novalidate: true }, box,
      field('dec', { name: 'decision', label: t('prog.decision'), type: 'select', value: s.verdict === 'not_eligible' ? 'not_eligible' : 'eligible',
        options: [['eligible', t('prog.verdict.eligible')], ['not_eligible', t('prog.verdict.not_eligible')]] }),
      field('dec', { name: 'override_reason', label: t('prog.override_reason'), type: 'textarea', maxlength: 2000, help: t('prog.override_help') }),
      signature,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'decision-submit' }, t('prog.sign'))));
    const showMeaning = () => { meaning.textContent = meaningText(form.elements.decision.value); };
    form.elements.decision.addEventListener('change', showMeaning);
    showMeaning();
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const body = { decision: form.elements.decision.value, password: form.elements.password.value,
        meaning: meaningText(form.elements.decision.value) };
      if (!body.password) { markFieldError(form, 'password', t('error.required')); return; }
      const reason = form.elements.override_reason.value.trim();
      if (reason) body.override_reason = reason;
      try {
        await api('POST', `/screenings/${s.id}/decision`, { body });
        navigate(`#/screenings/${s.id}`, t('prog.signed'));
      } catch (err) {
        if (err.status === 401) return;
        form.elements.password.value = '';
        showFormError(form, box, err);
      }
    });
    decision = form;
  } else {
    decision = h('p', { class: 'muted' }, t('prog.awaiting_decision'));
  }
  ctx.main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1', 'data-testid': 'eligibility-title' }, t('prog.eligibility_page_title', { date: formatDate(s.evaluated_on) })),
      h('div', { class: 'actions no-print' },
        h('a', { class: 'btn btn-quiet', href: `#/patients/${s.patient_id}` }, t('prog.back_to_patient')),
        s.decision && s.decision.decision === 'eligible' && can(PLAN_ROLES)
          ? h('a', { class: 'btn btn-primary', href: `#/patients/${s.patient_id}/plan?protocol=${s.protocol}`, 'data-testid': 'plan-from-screening' }, t('prog.new_plan'))
          : null)),
    whose(patient),
    h('section', { class: 'card' },
      h('p', {}, `${protocolName(s.protocol)} v${s.protocol_version} — ${formatDate(s.evaluated_on)} `, verdictBadge(s.verdict),
        s.chronic ? [' ', h('span', { class: 'badge badge-flag', 'data-testid': 'chronic' }, t('prog.chronic'))] : null),
      reasons),
    h('section', { class: 'card', 'aria-labelledby': 'sec-decision' }, h('h2', { id: 'sec-decision' }, t('prog.decision')), decision));
}

function fact(label, value) {
  return value === null || value === undefined ? null
    : h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value || '—'));
}

// --- plan builder ---------------------------------------------------------
export async function renderPlanBuilder(ctx, patientId) {
  const [{ data: patient }, list] = await Promise.all([api('GET', `/patients/${patientId}`), protocols()]);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const box = errorBox('plan-error');
  const wanted = ctx.query.get('protocol');
  const form = h('form', { id: 'plan-form', 'data-testid': 'plan-form', novalidate: true }, box,
    h('div', { class: 'row' },
      field('plan', { name: 'protocol', label: t('prog.protocol'), type: 'select', required: true,
        value: wanted || (list[0] && list[0].id), options: list.map((p) => [p.id, name(p)]) }),
      field('plan', { name: 'start', label: t('prog.earliest_start'), type: 'date', required: true, value: today(), min: today() }),
      field('plan', { name: 'count', label: t('prog.count'), type: 'number', min: 1, max: 16, help: t('prog.count_help') }),
      field('plan', { name: 'product', label: t('prog.product'), help: t('prog.product_help') }),
      field('plan', { name: 'ancillary', label: t('prog.optional_ancillary'), help: t('prog.ancillary_help') })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'plan-submit' }, t('prog.draft'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const v = (n) => form.elements.namedItem(n).value.trim();
    const body = { patient_id: patient.id, protocol: v('protocol'), start: v('start') };
    if (v('count')) body.count = Number(v('count'));
    if (v('product')) body.product = v('product');
    if (v('ancillary')) body.ancillary = v('ancillary');
    try {
      const { data } = await api('POST', '/plans', { body });
      navigate(`#/plans/${data.id}`, t('prog.drafted'));
    } catch (err) {
      if (err.status === 401) return;
      showFormError(form, box, err);
    }
  });
  ctx.main.append(h('h1', { tabindex: '-1' }, t('prog.plan_builder', { patient: `${patient.family_name.toUpperCase()}, ${patient.given_names}` })),
    h('section', { class: 'card' }, form));
}

// --- the plan: calendar, follow-up, quote, approve, cancel -------------------
function addDays(iso, n) {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function calendar(plan, tr) {
  const days = [];
  for (let i = 1; i <= plan.stay_days; i++) {
    const date = addDays(plan.start, i - 1);
    const items = [];
    if (i === 1) items.push(h('li', { class: 'cal-admission' }, tr('prog.admission')));
    for (const a of plan.administrations.filter((x) => x.day === i)) {
      items.push(h('li', { class: `cal-admin cal-${a.route}`, 'data-testid': 'cal-administration' },
        `${tr(`prog.route.${a.route}`)} — ${productName(a.product, tr)} — ${a.cells ? cells(a.cells, tr) : `${a.volume_ul / 1000} mL`}`));
    }
    for (const x of plan.ancillary) {
      if (i >= x.first_day && i <= x.last_day) items.push(h('li', { class: 'cal-session' }, `${x.name[tr.lang] || x.name.en} ×${x.sessions_per_day}`));
    }
    if (i === plan.stay_days) items.push(h('li', { class: 'cal-discharge' }, tr('prog.discharge')));
    days.push(h('div', { class: 'cal-day', 'data-testid': 'cal-day' },
      h('div', { class: 'cal-head' }, tr('prog.day_n', { n: i }), h('span', { class: 'muted' }, ` ${formatDate(date)}`)),
      h('ul', {}, items)));
  }
  return h('div', { class: 'stay-calendar', 'data-testid': 'stay-calendar' }, days);
}

function quoteTable(q, tr, lang) {
  const label = (l) => (l.code.startsWith('ancillary:') ? tr('prog.line.ancillary', { id: tr(`prog.ancillary.${l.detail}`) })
    : l.code === 'administration' ? tr('prog.line.administration', { product: l.detail }) : tr(`prog.line.${l.code}`));
  return h('table', { class: 'list compact', 'data-testid': 'quote-table' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, tr('prog.line')), h('th', { scope: 'col', class: 'num' }, tr('prog.quantity')),
      h('th', { scope: 'col', class: 'num' }, tr('prog.unit_price')), h('th', { scope: 'col', class: 'num' }, tr('prog.amount')))),
    h('tbody', {}, q.lines.map((l) => h('tr', {}, h('td', {}, label(l)), h('td', { class: 'num' }, String(l.quantity)),
      h('td', { class: 'num' }, money(l.unit_cents, lang)), h('td', { class: 'num' }, money(l.amount_cents, lang))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 3 }, tr('prog.total')),
      h('td', { class: 'num', 'data-testid': 'quote-total' }, money(q.total_cents, lang)))));
}

// A plan's product code ("UC-MSC", "secretome") as the laboratory's catalogue names it.
function productName(code, tr) {
  const key = `lab.product.${String(code).toLowerCase()}`;
  const text = tr(key);
  return text === key ? code : text;
}

function followUpTable(plan, tr) {
  return h('table', { class: 'list compact', 'data-testid': 'follow-up-table' },
    h('thead', {}, h('tr', {}, ['prog.visit', 'prog.date', 'prog.window', 'prog.instruments'].map((k) => h('th', { scope: 'col' }, tr(k))))),
    h('tbody', {}, plan.follow_up.map((f) => h('tr', {}, h('td', {}, tr(f.months === 1 ? 'prog.month_after' : 'prog.months_after', { n: f.months })),
      h('td', { 'data-testid': 'follow-up-date' }, formatDate(f.date)),
      h('td', {}, `${formatDate(f.window_start)} – ${formatDate(f.window_end)}`), h('td', {}, f.instruments.map((i) => instrumentName(i, tr.lang)).join(', '))))));
}

function planBody(row, tr, lang) {
  const plan = row.plan;
  const q = plan.quote;
  return [
    h('section', { class: 'card' },
      h('dl', { class: 'facts', 'data-testid': 'plan-facts' },
        fact(tr('prog.protocol'), `${protocolName(plan.protocol, tr.lang)} v${plan.version}`),
        fact(tr('prog.stay'), tr('prog.stay_dates', { start: formatDate(plan.start), end: formatDate(plan.end), days: plan.stay_days })),
        fact(tr('prog.course'), plan.dose_unit === 'cells' ? cells(plan.total_cells, tr) : `${plan.dose.total / 1000} mL`),
        plan.dose_unit === 'cells' && plan.dose.per_kg_given
          ? h('div', { class: 'fact' }, h('dt', {}, tr('prog.per_kg')),
            h('dd', { 'data-testid': 'dose-per-kg' }, millionsPerKg(plan.dose.per_kg_given, tr))) : null,
        plan.product_ready ? fact(tr('prog.product_ready'), plan.product_ready) : null)),
    h('section', { class: 'card', 'aria-labelledby': 'sec-cal' }, h('h2', { id: 'sec-cal' }, tr('prog.calendar')), calendar(plan, tr)),
    h('section', { class: 'card', 'aria-labelledby': 'sec-fu' }, h('h2', { id: 'sec-fu' }, tr('prog.follow_up')), followUpTable(plan, tr)),
    h('section', { class: 'card', 'aria-labelledby': 'sec-quote' }, h('h2', { id: 'sec-quote' }, tr('prog.quote')),
      quoteTable(q, tr, lang),
      h('p', { class: q.outside_range ? 'alert alert-error' : 'muted', 'data-testid': 'price-range' },
        tr(q.outside_range ? 'prog.outside_range' : 'prog.within_range',
          { min: money(q.range_cents.min, lang), max: money(q.range_cents.max, lang) }))),
  ];
}

// --- planned administrations: given (with the delay), moved, to move ------
const ACTIVE = ['approved', 'in_progress'];

// "administré avec 2 jours de retard": days after the first planned date.
function lateText(a, tr = t) {
  if (!a.late_days) return tr('prog.given_on_time');
  return a.late_days === 1 ? tr('prog.given_late_one') : tr('prog.given_late', { n: a.late_days });
}

function lateSummary(plan) {
  const late = ((plan && plan.administrations) || []).filter((a) => a.given_on && a.late_days > 0);
  if (!late.length) return '';
  return t('prog.late_items', { items: late.map((a) => `${t('prog.item_n', { n: a.n })} ${lateText(a)}`).join(' ; ') });
}

// "dd/mm/yyyy" (as typed) -> "YYYY-MM-DD", or null when it is not a calendar date.
function parseLocalDate(text) {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return date.toISOString().slice(0, 10);
}

// A move form: fields, then a confirmation naming what changes, then the
// request; the server's refusal (the blocking rule) is shown under the field.
function moveForm({ id, title, fields: inputs, confirmText, ok, submitLabel, send }) {
  const box = errorBox(`${id}-error`);
  const form = h('form', { id, class: 'no-print', 'data-testid': id, novalidate: true }, box,
    h('h3', {}, title), inputs,
    field(id, { name: 'reason', label: t('prog.move_reason'), required: true, maxlength: 1000 }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `${id}-submit` }, submitLabel)));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const reason = form.elements.reason.value.trim();
    const body = send.read(form);
    if (!body) return;
    if (!reason) { markFieldError(form, 'reason', t('error.required')); return; }
    if (!(await confirmDialog({ title, text: confirmText(body), ok }))) return;
    try {
      const { data } = await api('POST', send.path, { body: { ...body, reason } });
      navigate(location.hash, t('prog.moved_result', { n: data.follow_up_redated }));
    } catch (err) {
      if (err.status === 401) return;
      showFormError(form, box, err);
    }
  });
  return form;
}

function itemsSection(row) {
  const plan = row.plan;
  const movable = ACTIVE.includes(row.status) && can(['physician']);
  const slot = h('div', { 'data-testid': 'move-slot' });
  const openMove = (a) => {
    clear(slot);
    const form = moveForm({
      id: 'move-form',
      title: t('prog.move_title', { n: a.n }),
      fields: field('move-form', { name: 'date', label: t('prog.move_date'), required: true, help: t('prog.date_help'), maxlength: 10 }),
      confirmText: (b) => t('prog.move_confirm', { n: a.n, from: formatDate(a.date), to: formatDate(b.date) }),
      ok: t('prog.move_submit'),
      submitLabel: t('prog.move'),
      send: {
        path: `/plans/${row.id}/items/${a.n}/move`,
        read: (f) => {
          const date = parseLocalDate(f.elements.date.value);
          if (!date) { markFieldError(f, 'date', t('prog.bad_date')); return null; }
          return { date };
        },
      },
    });
    slot.append(form);
    form.elements.date.focus();
  };
  const rows = plan.administrations.map((a) => h('tr', { 'data-testid': 'plan-item', 'data-item': String(a.n) },
    h('th', { scope: 'row' }, t('prog.item_n', { n: a.n })),
    h('td', { 'data-testid': 'item-date' }, formatDate(a.date)),
    h('td', {}, t(`prog.route.${a.route}`)),
    h('td', { 'data-testid': 'item-state' },
      a.given_on ? `${t('prog.item_given_on', { date: formatDate(a.given_on) })} — ${lateText(a)}` : t('prog.item_planned'),
      a.original_date ? h('span', { class: 'muted' }, ` (${t('prog.moved_from', { date: formatDate(a.original_date) })})`) : null),
    h('td', {}, movable && !a.given_on
      ? h('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': `move-${a.n}`, on: { click: () => openMove(a) } }, t('prog.move'))
      : null)));
  let shift = null;
  if (movable && plan.administrations.some((a) => !a.given_on)) {
    shift = moveForm({
      id: 'shift-form',
      title: t('prog.shift'),
      fields: field('shift-form', { name: 'days', label: t('prog.shift_days'), type: 'number', required: true, min: 1, max: 90, inputmode: 'numeric' }),
      confirmText: (b) => t('prog.shift_confirm', { n: b.days }),
      ok: t('prog.shift_submit'),
      submitLabel: t('prog.shift'),
      send: {
        path: `/plans/${row.id}/shift`,
        read: (f) => {
          const days = Number(f.elements.days.value);
          if (!Number.isInteger(days) || days < 1 || days > 90) { markFieldError(f, 'days', t('error.out_of_range')); return null; }
          return { days };
        },
      },
    });
  }
  return h('section', { class: 'card', 'aria-labelledby': 'sec-items', 'data-testid': 'plan-items' },
    h('h2', { id: 'sec-items' }, t('prog.administrations')),
    h('table', { class: 'list compact' }, h('tbody', {}, rows)), slot, shift);
}

export async function renderPlan(ctx, id) {
  const [{ data: row }] = await Promise.all([api('GET', `/plans/${id}`), loadProtocolNames()]);
  const { data: patient } = await api('GET', `/patients/${row.patient_id}`);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const tr = (k, params) => t(k, params);
  tr.lang = language();
  const actions = [];
  if (row.status === 'draft' && can(['physician'])) {
    const box = errorBox('approve-error');
    const child = Boolean(row.plan.dose && row.plan.dose.needs_confirmation);
    const form = h('form', { id: 'approve-form', class: 'no-print', 'data-testid': 'approve-form', novalidate: true }, box,
      h('p', { class: 'help' }, t('prog.approve_help')),
      child ? h('p', { class: 'alert alert-warning', 'data-testid': 'child-dose' }, t('prog.child_dose', { dose: millionsPerKg(row.plan.dose.per_kg_given) })) : null,
      child ? field('approve', { name: 'dose_reason', label: t('prog.dose_reason'), type: 'textarea', required: true, maxlength: 1000 }) : null,
      signatureField('approve', t('sig.meaning.plan_approve')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'approve-submit' }, t('prog.approve'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const body = { password: form.elements.password.value, meaning: t('sig.meaning.plan_approve') };
      if (child) {
        body.dose_reason = form.elements.dose_reason.value.trim();
        if (!body.dose_reason) { markFieldError(form, 'dose_reason', t('error.required')); return; }
      }
      if (!body.password) { markFieldError(form, 'password', t('error.required')); return; }
      try {
        await api('POST', `/plans/${row.id}/approve`, { body });
        navigate(`#/plans/${row.id}`, t('prog.approved'));
      } catch (err) {
        if (err.status === 401) return;
        form.elements.password.value = '';
        showFormError(form, box, err);
      }
    });
    actions.push(h('section', { class: 'card', 'aria-labelledby': 'sec-approve' }, h('h2', { id: 'sec-approve' }, t('prog.approve')), form));
  }
  if ((row.status === 'draft' || row.status === 'approved') && can(PLAN_ROLES)) {
    const box = errorBox('cancel-error');
    const form = h('form', { id: 'cancel-form', class: 'no-print inline-form', 'data-testid': 'cancel-form', novalidate: true }, box,
      field('cancel', { name: 'reason', label: t('prog.cancel_reason'), required: true, maxlength: 1000 }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': 'cancel-submit' }, t('prog.cancel_plan'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const reason = form.elements.reason.value.trim();
      if (!reason) { markFieldError(form, 'reason', t('error.required')); return; }
      try {
        await api('POST', `/plans/${row.id}/cancel`, { body: { reason } });
        navigate(`#/plans/${row.id}`, t('prog.cancelled'));
      } catch (err) {
        if (err.status === 401) return;
        showFormError(form, box, err);
      }
    });
    actions.push(h('section', { class: 'card' }, form));
  }
  append(ctx.main, [
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1', 'data-testid': 'plan-title', 'data-title': t('prog.plan_page_title', { date: formatDate(row.start) }) }, t('prog.plan_page_title', { date: formatDate(row.start) }), ' ', statusBadge(row.status)),
      h('div', { class: 'actions no-print' },
        h('a', { class: 'btn btn-quiet', href: `#/patients/${row.patient_id}` }, t('prog.back_to_patient')),
        h('a', { class: 'btn', href: `#/plans/${row.id}/print`, 'data-testid': 'print-plan' }, t('prog.printable')))),
    whose(patient),
    row.approved_by ? h('p', { 'data-testid': 'approval' }, t('prog.approved_by', { user: row.approved_by, at: formatDateTime(row.approved_at) })) : null,
    row.cancel_reason ? h('p', {}, t('prog.cancelled_because', { reason: row.cancel_reason })) : null,
    itemsSection(row), planBody(row, tr, language()), actions]);
}

// Printable plan and quote in the patient's language.
export async function renderPlanPrint(ctx, id) {
  const [{ data: row }] = await Promise.all([api('GET', `/plans/${id}`), loadProtocolNames()]);
  const { data: patient } = await api('GET', `/patients/${row.patient_id}`);
  const tr = await translatorFor(patient.language);
  tr.lang = patient.language;
  if (!ctx.alive()) return;
  clear(ctx.main);
  ctx.main.append(
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1', lang: patient.language, 'data-testid': 'print-title' }, tr('prog.print_title')),
      h('div', { class: 'actions no-print' },
        h('button', { type: 'button', class: 'btn btn-primary', on: { click: () => window.print() } }, t('action.print')),
        h('a', { class: 'btn btn-quiet', href: `#/plans/${row.id}` }, t('prog.back_to_plan')))),
    h('div', { lang: patient.language },
      h('p', {}, `${patient.family_name.toUpperCase()}, ${patient.given_names} — ${patient.mrn} — ${tr(`prog.status.${row.status}`)}`),
      planBody(row, tr, patient.language),
      h('p', { class: 'print-only' }, tr('print.footer', { date: formatDateTime(new Date().toISOString()), user: session.user ? session.user.username : '' }))));
}

