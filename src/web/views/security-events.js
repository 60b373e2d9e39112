// Security events (failed logins and signatures, locked accounts, refused
// cross-site requests, expired or revoked credentials used), for admin and
// qa: newest first, filtered by kind and by username, a page at a time.
// Times in the reader's local time; kinds in words, never the stored code.
import { h, clear, append } from '../dom.js';
import { api, query as queryString } from '../api.js';
import { t, formatDateTime } from '../i18n.js';
import { field, errorBox, showFormError, pager } from '../ui.js';
import { navigate } from '../app.js';
import { SECURITY_EVENT_ROLES } from '../access.js';
export { SECURITY_EVENT_ROLES };

const PER_PAGE = 50;
// The kinds GET /api/v1/security-events accepts (src/api/h_audit.c).
const KINDS = ['login_failed', 'signature_failed', 'account_locked', 'csrf_refused',
  'session_expired', 'token_revoked', 'token_expired'];

function kindLabel(kind) { return KINDS.includes(kind) ? t(`security.kind.${kind}`) : t('security.kind.other'); }

function addressLabel(address) { return address && address !== 'unknown' ? address : t('security.address_unknown'); }

function hashFor(kind, username, page = 1) {
  const qs = queryString({ kind: kind || undefined, username: username || undefined, page: page > 1 ? page : undefined });
  return `#/security-events${qs}`;
}

export async function renderSecurityEvents(ctx) {
  const { main, query } = ctx;
  const kind = KINDS.includes(query.get('kind')) ? query.get('kind') : '';
  const username = (query.get('username') || '').trim();
  const page = Math.max(1, Number(query.get('page')) || 1);

  const box = errorBox('security-error');
  const form = h('form', { class: 'card', id: 'security-form', 'data-testid': 'security-form', novalidate: true },
    box,
    h('div', { class: 'row' },
      field('security', {
        name: 'kind', label: t('security.filter_kind'), type: 'select', value: kind,
        options: [['', t('security.kind.all')], ...KINDS.map((k) => [k, kindLabel(k)])],
      }),
      field('security', { name: 'username', label: t('security.filter_user'), value: username, maxlength: 64, autocomplete: 'off' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'security-submit' }, t('security.show'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    navigate(hashFor(form.elements.kind.value, form.elements.username.value.trim()));
  });
  const head = h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('security.title')));

  let res;
  try {
    res = await api('GET', `/security-events${queryString({ kind: kind || undefined, username: username || undefined, page, per_page: PER_PAGE })}`);
  } catch (err) {
    // a malformed username is the reader's to correct, on the form
    if (err.status !== 400) throw err;
    if (!ctx.alive()) return;
    clear(main);
    append(main, [head, form]);
    showFormError(form, box, err);
    return;
  }
  if (!ctx.alive()) return;
  const { items, total } = res.data;
  const table = items.length
    ? h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'security-table' },
      h('caption', { class: 'list-count', 'data-testid': 'security-count' }, total === 1 ? t('security.count_one') : t('security.count', { total })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('security.col.when')),
        h('th', { scope: 'col' }, t('security.col.kind')),
        h('th', { scope: 'col' }, t('security.col.user')),
        h('th', { scope: 'col' }, t('security.col.address')))),
      h('tbody', {}, items.map((ev) => h('tr', { 'data-testid': 'security-row' },
        h('td', { 'data-testid': 'security-when' }, formatDateTime(ev.at)),
        h('td', { 'data-testid': 'security-kind' }, kindLabel(ev.kind)),
        h('td', { 'data-testid': 'security-user' }, ev.username || t('security.no_account')),
        h('td', { 'data-testid': 'security-address' }, addressLabel(ev.address)))))))
    : h('p', { 'data-testid': 'security-none' }, t('security.none'));
  clear(main);
  append(main, [head, form, table,
    pager({ page, perPage: PER_PAGE, total, onPage: (n) => navigate(hashFor(kind, username, n)) })]);
}
