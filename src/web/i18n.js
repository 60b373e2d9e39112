// Message catalogues: one JSON file per language under /i18n/.
// t('key', {name: 'x'}) looks the key up in the current language, falls back
// to English, then to the key itself, and fills {placeholders}.

export const LANGUAGES = ['en', 'fr'];
const catalogues = {};
let current = 'en';
const listeners = [];

async function load(lang) {
  if (!catalogues[lang]) {
    const res = await fetch(`/i18n/${lang}.json`, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`cannot load /i18n/${lang}.json (${res.status})`);
    catalogues[lang] = await res.json();
  }
  return catalogues[lang];
}

export async function initI18n(lang) {
  await load('en');
  await setLanguage(lang, { silent: true });
}

export function language() { return current; }

export async function setLanguage(lang, { silent = false } = {}) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  await load(lang);
  current = lang;
  document.documentElement.lang = lang;
  try { localStorage.setItem('cc.language', lang); } catch { /* private mode */ }
  translateStatic(document);
  if (!silent) for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) { listeners.push(fn); }

export function storedLanguage() {
  try {
    const v = localStorage.getItem('cc.language');
    if (LANGUAGES.includes(v)) return v;
  } catch { /* ignore */ }
  const nav = (navigator.language || 'en').slice(0, 2).toLowerCase();
  return LANGUAGES.includes(nav) ? nav : 'en';
}

export function has(key) {
  return key in (catalogues[current] || {}) || key in (catalogues.en || {});
}

export function t(key, params = {}) {
  let s = (catalogues[current] && catalogues[current][key]) ??
          (catalogues.en && catalogues.en[key]) ?? key;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Elements of the static page carry data-i18n="key" (text) and
// data-i18n-aria-label="key" (aria-label).
export function translateStatic(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  }
}

export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(current === 'fr' ? 'fr-FR' : 'en-GB', {
    dateStyle: 'medium', timeStyle: 'short',
  }).format(d);
}

// A calendar date "YYYY-MM-DD" as the interface's language writes it
// (dd/mm/yyyy in French); anything else is returned as it is.
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(ymd || '');
  if (!m) return ymd || '';
  return new Intl.DateTimeFormat(current === 'fr' ? 'fr-FR' : 'en-GB', { dateStyle: 'short', timeZone: 'UTC' })
    .format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

export function formatNumber(n, digits = 1) {
  if (n === null || n === undefined || n === '') return '';
  return new Intl.NumberFormat(current === 'fr' ? 'fr-FR' : 'en-GB', {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(Number(n));
}

// programmes -- a t() for another language than the interface's
// (the printed plan and quote use the patient's language).
export async function translatorFor(lang) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  await load('en');
  const cat = await load(lang);
  return (key, params = {}) => {
    const s = cat[key] ?? catalogues.en[key] ?? key;
    return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
  };
}

// A stored date or instant as the interface's language writes it: a calendar
// date "YYYY-MM-DD" as formatDate, an ISO instant as formatDateTime (local
// time), anything else as it is.
export function formatWhen(v) {
  if (typeof v !== 'string') return v ?? '';
  if (/^\d{4}-\d\d-\d\d$/.test(v)) return formatDate(v);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return formatDateTime(v);
  return v;
}
