// The login screen: user name and password, then, for an account with an
// authenticator, the 6-digit code (or a recovery code) as a second step.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, showErrorBox, errorMessage, clearFieldErrors, markFieldError, field } from '../ui.js';
import { startSession, render } from '../app.js';

function loginMessage(err) {
  if (err.status === 429) return t('login.throttled', { seconds: err.retryAfter || '60' });
  if (err.code === 'mfa_code_reused') return t('login.mfa.reused');
  if (err.code === 'mfa_code_wrong') return t('login.mfa.wrong');
  if (err.status === 401 || err.code === 'bad_credentials') return t('login.failed');
  return errorMessage(err);
}

async function logIn(body) {
  const { data } = await api('POST', '/session', { body, quiet401: true });
  await startSession(data);
  render();
}

// The second step: the code of the authenticator, or a recovery code.
function codeStep(wrap, credentials, recovery = false) {
  const box = errorBox('login-error');
  const name = recovery ? 'recovery_code' : 'totp';
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-mfa-submit', 'data-testid': 'login-mfa-submit' },
    t('login.mfa.submit'));
  const other = h('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': 'login-mfa-switch' },
    t(recovery ? 'login.mfa.use_totp' : 'login.mfa.use_recovery'));
  const back = h('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': 'login-mfa-back' }, t('login.mfa.back'));
  const form = h('form', { class: 'card login-form', id: 'login-mfa-form', 'data-testid': 'login-mfa-form', novalidate: true },
    h('h1', { tabindex: '-1' }, t('login.mfa.title')),
    h('p', {}, t(recovery ? 'login.mfa.recovery_text' : 'login.mfa.text')),
    box,
    recovery
      ? field('login', { name, label: t('login.mfa.recovery'), required: true, autocomplete: 'off' })
      : field('login', { name, label: t('login.mfa.code'), required: true, autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 6 }),
    h('div', { class: 'actions' }, submit, other, back));
  other.addEventListener('click', () => codeStep(wrap, credentials, !recovery));
  back.addEventListener('click', () => render());
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const value = form.elements[name].value.replace(/\s+/g, '');
    if (!value) { markFieldError(form, name, t('error.required')); return; }
    submit.disabled = true;
    try {
      await logIn({ ...credentials, [name]: value });
    } catch (err) {
      showErrorBox(box, loginMessage(err));
      form.elements[name].value = '';
      form.elements[name].focus();
    } finally {
      submit.disabled = false;
    }
  });
  clear(wrap);
  wrap.append(form);
  form.elements[name].focus();
}

export function renderLogin({ main }) {
  const box = errorBox('login-error');
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'login-submit', 'data-testid': 'login-submit' },
    t('login.submit'));
  const form = h('form', { class: 'card login-form', id: 'login-form', 'data-testid': 'login-form', novalidate: true },
    h('h1', { tabindex: '-1' }, t('login.title')),
    box,
    field('login', { name: 'username', label: t('login.username'), required: true, autocomplete: 'username' }),
    field('login', { name: 'password', label: t('login.password'), type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, submit));
  const wrap = h('div', { class: 'login-wrap' }, form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    if (!username) { markFieldError(form, 'username', t('error.required')); return; }
    if (!password) { markFieldError(form, 'password', t('error.required')); return; }
    submit.disabled = true;
    try {
      await logIn({ username, password });
    } catch (err) {
      if (err.code === 'mfa_required') { codeStep(wrap, { username, password }); return; }
      showErrorBox(box, loginMessage(err));
      form.elements.password.value = '';
      form.elements.password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(wrap);
  form.elements.username.focus();
}
