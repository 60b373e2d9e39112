// The login screen.
import { h } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, showErrorBox, errorMessage, clearFieldErrors, markFieldError, field } from '../ui.js';
import { startSession, render } from '../app.js';

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
      const { data } = await api('POST', '/session', { body: { username, password }, quiet401: true });
      await startSession(data);
      render();
    } catch (err) {
      let msg = errorMessage(err);
      if (err.status === 401 || err.code === 'bad_credentials') msg = t('login.failed');
      if (err.status === 429) msg = t('login.throttled', { seconds: err.retryAfter || '60' });
      showErrorBox(box, msg);
      form.elements.password.value = '';
      form.elements.password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  main.append(h('div', { class: 'login-wrap' }, form));
  form.elements.username.focus();
}
