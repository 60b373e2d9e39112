// Shared pieces of the interface: error display, field highlighting, the
// confirmation dialog, badges, pagination, the record picker.
import { h, $, $$, clear } from './dom.js';
import { t, has, language, formatDate } from './i18n.js';
import { api } from './api.js';

// A user-facing message for an ApiError (or any error).
// The server writes its message in the language it names (Content-Language):
// the interface's language, unless the user's setting says otherwise. In
// English the server adds the failure's precise sentence ("weight must be
// between 0.5 and 400 kg") as detail, shown as it is. Otherwise the
// catalogue's text for the code is shown, then one for the HTTP status.
export function errorMessage(err) {
  if (!err) return t('error.generic');
  if (err.status === 0) return t('error.network');
  // a refused signature reads the same wherever it was given
  if (err.code === 'signature_failed' || err.code === 'bad_signature') return t('sig.wrong_password');
  const serverText = err.message && !/^HTTP \d+$/.test(err.message) ? err.message : '';
  if (language() === 'en' && err.detail) return err.detail;
  if (serverText && err.language === language()) return serverText;
  if (err.code && has(`error.${err.code}`)) return t(`error.${err.code}`, { field: err.field || '' });
  if (serverText && language() === 'en') return serverText;
  if (err.status && has(`error.status.${err.status}`)) return t(`error.status.${err.status}`);
  return t('error.generic');
}

// The error banner of a view (role=alert so screen readers announce it).
export function errorBox(id = 'form-error') {
  return h('div', { class: 'alert alert-error', id, role: 'alert', 'data-testid': id, hidden: true });
}

export function showErrorBox(box, message) {
  clear(box);
  if (!message) { box.hidden = true; return; }
  box.append(message);
  box.hidden = false;
}

export function clearFieldErrors(form) {
  for (const el of $$('[aria-invalid="true"]', form)) {
    el.removeAttribute('aria-invalid');
    el.closest('.field')?.classList.remove('has-error');
  }
  for (const el of $$('.field-error', form)) el.remove();
}

// Marks the input named `field` in `form` as invalid, with a message under it,
// and moves the focus there. Returns true when such an input exists.
export function markFieldError(form, field, message) {
  if (!field) return false;
  let input = form.elements.namedItem(field);
  if (!input || !(input instanceof Element)) return false;
  // a picker's hidden value: the error belongs to the box the user types in
  if (input.dataset.pickerBox) input = document.getElementById(input.dataset.pickerBox) || input;
  input.setAttribute('aria-invalid', 'true');
  const wrap = input.closest('.field');
  wrap?.classList.add('has-error');
  const msgId = `${input.id || field}-error`;
  const msg = h('p', { class: 'field-error', id: msgId, 'data-testid': `error-${field}` }, message);
  (wrap || input.parentElement).append(msg);
  const described = (input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean);
  if (!described.includes(msgId)) described.push(msgId);
  input.setAttribute('aria-describedby', described.join(' '));
  input.focus();
  return true;
}

// Shows an API error on a form: the banner, plus the named field if any.
export function showFormError(form, box, err) {
  clearFieldErrors(form);
  const message = errorMessage(err);
  const label = err && err.field ? fieldLabel(form, err.field) : '';
  showErrorBox(box, label ? t('form.field_message', { field: label, message }) : message);
  if (!(err && markFieldError(form, err.field, message))) box.focus?.();
}

function fieldLabel(form, field) {
  let input = form.elements.namedItem(field);
  if (input instanceof Element && input.dataset.pickerBox) input = document.getElementById(input.dataset.pickerBox);
  if (!input || !(input instanceof Element) || !input.id) return '';
  const label = form.querySelector(`label[for="${input.id}"]`);
  return label ? label.textContent.replace(/\s*\*\s*$/, '') : '';
}

// A labelled form field. opts: {name, label, type, value, required, options,
// autocomplete, help, rows, step, min, max, maxlength}
export function field(prefix, opts) {
  const id = `${prefix}-${opts.name.replace(/_/g, '-')}`;
  let input;
  const common = {
    id, name: opts.name, 'data-testid': id,
    required: opts.required, autocomplete: opts.autocomplete || 'off',
  };
  if (opts.type === 'select') {
    input = h('select', common,
      opts.options.map(([v, text]) => h('option', { value: v, selected: String(opts.value ?? '') === v }, text)));
  } else if (opts.type === 'textarea') {
    input = h('textarea', { ...common, rows: opts.rows || 3, maxlength: opts.maxlength });
    input.value = opts.value ?? '';
  } else {
    input = h('input', {
      ...common, type: opts.type || 'text', value: opts.value ?? '',
      step: opts.step, min: opts.min, max: opts.max, maxlength: opts.maxlength,
      inputmode: opts.inputmode,
    });
  }
  const help = opts.help ? h('p', { class: 'help', id: `${id}-help` }, opts.help) : null;
  if (help) input.setAttribute('aria-describedby', help.id);
  return h('div', { class: `field field-${opts.name}` },
    h('label', { for: id }, opts.label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    input, help);
}

export function syntheticBadge() {
  return h('span', { class: 'badge badge-synthetic', 'data-testid': 'synthetic-badge', title: t('synthetic.title') },
    t('synthetic.badge'));
}

export function statusBadge(status) {
  return h('span', { class: `badge badge-status badge-${status}`, 'data-testid': 'status-badge' },
    t(`request.status.${status}`));
}

// Confirmation before an irreversible step. Resolves true when confirmed.
export function confirmDialog({ title, text, ok, cancel, danger = false }) {
  const dlg = $('#confirm-dialog');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text || '';
  $('#confirm-ok').textContent = ok || t('action.confirm');
  $('#confirm-ok').className = `btn ${danger ? 'btn-danger' : 'btn-primary'}`;
  $('#confirm-cancel').textContent = cancel || t('action.cancel');
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const done = () => {
      dlg.removeEventListener('close', done);
      resolve(dlg.returnValue === 'ok');
      if (opener && opener.isConnected) opener.focus();
    };
    dlg.returnValue = '';
    dlg.addEventListener('close', done);
    dlg.showModal();
    $('#confirm-cancel').focus();
  });
}

// Pagination bar. onPage(n) is called with the new page number. always: the
// bar (with the total) is shown even when everything fits on one page.
export function pager({ page, perPage, total, onPage, testid = 'pager', always = false }) {
  const pages = Math.max(1, Math.ceil((total || 0) / (perPage || 1)));
  if (pages <= 1 && page <= 1 && !always) return null;
  const prev = h('button', {
    type: 'button', class: 'btn', 'data-testid': `${testid}-prev`, disabled: page <= 1,
    on: { click: () => onPage(page - 1) },
  }, t('pager.previous'));
  const next = h('button', {
    type: 'button', class: 'btn', 'data-testid': `${testid}-next`, disabled: page >= pages,
    on: { click: () => onPage(page + 1) },
  }, t('pager.next'));
  return h('nav', { class: 'pager', 'aria-label': t('pager.label'), 'data-testid': testid },
    prev,
    h('span', { class: 'pager-info', 'data-testid': `${testid}-info`, 'aria-live': 'polite' },
      t('pager.info', { page, pages, total: total || 0 })),
    next);
}

export function flash(message, kind = 'ok') {
  const el = $('#flash');
  clear(el);
  if (!message) { el.hidden = true; return; }
  el.className = `flash flash-${kind}`;
  el.append(message);
  el.hidden = false;
}

export function sexLabel(sex) { return sex ? t(`sex.${sex}`) : ''; }
export function languageLabel(lang) { return lang ? t(`language.${lang}`) : ''; }

// What each picker searches and how it shows a record. The search is the
// server's (case- and accent-blind); key(item) is the text printed on the
// wristband, bag, tube or label, which a scanner types followed by Enter.
const compact = (s) => String(s || '').toUpperCase().replace(/[^0-9A-Z]/g, '');
export const PICKER_SOURCES = {
  patient: {
    path: '/patient-lookup', key: (p) => p.mrn,
    text: (p) => `${p.mrn} · ${p.family_name} ${p.given_names}`,
  },
  donor: { path: '/donors', key: (d) => d.code, text: (d) => `${d.code} · ${t(`lab.kind.${d.kind}`)}` },
  collection: {
    path: '/collections', key: () => '',
    text: (c) => `${c.donor_code} · ${formatDate(c.collected_on)} · ${t(`lab.source.${c.source}`)}`,
  },
  batch: { path: '/batches', key: (b) => b.code, text: (b) => `${b.code} · ${t(`lab.product.${b.product_type}`)}` },
  unit: {
    path: '/units', key: (u) => `${u.din}${u.din_check || ''}`,
    text: (u) => `${u.din}${u.din_check || ''} · ${u.product_code} · ${t(`lab.state.${u.state}`)}`,
  },
};

// A field that points at another record: the user types part of a name,
// an MRN, a code or a DIN (or scans it), picks one of the matches with the
// mouse or the arrow keys and Enter, and the form sends the record's id,
// kept in a hidden input named opts.name that the user never sees.
// A full printed identifier followed by Enter (a scanner) picks its exact
// match. opts: {name, label, source, required, help, value: {id, item},
// filter(item), onPick(item|null)}. The box's test id is `${prefix}-${name}`
// and each match is `${prefix}-${name}-option`.
export function picker(prefix, opts) {
  const src = PICKER_SOURCES[opts.source];
  const id = `${prefix}-${opts.name.replace(/_/g, '-')}`;
  const listId = `${id}-list`;
  const hidden = h('input', { type: 'hidden', name: opts.name, value: '', 'data-picker-box': id, 'data-testid': `${id}-value` });
  const box = h('input', {
    id, type: 'text', 'data-testid': id, autocomplete: 'off', role: 'combobox', spellcheck: 'false',
    'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': listId, required: opts.required,
  });
  const list = h('ul', { id: listId, role: 'listbox', class: 'picker-list', hidden: true, 'data-testid': `${id}-list` });
  const status = h('p', { class: 'help picker-status', 'aria-live': 'polite', 'data-testid': `${id}-status` });
  let items = [];
  let active = -1;
  let seq = 0;
  let timer = null;

  const close = () => { list.hidden = true; box.setAttribute('aria-expanded', 'false'); box.removeAttribute('aria-activedescendant'); active = -1; };
  const choose = (item) => {
    hidden.value = item ? String(item.id) : '';
    box.value = item ? src.text(item) : box.value;
    status.textContent = '';
    close();
    opts.onPick?.(item || null);
  };
  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, k) => li.setAttribute('aria-selected', k === i ? 'true' : 'false'));
    if (i >= 0 && list.children[i]) box.setAttribute('aria-activedescendant', list.children[i].id);
  };
  const show = () => {
    clear(list);
    items.forEach((item, k) => list.append(h('li', {
      id: `${listId}-${k}`, role: 'option', class: 'picker-option', 'aria-selected': 'false', 'data-testid': `${id}-option`,
      on: { mousedown: (e) => { e.preventDefault(); choose(item); } },
    }, src.text(item))));
    status.textContent = items.length ? '' : t('picker.none');
    list.hidden = items.length === 0;
    box.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    active = -1;
  };
  const search = async () => {
    const q = box.value.trim();
    const mine = ++seq;
    if (!q) { items = []; show(); status.textContent = ''; return items; }
    try {
      const { data } = await api('GET', `${src.path}?q=${encodeURIComponent(q)}&per_page=10`);
      if (mine !== seq) return null;
      items = (data.items || []).filter(opts.filter || (() => true));
    } catch {
      if (mine !== seq) return null;
      items = [];
    }
    show();
    return items;
  };
  box.addEventListener('input', () => {
    if (hidden.value) { hidden.value = ''; opts.onPick?.(null); }
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  box.addEventListener('keydown', async (e) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (list.hidden) { await search(); if (items.length) highlight(0); return; }
      const n = items.length;
      if (n) highlight(e.key === 'ArrowDown' ? (active + 1) % n : (active - 1 + n) % n);
    } else if (e.key === 'Enter') {
      // never submits the form: a scanner ends with Enter
      e.preventDefault();
      if (!list.hidden && active >= 0) { choose(items[active]); return; }
      clearTimeout(timer);
      const typed = compact(box.value);
      const found = await search();
      if (!found) return;
      const exact = found.filter((x) => typed && compact(src.key(x)) === typed);
      if (exact.length === 1) choose(exact[0]);
      else if (found.length === 1) choose(found[0]);
    } else if (e.key === 'Escape') {
      close();
    }
  });
  box.addEventListener('blur', () => setTimeout(close, 150));
  if (opts.value && opts.value.item) { hidden.value = String(opts.value.item.id); box.value = src.text(opts.value.item); }
  const help = opts.help ? h('p', { class: 'help', id: `${id}-help` }, opts.help) : null;
  if (help) box.setAttribute('aria-describedby', help.id);
  return h('div', { class: `field field-${opts.name} picker` },
    h('label', { for: id }, opts.label, opts.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null),
    box, hidden, list, status, help);
}

// The one electronic-signature control: what signing means, then the
// signer's own password (name "password"). The server checks it with the
// login's throttle; a wrong password reads sig.wrong_password everywhere.
export function signatureField(prefix, meaning) {
  return h('fieldset', { class: 'signature', 'data-testid': `${prefix}-signature` },
    h('legend', {}, t('sig.title')),
    h('p', { class: 'signature-meaning', 'data-testid': `${prefix}-signature-meaning` }, meaning),
    field(prefix, { name: 'password', label: t('sig.password'), type: 'password', required: true,
      autocomplete: 'current-password', help: t('sig.help') }));
}
