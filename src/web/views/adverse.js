// Adverse events: the report form (CTCAE v5.0-style term with each
// grade's definition shown while choosing, ICH E2A seriousness criteria,
// relatedness, expectedness, action, outcome, links to the administration and
// units), the clinic-wide list with filters and CSV export, the reporting
// deadlines (H9 and biovigilance) each marked sent with its reference, one
// event with the physician's signed assessment.
import { h, clear } from '../dom.js';
import { api, query } from '../api.js';
import { t, language, formatDateTime } from '../i18n.js';
import {
  field, picker, errorBox, showFormError, pager, confirmDialog, clearFieldErrors, markFieldError, showErrorBox, signatureField,
} from '../ui.js';
import { can, navigate } from '../app.js';
import { instant, localNow } from './bedside.js';
import { AE_READ, AE_WRITE } from '../access.js';
export { AE_READ, AE_WRITE };

const PRODUCTS = ['uc-msc', 'ucb-sc', 'bm-msc', 'ad-msc', 'pl-msc', 'secretome'];

let termsCache = null;
export async function terms() {
  if (!termsCache) termsCache = (await api('GET', '/adverse-events/terms')).data;
  return termsCache;
}

const stamp = () => String(Date.now() + Math.random());
export const termName = (list, code, text) => {
  const tm = list && list.terms.find((x) => x.code === code);
  const n = tm ? (tm[language()] || tm.en) : code;
  return text ? `${n}: ${text}` : n;
};
const opts = (values, prefix, empty = true) => [...(empty ? [['', t('form.choose')]] : []), ...values.map((v) => [v, t(`${prefix}.${v}`)])];

function head(title, ...extra) {
  return h('div', { class: 'page-head' },
    h('h1', { tabindex: '-1', 'data-testid': 'page-title', 'data-drawn': stamp() }, title), ...extra);
}

// --- report form -----------------------------------------------------------
export async function renderAeForm(ctx) {
  const patientId = ctx.query.get('patient_id');
  const admId = ctx.query.get('administration_id');
  const unitIds = (ctx.query.get('unit_ids') || '').split(',').filter(Boolean).map(Number);
  const [list, patient] = await Promise.all([terms(),
    patientId ? api('GET', `/patients/${patientId}`).then((r) => r.data) : Promise.resolve(null)]);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const box = errorBox('ae-form-error');
  const lang = language();
  const sorted = [...list.terms].sort((a, b) => (a[lang] || a.en).localeCompare(b[lang] || b.en, lang));
  const gradeBox = h('fieldset', { class: 'bs-grades', 'data-testid': 'ae-grades' }, h('legend', {}, t('ae.grade'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')));
  const form = h('form', { id: 'ae-form', class: 'card bs-form', 'data-testid': 'ae-form', novalidate: true },
    box,
    patient ? null : picker('ae-form', { name: 'patient_id', label: t('picker.patient'), source: 'patient', required: true, help: t('picker.help.patient') }),
    field('ae-form', { name: 'term', label: t('ae.term'), type: 'select', required: true, value: ctx.query.get('term') || '',
      options: [['', t('form.choose')], ...sorted.map((x) => [x.code, x[lang] || x.en])], help: t('ae.term_help') }),
    field('ae-form', { name: 'term_text', label: t('ae.term_text'), help: t('ae.term_text_help'), value: ctx.query.get('term_text') || '' }),
    gradeBox,
    h('div', { class: 'row' },
      field('ae-form', { name: 'onset_at', label: t('ae.onset'), type: 'datetime-local', required: true, value: localNow() }),
      field('ae-form', { name: 'resolved_at', label: t('ae.resolved'), type: 'datetime-local' })),
    h('fieldset', { class: 'bs-checks', 'data-testid': 'ae-seriousness' }, h('legend', {}, t('ae.seriousness')),
      h('p', { class: 'help' }, t('ae.seriousness_help')),
      list.seriousness.map((s) => h('label', { class: 'bs-check' },
        h('input', { type: 'checkbox', name: 'seriousness', value: s, 'data-testid': `ae-serious-${s}` }), ' ', t(`ae.serious.${s}`)))),
    h('div', { class: 'row' },
      field('ae-form', { name: 'related_product', label: t('ae.related_product'), type: 'select', required: true, options: opts(list.relatedness, 'ae.rel') }),
      field('ae-form', { name: 'related_procedure', label: t('ae.related_procedure'), type: 'select', required: true, options: opts(list.relatedness, 'ae.rel') }),
      field('ae-form', { name: 'expectedness', label: t('ae.expectedness'), type: 'select', required: true, options: opts(list.expectedness, 'ae.exp') }),
      field('ae-form', { name: 'action', label: t('ae.action'), type: 'select', options: opts(list.action, 'ae.action') }),
      field('ae-form', { name: 'outcome', label: t('ae.outcome'), type: 'select', options: opts(list.outcome, 'ae.outcome') })),
    field('ae-form', { name: 'description', label: t('ae.description'), type: 'textarea' }),
    h('p', { class: 'muted', 'data-testid': 'ae-links' },
      admId ? t('ae.linked_adm_this') : '', unitIds.length ? ` ${t('ae.linked_units', { n: unitIds.length })}` : ''),
    h('p', { class: 'help' }, t('ae.citation')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'ae-form-submit' }, t('ae.submit'))));
  // a grade proposed by the page that sent here (a graded vital sign), for its first drawing only
  let proposed = ctx.query.get('grade') || '';
  const drawGrades = () => {
    const tm = list.terms.find((x) => x.code === form.elements.term.value);
    const checked = form.querySelector('input[name="grade"]:checked');
    const keep = checked ? checked.value : proposed;
    proposed = '';
    for (const el of [...gradeBox.children]) if (el.tagName !== 'LEGEND') el.remove();
    form.querySelector('.field-term_text').hidden = !(tm && tm.needs_text);
    if (!tm) { gradeBox.append(h('p', { class: 'help' }, t('ae.choose_term_first'))); return; }
    gradeBox.append(h('div', { class: 'bs-grade-list' }, tm.grades.map((g) => h('label', { class: 'bs-grade', 'data-testid': `ae-grade-${g.grade}` },
      h('input', { type: 'radio', name: 'grade', value: String(g.grade), checked: keep === String(g.grade) }),
      h('span', { class: 'bs-grade-n' }, t('ae.grade_n', { n: g.grade })),
      h('span', { class: 'bs-grade-def', 'data-testid': 'ae-grade-definition' }, g[lang] || g.en)))));
  };
  form.elements.term.addEventListener('change', drawGrades);
  form.addEventListener('cc:restored', drawGrades);
  drawGrades();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const el = form.elements;
    const b = {
      patient_id: Number(patient ? patient.id : el.patient_id.value), term: el.term.value,
      grade: Number((form.querySelector('input[name="grade"]:checked') || {}).value || 0),
      onset_at: instant(el.onset_at.value), related_product: el.related_product.value,
      related_procedure: el.related_procedure.value, expectedness: el.expectedness.value,
      seriousness: [...form.querySelectorAll('input[name="seriousness"]:checked')].map((x) => x.value),
    };
    if (el.term_text.value.trim()) b.term_text = el.term_text.value.trim();
    if (el.resolved_at.value) b.resolved_at = instant(el.resolved_at.value);
    for (const n of ['action', 'outcome']) if (el[n].value) b[n] = el[n].value;
    if (el.description.value.trim()) b.description = el.description.value.trim();
    if (admId) b.administration_ids = [Number(admId)];
    if (unitIds.length) b.unit_ids = unitIds;
    if (!checkAeForm(form, box, list)) return;
    const ok = await confirmDialog({ title: t('ae.confirm'), text: t('ae.confirm_text'), ok: t('ae.submit') });
    if (!ok) return;
    try {
      const { data } = await api('POST', '/adverse-events', { body: b });
      navigate(`#/adverse-events/${data.adverse_event.id}`, t('ae.saved'));
    } catch (err) { showFormError(form, box, err); }
  });
  ctx.main.append(head(t('ae.new'), patient ? h('p', { class: 'subtitle' }, h('strong', { 'data-testid': 'ae-patient' }, `${patient.family_name}, ${patient.given_names}`), h('span', { class: 'mrn' }, patient.mrn)) : null),
    form);
}

// What the server would refuse, found before the confirmation is asked:
// the first faulty field is marked and named in the banner in the user's
// language (the grade radios are named by their fieldset's legend).
function checkAeForm(form, box, list) {
  clearFieldErrors(form);
  form.querySelector('[data-testid="ae-grades"]').classList.remove('has-error');
  showErrorBox(box, null);
  const el = form.elements;
  const tm = list.terms.find((x) => x.code === el.term.value);
  const fail = (name, labelKey, message) => {
    showErrorBox(box, t('form.field_message', { field: t(labelKey), message }));
    if (!markFieldError(form, name, message)) {
      const set = name === 'grade' ? form.querySelector('[data-testid="ae-grades"]') : null;
      if (set) {
        set.classList.add('has-error');
        set.append(h('p', { class: 'field-error', 'data-testid': `error-${name}` }, message));
        (set.querySelector('input') || set).focus();
      }
    }
    return false;
  };
  const now = Date.now() + 60000;
  if (!el.term.value) return fail('term', 'ae.term', t('error.required'));
  if (tm && tm.needs_text && !el.term_text.value.trim()) return fail('term_text', 'ae.term_text', t('error.required'));
  if (!form.querySelector('input[name="grade"]:checked')) return fail('grade', 'ae.grade', t('error.required'));
  if (!el.onset_at.value) return fail('onset_at', 'ae.onset', t('error.required'));
  const onset = new Date(el.onset_at.value).getTime();
  if (Number.isNaN(onset)) return fail('onset_at', 'ae.onset', t('error.invalid_value'));
  if (onset > now) return fail('onset_at', 'ae.onset', t('ae.err.future'));
  if (el.resolved_at.value) {
    const resolved = new Date(el.resolved_at.value).getTime();
    if (Number.isNaN(resolved)) return fail('resolved_at', 'ae.resolved', t('error.invalid_value'));
    if (resolved < onset) return fail('resolved_at', 'ae.resolved', t('ae.err.resolved_before_onset'));
    if (resolved > now) return fail('resolved_at', 'ae.resolved', t('ae.err.future'));
  }
  for (const [name, key] of [['related_product', 'ae.related_product'], ['related_procedure', 'ae.related_procedure'],
    ['expectedness', 'ae.expectedness']]) {
    if (!el[name].value) return fail(name, key, t('error.required'));
  }
  return true;
}

// --- one event -------------------------------------------------------------
export async function renderAe(ctx, id) {
  const [{ data }, list] = await Promise.all([api('GET', `/adverse-events/${id}`), terms()]);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const e = data.adverse_event;
  const fact = (k, v, testid) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', { 'data-testid': testid }, v));
  const nodes = [head(`${termName(list, e.term_code, e.term_text)} · ${t('ae.grade_n', { n: e.grade })}`,
    h('p', { class: 'subtitle' }, h('a', { href: `#/patients/${e.patient_id}` }, `${e.family_name || ''} ${e.given_names || ''}`), h('span', { class: 'mrn' }, e.patient_mrn || ''),
      e.serious ? h('span', { class: 'badge bs-badge bs-overdue', 'data-testid': 'ae-serious' }, t('ae.serious')) : null)),
  h('section', { class: 'card' }, h('dl', { class: 'facts', 'data-testid': 'ae-facts' },
    fact(t('ae.term'), termName(list, e.term_code, e.term_text), 'ae-term'),
    fact(t('ae.grade'), t('ae.grade_n', { n: e.grade }), 'ae-grade'),
    fact(t('ae.onset'), formatDateTime(e.onset_at)), fact(t('ae.resolved'), e.resolved_at ? formatDateTime(e.resolved_at) : '—'),
    fact(t('ae.aware'), formatDateTime(e.aware_at)),
    fact(t('ae.seriousness'), (e.seriousness || []).map((s) => t(`ae.serious.${s}`)).join(', ') || t('ae.not_serious'), 'ae-criteria'),
    fact(t('ae.related_product'), t(`ae.rel.${e.related_product}`)), fact(t('ae.related_procedure'), t(`ae.rel.${e.related_procedure}`)),
    fact(t('ae.expectedness'), t(`ae.exp.${e.expectedness}`)), fact(t('ae.action'), t(`ae.action.${e.action}`)),
    fact(t('ae.outcome'), t(`ae.outcome.${e.outcome}`)), fact(t('ae.description'), e.description || '—'),
    fact(t('ae.assessed'), e.assessed_by ? `${e.assessed_by} · ${formatDateTime(e.assessed_at)}` : '—', 'ae-assessed'),
    fact(t('ae.links'), [...(data.administrations || []).map((a) => h('a', { href: `#/administrations/${a.id}`, 'data-testid': 'ae-adm-link' }, t('bs.record_title_on', { date: formatDateTime(a.started_at) }))),
      ...(data.units || []).map((u) => `${u.din}${u.din_check || ''} (${u.batch_code})`)].flatMap((x, i) => (i ? [', ', x] : [x])), 'ae-linked')))];
  const dls = data.deadlines || [];
  if (dls.length) {
    const bv = dls.some((d) => d.kind.startsWith('biovigilance'));
    nodes.push(h('section', { class: 'card' }, h('h2', {}, t('ae.deadlines')),
      bv ? h('p', { class: 'help', 'data-testid': 'ae-biovigilance' }, t('ae.biovigilance_help')) : null,
      h('ul', { 'data-testid': 'ae-deadlines' }, dls.map((d) => deadlineItem(id, d)))));
  }
  if (can(['physician']) && !e.assessed_by) {
    const box = errorBox('assess-error');
    const f = h('form', { id: 'assess-form', class: 'card', 'data-testid': 'assess-form', novalidate: true }, h('h2', {}, t('ae.assess')), box,
      signatureField('assess', t('ae.assess_help')),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'assess-submit' }, t('ae.assess'))));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api('POST', `/adverse-events/${id}/assessment`, { body: { password: f.elements.password.value } });
        navigate(`#/adverse-events/${id}`, t('ae.assessed_ok'));
      } catch (err) { showFormError(f, box, err); }
    });
    nodes.push(f);
  }
  ctx.main.append(...nodes);
}

// One reporting deadline: when it is due and its state; once sent, who sent it,
// when and the reference; before, for the physician or QA, the form that
// records the report sent to the authority.
function deadlineItem(id, d) {
  const li = h('li', { class: `bs-dl bs-${d.status}`, 'data-testid': 'ae-deadline', 'data-kind': d.kind },
    `${t(`ae.report.${d.kind}`)} · ${formatDateTime(d.due_at)} · `, h('strong', {}, t(`ae.dl.${d.status}`)));
  if (d.reported_at) {
    li.append(h('span', { 'data-testid': 'ae-deadline-sent' }, ' · ', t('ae.sent_by', { who: d.reported_by, at: formatDateTime(d.reported_at) }),
      d.reference ? ` · ${t('ae.reference_n', { ref: d.reference })}` : ''));
    return li;
  }
  if (!can(['physician', 'qa'])) return li;
  const box = errorBox(`sent-error-${d.kind}`);
  const f = h('form', { class: 'inline-form', 'data-testid': `sent-form-${d.kind}`, novalidate: true }, box,
    field(`sent-${d.kind}`, { name: 'reference', label: t('ae.reference'), maxlength: 200, help: t('ae.reference_help') }),
    h('button', { type: 'submit', class: 'btn', 'data-testid': `sent-submit-${d.kind}` }, t('ae.mark_sent')));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { kind: d.kind };
    const ref = f.elements.reference.value.trim();
    if (ref) body.reference = ref;
    try {
      await api('POST', `/adverse-events/${id}/reports`, { body });
      navigate(`#/adverse-events/${id}`, t('ae.sent_ok'));
    } catch (err) { showFormError(f, box, err); }
  });
  li.append(f);
  return li;
}

// --- list --------------------------------------------------------------------
const FILTERS = ['term', 'grade', 'serious', 'open', 'related', 'product_type', 'batch', 'patient_id'];

export async function renderAeList(ctx) {
  const q = {};
  for (const k of FILTERS) q[k] = ctx.query.get(k) || '';
  const page = Number(ctx.query.get('page') || 1);
  const [{ data }, list, dl, patient] = await Promise.all([api('GET', `/adverse-events${query({ ...q, page, per_page: 50 })}`), terms(),
    api('GET', '/adverse-events/deadlines').then((r) => r.data),
    /^\d+$/.test(q.patient_id) ? api('GET', `/patients/${q.patient_id}`).then((r) => r.data, () => null) : null]);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const lang = language();
  const sorted = [...list.terms].sort((a, b) => (a[lang] || a.en).localeCompare(b[lang] || b.en, lang));
  const form = h('form', { id: 'ae-filter', class: 'card', 'data-testid': 'ae-filter' },
    h('div', { class: 'row' },
      field('ae-filter', { name: 'term', label: t('ae.term'), type: 'select', value: q.term, options: [['', t('ae.any')], ...sorted.map((x) => [x.code, x[lang] || x.en])] }),
      field('ae-filter', { name: 'grade', label: t('ae.grade'), type: 'select', value: q.grade, options: [['', t('ae.any')], ...[1, 2, 3, 4, 5].map((g) => [String(g), t('ae.grade_n', { n: g })])] }),
      field('ae-filter', { name: 'serious', label: t('ae.serious'), type: 'select', value: q.serious, options: [['', t('ae.any')], ['true', t('ae.yes')], ['false', t('ae.no')]] }),
      field('ae-filter', { name: 'open', label: t('ae.state'), type: 'select', value: q.open, options: [['', t('ae.any')], ['true', t('ae.open_only')]] }),
      field('ae-filter', { name: 'related', label: t('ae.related_product'), type: 'select', value: q.related,
        options: [['', t('ae.any')], ['related', t('ae.rel.related')], ...list.relatedness.map((r) => [r, t(`ae.rel.${r}`)])] }),
      field('ae-filter', { name: 'product_type', label: t('lab.product_type'), type: 'select', value: q.product_type,
        options: [['', t('ae.any')], ...PRODUCTS.map((p) => [p, t(`lab.product.${p}`)])] }),
      field('ae-filter', { name: 'batch', label: t('ae.batch'), value: q.batch }),
      picker('ae-filter', { name: 'patient_id', label: t('picker.patient'), source: 'patient', value: patient ? { item: patient } : null })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'ae-filter-submit' }, t('bs.show')),
      h('a', { class: 'btn btn-big', href: `/api/v1/adverse-events${query({ ...q, format: 'csv', lang: language() })}`, download: 'adverse-events.csv', 'data-testid': 'ae-csv' }, t('ae.csv'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const nq = {};
    for (const k of FILTERS) if (form.elements[k]) nq[k] = form.elements[k].value.trim();
    navigate(`#/adverse-events${query(nq)}`);
  });
  const overdue = (dl.deadlines || []).filter((d) => d.status === 'overdue' || d.status === 'due_soon');
  const items = data.items || [];
  ctx.main.append(head(t('ae.list'), patient ? h('p', { class: 'subtitle', 'data-testid': 'ae-for-patient' }, `${patient.mrn} · ${patient.family_name} ${patient.given_names}`) : null),
    overdue.length ? h('section', { class: 'alert alert-error', role: 'alert', 'data-testid': 'ae-overdue' },
      h('p', { class: 'alert-title' }, t('ae.deadlines_alert', { overdue: dl.overdue, soon: dl.due_soon })),
      h('ul', {}, overdue.map((d) => h('li', {}, h('a', { href: `#/adverse-events/${d.adverse_event_id}` },
        `${d.patient_mrn} · ${termName(list, d.term_code)} · ${t(`ae.report.${d.kind}`)} · ${formatDateTime(d.due_at)} · ${t(`ae.dl.${d.status}`)}`))))) : '',
    form,
    h('p', { class: 'count', 'data-testid': 'ae-count' }, t('ae.count', { n: data.total ?? items.length })),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'ae-table' },
      h('thead', {}, h('tr', {}, ['ae.onset', 'bs.patient', 'ae.term', 'ae.grade', 'ae.serious', 'ae.related_product', 'ae.outcome', 'ae.batch']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, items.map((e) => h('tr', { 'data-testid': 'ae-row', 'data-id': e.id, class: e.serious ? 'bs-serious' : '' },
        h('td', {}, formatDateTime(e.onset_at)), h('td', {}, `${e.family_name}, ${e.given_names}`, h('br'), h('span', { class: 'mrn' }, e.patient_mrn)),
        h('td', {}, h('a', { href: `#/adverse-events/${e.id}`, 'data-testid': 'ae-link' }, termName(list, e.term_code, e.term_text))),
        h('td', {}, String(e.grade)), h('td', {}, e.serious ? t('ae.yes') : t('ae.no')),
        h('td', {}, t(`ae.rel.${e.related_product}`)), h('td', {}, t(`ae.outcome.${e.outcome}`)), h('td', {}, e.batch_code || '—'))))))
      : h('p', { class: 'empty', 'data-testid': 'ae-empty' }, t('bs.none')),
    pager({ page, perPage: 50, total: data.total || 0, onPage: (n) => navigate(`#/adverse-events${query({ ...q, page: n })}`) }) || '');
  if (can(AE_WRITE)) ctx.main.append(h('p', { class: 'actions' }, h('a', { class: 'btn btn-big', href: `#/adverse-events/new${query({ patient_id: q.patient_id })}`, 'data-testid': 'ae-new' }, t('ae.report'))));
}
