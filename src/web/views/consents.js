// The patient's informed consents (hazard H15): the list with kind,
// version, language, date, signer and status; collecting a consent (the
// document of the chosen programme and kind, shown in the patient's
// language, signed on the tablet before the logged-in staff member, who
// witnesses with their password, or recorded from a signed paper copy);
// withdrawing one with a reason, after a confirmation.
import { h, clear, today } from '../dom.js';
import { api } from '../api.js';
import { t, language } from '../i18n.js';
import {
  field, errorBox, showErrorBox, showFormError, clearFieldErrors, markFieldError,
  confirmDialog, languageLabel,
} from '../ui.js';
import { can } from '../app.js';

const KINDS = ['treatment', 'research', 'follow_up_contact'];
const CLINICAL = ['admin', 'coordinator', 'physician', 'nurse'];

// 2026-03-04 -> 04/03/2026 (the clinic's calendar day as typed or signed)
function day(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

// An instant (UTC) as the local calendar day, dd/mm/yyyy.
function instantDay(iso) {
  const d = new Date(iso || '');
  if (Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getDate())}/${p(d.getMonth() + 1)}/${d.getFullYear()}`;
}

const programmeName = (protocols, id) => {
  const p = protocols.find((x) => x.id === id);
  return p && p.name ? (p.name[language()] || p.name.en) : id;
};

// The section, or null for a role that does not see consents. patient: the
// record, or the promise of it (the section's lists are asked for by id
// meanwhile).
export async function consentSection(id, patient, reload) {
  if (!can(CLINICAL)) return null;
  const [{ data: list }, { data: protos }, p] = await Promise.all([
    api('GET', `/patients/${id}/consents`), api('GET', '/protocols'), patient]);
  const protocols = protos.items || [];
  const items = list.items || [];
  const section = h('section', { class: 'card', 'aria-labelledby': 'sec-consents', 'data-testid': 'consents-section' },
    h('h2', { id: 'sec-consents' }, t('consent.title')));
  section.append(items.length ? consentTable(p, items, protocols, reload)
    : h('p', { class: 'muted', 'data-testid': 'consents-empty' }, t('consent.none')));
  section.append(collectForm(p, protocols, reload));
  return section;
}

function signerText(c) {
  return c.signer === 'guardian'
    ? t('consent.signer_guardian_text', { name: c.signer_name, relation: c.signer_relation })
    : t('consent.signer_patient_text', { name: c.signer_name });
}

function modeText(c) {
  return c.mode === 'tablet'
    ? t('consent.mode_tablet_text', { witness: c.witness })
    : t('consent.mode_paper_text', { reference: c.paper_reference });
}

function consentTable(p, items, protocols, reload) {
  return h('table', { class: 'list compact', 'data-testid': 'consents-table' },
    h('thead', {}, h('tr', {},
      ['consent.programme', 'consent.kind', 'consent.version', 'consent.language', 'consent.signed_on',
        'consent.signer', 'consent.mode', 'consent.status', 'consent.actions']
        .map((k) => h('th', { scope: 'col' }, t(k))))),
    h('tbody', {}, items.map((c) => {
      const status = c.status === 'current'
        ? h('span', { class: 'badge badge-consent-current', 'data-testid': 'consent-status' }, t('consent.status_current'))
        : h('span', { 'data-testid': 'consent-status' },
          h('span', { class: 'badge badge-consent-withdrawn' }, t('consent.status_withdrawn')), ' ',
          t('consent.withdrawn_on', { date: instantDay(c.withdrawn_at), reason: c.withdrawal_reason || '' }));
      const cell = h('td', {});
      if (c.status === 'current') cell.append(withdrawControl(p, c, reload));
      return h('tr', { 'data-testid': 'consent-row', 'data-kind': c.kind },
        h('td', {}, programmeName(protocols, c.protocol_id)),
        h('td', { 'data-testid': 'consent-kind' }, t(`consent.kind_${c.kind}`)),
        h('td', {}, String(c.version)),
        h('td', {}, languageLabel(c.language)),
        h('td', { class: 'nowrap' }, day(c.signed_on)),
        h('td', {}, signerText(c)),
        h('td', {}, modeText(c)),
        h('td', {}, status),
        cell);
    })));
}

// "Retirer": a reason, then a confirmation.
function withdrawControl(p, c, reload) {
  const wrap = h('div', {});
  const open = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': 'consent-withdraw' },
    t('consent.withdraw'));
  open.addEventListener('click', () => {
    open.hidden = true;
    const box = errorBox('withdraw-error');
    const form = h('form', { class: 'inline-form', 'data-testid': 'withdraw-form', novalidate: true }, box,
      field('withdraw', { name: 'reason', label: t('consent.withdraw_reason'), required: true, maxlength: 1000 }),
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'btn btn-danger', 'data-testid': 'withdraw-submit' },
          t('consent.withdraw_submit'))));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      showErrorBox(box, null);
      const reason = form.elements.reason.value.trim();
      if (!reason) { markFieldError(form, 'reason', t('error.required')); return; }
      const ok = await confirmDialog({
        title: t('consent.withdraw_confirm_title'),
        text: t('consent.withdraw_confirm_text', { kind: t(`consent.kind_${c.kind}`) }),
        ok: t('consent.withdraw_submit'), danger: true,
      });
      if (!ok) return;
      try {
        await api('POST', `/patients/${p.id}/consents/${c.id}/withdraw`, { body: { reason } });
        await reload(t('consent.withdrawn'));
      } catch (err) {
        if (err.status === 401) return;
        showFormError(form, box, err);
      }
    });
    wrap.append(form);
    form.elements.reason.focus();
  });
  wrap.append(open);
  return wrap;
}

// "Recueillir un consentement": programme and kind -> the newest document in
// the chosen language (the patient's by default), shown in full; then the
// signer and how it was signed.
function collectForm(p, protocols, reload) {
  const box = errorBox('consent-error');
  const docBox = h('div', { class: 'consent-document', 'data-testid': 'consent-document', 'aria-live': 'polite' });
  let documentId = null;
  const form = h('form', { class: 'inline-form no-print', 'data-testid': 'consent-form', novalidate: true, 'aria-labelledby': 'consent-form-title' },
    h('h3', { id: 'consent-form-title' }, t('consent.collect')),
    box,
    h('div', { class: 'row' },
      field('consent', { name: 'protocol', label: t('consent.programme'), type: 'select', required: true,
        options: [['', t('consent.choose')], ...protocols.map((x) => [x.id, programmeName(protocols, x.id)])] }),
      field('consent', { name: 'kind', label: t('consent.kind'), type: 'select', required: true, value: 'treatment',
        options: KINDS.map((k) => [k, t(`consent.kind_${k}`)]) }),
      field('consent', { name: 'language', label: t('consent.language'), type: 'select', required: true,
        value: p.language === 'en' ? 'en' : 'fr', options: [['fr', languageLabel('fr')], ['en', languageLabel('en')]] })),
    docBox,
    h('div', { class: 'row' },
      field('consent', { name: 'signer', label: t('consent.signer'), type: 'select', required: true, value: 'patient',
        options: [['patient', t('consent.signer_patient')], ['guardian', t('consent.signer_guardian')]] }),
      field('consent', { name: 'signer_name', label: t('consent.signer_name'), required: true, maxlength: 200,
        value: `${p.given_names} ${p.family_name}` }),
      field('consent', { name: 'signer_relation', label: t('consent.signer_relation'), maxlength: 200,
        help: t('consent.signer_relation_help') })),
    h('div', { class: 'row' },
      field('consent', { name: 'mode', label: t('consent.mode'), type: 'select', required: true, value: 'tablet',
        options: [['tablet', t('consent.mode_tablet')], ['paper', t('consent.mode_paper')]] })),
    h('div', { class: 'row', 'data-testid': 'consent-tablet' },
      field('consent', { name: 'password', label: t('consent.witness_password'), type: 'password',
        autocomplete: 'current-password', help: t('consent.witness_help') })),
    h('div', { class: 'row', 'data-testid': 'consent-paper', hidden: true },
      field('consent', { name: 'paper_date', label: t('consent.paper_date'), type: 'date', max: today() }),
      field('consent', { name: 'paper_reference', label: t('consent.paper_reference'), maxlength: 200,
        help: t('consent.paper_reference_help') })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'consent-submit' }, t('consent.submit'))));
  const els = form.elements;
  const showMode = () => {
    const paper = els.mode.value === 'paper';
    form.querySelector('[data-testid="consent-paper"]').hidden = !paper;
    form.querySelector('[data-testid="consent-tablet"]').hidden = paper;
  };
  // Only the newest choice's document is shown: answers to earlier choices
  // that arrive later are dropped.
  let asked = 0;
  const loadDocument = async () => {
    const mine = ++asked;
    documentId = null;
    clear(docBox);
    if (!els.protocol.value) return;
    const q = `protocol=${encodeURIComponent(els.protocol.value)}&kind=${els.kind.value}&language=${els.language.value}&latest=1`;
    try {
      const { data } = await api('GET', `/consent-documents?${q}`);
      const first = (data.items || [])[0];
      const doc = first ? (await api('GET', `/consent-documents/${first.id}`)).data : null;
      if (mine !== asked) return;
      clear(docBox);
      if (!doc) {
        docBox.append(h('p', { class: 'muted', 'data-testid': 'consent-no-document' }, t('consent.no_document')));
        return;
      }
      documentId = doc.id;
      docBox.append(
        h('h4', { 'data-testid': 'consent-document-title' }, `${doc.title} — ${t('consent.version_n', { n: doc.version })}`),
        h('div', { class: 'consent-text', 'data-testid': 'consent-document-text' }, doc.text));
    } catch (err) {
      if (err.status === 401) return;
      showFormError(form, box, err);
    }
  };
  els.mode.addEventListener('change', showMode);
  for (const name of ['protocol', 'kind', 'language']) els[name].addEventListener('change', loadDocument);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    if (!els.protocol.value) { markFieldError(form, 'protocol', t('error.required')); return; }
    if (!documentId) { markFieldError(form, 'kind', t('consent.no_document')); return; }
    const body = {
      document_id: documentId, signer: els.signer.value, signer_name: els.signer_name.value.trim(),
      mode: els.mode.value,
    };
    if (!body.signer_name) { markFieldError(form, 'signer_name', t('error.required')); return; }
    if (body.signer === 'guardian') {
      body.signer_relation = els.signer_relation.value.trim();
      if (!body.signer_relation) { markFieldError(form, 'signer_relation', t('error.required')); return; }
    }
    if (body.mode === 'tablet') {
      body.password = els.password.value;
      if (!body.password) { markFieldError(form, 'password', t('error.required')); return; }
    } else {
      body.paper_date = els.paper_date.value;
      body.paper_reference = els.paper_reference.value.trim();
      if (!body.paper_date) { markFieldError(form, 'paper_date', t('error.required')); return; }
      if (!body.paper_reference) { markFieldError(form, 'paper_reference', t('error.required')); return; }
    }
    try {
      await api('POST', `/patients/${p.id}/consents`, { body });
      await reload(t('consent.recorded'));
    } catch (err) {
      if (err.status === 401) return;
      if (els.password) els.password.value = '';
      showFormError(form, box, err);
    }
  });
  return form;
}
