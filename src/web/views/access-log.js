// Who read which patient's identified data (the access log), for admin and
// qa: one patient's readers (?patient=MRN, linked from the patient record) or
// one user's reads (?username=NAME). Times in the reader's local time.
import { h, clear, append } from '../dom.js';
import { api } from '../api.js';
import { t, formatDateTime } from '../i18n.js';
import { field, errorBox, showErrorBox, pager } from '../ui.js';
import { navigate } from '../app.js';
import { ACCESS_LOG_ROLES } from '../access.js';
export { ACCESS_LOG_ROLES };

const PER_PAGE = 50;
const KINDS = ['record', 'search', 'list', 'label', 'lookback', 'export', 'report'];

function kindLabel(what) { return KINDS.includes(what) ? t(`access.what.${what}`) : t('access.what.other'); }

export async function renderAccessLog(ctx) {
  const { main, query } = ctx;
  const mrn = query.get('patient');
  const username = query.get('username');
  const page = Math.max(1, Number(query.get('page')) || 1);

  const box = errorBox('access-error');
  const form = h('form', { class: 'card', id: 'access-form', 'data-testid': 'access-form', novalidate: true },
    box,
    h('div', { class: 'row' },
      field('access', { name: 'patient', label: t('access.by_patient'), value: mrn || '', maxlength: 64, autocomplete: 'off' }),
      field('access', { name: 'username', label: t('access.by_user'), value: username || '', maxlength: 64, autocomplete: 'off' })),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'access-submit' }, t('access.show'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = form.elements.patient.value.trim();
    const u = form.elements.username.value.trim();
    if (!p && !u) { showErrorBox(box, t('access.need_one')); return; }
    const qs = p ? `patient=${encodeURIComponent(p)}` : `username=${encodeURIComponent(u)}`;
    navigate(`#/access-log?${qs}`);
  });

  const title = mrn ? t('access.title_patient') : username ? t('access.title_user', { user: username }) : t('access.title');
  const head = h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, title));
  if (!mrn && !username) {
    clear(main);
    append(main, [head, form]);
    return;
  }
  const qs = mrn ? `patient=${encodeURIComponent(mrn)}` : `username=${encodeURIComponent(username)}`;
  const res = await api('GET', `/access-log?${qs}&page=${page}&per_page=${PER_PAGE}`);
  if (!ctx.alive()) return;
  const { items, total } = res.data;
  const first = items[0];
  const subtitle = mrn && first
    ? h('p', { class: 'subtitle', 'data-testid': 'access-subject' },
      `${(first.family_name || '').toUpperCase()}, ${first.given_names || ''} — ${t('patient.mrn')} ${first.mrn}`)
    : null;
  const table = items.length
    ? h('table', { class: 'table', 'data-testid': 'access-table' },
      h('caption', {}, t('access.count', { total })),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, t('access.col.when')),
        h('th', { scope: 'col' }, t('access.col.user')),
        h('th', { scope: 'col' }, t('access.col.what')),
        h('th', { scope: 'col' }, t('access.col.patient')))),
      h('tbody', {}, items.map((r) => h('tr', { 'data-testid': 'access-row' },
        h('td', {}, formatDateTime(r.at)),
        h('td', { 'data-testid': 'access-user' }, r.username),
        h('td', { 'data-testid': 'access-what' }, kindLabel(r.what)),
        h('td', {}, r.mrn ? `${(r.family_name || '').toUpperCase()}, ${r.given_names || ''} (${r.mrn})` : '—')))))
    : h('p', { 'data-testid': 'access-none' }, t('access.none'));
  clear(main);
  append(main, [head, subtitle, form, table,
    pager({ page, perPage: PER_PAGE, total, onPage: (n) => navigate(`#/access-log?${qs}&page=${n}`) })]);
}
