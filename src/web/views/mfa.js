// Two-step login: the caller's own authenticator (TOTP). Enrolment shows the
// server's QR code and, once a code confirms it, the recovery codes (shown
// once, printable). A role that requires it reaches only this page until
// enrolment is done (the server refuses the rest: mfa_enrolment_required).
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, showFormError, field, flash } from '../ui.js';
import { session } from '../state.js';
import { navigate, updateMenu } from '../app.js';

// The server's QR code (libqrencode): an SVG of rectangles, parsed, never run.
function qrFigure(text) {
  const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
  if (!svg || svg.nodeName !== 'svg') return null;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('mfa.qr_alt'));
  svg.setAttribute('data-testid', 'mfa-qr');
  return h('figure', { class: 'qr' }, document.importNode(svg, true));
}

// The key in groups of four, as authenticator apps show it.
function grouped(secret) {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

function showRecoveryCodes(main, codes) {
  clear(main);
  const done = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'mfa-codes-done' }, t('mfa.codes.done'));
  done.addEventListener('click', () => navigate('#/dashboard', t('mfa.activated')));
  const print = h('button', { type: 'button', class: 'btn', 'data-testid': 'mfa-codes-print' }, t('action.print'));
  print.addEventListener('click', () => window.print());
  main.append(
    h('h1', { tabindex: '-1' }, t('mfa.codes.title')),
    h('p', { class: 'alert alert-ok', role: 'status' }, t('mfa.activated')),
    h('p', {}, t('mfa.codes.text')),
    h('ol', { class: 'recovery-codes', 'data-testid': 'mfa-recovery-codes' },
      codes.map((c) => h('li', {}, h('code', {}, c)))),
    h('div', { class: 'actions no-print' }, print, done));
  main.querySelector('h1').focus();
}

function confirmForm(main, enrol) {
  const box = errorBox('mfa-confirm-error');
  const form = h('form', { class: 'card', id: 'mfa-confirm-form', 'data-testid': 'mfa-confirm-form', novalidate: true },
    h('p', {}, t('mfa.scan')),
    qrFigure(enrol.qr_svg),
    h('p', {}, t('mfa.manual'), ' ', h('code', { 'data-testid': 'mfa-secret' }, grouped(enrol.secret))),
    box,
    field('mfa', { name: 'code', label: t('mfa.code'), required: true, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 6 }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'mfa-confirm' }, t('mfa.confirm'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const code = form.elements.code.value.replace(/\s+/g, '');
    try {
      const { data } = await api('POST', '/mfa/confirm', { body: { code } });
      session.mfaEnrolmentOnly = false;
      updateMenu();
      showRecoveryCodes(main, data.recovery_codes);
    } catch (err) { showFormError(form, box, err); }
  });
  return form;
}

function enrolForm(main, holder) {
  const box = errorBox('mfa-enrol-error');
  const form = h('form', { class: 'card', id: 'mfa-enrol-form', 'data-testid': 'mfa-enrol-form', novalidate: true },
    h('p', {}, t('mfa.intro')),
    box,
    field('mfa', { name: 'password', label: t('mfa.password'), type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'mfa-start' }, t('mfa.start'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const { data } = await api('POST', '/mfa/enrol', { body: { password: form.elements.password.value } });
      clear(holder);
      const next = confirmForm(main, data);
      holder.append(next);
      next.elements.code.focus();
    } catch (err) {
      form.elements.password.value = '';
      showFormError(form, box, err);
    }
  });
  return form;
}

export async function renderMfa({ main, alive }) {
  const { data } = await api('GET', '/mfa');
  if (!alive()) return;
  clear(main);
  main.append(h('h1', { tabindex: '-1' }, t('mfa.title')));
  if (session.mfaEnrolmentOnly) main.append(h('p', { class: 'alert alert-warning', 'data-testid': 'mfa-required' }, t('mfa.required')));
  if (data.enrolled) {
    main.append(h('div', { class: 'card', 'data-testid': 'mfa-status' },
      h('p', {}, t('mfa.status.active')),
      h('p', {}, t('mfa.status.left', { count: data.recovery_codes_left })),
      h('p', {}, t('mfa.status.lost'))));
    return;
  }
  if (!data.required) main.append(h('p', {}, t('mfa.status.optional')));
  const holder = h('div', {});
  holder.append(enrolForm(main, holder));
  main.append(holder);
  flash(null);
}
