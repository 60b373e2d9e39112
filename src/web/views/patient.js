// One patient: demographics, dated weights, conditions, medications and
// allergies; add a weight, a condition, a medication (or stop one), an
// allergy; links to edit and print.
import { h, append, clear, today } from '../dom.js';
import { api } from '../api.js';
import { t, formatNumber, formatDate, formatDateTime } from '../i18n.js';
import {
  syntheticBadge, sexLabel, languageLabel, field, errorBox, showErrorBox,
  showFormError, clearFieldErrors, markFieldError, flash,
} from '../ui.js';
import { can } from '../app.js';
import { session } from '../state.js';
import { programmeSection } from './programmes.js';
import { consentSection } from './consents.js';
import { conditionKind, detailFields, detailsText, onsetLabel, readDetails } from './conditions.js';

export async function renderPatientView(ctx, id) {
  // the patient and the two sections (which need only the patient's id)
  // asked for at once; the patient's error, if any, is the one shown
  const patient = api('GET', `/patients/${id}`).then((r) => r.data);
  const sections = Promise.all([
    // the programmes' section uses the patient's id alone
    can(['admin', 'coordinator', 'physician', 'nurse']) ? programmeSection({ id: Number(id) }) : null,
    consentSection(id, patient, (message) => reload(ctx, Number(id), message, null))]);
  sections.catch(() => {});
  const p = await patient;
  const [programmes, consents] = await sections;
  if (!ctx.alive()) return;
  const { main } = ctx;
  clear(main);

  const title = h('h1', { tabindex: '-1', 'data-testid': 'patient-name' },
    `${p.family_name.toUpperCase()}, ${p.given_names}`);
  const actions = h('div', { class: 'actions no-print' },
    can(['admin', 'coordinator', 'physician'])
      ? h('a', { class: 'btn btn-primary', href: `#/patients/${p.id}/edit`, id: 'edit-patient', 'data-testid': 'edit-patient' }, t('action.edit'))
      : null,
    can(['admin', 'qa'])
      ? h('a', { class: 'btn', href: `#/access-log?patient=${encodeURIComponent(p.mrn)}`, 'data-testid': 'patient-access-log' }, t('access.who_read'))
      : null,
    can(['physician', 'nurse', 'lab', 'qa'])
      ? h('a', { class: 'btn', href: `#/lab/lookback?patient=${p.id}`, 'data-testid': 'patient-lookback' }, t('lab.lookback.from_patient'))
      : null,
    h('a', { class: 'btn', href: `#/patients/${p.id}/timeline`, 'data-testid': 'patient-timeline' }, t('tl.open')),
    h('button', { type: 'button', class: 'btn', 'data-testid': 'print-patient', on: { click: () => window.print() } }, t('action.print')),
    h('a', { class: 'btn btn-quiet', href: '#/patients', 'data-testid': 'back-to-list' }, t('patients.back')));

  // append skips the sections a patient does not have (null); Element.append would write "null"
  append(main, [
    h('div', { class: 'page-head patient-head' },
      h('div', {},
        title,
        h('p', { class: 'subtitle' },
          h('span', { class: 'mrn', 'data-testid': 'patient-mrn' }, `${t('patient.mrn')} ${p.mrn}`),
          p.synthetic ? [' ', syntheticBadge()] : null)),
      actions),
    h('section', { class: 'card', 'aria-labelledby': 'sec-demo' },
      h('h2', { id: 'sec-demo' }, t('patient.section.identity')),
      h('dl', { class: 'facts', 'data-testid': 'patient-facts' },
        fact('patient.family_name', p.family_name, 'family_name'),
        fact('patient.given_names', p.given_names, 'given_names'),
        fact('patient.birth_date', formatDate(p.birth_date), 'birth_date'),
        fact('patient.sex', sexLabel(p.sex), 'sex'),
        fact('patient.language', languageLabel(p.language), 'language'),
        fact('patient.email', p.email, 'email'),
        fact('patient.phone', p.phone, 'phone'),
        fact('patient.address', p.address, 'address'),
        fact('patient.updated_at', formatDateTime(p.updated_at), 'updated_at'),
        fact('patient.version', String(p.version ?? ''), 'version'))),
    requestSection(p),
    weightsSection(ctx, p),
    conditionsSection(ctx, p),
    medicationsSection(ctx, p),
    allergiesSection(ctx, p),
    consents,
    programmes,
    h('p', { class: 'print-only', 'data-testid': 'printed-by' },
      t('print.footer', { date: formatDateTime(new Date().toISOString()), user: session.user ? session.user.username : '' }))]);
}

// The consultation request the patient came from: its date (a link for who
// may open the inbox) and its message, kept as a note.
function requestSection(p) {
  const requests = p.consultation_requests || [];
  if (!requests.length) return null;
  return h('section', { class: 'card', 'aria-labelledby': 'sec-request', 'data-testid': 'patient-request' },
    h('h2', { id: 'sec-request' }, t('patient.section.request')),
    requests.map((r) => {
      const title = t('patient.request_of', { date: formatDate(localDay(r.created_at)) });
      return h('div', { class: 'patient-request' },
        h('p', {}, can(['admin', 'coordinator'])
          ? h('a', { href: `#/requests/${r.id}`, 'data-testid': 'patient-request-link' }, title)
          : h('span', { 'data-testid': 'patient-request-link' }, title)),
        r.message
          ? h('blockquote', { class: 'message-text', 'data-testid': 'patient-request-note' }, r.message)
          : null);
    }));
}

// The local calendar day (YYYY-MM-DD) of an instant.
function localDay(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function fact(labelKey, value, name) {
  return h('div', { class: 'fact' },
    h('dt', {}, t(labelKey)),
    h('dd', { 'data-testid': `fact-${name}` }, value ? value : h('span', { class: 'muted' }, '—')));
}

// Redraws the page after an addition, keeping the scroll position and putting
// the focus back in the form that was used, ready for the next entry.
async function reload(ctx, id, message, focusSelector) {
  const y = window.scrollY;
  await renderPatientView(ctx, id);
  window.scrollTo(0, y);
  if (message) flash(message);
  const el = focusSelector && ctx.main.querySelector(focusSelector);
  if (el) el.focus({ preventScroll: true });
}

function weightsSection(ctx, p) {
  const weights = [...(p.weights || [])].sort((a, b) => (a.date < b.date ? 1 : -1));
  const list = weights.length
    ? h('table', { class: 'list compact', 'data-testid': 'weights-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('weight.date')), h('th', { scope: 'col', class: 'num' }, t('weight.kg')))),
      h('tbody', {}, weights.map((w) => h('tr', { 'data-testid': 'weight-row' },
        h('td', {}, formatDate(w.date)), h('td', { class: 'num' }, formatNumber(w.kg, 1))))))
    : h('p', { class: 'muted', 'data-testid': 'weights-empty' }, t('weight.none'));

  let form = null;
  if (can(['admin', 'coordinator', 'physician', 'nurse'])) {
    const box = errorBox('weight-error');
    form = h('form', { class: 'inline-form no-print', 'data-testid': 'weight-form', novalidate: true, 'aria-labelledby': 'weight-form-title' },
      h('h3', { id: 'weight-form-title' }, t('weight.add')),
      box,
      h('div', { class: 'row' },
        field('weight', { name: 'date', label: t('weight.date'), type: 'date', value: today(), required: true, max: today() }),
        field('weight', { name: 'kg', label: t('weight.kg'), type: 'number', step: '0.1', min: '0.5', max: '400', required: true, inputmode: 'decimal' }),
        h('div', { class: 'field field-submit' },
          h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'weight-submit' }, t('weight.submit')))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const date = form.elements.date.value;
      const kgText = form.elements.kg.value.replace(',', '.');
      const kg = Number(kgText);
      if (!date) { markFieldError(form, 'date', t('error.required')); return; }
      if (!kgText || !Number.isFinite(kg)) { markFieldError(form, 'kg', t('error.number')); return; }
      try {
        await api('POST', `/patients/${p.id}/weights`, { body: { date, kg } });
        await reload(ctx, p.id, t('weight.added'), '#weight-kg');
      } catch (err) {
        if (err.status === 401) return;
        showFormError(form, box, err);
      }
    });
  }
  return h('section', { class: 'card', 'aria-labelledby': 'sec-weights', 'data-testid': 'weights-section' },
    h('h2', { id: 'sec-weights' }, t('patient.section.weights')), list, form);
}

function conditionsSection(ctx, p) {
  const conditions = p.conditions || [];
  const list = conditions.length
    ? h('table', { class: 'list compact', 'data-testid': 'conditions-table' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('condition.icd10')),
        h('th', { scope: 'col' }, t('condition.label')),
        h('th', { scope: 'col' }, t('condition.onset_date')),
        h('th', { scope: 'col' }, t('condition.details')))),
      h('tbody', {}, conditions.map((c) => h('tr', { 'data-testid': 'condition-row' },
        h('td', { class: 'mono' }, c.icd10), h('td', {}, c.label), h('td', { class: 'nowrap' }, formatDate(c.onset_date)),
        h('td', { 'data-testid': 'condition-details-text' }, detailsText(c.details))))))
    : h('p', { class: 'muted', 'data-testid': 'conditions-empty' }, t('condition.none'));

  let form = null;
  if (can(['admin', 'coordinator', 'physician'])) {
    const box = errorBox('condition-error');
    form = h('form', { class: 'inline-form no-print', 'data-testid': 'condition-form', novalidate: true, 'aria-labelledby': 'condition-form-title' },
      h('h3', { id: 'condition-form-title' }, t('condition.add')),
      box,
      h('div', { class: 'row' },
        field('condition', { name: 'icd10', label: t('condition.icd10'), required: true, maxlength: 8, help: t('condition.icd10_help') }),
        field('condition', { name: 'label', label: t('condition.label'), required: true, maxlength: 200 }),
        field('condition', { name: 'onset_date', label: t('condition.onset_date'), type: 'date', max: today() })),
      h('div', { class: 'condition-details-slot' }, detailFields('condition', 'other')),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'condition-submit' }, t('condition.submit'))));
    // the details follow the code typed: an injury's level and AIS grade, ...
    let kind = 'other';
    const redraw = () => {
      const now = conditionKind(form.elements.icd10.value);
      form.querySelector('label[for="condition-onset-date"]').firstChild.textContent = onsetLabel(now);
      if (now === kind) return;
      kind = now;
      form.querySelector('.condition-details-slot').replaceChildren(detailFields('condition', kind));
    };
    form.elements.icd10.addEventListener('input', redraw);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const icd10 = form.elements.icd10.value.trim().toUpperCase();
      const label = form.elements.label.value.trim();
      const onset = form.elements.onset_date.value;
      const details = readDetails(form, conditionKind(icd10));
      if (!icd10) { markFieldError(form, 'icd10', t('error.required')); return; }
      if (!label) { markFieldError(form, 'label', t('error.required')); return; }
      const body = { icd10, label, details };
      if (onset) body.onset_date = onset;
      try {
        await api('POST', `/patients/${p.id}/conditions`, { body });
        await reload(ctx, p.id, t('condition.added'), '#condition-icd10');
      } catch (err) {
        if (err.status === 401) return;
        showFormError(form, box, err);
      }
    });
  }
  return h('section', { class: 'card', 'aria-labelledby': 'sec-conditions', 'data-testid': 'conditions-section' },
    h('h2', { id: 'sec-conditions' }, t('patient.section.conditions')), list, form);
}

const MED_CLASSES = ['anticoagulant', 'antiplatelet', 'nsaid', 'analgesic', 'antispasmodic', 'antiepileptic',
  'corticosteroid', 'immunosuppressant', 'antibiotic', 'other'];
const MED_ROLES = ['physician', 'nurse'];

// H16: an anticoagulant or antiplatelet still counts 7 days after its stop
// date (core/coagulation.h); the warning says what the bedside check will do.
function bleedingRisk(m) {
  if (m.class !== 'anticoagulant' && m.class !== 'antiplatelet') return false;
  if (!m.stop_date) return true;
  const days = (Date.parse(`${today()}T00:00:00Z`) - Date.parse(`${m.stop_date}T00:00:00Z`)) / 86400000;
  return days < 7;
}

function stopForm(ctx, p, m) {
  const box = errorBox(`med-stop-error-${m.id}`);
  const form = h('form', { class: 'inline-form compact no-print', 'data-testid': 'med-stop-form', novalidate: true },
    box,
    h('label', { class: 'sr-only', for: `med-stop-${m.id}` }, `${t('med.stop_on')} ${m.name}`),
    h('input', { type: 'date', id: `med-stop-${m.id}`, name: 'stop_date', value: today(), max: today(), min: m.start_date }),
    ' ',
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'med-stop' }, t('med.stop')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showErrorBox(box, null);
    try {
      await api('POST', `/patients/${p.id}/medications/${m.id}/stop`, { body: { stop_date: form.elements.stop_date.value } });
      await reload(ctx, p.id, t('med.stopped'), '#med-name');
    } catch (err) {
      if (err.status === 401) return;
      showFormError(form, box, err);
    }
  });
  return form;
}

function medicationsSection(ctx, p) {
  const meds = p.medications || [];
  const editable = can(MED_ROLES);
  const warning = meds.some(bleedingRisk)
    ? h('p', { class: 'alert alert-warning', role: 'status', 'data-testid': 'med-bleeding-warning' }, t('med.bleeding_warning'))
    : null;
  const list = meds.length
    ? h('table', { class: 'list compact', 'data-testid': 'medications-table' },
      h('thead', {}, h('tr', {},
        ['med.name', 'med.class', 'med.dose', 'med.start_date', 'med.stop_date'].map((k) => h('th', { scope: 'col' }, t(k))),
        editable ? h('th', { scope: 'col', class: 'no-print' }, '') : null)),
      h('tbody', {}, meds.map((m) => h('tr', { 'data-testid': 'medication-row' },
        h('td', {}, m.name), h('td', { 'data-testid': 'medication-class' }, t(`med.class.${m.class}`)), h('td', {}, m.dose || ''),
        h('td', { class: 'nowrap' }, formatDate(m.start_date)),
        h('td', { class: 'nowrap' }, m.stop_date ? formatDate(m.stop_date) : h('span', { class: 'muted' }, t('med.current'))),
        editable ? h('td', { class: 'no-print' }, m.stop_date ? '' : stopForm(ctx, p, m)) : null))))
    : h('p', { class: 'muted', 'data-testid': 'medications-empty' }, t('med.none'));

  let form = null;
  if (editable) {
    const box = errorBox('med-error');
    form = h('form', { class: 'inline-form no-print', 'data-testid': 'medication-form', novalidate: true, 'aria-labelledby': 'med-form-title' },
      h('h3', { id: 'med-form-title' }, t('med.add')),
      box,
      h('div', { class: 'row' },
        field('med', { name: 'name', label: t('med.name'), required: true, maxlength: 200 }),
        field('med', { name: 'class', label: t('med.class'), type: 'select', value: 'other',
          options: MED_CLASSES.map((c) => [c, t(`med.class.${c}`)]) }),
        field('med', { name: 'dose', label: t('med.dose'), maxlength: 200 }),
        field('med', { name: 'start_date', label: t('med.start_date'), type: 'date', value: today(), required: true, max: today() })),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'medication-submit' }, t('med.submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const body = { name: form.elements.name.value.trim(), class: form.elements.class.value,
        dose: form.elements.dose.value.trim(), start_date: form.elements.start_date.value };
      if (!body.name) { markFieldError(form, 'name', t('error.required')); return; }
      if (!body.start_date) { markFieldError(form, 'start_date', t('error.required')); return; }
      try {
        await api('POST', `/patients/${p.id}/medications`, { body });
        await reload(ctx, p.id, t('med.added'), '#med-name');
      } catch (err) {
        if (err.status === 401) return;
        showFormError(form, box, err);
      }
    });
  }
  return h('section', { class: 'card', 'aria-labelledby': 'sec-medications', 'data-testid': 'medications-section' },
    h('h2', { id: 'sec-medications' }, t('patient.section.medications')), warning, list, form);
}

const SEVERITIES = ['mild', 'moderate', 'severe', 'unknown'];

function allergiesSection(ctx, p) {
  const allergies = p.allergies || [];
  const list = allergies.length
    ? h('table', { class: 'list compact', 'data-testid': 'allergies-table' },
      h('thead', {}, h('tr', {}, ['allergy.substance', 'allergy.reaction', 'allergy.severity'].map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, allergies.map((a) => h('tr', { 'data-testid': 'allergy-row' },
        h('td', {}, a.substance), h('td', {}, a.reaction || ''), h('td', {}, t(`allergy.severity.${a.severity}`))))))
    : h('p', { class: 'muted', 'data-testid': 'allergies-empty' }, t('allergy.none'));

  let form = null;
  if (can(MED_ROLES)) {
    const box = errorBox('allergy-error');
    form = h('form', { class: 'inline-form no-print', 'data-testid': 'allergy-form', novalidate: true, 'aria-labelledby': 'allergy-form-title' },
      h('h3', { id: 'allergy-form-title' }, t('allergy.add')),
      box,
      h('div', { class: 'row' },
        field('allergy', { name: 'substance', label: t('allergy.substance'), required: true, maxlength: 200 }),
        field('allergy', { name: 'reaction', label: t('allergy.reaction'), maxlength: 400 }),
        field('allergy', { name: 'severity', label: t('allergy.severity'), type: 'select', value: 'unknown',
          options: SEVERITIES.map((v) => [v, t(`allergy.severity.${v}`)]) })),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'allergy-submit' }, t('allergy.submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const body = { substance: form.elements.substance.value.trim(), reaction: form.elements.reaction.value.trim(),
        severity: form.elements.severity.value };
      if (!body.substance) { markFieldError(form, 'substance', t('error.required')); return; }
      try {
        await api('POST', `/patients/${p.id}/allergies`, { body });
        await reload(ctx, p.id, t('allergy.added'), '#allergy-substance');
      } catch (err) {
        if (err.status === 401) return;
        showFormError(form, box, err);
      }
    });
  }
  return h('section', { class: 'card', 'aria-labelledby': 'sec-allergies', 'data-testid': 'allergies-section' },
    h('h2', { id: 'sec-allergies' }, t('patient.section.allergies')), list, form);
}
