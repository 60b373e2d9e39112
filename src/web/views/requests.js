// Consultation-request inbox: list by status, view one, convert it into a
// patient, or decline it with a reason. Both steps are irreversible and ask
// for confirmation first.
import { h, clear, append } from '../dom.js';
import { api, query } from '../api.js';
import { t, formatDateTime, formatDate, language } from '../i18n.js';
import {
  errorBox, showErrorBox, showFormError, clearFieldErrors, markFieldError,
  syntheticBadge, statusBadge, pager, confirmDialog, languageLabel, field,
} from '../ui.js';
import { navigate } from '../app.js';
import { patientFields, readPatientFields, duplicateList } from './patient-form.js';

const STATUSES = ['new', 'converted', 'declined'];
const PER_PAGE = 25;

export async function renderRequestList(ctx) {
  const { main, query: qp } = ctx;
  const status = STATUSES.includes(qp.get('status')) ? qp.get('status') : 'new';
  const page = Math.max(1, Number(qp.get('page')) || 1);
  const { data } = await api('GET', `/consultation-requests${query({ status, page, per_page: PER_PAGE })}`);
  if (!ctx.alive()) return;
  const items = (data && data.items) || [];
  const total = data && typeof data.total === 'number' ? data.total : items.length;
  clear(main);
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('requests.title'))),
    h('nav', { class: 'tabs', 'aria-label': t('requests.by_status'), 'data-testid': 'request-tabs' },
      STATUSES.map((s) => h('a', {
        href: `#/requests?status=${s}`, class: `tab${s === status ? ' active' : ''}`,
        'aria-current': s === status ? 'page' : null, 'data-testid': `tab-${s}`,
      }, t(`request.status_plural.${s}`)))));
  if (items.length === 0) {
    main.append(h('p', { class: 'empty', 'data-testid': 'requests-empty' }, t(`requests.none.${status}`)));
    return;
  }
  append(main, [
    h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'requests-table' },
      h('caption', { class: 'sr-only' }, t(`request.status_plural.${status}`)),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('request.created_at')),
        h('th', { scope: 'col' }, t('request.name')),
        h('th', { scope: 'col' }, t('request.condition')),
        h('th', { scope: 'col' }, t('request.contact')),
        h('th', { scope: 'col' }, t('request.language')))),
      h('tbody', {}, items.map((r) => h('tr', { 'data-testid': 'request-row', 'data-id': r.id },
        h('td', { class: 'nowrap' }, formatDateTime(r.created_at)),
        h('td', {}, h('a', { href: `#/requests/${r.id}`, 'data-testid': 'request-link' }, r.name),
          r.synthetic ? [' ', syntheticBadge()] : null),
        h('td', {}, [r.diagnosis ? t(`pub.diagnosis.${r.diagnosis}`) : '', r.condition].filter(Boolean).join(' — ')),
        h('td', {}, [r.email, r.phone].filter(Boolean).join(' · ')),
        h('td', {}, languageLabel(r.language))))))),
    pager({
      page: (data && data.page) || page, perPage: (data && data.per_page) || PER_PAGE, total,
      onPage: (n) => navigate(`#/requests?status=${status}&page=${n}`),
    })]);
}

// The records a duplicate warning names: "matches" (patient objects, as
// docs/api.md says) or "match_ids" (ids only), which are then looked up.
async function duplicateMatches(body) {
  if (Array.isArray(body.matches)) return body.matches;
  const ids = Array.isArray(body.match_ids) ? body.match_ids.slice(0, 10) : [];
  const found = await Promise.all(ids.map((pid) => api('GET', `/patients/${pid}`)
    .then((res) => res.data).catch(() => ({ id: pid, family_name: `#${pid}`, given_names: '' }))));
  return found;
}

// "Éloïse Marie Durand" → given "Éloïse Marie", family "Durand".
function splitName(name) {
  const parts = String(name || '').trim().split(/\s+/).filter(Boolean);
  if (parts.length < 2) return { given_names: '', family_name: parts[0] || '' };
  return { family_name: parts[parts.length - 1], given_names: parts.slice(0, -1).join(' ') };
}

export async function renderRequestView(ctx, id) {
  const { main } = ctx;
  const { data: r } = await api('GET', `/consultation-requests/${id}`);
  if (!ctx.alive()) return;
  clear(main);
  main.append(
    h('div', { class: 'page-head' },
      h('div', {},
        h('h1', { tabindex: '-1', 'data-testid': 'request-title' }, t('request.title', { name: r.name })),
        h('p', { class: 'subtitle' }, statusBadge(r.status), r.synthetic ? [' ', syntheticBadge()] : null)),
      h('div', { class: 'actions no-print' },
        h('a', { class: 'btn btn-quiet', href: `#/requests?status=${r.status}`, 'data-testid': 'back-to-requests' }, t('requests.back')))),
    h('section', { class: 'card', 'aria-labelledby': 'sec-request' },
      h('h2', { id: 'sec-request' }, t('request.section')),
      h('dl', { class: 'facts', 'data-testid': 'request-facts' },
        fact('request.name', r.name, 'name'),
        fact('request.diagnosis', r.diagnosis ? t(`pub.diagnosis.${r.diagnosis}`) : '', 'diagnosis'),
        r.diagnosis === 'sci' ? fact('request.injury_level', r.injury_level, 'injury_level') : null,
        r.diagnosis === 'sci' ? fact('request.injury_date', formatDate(r.injury_date), 'injury_date') : null,
        fact('request.condition', r.condition, 'condition'),
        fact('request.country', countryName(r.country), 'country'),
        fact('request.email', r.email, 'email'),
        fact('request.phone', r.phone, 'phone'),
        fact('request.birth_date', r.birth_date, 'birth_date'),
        fact('request.language', languageLabel(r.language), 'language'),
        fact('request.consent', t(r.consent ? 'request.consent_given' : 'request.consent_none'), 'consent'),
        fact('request.created_at', formatDateTime(r.created_at), 'created_at'),
        fact('request.status', t(`request.status.${r.status}`), 'status'),
        r.status === 'declined' ? fact('request.decline_reason', r.decline_reason, 'decline_reason') : null,
        r.status === 'converted' && r.patient_id
          ? h('div', { class: 'fact' }, h('dt', {}, t('request.patient')),
            h('dd', { 'data-testid': 'fact-patient' }, h('a', { href: `#/patients/${r.patient_id}`, 'data-testid': 'request-patient-link' }, t('request.open_patient'))))
          : null),
      h('h3', {}, t('request.message')),
      h('p', { class: 'message-text', 'data-testid': 'request-message' }, r.message || h('span', { class: 'muted' }, '—'))));
  if (r.status === 'new') main.append(convertSection(r), declineSection(ctx, r));
}

// A country's name in the reader's language (ISO 3166-1 code stored).
function countryName(code) {
  if (!code) return '';
  try { return new Intl.DisplayNames([language()], { type: 'region' }).of(code) || code; } catch { return code; }
}

function fact(labelKey, value, name) {
  return h('div', { class: 'fact' },
    h('dt', {}, t(labelKey)),
    h('dd', { 'data-testid': `fact-${name}` }, value ? value : h('span', { class: 'muted' }, '—')));
}

function convertSection(r) {
  const box = errorBox('convert-error');
  const notice = h('div', { class: 'notice-area', 'data-testid': 'convert-notice' });
  const guess = splitName(r.name);
  const initial = {
    family_name: guess.family_name, given_names: guess.given_names,
    birth_date: r.birth_date || '', sex: '', language: r.language || language(),
  };
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'convert-submit', 'data-testid': 'convert-submit' },
    t('request.convert'));
  const form = h('form', { class: 'card', id: 'convert-form', 'data-testid': 'convert-form', novalidate: true, 'aria-labelledby': 'sec-convert' },
    h('h2', { id: 'sec-convert' }, t('request.convert_title')),
    h('p', { class: 'help' }, t('request.convert_help')),
    box, notice,
    patientFields('convert', initial).slice(0, 2),
    h('div', { class: 'actions' }, submit));

  const send = async (body) => {
    clearFieldErrors(form);
    showErrorBox(box, null);
    submit.disabled = true;
    try {
      const { data } = await api('POST', `/consultation-requests/${r.id}/convert`, { body });
      // docs/api.md: 201 with the new patient. The server may instead answer
      // {"id": request, "patient_id", "status"}: prefer patient_id when present.
      const pid = data && (data.patient_id ?? data.patient?.id ?? (data.mrn ? data.id : null));
      navigate(pid ? `#/patients/${pid}` : `#/requests/${r.id}`, t('request.converted'));
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 422 && (err.code === 'possible_duplicate' || err.body.matches || err.body.match_ids)) {
        clear(notice);
        const again = h('button', {
          type: 'button', class: 'btn btn-warning', 'data-testid': 'confirm-duplicate',
          on: {
            click: () => {
              const now = readPatientFields(form);
              if (!now) return;
              for (const k of ['email', 'phone', 'address']) delete now[k];
              send({ ...now, confirm_duplicate: true });
            },
          },
        }, t('duplicate.confirm_convert'));
        notice.append(h('div', { class: 'alert alert-warning', role: 'alert', 'data-testid': 'duplicate-warning' },
          h('p', { class: 'alert-title' }, t('duplicate.title')),
          h('p', {}, t('duplicate.text')),
          duplicateList(await duplicateMatches(err.body)),
          h('div', { class: 'actions' }, again)));
        again.focus();
      } else if (err.status === 409) {
        showErrorBox(box, t('request.not_new'));
      } else {
        showFormError(form, box, err);
      }
    } finally {
      submit.disabled = false;
    }
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const body = readPatientFields(form);
    if (!body) return;
    for (const k of ['email', 'phone', 'address']) delete body[k];
    const ok = await confirmDialog({
      title: t('request.convert_confirm_title'),
      text: t('request.convert_confirm_text', { name: `${body.given_names} ${body.family_name}` }),
      ok: t('request.convert'),
    });
    if (ok) send(body);
  });
  return form;
}

function declineSection(ctx, r) {
  const box = errorBox('decline-error');
  const submit = h('button', { type: 'submit', class: 'btn btn-danger', id: 'decline-submit', 'data-testid': 'decline-submit' },
    t('request.decline'));
  const form = h('form', { class: 'card', id: 'decline-form', 'data-testid': 'decline-form', novalidate: true, 'aria-labelledby': 'sec-decline' },
    h('h2', { id: 'sec-decline' }, t('request.decline_title')),
    box,
    field('decline', { name: 'reason', label: t('request.decline_reason'), type: 'textarea', rows: 3, required: true, maxlength: 1000 }),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const reason = form.elements.reason.value.trim();
    if (!reason) { markFieldError(form, 'reason', t('request.reason_required')); return; }
    const ok = await confirmDialog({
      title: t('request.decline_confirm_title'),
      text: t('request.decline_confirm_text', { name: r.name }),
      ok: t('request.decline'),
      danger: true,
    });
    if (!ok) return;
    submit.disabled = true;
    try {
      await api('POST', `/consultation-requests/${r.id}/decline`, { body: { reason } });
      navigate(`#/requests/${r.id}`, t('request.declined'));
    } catch (err) {
      if (err.status === 401) return;
      if (err.status === 409) showErrorBox(box, t('request.not_new'));
      else showFormError(form, box, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

