// Patient list: accent- and case-insensitive search, sortable columns, pages.
// The search, sort and page live in the address (#/patients?q=&sort=&order=&page=)
// so that Back and reload keep them.
import { h, clear, append, debounce } from '../dom.js';
import { api, query } from '../api.js';
import { t, formatDate } from '../i18n.js';
import { syntheticBadge, pager, sexLabel, errorMessage } from '../ui.js';
import { can } from '../app.js';

const PER_PAGE = 25;
const COLUMNS = [
  ['mrn', 'patient.mrn'],
  ['family_name', 'patient.family_name'],
  ['given_names', 'patient.given_names'],
  ['birth_date', 'patient.birth_date'],
  [null, 'patient.sex'],
  ['created_at', 'patient.created_at'],
];

export async function renderPatientList(ctx) {
  const { main, query: qp } = ctx;
  const state = {
    q: qp.get('q') || '',
    sort: qp.get('sort') || 'family_name',
    order: qp.get('order') === 'desc' ? 'desc' : 'asc',
    page: Math.max(1, Number(qp.get('page')) || 1),
  };

  const setAddress = () => {
    const hash = `#/patients${query({ q: state.q, sort: state.sort, order: state.order, page: state.page > 1 ? state.page : '' })}`;
    history.replaceState(null, '', hash);
  };

  const searchInput = h('input', {
    type: 'search', id: 'patient-search', name: 'q', 'data-testid': 'patient-search',
    value: state.q, autocomplete: 'off', 'aria-describedby': 'patient-search-help',
  });
  const searchForm = h('form', { class: 'searchbar', role: 'search', 'data-testid': 'patient-search-form' },
    h('label', { for: 'patient-search' }, t('patients.search')),
    h('div', { class: 'searchrow' },
      searchInput,
      h('button', { type: 'submit', class: 'btn', 'data-testid': 'patient-search-submit' }, t('action.search'))),
    h('p', { class: 'help', id: 'patient-search-help' }, t('patients.search_help')));
  const results = h('div', { class: 'results', id: 'patient-results', 'data-testid': 'patient-results', 'aria-live': 'polite' });

  const header = h('div', { class: 'page-head' },
    h('h1', { tabindex: '-1' }, t('patients.title')),
    can(['admin', 'coordinator'])
      ? h('a', { class: 'btn btn-primary', href: '#/patients/new', id: 'new-patient', 'data-testid': 'new-patient' }, t('patients.new'))
      : null);
  clear(main);
  main.append(header, searchForm, results);

  let loadSeq = 0;
  const load = async () => {
    const seq = ++loadSeq;
    setAddress();
    results.setAttribute('aria-busy', 'true');
    let data;
    try {
      ({ data } = await api('GET', `/patients${query({
        q: state.q, sort: state.sort, order: state.order, page: state.page, per_page: PER_PAGE,
      })}`));
    } catch (err) {
      if (seq !== loadSeq || !ctx.alive()) return;
      results.removeAttribute('aria-busy');
      clear(results).append(h('p', { class: 'alert alert-error', role: 'alert', 'data-testid': 'patients-error' }, errorMessage(err)));
      return;
    }
    if (seq !== loadSeq || !ctx.alive()) return;
    results.removeAttribute('aria-busy');
    const items = (data && data.items) || [];
    const total = data && typeof data.total === 'number' ? data.total : items.length;
    const page = (data && data.page) || state.page;
    const perPage = (data && data.per_page) || PER_PAGE;
    clear(results);
    if (items.length === 0) {
      results.append(h('p', { class: 'empty', 'data-testid': 'patients-empty' },
        state.q ? t('patients.none_found', { q: state.q }) : t('patients.none')));
      if (total > 0 && state.page > 1) {
        append(results, [pager({ page, perPage, total, onPage: (n) => { state.page = n; load(); } })]);
      }
      return;
    }
    append(results, [
      h('p', { class: 'count', 'data-testid': 'patients-count' }, t('patients.count', { total })),
      h('div', { class: 'table-wrap' }, table(items)),
      pager({ page, perPage, total, onPage: (n) => { state.page = n; load(); } })]);
  };

  const sortButton = (key, labelKey) => {
    const active = state.sort === key;
    const arrow = active ? (state.order === 'asc' ? '▲' : '▼') : '';
    return h('button', {
      type: 'button', class: `sort${active ? ' active' : ''}`, 'data-testid': `sort-${key}`,
      on: {
        click: () => {
          if (state.sort === key) state.order = state.order === 'asc' ? 'desc' : 'asc';
          else { state.sort = key; state.order = 'asc'; }
          state.page = 1;
          load().then(() => results.querySelector(`[data-testid="sort-${key}"]`)?.focus());
        },
      },
    }, t(labelKey), h('span', { class: 'arrow', 'aria-hidden': 'true' }, arrow));
  };

  const table = (items) => h('table', { class: 'list', 'data-testid': 'patients-table' },
    h('caption', { class: 'sr-only' }, t('patients.caption')),
    h('thead', {}, h('tr', {}, COLUMNS.map(([key, labelKey]) => {
      const sortAttr = key && state.sort === key ? (state.order === 'asc' ? 'ascending' : 'descending') : null;
      return h('th', { scope: 'col', 'aria-sort': sortAttr, class: key === 'created_at' ? 'col-wide' : null }, key ? sortButton(key, labelKey) : t(labelKey));
    }))),
    h('tbody', {}, items.map((p) => h('tr', { 'data-testid': 'patient-row', 'data-id': p.id },
      h('td', { class: 'mono' }, p.mrn),
      h('td', {}, h('a', { href: `#/patients/${p.id}`, 'data-testid': 'patient-link' }, p.family_name),
        p.synthetic ? [' ', syntheticBadge()] : null),
      h('td', {}, p.given_names),
      h('td', { class: 'nowrap' }, formatDate(p.birth_date)),
      h('td', {}, sexLabel(p.sex)),
      h('td', { class: 'nowrap col-wide' }, formatDate((p.created_at || '').slice(0, 10)))))));

  const runSearch = () => {
    const q = searchInput.value.trim();
    if (q === state.q) return;
    state.q = q;
    state.page = 1;
    load();
  };
  searchForm.addEventListener('submit', (e) => { e.preventDefault(); state.q = null; runSearch(); });
  searchInput.addEventListener('input', debounce(runSearch, 300));

  await load();
  if (ctx.alive() && state.q === '' && document.activeElement === document.body) searchInput.focus();
}
