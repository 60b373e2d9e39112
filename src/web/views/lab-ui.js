// Shared pieces of the laboratory pages: tables, definition lists,
// small action forms that post to the API and redraw the page, state badges.
import { h, clear, append } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { errorBox, showFormError, field, picker, clearFieldErrors, showErrorBox, markFieldError, signatureField, confirmDialog } from '../ui.js';
import { navigate } from '../app.js';
import { LAB_READ } from '../access.js';
export { LAB_READ };


// cols: [[key, label, render?]]; render(row) returns a node or text.
export function dataTable(testid, cols, rows, empty = t('lab.none')) {
  if (!rows || rows.length === 0) return h('p', { class: 'empty', 'data-testid': `${testid}-empty` }, empty);
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': testid },
    h('thead', {}, h('tr', {}, cols.map(([, label]) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, rows.map((r) => h('tr', { 'data-testid': `${testid}-row`, 'data-id': r.id ?? '' },
      cols.map(([key, , render]) => h('td', {}, render ? render(r) : (r[key] ?? ''))))))));
}

export function facts(testid, pairs) {
  return h('dl', { class: 'facts', 'data-testid': testid },
    pairs.filter(Boolean).map(([key, label, value]) => [
      h('dt', {}, label), h('dd', { 'data-testid': `fact-${key}` }, value ?? '')]));
}

export function stateBadge(state) {
  return h('span', { class: `badge badge-status badge-${state}`, 'data-testid': 'state-badge' },
    t(`lab.state.${state}`));
}

export function din(u) { return `${u.din}${u.din_check || ''}`; }

function readValues(form, fields) {
  const body = {};
  for (const f of fields) {
    const el = form.elements.namedItem(f.name);
    if (!el) continue;
    const v = el.value.trim();
    if (v === '') continue;
    if (f.kind === 'int') body[f.name] = Number.parseInt(v, 10);
    else if (f.kind === 'number') body[f.name] = Number(v.replace(',', '.'));
    else if (f.kind === 'bool') body[f.name] = v === 'true';
    else body[f.name] = v;
  }
  return body;
}

// A form that sends its fields to the API. fields: ui.field options plus
// kind ('int' | 'number' | 'bool'), or ui.picker options with `source` (the
// record's id is sent). build(body) may add fixed values; validate(body)
// may return [field, message] to stop before sending.
// confirm(body) may return the confirmation dialog's options: nothing is
// sent unless the user confirms.
// On success: onDone(data) or the page is redrawn with a message.
export function actionForm({ id, title, fields, method = 'POST', path, submit, build, validate, confirm, onDone, message, danger }) {
  const box = errorBox(`${id}-error`);
  const form = h('form', { id, class: 'card lab-form', 'data-testid': id, novalidate: true },
    title ? h('h2', {}, title) : null, box,
    fields.map((f) => (f.node ? f.node : f.signature ? signatureField(id, f.signature) : f.source ? picker(id, f) : field(id, f))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: `btn ${danger ? 'btn-danger' : 'btn-primary'}`, 'data-testid': `${id}-submit` },
        submit || t('action.save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let body = readValues(form, fields);
    if (build) body = build(body);
    const invalid = validate ? validate(body) : null;
    if (invalid) {
      clearFieldErrors(form);
      showErrorBox(box, invalid[1]);
      markFieldError(form, invalid[0], invalid[1]);
      return;
    }
    clearFieldErrors(form);
    showErrorBox(box, null);
    if (confirm && !(await confirmDialog(confirm(body)))) return;
    try {
      const { data } = await api(method, typeof path === 'function' ? path(body) : path, { body });
      if (onDone) onDone(data);
      else navigate(location.hash, message || t('lab.saved'));
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  return form;
}

export function section(title, ...children) {
  return h('section', { class: 'lab-section' }, h('h2', {}, title), ...children);
}

export function pageHead(title, ...extra) {
  // data-drawn changes on every redraw, so tests can wait for the new page
  return h('div', { class: 'page-head' },
    h('h1', { tabindex: '-1', 'data-testid': 'page-title', 'data-drawn': String(Date.now() + Math.random()) }, title), ...extra);
}

export function labNav(active) {
  const items = [['home', '#/lab'], ['inventory', '#/lab/inventory'], ['storage', '#/lab/storage'],
    ['lookback', '#/lab/lookback'], ['arrivals', '#/lab/arrivals']];
  return h('nav', { class: 'tabs', 'aria-label': t('nav.lab'), 'data-testid': 'lab-tabs' },
    items.map(([key, href]) => h('a', {
      href, class: `tab${key === active ? ' active' : ''}`, 'aria-current': key === active ? 'page' : null,
      'data-testid': `lab-tab-${key}`,
    }, t(`lab.tab.${key}`))));
}

export function replace(main, ...nodes) { clear(main); append(main, nodes); }

export const PRODUCT_TYPES = ['uc-msc', 'ucb-sc', 'bm-msc', 'ad-msc', 'pl-msc', 'secretome'];
export function productOptions() {
  return [['', t('form.choose')], ...PRODUCT_TYPES.map((p) => [p, t(`lab.product.${p}`)])];
}
