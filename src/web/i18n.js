// Message catalogues: one JSON file per language under /i18n/.
// t('key', {name: 'x'}) looks the key up in the current language, falls back
// to English, then to the key itself, and fills {placeholders}.
// The languages are the catalogue files present (i18n/languages.json, made
// by the build from them): a catalogue with a "catalogue.scope" of "patient"
// holds the patient-facing pages only (the public request page and the
// questionnaires) and is offered on those pages alone.

// [{code, scope}] once initI18n has run
let available = [{ code: 'en' }, { code: 'fr' }];
export const LANGUAGES = [];
const catalogues = {};
let current = 'en';
const listeners = [];
// keys a page asked for that the current catalogue lacks, per language (the
// English text was shown instead): tests read it through ccI18nMissing
const missing = {};
globalThis.ccI18nMissing = (lang) => [...(missing[lang] || [])].sort();

// The language codes offered: every catalogue on patient-facing pages, the
// complete ones elsewhere.
export function languages({ patient = false } = {}) {
  return available.filter((l) => patient || !l.scope).map((l) => l.code);
}

const LOCALES = { en: 'en-GB', fr: 'fr-FR' };
function locale() { return LOCALES[current] || current; }

async function load(lang) {
  if (!catalogues[lang]) {
    const res = await fetch(new URL(`./i18n/${lang}.json`, import.meta.url), { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`cannot load /i18n/${lang}.json (${res.status})`);
    catalogues[lang] = await res.json();
  }
  return catalogues[lang];
}

export async function initI18n(langFor) {
  // the list of languages and English (every page's fallback) at once, with
  // the catalogue the built-in list guesses; the choice itself waits for the list
  const guess = langFor();
  const [res] = await Promise.all([fetch(new URL('./i18n/languages.json', import.meta.url), { credentials: 'same-origin' }), load('en'),
    guess !== 'en' ? load(guess).catch(() => null) : null]);
  if (res.ok) available = await res.json();
  LANGUAGES.splice(0, LANGUAGES.length, ...available.map((l) => l.code));
  await setLanguage(langFor(), { silent: true });
}

export function language() { return current; }

// remember: false shows a page in lang without making it this browser's choice.
export async function setLanguage(lang, { silent = false, remember = true } = {}) {
  if (!LANGUAGES.includes(lang)) lang = 'en';
  await load(lang);
  current = lang;
  if (remember) try { localStorage.setItem('cc.language', lang); } catch { /* private mode */ }
  translateStatic(document);
  if (!silent) await Promise.allSettled(listeners.map((fn) => fn(lang)));
  // last, once the page is drawn in lang: the page's language is what it shows
  document.documentElement.lang = lang;
}

export function onLanguageChange(fn) { listeners.push(fn); }

// The language chosen on this browser before, else the browser's first
// language we have, else English; among the patient pages' languages or the
// complete ones.
export function storedLanguage({ patient = false } = {}) {
  const offered = languages({ patient });
  try {
    const v = localStorage.getItem('cc.language');
    if (offered.includes(v)) return v;
  } catch { /* ignore */ }
  for (const tag of navigator.languages || [navigator.language || 'en']) {
    const nav = String(tag).slice(0, 2).toLowerCase();
    if (offered.includes(nav)) return nav;
  }
  return 'en';
}

export function has(key) {
  return key in (catalogues[current] || {}) || key in (catalogues.en || {});
}

// Whether the current language's own catalogue has the key (no fallback).
export function hasOwn(key) { return key in (catalogues[current] || {}); }

// Records that a text of the page is shown in English on a page in another
// language.
export function noteMissing(key) {
  if (current === 'en') return;
  (missing[current] ||= new Set()).add(key);
}

export function t(key, params = {}) {
  let s = catalogues[current] && catalogues[current][key];
  if (s === undefined) {
    noteMissing(key);
    s = (catalogues.en && catalogues.en[key]) ?? key;
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

// Elements of the static page carry data-i18n="key" (text) and
// data-i18n-aria-label="key" (aria-label).
// A hidden element (the staff menu before login) is translated without
// being noted as missing: no one reads it in that language.
export function translateStatic(root) {
  const text = (el, key) => (el.closest('[hidden]') && !hasOwn(key) ? (catalogues.en || {})[key] ?? key : t(key));
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = text(el, el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) {
    el.setAttribute('aria-label', text(el, el.dataset.i18nAriaLabel));
  }
}

// Intl formatters, made once per locale and name (one name, one set of
// options): making one costs far more than formatting with it (a report
// formats thousands of numbers).
const formatters = new Map();
function formatter(Kind, name, options) {
  const key = `${name}|${locale()}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, f = new Kind(locale(), options));
  return f;
}

// Makes the formatters the pages use most in the current language: called
// while a page waits for its data, so that making them (the first costs the
// most) is not added to drawing the page.
export function warmFormatters() {
  formatter(Intl.DateTimeFormat, 'datetime', { dateStyle: 'medium', timeStyle: 'short' });
  formatter(Intl.DateTimeFormat, 'date', { dateStyle: 'short', timeZone: 'UTC' });
  formatter(Intl.NumberFormat, 'number1', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

export function formatDateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter(Intl.DateTimeFormat, 'datetime', { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// A calendar date "YYYY-MM-DD" as the interface's language writes it
// (dd/mm/yyyy in French); anything else is returned as it is.
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(ymd || '');
  if (!m) return ymd || '';
  return formatter(Intl.DateTimeFormat, 'date', { dateStyle: 'short', timeZone: 'UTC' })
    .format(new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))));
}

export function formatNumber(n, digits = 1) {
  if (n === null || n === undefined || n === '') return '';
  return formatter(Intl.NumberFormat, `number${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(n));
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

// Whether lang's own catalogue has the key (after translatorFor(lang)).
export function hasIn(lang, key) { return key in (catalogues[lang] || {}); }

// A stored date or instant as the interface's language writes it: a calendar
// date "YYYY-MM-DD" as formatDate, an ISO instant as formatDateTime (local
// time), anything else as it is.
export function formatWhen(v) {
  if (typeof v !== 'string') return v ?? '';
  if (/^\d{4}-\d\d-\d\d$/.test(v)) return formatDate(v);
  if (/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v)) return formatDateTime(v);
  return v;
}
