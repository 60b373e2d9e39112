// Bedside pages: the nurse worklist, the administration with its
// scan-and-verify step and the intrathecal second verification, the
// administration record with vital signs, completion and observation tasks,
// and the printable wristband. Tablet first: large targets, one column.
import { h, clear, today } from '../dom.js';
import { api, query } from '../api.js';
import { t, language, formatDateTime, formatDate } from '../i18n.js';
import { field, errorBox, showErrorBox, showFormError, errorMessage, confirmDialog, syntheticBadge } from '../ui.js';
import { can, navigate } from '../app.js';
import { session } from '../state.js';
import { BEDSIDE_READ, BEDSIDE_GIVE } from '../access.js';
export { BEDSIDE_READ, BEDSIDE_GIVE };


const stamp = () => String(Date.now() + Math.random());
const fullName = (o) => `${o.family_name || ''}, ${o.given_names || ''}`;

function head(title, ...extra) {
  return h('div', { class: 'page-head' },
    h('h1', { tabindex: '-1', 'data-testid': 'page-title', 'data-drawn': stamp() }, title), ...extra);
}

export function amountText(n, unit = 'cells') {
  if (n === null || n === undefined || n === '') return '';
  if (unit === 'microlitres') return `${Number(n) / 1000} mL`;
  return n >= 1e6 ? t('prog.million_cells', { n: (Number(n) / 1e6).toLocaleString(language()) }) : String(n);
}

const routeLabel = (r) => (r ? t(`prog.route.${r}`) : '');
const unitDin = (u) => `${u.din}${u.din_check || ''}`;

// An ISO instant "YYYY-MM-DDTHH:MM:SSZ" from a datetime-local value.
export function instant(local) {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : `${d.toISOString().slice(0, 19)}Z`;
}

// A datetime-local value for now (minutes).
export function localNow() {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

function badge(kind, text, testid) {
  return h('span', { class: `badge bs-badge bs-${kind}`, 'data-testid': testid }, text);
}

// --- worklist --------------------------------------------------------------
// The wards units were issued to, a demonstration ward said so; the ward
// asked for stays in the list even when no unit went there yet.
function wardOptions(wards, current) {
  const opts = wards.map((w) => [w.ward, w.synthetic ? `${w.ward} (${t('bs.demo_ward')})` : w.ward]);
  if (current && !wards.some((w) => w.ward === current)) opts.push([current, current]);
  return opts;
}

export async function renderWorklist(ctx) {
  const date = ctx.query.get('date') || today();
  const ward = ctx.query.get('ward') || '';
  const { data } = await api('GET', `/worklist${query({ date, ward })}`);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const filter = h('form', { class: 'card bs-filter', id: 'worklist-filter', 'data-testid': 'worklist-filter' },
    h('div', { class: 'row' },
      field('worklist', { name: 'date', label: t('bs.date'), type: 'date', value: date }),
      field('worklist', { name: 'ward', label: t('bs.ward'), type: 'select', value: ward,
        options: [['', t('bs.all_wards')], ...wardOptions(data.wards || [], ward)] }),
      h('div', { class: 'field field-submit' },
        h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'worklist-show' }, t('bs.show')))));
  filter.addEventListener('submit', (e) => {
    e.preventDefault();
    const q = query({ date: filter.elements.date.value, ward: filter.elements.ward.value });
    navigate(`#/bedside${q}`);
  });
  const give = can(BEDSIDE_GIVE);
  const admins = data.administrations || [];
  const rows = admins.map((a) => {
    const status = a.overdue ? 'overdue' : a.status;
    const action = a.status === 'given'
      ? h('a', { class: 'btn btn-big', href: `#/administrations/${a.administration_id}`, 'data-testid': 'worklist-record' }, t('bs.open_record'))
      : (give ? h('a', { class: 'btn btn-primary btn-big', href: `#/bedside/give/${a.plan_id}/${a.item}`, 'data-testid': 'worklist-give' }, t('bs.give')) : '');
    return h('tr', { class: `bs-row${a.overdue ? ' bs-overdue' : ''}`, 'data-testid': 'worklist-row', 'data-plan': a.plan_id, 'data-item': a.item, 'data-status': status },
      h('td', {}, formatDate(a.date), a.overdue ? [' ', badge('overdue', t('bs.overdue'), 'overdue-badge')] : null),
      h('td', {}, h('strong', {}, fullName(a)), a.synthetic ? [' ', syntheticBadge()] : null, h('br'), h('span', { class: 'mrn' }, a.patient_mrn), ' ',
        h('a', { href: `#/patients/${a.patient_id}/wristband`, 'data-testid': 'worklist-wristband' }, t('bs.wristband'))),
      h('td', {}, routeLabel(a.route), h('br'), h('span', { class: 'muted' }, `${a.product || ''} · ${amountText(a.amount)}`)),
      h('td', {}, a.ward || h('span', { class: 'muted' }, t('bs.no_ward')), h('br'), h('span', { class: 'mono muted' }, (a.units || []).map(unitDin).join(' '))),
      h('td', {}, badge(status, t(`bs.status.${status}`), 'worklist-status')),
      h('td', {}, action));
  });
  const tasks = (data.tasks || []).map((k) => h('tr', { class: `bs-row${k.overdue ? ' bs-overdue' : ''}`, 'data-testid': 'task-row', 'data-kind': k.kind },
    h('td', {}, formatDateTime(k.due_at), k.overdue ? [' ', badge('overdue', t('bs.overdue'), 'overdue-badge')] : null),
    h('td', {}, h('strong', {}, fullName(k)), k.synthetic ? [' ', syntheticBadge()] : null, h('br'), h('span', { class: 'mrn' }, k.patient_mrn)),
    h('td', {}, t(`bs.task.${k.kind}`)),
    h('td', {}, k.ward || h('span', { class: 'muted' }, t('bs.no_ward'))),
    h('td', {}, h('a', { class: 'btn btn-big', href: `#/administrations/${k.administration_id}`, 'data-testid': 'task-open' }, t('bs.open_record')))));
  const lang = language();
  const sessions = (data.sessions || []).map((x) => h('tr', { class: 'bs-row', 'data-testid': 'session-row', 'data-programme': x.programme },
    h('td', {}, formatDate(x.date)),
    h('td', {}, h('strong', {}, fullName(x)), x.synthetic ? [' ', syntheticBadge()] : null, h('br'), h('span', { class: 'mrn' }, x.patient_mrn)),
    h('td', { 'data-testid': 'session-programme' }, (x.name && (x.name[lang] || x.name.en)) || x.programme),
    h('td', {}, t('bs.session_count', { n: x.sessions })),
    h('td', {}, x.ward || h('span', { class: 'muted' }, t('bs.no_ward')))));
  ctx.main.append(
    head(t('bs.worklist'), h('p', { class: 'subtitle' }, t('bs.worklist_days', { date: formatDate(data.date) }))),
    filter,
    ...(ward && !(data.wards || []).some((w) => w.ward === ward && w.synthetic)
      ? [h('p', { class: 'help', 'data-testid': 'worklist-synthetic-note' }, t('bs.synthetic_left_out'))] : []),
    h('section', { class: 'card', 'aria-labelledby': 'wl-adm' }, h('h2', { id: 'wl-adm' }, t('bs.administrations')),
      rows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list bs-table', 'data-testid': 'worklist-table' },
        h('thead', {}, h('tr', {}, ['bs.date', 'bs.patient', 'bs.route', 'bs.ward', 'bs.status', ''].map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))),
        h('tbody', {}, rows)))
        : h('p', { class: 'empty', 'data-testid': 'worklist-empty' }, t('bs.none'))),
    h('section', { class: 'card', 'aria-labelledby': 'wl-sessions' }, h('h2', { id: 'wl-sessions' }, t('bs.sessions')),
      sessions.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list bs-table', 'data-testid': 'sessions-table' },
        h('thead', {}, h('tr', {}, ['bs.date', 'bs.patient', 'bs.programme', 'bs.sessions_n', 'bs.ward'].map((k) => h('th', { scope: 'col' }, t(k))))),
        h('tbody', {}, sessions)))
        : h('p', { class: 'empty', 'data-testid': 'sessions-empty' }, t('bs.none'))),
    h('section', { class: 'card', 'aria-labelledby': 'wl-tasks' }, h('h2', { id: 'wl-tasks' }, t('bs.tasks')),
      tasks.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'list bs-table', 'data-testid': 'tasks-table' },
        h('thead', {}, h('tr', {}, ['bs.due', 'bs.patient', 'bs.task', 'bs.ward', ''].map((k) => h('th', { scope: 'col' }, k ? t(k) : '')))),
        h('tbody', {}, tasks)))
        : h('p', { class: 'empty', 'data-testid': 'tasks-empty' }, t('bs.none'))));
}

// --- the administration: scan, verify, record ------------------------------

// The refusal reasons of a verify or create answer, in the user's language.
function reasonsBox(box, reasons) {
  clear(box);
  box.hidden = false;
  box.className = 'alert alert-error bs-verdict';
  box.append(h('p', { class: 'alert-title', 'data-testid': 'verdict-refused' }, t('bs.refused', { n: reasons.length })),
    h('ul', { class: 'bs-reasons', 'data-testid': 'bedside-reasons' }, reasons.map((r) => h('li', {
      'data-testid': 'bedside-reason', 'data-code': r.code,
    }, r[language()] || r.message))));
  box.focus();
}

function goBox(box, v) {
  clear(box);
  box.hidden = false;
  box.className = 'alert alert-ok bs-verdict';
  const p = v.prescription;
  box.append(h('p', { class: 'alert-title', 'data-testid': 'verdict-go' }, t('bs.go')),
    h('p', {}, t('bs.go_detail', { patient: fullName(p), mrn: p.patient_mrn, route: routeLabel(p.route),
      amount: amountText(v.total_amount, p.dose_unit), dose: amountText(p.dose, p.dose_unit) })));
  box.focus();
}

function scanInput(id, name, label, help) {
  return field('adm', { name, label, help, required: true, autocomplete: 'off', inputmode: 'text' });
}

export async function renderGive(ctx, planId, item) {
  const { data: row } = await api('GET', `/plans/${planId}`);
  const adm = (row.plan.administrations || []).find((a) => String(a.n) === String(item));
  const { data: patient } = await api('GET', `/patients/${row.patient_id}`);
  if (!ctx.alive()) return;
  clear(ctx.main);
  if (!adm) throw Object.assign(new Error(t('bs.no_item')), { status: 404 });
  const isPhysician = session.user.role === 'physician';
  const verdict = h('div', { class: 'alert', id: 'verdict', tabindex: '-1', role: 'alert', 'data-testid': 'verdict', hidden: true });
  const box = errorBox('adm-error');
  const unitRows = h('div', { class: 'bs-units', 'data-testid': 'adm-units' });
  let nUnits = 0;
  const addUnit = () => {
    if (nUnits >= 4) return;
    const i = nUnits++;
    unitRows.append(h('fieldset', { class: 'bs-unit', 'data-testid': `adm-unit-${i}` },
      h('legend', {}, t('bs.unit_n', { n: i + 1 })),
      h('div', { class: 'row' },
        field('adm', { name: `din_${i}`, label: t('bs.scan_din'), help: t('bs.scan_din_help'), required: true }),
        field('adm', { name: `product_${i}`, label: t('bs.scan_product'), help: t('bs.scan_product_help'), required: true }))));
  };
  addUnit();
  const intrathecal = h('fieldset', { class: 'card bs-second', 'data-testid': 'second-verifier', hidden: adm.route !== 'intrathecal' },
    h('legend', {}, t('bs.second')), h('p', { class: 'help' }, t('bs.second_help')),
    h('div', { class: 'row' },
      field('adm', { name: 'second_username', label: t('bs.second_username'), autocomplete: 'off' }),
      field('adm', { name: 'second_password', label: t('bs.second_password'), type: 'password', autocomplete: 'off' })));
  const form = h('form', { id: 'adm-form', class: 'card bs-form', 'data-testid': 'adm-form', novalidate: true },
    box,
    h('h2', {}, t('bs.scan')),
    scanInput('adm', 'wristband', t('bs.scan_wristband'), t('bs.scan_wristband_help')),
    unitRows,
    h('div', { class: 'actions' }, h('button', { type: 'button', class: 'btn btn-big', 'data-testid': 'adm-add-unit',
      on: { click: () => { addUnit(); invalidate(); } } }, t('bs.add_unit'))),
    h('div', { class: 'row' },
      field('adm', { name: 'route', label: t('bs.route_given'), type: 'select', required: true, value: adm.route,
        options: ['intravenous', 'intrathecal', 'local', 'inhalation', 'topical', 'graft'].map((r) => [r, routeLabel(r)]) }),
      field('adm', { name: 'site', label: t('bs.site'), help: t('bs.site_help') })),
    intrathecal,
    isPhysician ? field('adm', { name: 'override_reason', label: t('bs.override'), type: 'textarea', help: t('bs.override_help') }) : null,
    h('div', { class: 'row' },
      field('adm', { name: 'premedication', label: t('bs.premedication') }),
      field('adm', { name: 'operators', label: t('bs.operators') })),
    field('adm', { name: 'notes', label: t('bs.notes'), type: 'textarea' }),
    verdict,
    h('div', { class: 'actions bs-actions' },
      h('button', { type: 'button', class: 'btn btn-big', 'data-testid': 'adm-verify', on: { click: () => verify() } }, t('bs.verify')),
      h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'adm-record', disabled: true }, t('bs.record'))));
  const recordBtn = form.querySelector('[data-testid="adm-record"]');
  form.elements.route.addEventListener('change', () => {
    intrathecal.hidden = form.elements.route.value !== 'intrathecal' && adm.route !== 'intrathecal';
  });

  // Keyboard-wedge scanners type the code and press Enter: Enter moves to
  // the next scan field (and from the last one, verifies) instead of submitting.
  form.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || e.target.tagName !== 'INPUT') return;
    e.preventDefault();
    const names = ['wristband'];
    for (let i = 0; i < nUnits; i++) names.push(`din_${i}`, `product_${i}`);
    const k = names.indexOf(e.target.name);
    if (k >= 0 && k + 1 < names.length) form.elements[names[k + 1]].focus();
    else verify();
  });
  // Any change after a verification means it must be verified again.
  const invalidate = () => { recordBtn.disabled = true; };
  form.addEventListener('input', invalidate);

  const body = () => {
    const v = (n) => (form.elements[n] ? form.elements[n].value.trim() : '');
    const b = { plan_id: Number(planId), item: Number(item), wristband: v('wristband'), route: v('route'), units: [] };
    for (let i = 0; i < nUnits; i++) {
      if (v(`din_${i}`) || v(`product_${i}`)) b.units.push({ din: v(`din_${i}`), product_code: v(`product_${i}`) });
    }
    for (const n of ['site', 'override_reason', 'premedication', 'operators', 'notes']) if (v(n)) b[n] = v(n);
    if (v('second_username') || form.elements.second_password.value) {
      b.second_verifier = { username: v('second_username'), password: form.elements.second_password.value };
    }
    return b;
  };
  async function verify() {
    showErrorBox(box, '');
    verdict.hidden = true;
    recordBtn.disabled = true;
    const b = body();
    if (!b.units.length) b.units = [{ din: '', product_code: '' }];
    try {
      const { data } = await api('POST', '/administrations/verify', { body: b });
      if (data.go) { goBox(verdict, data); recordBtn.disabled = false; } else reasonsBox(verdict, data.reasons);
    } catch (err) {
      showFormError(form, box, err);
    }
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (recordBtn.disabled) return;
    const ok = await confirmDialog({ title: t('bs.record_confirm_title'), text: t('bs.record_confirm_text', {
      patient: fullName(patient), mrn: patient.mrn, route: routeLabel(form.elements.route.value) }), ok: t('bs.record') });
    if (!ok) return;
    try {
      const { data } = await api('POST', '/administrations', { body: body() });
      navigate(`#/administrations/${data.administration.id}`, t('bs.recorded'));
    } catch (err) {
      recordBtn.disabled = true;
      if (err.code === 'bedside_refused' && err.body.reasons) reasonsBox(verdict, err.body.reasons);
      else showFormError(form, box, err);
    }
  });

  ctx.main.append(
    head(t('bs.give_title'), h('p', { class: 'subtitle' }, h('strong', { 'data-testid': 'give-patient' }, fullName(patient)),
      h('span', { class: 'mrn' }, patient.mrn),
      h('a', { href: `#/patients/${patient.id}/wristband`, 'data-testid': 'give-wristband' }, t('bs.wristband')))),
    h('section', { class: 'card' }, h('h2', {}, t('bs.prescription')),
      h('dl', { class: 'facts', 'data-testid': 'prescription' },
        h('div', { class: 'fact' }, h('dt', {}, t('bs.date')), h('dd', {}, formatDate(adm.date))),
        h('div', { class: 'fact' }, h('dt', {}, t('bs.route')), h('dd', { 'data-testid': 'prescribed-route' }, routeLabel(adm.route))),
        h('div', { class: 'fact' }, h('dt', {}, t('bs.product')), h('dd', {}, adm.product || '')),
        h('div', { class: 'fact' }, h('dt', {}, t('bs.dose')), h('dd', {}, adm.cells ? amountText(adm.cells) : amountText(adm.volume_ul, 'microlitres'))),
        h('div', { class: 'fact' }, h('dt', {}, t('bs.plan')), h('dd', {}, h('a', { href: `#/plans/${planId}` }, t('prog.plan')))))),
    form);
  form.elements.wristband.focus();
}

// --- the administration record ---------------------------------------------
const VITALS = [['systolic', 'mmhg'], ['diastolic', 'mmhg'], ['heart_rate', 'per_min'], ['spo2', 'percent'],
  ['temperature', 'celsius'], ['respiratory_rate', 'per_min']];
// A sign's name with its unit, both from the catalogue.
const vitalLabel = (k, u) => t('bs.v.label', { name: t(`bs.v.${k}`), unit: t(`unit.${u}`) });

function vitalsTable(rows) {
  if (!rows.length) return h('p', { class: 'empty', 'data-testid': 'vitals-empty' }, t('bs.none'));
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'vitals-table' },
    h('thead', {}, h('tr', {}, h('th', {}, t('bs.phase')), h('th', {}, t('bs.taken_at')),
      VITALS.map(([k, u]) => h('th', { class: 'num' }, vitalLabel(k, u))), h('th', {}, t('bs.abnormal')))),
    h('tbody', {}, rows.map((v) => {
      let abn = [];
      try { abn = JSON.parse(v.abnormal_json || '[]'); } catch { abn = []; }
      const vals = { ...v, temperature: v.temperature_dc === null ? null : (v.temperature_dc / 10).toFixed(1) };
      return h('tr', { 'data-testid': 'vitals-row', class: abn.length ? 'bs-abnormal' : '' },
        h('td', {}, t(`bs.phase.${v.phase}`)), h('td', {}, formatDateTime(v.taken_at)),
        VITALS.map(([k]) => h('td', { class: 'num' }, vals[k] ?? '—')),
        h('td', {}, abn.map((a) => a[language()] || a.message).join('; ')));
    }))));
}

export async function renderAdministration(ctx, id) {
  const { data } = await api('GET', `/administrations/${id}`);
  if (!ctx.alive()) return;
  clear(ctx.main);
  const a = data.administration;
  const give = can(BEDSIDE_GIVE);
  const unitIds = (data.units || []).map((u) => u.id);
  const aeHref = (term, termText, grade) => `#/adverse-events/new${query({ patient_id: a.patient_id, administration_id: a.id, unit_ids: unitIds.join(','), term, term_text: termText || '', grade: grade || '' })}`;
  const nodes = [
    head(t('bs.record_title_on', { date: formatDateTime(a.started_at) || a.planned_date || '' }), h('p', { class: 'subtitle' }, h('strong', {}, fullName(a)), h('span', { class: 'mrn' }, a.patient_mrn),
      badge(a.status, t(`bs.status.${a.status}`), 'adm-status'),
      h('a', { href: `#/patients/${a.patient_id}/wristband` }, t('bs.wristband')))),
    h('section', { class: 'card' },
      h('dl', { class: 'facts', 'data-testid': 'adm-facts' },
        [[t('bs.route'), routeLabel(a.route)], [t('bs.site'), a.site || '—'],
          [t('bs.given'), amountText(a.actual_amount, a.dose_unit)], [t('bs.prescribed'), amountText(a.prescribed_amount, a.dose_unit)],
          [t('bs.started'), formatDateTime(a.started_at)], [t('bs.ended'), a.ended_at ? formatDateTime(a.ended_at) : '—'],
          [t('bs.operator'), a.operator], [t('bs.second'), a.second_verifier || '—'],
          a.override_reason ? [t('bs.override'), a.override_reason] : null,
          [t('bs.premedication'), a.premedication || '—'], [t('bs.notes'), a.notes || '—'],
          [t('bs.units'), (data.units || []).map((u) => `${unitDin(u)} (${u.batch_code})`).join(', ')]]
          .filter(Boolean).map(([k, v]) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v))))),
  ];
  // vital signs
  const prompt = h('div', { class: 'alert alert-warning', role: 'alert', tabindex: '-1', 'data-testid': 'ae-prompt', hidden: true });
  const vitalsSection = h('section', { class: 'card', 'aria-labelledby': 'sec-vitals' },
    h('h2', { id: 'sec-vitals' }, t('bs.vitals')), vitalsTable(data.vitals || []), prompt);
  nodes.push(vitalsSection);
  if (give) {
    const phases = ['before', 'during', 'after'];
    const have = new Set((data.vitals || []).map((v) => v.phase));
    const next = a.status === 'completed' ? 'after' : (phases.find((p) => !have.has(p)) || 'after');
    const box = errorBox('vitals-error');
    const vf = h('form', { id: 'vitals-form', class: 'bs-vitals-form', 'data-testid': 'vitals-form', novalidate: true },
      h('h3', {}, t('bs.vitals_add')), box,
      h('div', { class: 'row' },
        field('vitals', { name: 'phase', label: t('bs.phase'), type: 'select', value: next, options: phases.map((p) => [p, t(`bs.phase.${p}`)]) }),
        // the time the signs were taken, in the clinic's (the browser's) time zone; sent in UTC
        field('vitals', { name: 'taken_at', label: t('bs.taken_at'), type: 'datetime-local', required: true, value: localNow() }),
        VITALS.map(([k, u]) => field('vitals', { name: k, label: vitalLabel(k, u), type: 'text', inputmode: 'decimal' }))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'vitals-submit' }, t('bs.vitals_save'))));
    vf.addEventListener('submit', async (e) => {
      e.preventDefault();
      const b = { phase: vf.elements.phase.value };
      if (!vf.elements.taken_at.value) { showFormError(vf, box, { code: 'required', field: 'taken_at' }); return; }
      b.taken_at = instant(vf.elements.taken_at.value);
      for (const [k] of VITALS) {
        const v = vf.elements[k].value.trim().replace(',', '.');
        if (v !== '') b[k] = k === 'temperature' ? Number(v) : (/^-?\d+$/.test(v) ? Number(v) : v);
      }
      try {
        const { data: r } = await api('POST', `/administrations/${id}/vitals`, { body: b });
        if (r.prompt_adverse_event) {
          const fever = r.abnormal.some((x) => x.code === 'temperature_high');
          // a child's raised pressure comes graded (CTCAE v5.0, children): proposed as such
          const htn = /^hypertension_grade_(\d)$/.exec((r.abnormal.find((x) => x.code.startsWith('hypertension_grade_')) || {}).code || '');
          // autonomic dysreflexia has no CTCAE term of its own: "other, specify", named
          const term = r.autonomic_dysreflexia ? 'other' : fever ? 'fever' : htn ? 'hypertension' : '';
          const termText = r.autonomic_dysreflexia ? t('bs.ad_term_text') : '';
          const grade = term === 'hypertension' ? htn[1] : '';
          sessionStorage.setItem('cc.abnormal', JSON.stringify({ id: String(id), abnormal: r.abnormal, term, termText, grade, dysreflexia: !!r.autonomic_dysreflexia }));
          navigate(`#/administrations/${id}?prompt=${encodeURIComponent(r.abnormal.map((x) => x.code).join(','))}`);
        } else navigate(`#/administrations/${id}`, t('bs.vitals_saved'));
      } catch (err) {
        showFormError(vf, box, err);
      }
    });
    vitalsSection.append(vf);
  }
  // prompt after an abnormal reading (carried over the redraw)
  let carried = null;
  try { carried = JSON.parse(sessionStorage.getItem('cc.abnormal') || 'null'); } catch { carried = null; }
  if (ctx.query.get('prompt') && carried && carried.id === String(id)) {
    prompt.hidden = false;
    if (carried.dysreflexia) prompt.classList.replace('alert-warning', 'alert-error');
    // append() writes a null child as the text "null": only the nodes
    prompt.append(...[h('p', { class: 'alert-title' }, t('bs.abnormal_prompt')),
      carried.dysreflexia ? h('p', { 'data-testid': 'ad-alert' }, h('strong', {}, t('bs.ad_alert'))) : null,
      h('ul', {}, carried.abnormal.map((x) => h('li', { 'data-testid': 'abnormal-finding', 'data-code': x.code }, x[language()] || x.message))),
      give ? h('div', { class: 'actions' }, h('a', { class: 'btn btn-warning btn-big', href: aeHref(carried.term, carried.termText, carried.grade), 'data-testid': 'ae-prompt-report' }, t('ae.report'))) : null].filter(Boolean));
  }
  // completion
  if (give && a.status === 'in_progress') {
    const box = errorBox('complete-error');
    const cf = h('form', { id: 'complete-form', class: 'card', 'data-testid': 'complete-form', novalidate: true },
      h('h2', {}, t('bs.complete')), box, h('p', { class: 'help' }, t('bs.complete_help')),
      h('div', { class: 'row' },
        field('complete', { name: 'ended_at', label: t('bs.ended'), type: 'datetime-local', value: localNow() }),
        field('complete', { name: 'premedication', label: t('bs.premedication'), value: a.premedication || '' }),
        field('complete', { name: 'operators', label: t('bs.operators'), value: a.operators || '' })),
      field('complete', { name: 'notes', label: t('bs.notes'), type: 'textarea', value: a.notes || '' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-big', 'data-testid': 'complete-submit' }, t('bs.complete'))));
    cf.addEventListener('submit', async (e) => {
      e.preventDefault();
      const ok = await confirmDialog({ title: t('bs.complete_confirm'), text: t('bs.complete_help'), ok: t('bs.complete') });
      if (!ok) return;
      const b = {};
      for (const n of ['premedication', 'operators', 'notes']) if (cf.elements[n].value.trim()) b[n] = cf.elements[n].value.trim();
      if (cf.elements.ended_at.value) b.ended_at = instant(cf.elements.ended_at.value);
      try {
        await api('POST', `/administrations/${id}/complete`, { body: b });
        navigate(`#/administrations/${id}`, t('bs.completed'));
      } catch (err) { showFormError(cf, box, err); }
    });
    nodes.push(cf);
  }
  // observation tasks
  const tasks = data.tasks || [];
  const now = new Date().toISOString();
  nodes.push(h('section', { class: 'card', 'aria-labelledby': 'sec-tasks' }, h('h2', { id: 'sec-tasks' }, t('bs.tasks')),
    tasks.length ? h('ul', { class: 'bs-tasks', 'data-testid': 'adm-tasks' }, tasks.map((k) => {
      const overdue = !k.done_at && k.due_at < now;
      return h('li', { class: `bs-task${overdue ? ' bs-overdue' : ''}${k.done_at ? ' bs-done' : ''}`, 'data-testid': 'adm-task', 'data-kind': k.kind },
        h('span', { class: 'bs-task-what' }, h('strong', {}, t(`bs.task.${k.kind}`)), ' · ', formatDateTime(k.due_at),
          overdue ? [' ', badge('overdue', t('bs.overdue'), 'overdue-badge')] : null),
        k.done_at ? h('span', { class: 'muted', 'data-testid': 'task-done' }, t('bs.task_done_by', { by: k.done_by, at: formatDateTime(k.done_at) }), k.note ? ` — ${k.note}` : '')
          : (give ? h('button', { type: 'button', class: 'btn btn-big', 'data-testid': 'task-done-button', on: { click: async () => {
            if (!(await confirmDialog({ title: t('bs.task_confirm', { task: t(`bs.task.${k.kind}`) }), ok: t('bs.task_mark') }))) return;
            try {
              await api('POST', `/administrations/${id}/tasks/${k.id}/done`, { body: {} });
              navigate(`#/administrations/${id}`, t('bs.task_marked'));
            } catch (err) { navigate(`#/administrations/${id}`, errorMessage(err)); }
          } } }, t('bs.task_mark')) : null));
    })) : h('p', { class: 'empty', 'data-testid': 'tasks-empty' }, t(a.status === 'completed' ? 'bs.none' : 'bs.tasks_after'))));
  // adverse events
  const aes = data.adverse_events || [];
  const names = {};
  if (aes.length) {
    const { data: list } = await api('GET', '/adverse-events/terms');
    if (!ctx.alive()) return;
    for (const x of list.terms) names[x.code] = x[language()] || x.en;
  }
  nodes.push(h('section', { class: 'card', 'aria-labelledby': 'sec-ae' }, h('h2', { id: 'sec-ae' }, t('ae.title')),
    aes.length ? h('ul', { 'data-testid': 'adm-aes' }, aes.map((e) => h('li', { 'data-testid': 'adm-ae' },
      h('a', { href: `#/adverse-events/${e.id}` }, `${names[e.term_code] || e.term_code}${e.term_text ? `: ${e.term_text}` : ''} · ${t('ae.grade_n', { n: e.grade })}`)))) : h('p', { class: 'empty' }, t('bs.none')),
    give ? h('div', { class: 'actions' }, h('a', { class: 'btn btn-big', href: aeHref(''), 'data-testid': 'adm-report-ae' }, t('ae.report'))) : null));
  ctx.main.append(...nodes);
}

// --- wristband ---------------------------------------------------------------
export async function renderWristband(ctx, id) {
  const { data: p } = await api('GET', `/patients/${id}`);
  if (!ctx.alive()) return;
  clear(ctx.main);
  ctx.main.append(head(t('bs.wristband_title'), h('p', { class: 'subtitle' }, h('strong', {}, fullName(p)), h('span', { class: 'mrn' }, p.mrn))),
    h('section', { class: 'card bs-wristband' },
      h('img', { src: `/api/v1/patients/${id}/wristband.png`, alt: t('bs.wristband_alt', { mrn: p.mrn }), class: 'bs-wristband-img', 'data-testid': 'wristband-preview', width: '1000', height: '100' }),
      h('div', { class: 'actions no-print' },
        h('a', { class: 'btn btn-primary btn-big', href: `/api/v1/patients/${id}/wristband.pdf`, download: `wristband-${p.mrn}.pdf`, 'data-testid': 'wristband-pdf' }, t('bs.wristband_pdf')),
        h('button', { type: 'button', class: 'btn btn-big', 'data-testid': 'wristband-print', on: { click: () => window.print() } }, t('bs.print')),
        h('a', { class: 'btn btn-big', href: `#/patients/${id}` }, t('bs.back_patient')))));
}
