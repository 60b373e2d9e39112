// User accounts: the administrator's list (create, disable, re-enable,
// change the role, reset the password or the two-step login, end the
// sessions, choose which roles must use two-step login), and every user's
// own account (change the password, end their sessions, revoke their
// tokens). A session whose password was reset sees only the forced change.
// People are named by username, never by internal id.
import { h, clear } from '../dom.js';
import { api, query } from '../api.js';
import { t, formatDateTime } from '../i18n.js';
import { errorBox, showErrorBox, showFormError, clearFieldErrors, markFieldError, field, confirmDialog, flash, errorMessage } from '../ui.js';
import { session } from '../state.js';
import { navigate } from '../app.js';
import { USER_ADMIN } from '../access.js';
export { USER_ADMIN };

const ROLES = ['admin', 'coordinator', 'physician', 'nurse', 'lab', 'qa', 'analyst'];
const PER_PAGE = 200;

function roleOptions() { return ROLES.map((r) => [r, t(`role.${r}`)]); }

// Runs an administrator's action on one account after a confirmation, then
// redraws the list with what happened.
async function accountAction(user, { confirm, text, path, body = {}, method = 'POST', done, danger = false }) {
  if (!(await confirmDialog({ title: confirm, text, ok: t('action.confirm'), danger }))) return;
  try {
    await api(method, `/users/${user.id}/${path}`, { body: method === 'DELETE' ? undefined : body });
    navigate('#/users', done);
  } catch (err) {
    flash(errorMessage(err), 'error');
  }
}

// Whether the account has an authenticator; one without it whose role must
// have one is told apart (it can only enrol at its next login).
function mfaCell(user, required) {
  return h('td', { 'data-testid': 'user-mfa' }, t(user.mfa_enrolled ? 'users.mfa.on' : 'users.mfa.off'),
    !user.mfa_enrolled && required[user.role] ? [' — ', t('users.mfa.required')] : null);
}

function mfaResetButton(user) {
  const name = user.username;
  return h('button', {
    type: 'button', class: 'btn btn-danger', 'data-testid': 'user-mfa-reset',
    on: {
      click: () => accountAction(user, {
        confirm: t('users.confirm_mfa_reset', { username: name }), text: t('users.confirm_mfa_reset_text'),
        path: 'mfa', method: 'DELETE', danger: true, done: t('users.mfa_reset_done', { username: name }),
      }),
    },
  }, t('users.mfa_reset'));
}

// The sites an account works in: one box per site, by name; the grant of
// every site (present and future) only for an administrator or QA account.
async function sitesForm(holder, user) {
  const [{ data: all }, { data: mine }] = await Promise.all([
    api('GET', '/sites?scope=all'), api('GET', `/users/${user.id}/sites`)]);
  clear(holder);
  const member = new Set((mine.sites || []).map((s) => s.code));
  const box = errorBox('user-sites-error');
  const mayAll = ['admin', 'qa'].includes(user.role);
  const form = h('form', { class: 'card', id: 'user-sites-form', 'data-testid': 'user-sites-form', novalidate: true },
    h('h2', {}, t('users.sites.title', { username: user.username })),
    box,
    h('fieldset', { class: 'bs-checks' }, h('legend', {}, t('users.sites.legend')),
      (all.items || []).map((s) => h('label', { class: 'bs-check' },
        h('input', { type: 'checkbox', name: 'sites', value: s.code, checked: member.has(s.code), 'data-testid': `user-site-${s.code}` }),
        ' ', s.name || s.code))),
    mayAll ? h('label', { class: 'bs-check' },
      h('input', { type: 'checkbox', name: 'all_sites', checked: Boolean(mine.all_sites), 'data-testid': 'user-sites-all' }),
      ' ', t('users.sites.all')) : null,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'user-sites-submit' }, t('users.sites.save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showErrorBox(box, null);
    const sites = [...form.querySelectorAll('input[name="sites"]:checked')].map((el) => el.value);
    if (sites.length === 0) { showErrorBox(box, t('users.sites.none')); return; }
    const body = { sites };
    if (mayAll) body.all_sites = form.elements.namedItem('all_sites').checked;
    try {
      await api('PUT', `/users/${user.id}/sites`, { body });
      navigate('#/users', t('users.sites.saved', { username: user.username }));
    } catch (err) {
      showErrorBox(box, errorMessage(err));
    }
  });
  holder.append(form);
  form.querySelector('input')?.focus();
}

function userRow(user, required, onReset, onSites) {
  const name = user.username;
  const status = h('td', { 'data-testid': 'user-status' }, t(user.active ? 'users.status.active' : 'users.status.disabled'),
    user.must_change_password ? [' — ', t('users.must_change')] : null);
  const roleSelect = h('select', { 'aria-label': t('users.new_role', { username: name }), 'data-testid': 'user-role-select' },
    roleOptions().map(([v, text]) => h('option', { value: v, selected: v === user.role }, text)));
  const toggle = user.active
    ? h('button', {
      type: 'button', class: 'btn btn-danger', 'data-testid': 'user-disable',
      on: { click: () => accountAction(user, { confirm: t('users.confirm_disable', { username: name }), path: 'disable', danger: true, done: t('users.disabled_done', { username: name }) }) },
    }, t('users.disable'))
    : h('button', {
      type: 'button', class: 'btn', 'data-testid': 'user-enable',
      on: { click: () => accountAction(user, { confirm: t('users.confirm_enable', { username: name }), path: 'enable', done: t('users.enabled_done', { username: name }) }) },
    }, t('users.enable'));
  return h('tr', { 'data-testid': 'user-row' },
    h('th', { scope: 'row', 'data-testid': 'user-name' }, name),
    h('td', {}, t(`role.${user.role}`)),
    status,
    mfaCell(user, required),
    h('td', { class: 'user-actions' },
      user.username === session.user?.username ? null : [toggle, ' '],
      h('button', { type: 'button', class: 'btn', 'data-testid': 'user-reset', on: { click: () => onReset(user) } }, t('users.reset')), ' ',
      h('button', { type: 'button', class: 'btn', 'data-testid': 'user-sites', on: { click: () => onSites(user) } }, t('users.sites.button')), ' ',
      user.mfa_enrolled ? [mfaResetButton(user), ' '] : null,
      h('button', {
        type: 'button', class: 'btn', 'data-testid': 'user-end-sessions',
        on: { click: () => accountAction(user, { confirm: t('users.confirm_end', { username: name }), path: 'sessions', method: 'DELETE', done: t('users.ended_done', { username: name }) }) },
      }, t('users.end_sessions')), ' ',
      roleSelect, ' ',
      h('button', {
        type: 'button', class: 'btn', 'data-testid': 'user-role-change',
        on: {
          click: () => {
            const role = roleSelect.value;
            const label = t(`role.${role}`);
            accountAction(user, { confirm: t('users.confirm_role', { username: name, role: label }), path: 'role', body: { role }, done: t('users.role_done', { username: name, role: label }) });
          },
        },
      }, t('users.change_role'))));
}

// The reset form for one account, shown under the list.
function resetForm(holder, user) {
  clear(holder);
  const box = errorBox('reset-error');
  const form = h('form', { class: 'card', id: 'reset-form', 'data-testid': 'reset-form', novalidate: true },
    h('h2', {}, t('users.reset_title', { username: user.username })),
    h('p', { class: 'help' }, t('users.reset_help')),
    box,
    field('reset', { name: 'password', label: t('users.password'), type: 'password', required: true, autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'reset-submit' }, t('users.reset_submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const password = form.elements.password.value;
    if (!password) { markFieldError(form, 'password', t('error.required')); return; }
    try {
      await api('POST', `/users/${user.id}/password`, { body: { password } });
      navigate('#/users', t('users.reset_done', { username: user.username }));
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  holder.append(form);
  form.elements.password.focus();
}

// Which roles must log in with an authenticator: one checkbox per role; the
// roles whose box changed are sent one by one (the API sets one role a call).
function policyForm(required) {
  const box = errorBox('mfa-policy-error');
  const form = h('form', { class: 'card accounts-create', id: 'mfa-policy-form', 'data-testid': 'mfa-policy-form', novalidate: true },
    h('h2', {}, t('users.policy.title')),
    box,
    h('fieldset', { class: 'bs-checks' }, h('legend', {}, t('users.policy.legend')),
      h('p', { class: 'help' }, t('users.policy.help')),
      ROLES.map((r) => h('label', { class: 'bs-check' },
        h('input', { type: 'checkbox', name: `mfa_required_${r}`, value: r, checked: Boolean(required[r]), 'data-testid': `mfa-policy-${r}` }),
        ' ', t(`role.${r}`)))),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'mfa-policy-submit' }, t('users.policy.save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    showErrorBox(box, null);
    const changed = ROLES.filter((r) => form.elements[`mfa_required_${r}`].checked !== Boolean(required[r]));
    if (changed.length === 0) { showErrorBox(box, t('users.policy.unchanged')); return; }
    try {
      for (const role of changed) {
        await api('PUT', '/mfa/policy', { body: { role, required: form.elements[`mfa_required_${role}`].checked } });
      }
      navigate('#/users', t('users.policy.saved'));
    } catch (err) {
      showErrorBox(box, errorMessage(err));
    }
  });
  return form;
}

function createForm() {
  const box = errorBox('user-create-error');
  const form = h('form', { class: 'card accounts-create', id: 'user-create-form', 'data-testid': 'user-create-form', novalidate: true },
    h('h2', {}, t('users.create')),
    box,
    field('user', { name: 'username', label: t('users.username'), required: true }),
    field('user', { name: 'role', label: t('users.role'), type: 'select', options: roleOptions(), value: 'nurse' }),
    field('user', { name: 'password', label: t('users.password'), type: 'password', required: true, autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'user-create-submit' }, t('users.create_submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const body = { username: form.elements.username.value.trim(), role: form.elements.role.value, password: form.elements.password.value };
    if (!body.username) { markFieldError(form, 'username', t('error.required')); return; }
    if (!body.password) { markFieldError(form, 'password', t('error.required')); return; }
    try {
      await api('POST', '/users', { body });
      navigate('#/users', t('users.created', { username: body.username }));
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  return form;
}

export async function renderUsers(ctx) {
  const { main } = ctx;
  const [{ data }, { data: policy }] = await Promise.all([
    api('GET', `/users${query({ per_page: PER_PAGE })}`), api('GET', '/mfa/policy')]);
  if (!ctx.alive()) return;
  const users = (data && data.items) || [];
  const required = (policy && policy.required) || {};
  const resetHolder = h('div', { 'data-testid': 'reset-holder' });
  clear(main);
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('users.title'))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'users-table' },
      h('caption', { class: 'sr-only' }, t('users.title')),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('users.username')),
        h('th', { scope: 'col' }, t('users.role')),
        h('th', { scope: 'col' }, t('users.status')),
        h('th', { scope: 'col' }, t('users.mfa')),
        h('th', { scope: 'col' }, t('users.actions')))),
      h('tbody', {}, users.map((u) => userRow({
        ...u, active: Boolean(u.active), must_change_password: Boolean(u.must_change_password), mfa_enrolled: Boolean(u.mfa_enrolled),
      }, required, (user) => resetForm(resetHolder, user), (user) => sitesForm(resetHolder, user).catch((err) => flash(errorMessage(err), 'error'))))))),
    resetHolder,
    createForm(),
    policyForm(required));
}

// The password change: forced after a reset (nothing else is possible until
// it is done) or chosen from "My account".
function passwordForm({ forced }) {
  const box = errorBox('password-error');
  const form = h('form', { class: 'card', id: 'password-form', 'data-testid': 'password-form', novalidate: true },
    forced ? null : h('h2', {}, t('account.password')),
    box,
    field('password', { name: 'current_password', label: t('account.current'), type: 'password', required: true, autocomplete: 'current-password' }),
    field('password', { name: 'new_password', label: t('account.new'), type: 'password', required: true, autocomplete: 'new-password' }),
    field('password', { name: 'confirm_password', label: t('account.confirm'), type: 'password', required: true, autocomplete: 'new-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'password-submit' }, t('account.submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const current = form.elements.current_password.value;
    const next = form.elements.new_password.value;
    for (const name of ['current_password', 'new_password', 'confirm_password']) {
      if (!form.elements[name].value) { markFieldError(form, name, t('error.required')); return; }
    }
    if (next !== form.elements.confirm_password.value) { markFieldError(form, 'confirm_password', t('account.mismatch')); return; }
    try {
      await api('POST', '/session/password', { body: { current_password: current, new_password: next } });
      session.mustChange = false;
      navigate(forced ? '#/dashboard' : '#/account', t('account.changed'));
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  return form;
}

export function renderForcedPasswordChange(main) {
  main.append(h('div', { class: 'login-wrap' },
    h('div', {},
      h('h1', { tabindex: '-1' }, t('account.forced_title')),
      h('p', { 'data-testid': 'forced-text' }, t('account.forced_text')),
      passwordForm({ forced: true }))));
}

// A button that ends one of the user's own sessions or tokens.
function ownAction(testid, label, path, done) {
  return h('button', {
    type: 'button', class: 'btn', 'data-testid': testid,
    on: {
      click: async () => {
        try {
          await api('DELETE', path);
          navigate('#/account', done);
        } catch (err) { flash(errorMessage(err), 'error'); }
      },
    },
  }, label);
}

function sessionTable(items) {
  return h('table', { class: 'list', 'data-testid': 'sessions-table' },
    h('caption', { class: 'sr-only' }, t('account.sessions')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('account.session_started')),
      h('th', { scope: 'col' }, t('account.session_seen')),
      h('th', { scope: 'col' }, t('users.actions')))),
    h('tbody', {}, items.map((s) => h('tr', { 'data-testid': 'session-row' },
      h('td', {}, formatDateTime(s.created_at)),
      h('td', {}, formatDateTime(s.last_seen)),
      h('td', {}, s.current ? t('account.session_current')
        : ownAction('session-end', t('account.session_end'), `/sessions/${s.id}`, t('account.session_ended')))))));
}

function tokenState(tok) {
  if (tok.revoked_at) return t('account.token_revoked');
  if (tok.expires_at && new Date(tok.expires_at) <= new Date()) return t('account.token_expired');
  return t('account.token_active');
}

function tokenTable(items) {
  if (items.length === 0) return h('p', { class: 'empty', 'data-testid': 'tokens-empty' }, t('account.tokens_none'));
  return h('table', { class: 'list', 'data-testid': 'tokens-table' },
    h('caption', { class: 'sr-only' }, t('account.tokens')),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, t('account.token_label')),
      h('th', { scope: 'col' }, t('account.token_scope')),
      h('th', { scope: 'col' }, t('account.token_expires')),
      h('th', { scope: 'col' }, t('account.token_state')),
      h('th', { scope: 'col' }, t('users.actions')))),
    h('tbody', {}, items.map((tok) => h('tr', { 'data-testid': 'token-row' },
      h('td', {}, tok.label),
      h('td', {}, t(`account.scope.${tok.scope === 'read' ? 'read' : 'full'}`)),
      h('td', {}, formatDateTime(tok.expires_at)),
      h('td', {}, tokenState(tok)),
      h('td', {}, tok.revoked_at ? ''
        : ownAction('token-revoke', t('account.token_revoke'), `/tokens/${tok.id}`, t('account.token_revoked_done')))))));
}

export async function renderAccount(ctx) {
  const { main } = ctx;
  const [{ data: sessions }, { data: tokens }] = await Promise.all([
    api('GET', `/sessions${query({ per_page: 50 })}`), api('GET', `/tokens${query({ per_page: 50 })}`)]);
  if (!ctx.alive()) return;
  clear(main);
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('account.title'))),
    passwordForm({ forced: false }),
    h('h2', {}, t('account.sessions')),
    h('div', { class: 'table-wrap' }, sessionTable((sessions && sessions.items) || [])),
    h('h2', {}, t('account.tokens')),
    h('div', { class: 'table-wrap' }, tokenTable((tokens && tokens.items) || [])));
}
