// Create or edit a patient.
// Create: a possible duplicate (422) shows the matching records and asks for
// confirmation, then resends with confirm_duplicate:true.
// Edit: PATCH with If-Match carrying the version that was loaded; a 409 means
// someone else changed the record meanwhile: say so and offer to reload.
import { h, clear, append, today } from '../dom.js';
import { api, versionFromEtag } from '../api.js';
import { t } from '../i18n.js';
import {
  field, errorBox, errorMessage, showErrorBox, showFormError, clearFieldErrors, markFieldError,
  syntheticBadge, sexLabel,
} from '../ui.js';
import { navigate } from '../app.js';

const EDITABLE = ['family_name', 'given_names', 'birth_date', 'sex', 'language', 'email', 'phone', 'address'];

export function sexOptions() {
  return ['female', 'male', 'other', 'unknown'].map((s) => [s, t(`sex.${s}`)]);
}
export function languageOptions() {
  return [['fr', t('language.fr')], ['en', t('language.en')]];
}

export function patientFields(prefix, p, { withWeight = false } = {}) {
  return [
    h('div', { class: 'row' },
      field(prefix, { name: 'family_name', label: t('patient.family_name'), value: p.family_name, required: true, maxlength: 100, autocomplete: 'off' }),
      field(prefix, { name: 'given_names', label: t('patient.given_names'), value: p.given_names, required: true, maxlength: 100 })),
    h('div', { class: 'row' },
      field(prefix, { name: 'birth_date', label: t('patient.birth_date'), type: 'date', value: p.birth_date, required: true, min: '1900-01-01', max: today() }),
      field(prefix, { name: 'sex', label: t('patient.sex'), type: 'select', value: p.sex || '', required: true,
        options: [['', t('form.choose')], ...sexOptions()] }),
      field(prefix, { name: 'language', label: t('patient.language'), type: 'select', value: p.language || 'fr', required: true,
        options: languageOptions() })),
    h('div', { class: 'row' },
      field(prefix, { name: 'email', label: t('patient.email'), type: 'email', value: p.email, maxlength: 254 }),
      field(prefix, { name: 'phone', label: t('patient.phone'), type: 'tel', value: p.phone, maxlength: 40 }),
      withWeight ? field(prefix, { name: 'weight_kg', label: t('patient.weight_kg'), type: 'number', step: '0.1', min: '0.5', max: '400', inputmode: 'decimal', help: t('patient.weight_help') }) : null),
    field(prefix, { name: 'address', label: t('patient.address'), value: p.address, maxlength: 400, autocomplete: 'off' }),
  ];
}

// Reads the form into an API body; returns null after marking a missing field.
export function readPatientFields(form, { withWeight = false } = {}) {
  const body = {};
  for (const name of EDITABLE) {
    const el = form.elements.namedItem(name);
    if (el) body[name] = el.value.trim();
  }
  for (const name of ['family_name', 'given_names', 'birth_date', 'sex']) {
    if (!body[name]) { markFieldError(form, name, t('error.required')); return null; }
  }
  if (withWeight) {
    const w = form.elements.weight_kg.value.trim().replace(',', '.');
    if (w) {
      const kg = Number(w);
      if (!Number.isFinite(kg)) { markFieldError(form, 'weight_kg', t('error.number')); return null; }
      body.weight_kg = kg;
    }
  }
  return body;
}

// The list of records a duplicate warning found.
export function duplicateList(matches) {
  return h('ul', { class: 'matches', 'data-testid': 'duplicate-matches' },
    (matches || []).map((m) => h('li', { 'data-testid': 'duplicate-match' },
      h('a', { href: `#/patients/${m.id}`, target: '_blank', rel: 'noopener' },
        `${(m.family_name || '').toUpperCase()}, ${m.given_names || ''}`),
      ` — ${t('patient.birth_date')} ${m.birth_date || ''} — ${t('patient.mrn')} ${m.mrn || ''}`,
      m.sex ? ` — ${sexLabel(m.sex)}` : '',
      m.synthetic ? [' ', syntheticBadge()] : null)));
}

export async function renderPatientForm(ctx, id) {
  const { main } = ctx;
  const editing = id !== null;
  let record = { language: 'fr' };
  let version = null;
  if (editing) {
    const res = await api('GET', `/patients/${id}`);
    if (!ctx.alive()) return;
    record = res.data;
    version = versionFromEtag(res.etag) ?? record.version;
  }

  const box = errorBox('form-error');
  const notice = h('div', { class: 'notice-area', 'data-testid': 'notice-area' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'patient-submit', 'data-testid': 'patient-submit' },
    editing ? t('action.save') : t('patients.create'));
  const cancelHref = editing ? `#/patients/${id}` : '#/patients';
  const form = h('form', {
    class: 'card patient-form', id: 'patient-form', 'data-testid': 'patient-form', novalidate: true,
    'data-version': version ?? null, 'data-record': editing ? String(id) : null,
    'data-loaded': editing ? JSON.stringify(Object.fromEntries(EDITABLE.map((k) => [k, record[k] ?? '']))) : null,
  },
    box, notice,
    patientFields('patient', record, { withWeight: !editing }),
    // a change of demographics says why (it goes into the audit trail)
    editing ? field('patient', { name: 'reason', label: t('patient.reason'), required: true, maxlength: 1000, help: t('patient.reason_help') }) : null,
    h('p', { class: 'help' }, t('form.required_note')),
    h('div', { class: 'actions' },
      submit,
      h('a', { class: 'btn btn-quiet', href: cancelHref, 'data-testid': 'patient-cancel' }, t('action.cancel'))));

  clear(main);
  append(main, [
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1' }, editing ? t('patients.edit_title', { name: `${record.family_name}, ${record.given_names}` }) : t('patients.new_title')),
        editing
          ? h('p', { class: 'subtitle', 'data-testid': 'edit-version' },
            h('span', { class: 'mrn' }, `${t('patient.mrn')} ${record.mrn}`), ' · ',
            h('span', { 'data-testid': 'edit-version-number' }, `${t('patient.version')} ${version}`),
            record.synthetic ? [' ', syntheticBadge()] : null)
          : null)),
    form]);

  // After a language switch the version the user started from is restored.
  form.addEventListener('cc:restored', () => {
    const v = main.querySelector('[data-testid="edit-version-number"]');
    if (v && form.dataset.version) v.textContent = `${t('patient.version')} ${form.dataset.version}`;
  });

  const setBusy = (busy) => { submit.disabled = busy; form.setAttribute('aria-busy', String(busy)); };

  const fill = (p) => {
    for (const name of EDITABLE) {
      const el = form.elements.namedItem(name);
      if (el) el.value = p[name] ?? '';
    }
  };

  const shown = (v) => (v === null || v === undefined || v === '' ? h('span', { class: 'muted' }, '—') : h('q', {}, String(v)));

  const loaded = () => {
    try { return JSON.parse(form.dataset.loaded || '{}'); } catch { return {}; }
  };

  const showConflict = (current) => {
    clear(notice);
    const reloadBtn = h('button', {
      type: 'button', class: 'btn btn-primary', id: 'conflict-reload', 'data-testid': 'conflict-reload',
      on: {
        click: async () => {
          try {
            const res = await api('GET', `/patients/${id}`);
            record = res.data;
            version = versionFromEtag(res.etag) ?? record.version;
            form.dataset.version = String(version);
            form.dataset.loaded = JSON.stringify(Object.fromEntries(EDITABLE.map((k) => [k, record[k] ?? ''])));
            fill(record);
            clear(notice);
            showErrorBox(box, null);
            const v = main.querySelector('[data-testid="edit-version-number"]');
            if (v) v.textContent = `${t('patient.version')} ${version}`;
            form.elements.family_name.focus();
          } catch (err) {
            showErrorBox(box, errorMessage(err));
          }
        },
      },
    }, t('conflict.reload'));
    // What the other person changed: the current record against the one this
    // form was loaded from.
    const changed = current && typeof current === 'object'
      ? EDITABLE.filter((k) => k in current && String(current[k] ?? '') !== String(loaded()[k] ?? ''))
      : [];
    notice.append(h('div', { class: 'alert alert-warning', role: 'alert', id: 'conflict-message', 'data-testid': 'conflict-message' },
      h('p', { class: 'alert-title' }, t('conflict.title')),
      h('p', {}, t('conflict.text')),
      changed.length && current
        ? [h('p', {}, t('conflict.theirs')),
          h('ul', { class: 'conflict-diff', 'data-testid': 'conflict-diff' }, changed.map((k) => h('li', {},
            h('strong', {}, t(`patient.${k}`)), ': ', shown(loaded()[k]), ' → ', shown(current[k]))))]
        : null,
      h('div', { class: 'actions' }, reloadBtn)));
    reloadBtn.focus();
  };

  const showDuplicate = (err) => {
    clear(notice);
    const confirmBtn = h('button', {
      type: 'button', class: 'btn btn-warning', id: 'confirm-duplicate', 'data-testid': 'confirm-duplicate',
      // What the form holds now (the user may have corrected it meanwhile).
      on: { click: () => { const now = collect(); if (now) send({ ...now, confirm_duplicate: true }); } },
    }, t('duplicate.confirm'));
    notice.append(h('div', { class: 'alert alert-warning', role: 'alert', 'data-testid': 'duplicate-warning' },
      h('p', { class: 'alert-title' }, t('duplicate.title')),
      h('p', {}, t('duplicate.text')),
      duplicateList(err.body.matches),
      h('div', { class: 'actions' }, confirmBtn,
        h('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': 'duplicate-cancel', on: { click: () => { clear(notice); form.elements.family_name.focus(); } } }, t('duplicate.cancel')))));
    confirmBtn.focus();
  };

  const send = async (body) => {
    clearFieldErrors(form);
    showErrorBox(box, null);
    setBusy(true);
    try {
      if (editing) {
        const res = await api('PATCH', `/patients/${id}`, { body, headers: { 'If-Match': `"${form.dataset.version}"` } });
        navigate(`#/patients/${id}`, t('patients.saved'));
        return res;
      }
      const res = await api('POST', '/patients', { body });
      const created = res.data || {};
      navigate(created.id ? `#/patients/${created.id}` : '#/patients', t('patients.created', { mrn: created.mrn || '' }));
      return res;
    } catch (err) {
      if (err.status === 401) return null;
      if (editing && err.status === 409) {
        showErrorBox(box, null);
        showConflict(err.body && (err.body.current || (err.body.id ? err.body : null)));
      } else if (!editing && err.status === 422 && (err.code === 'possible_duplicate' || err.body.matches)) {
        showDuplicate(err);
      } else {
        clear(notice);
        showFormError(form, box, err);
      }
      return null;
    } finally {
      setBusy(false);
    }
  };

  const collect = () => {
    clearFieldErrors(form);
    showErrorBox(box, null);
    const body = readPatientFields(form, { withWeight: !editing });
    if (!body) return null;
    if (editing) {
      const reason = form.elements.reason.value.trim();
      if (!reason) { markFieldError(form, 'reason', t('error.required')); return null; }
      body.reason = reason;
    }
    if (!editing) {
      // Optional fields left empty are not sent.
      for (const k of ['email', 'phone', 'address']) if (!body[k]) delete body[k];
    }
    return body;
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    clear(notice);
    const body = collect();
    if (body) send(body);
  });
}
