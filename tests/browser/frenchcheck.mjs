// The checker of frenchcrawl.test.mjs: is a string French catalogue text or
// data? (See that file for the rule.) Kept apart so that it can be tried on
// strings alone.
import fs from 'node:fs';
import path from 'node:path';

const WEB = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'src', 'web');

// JSON keys whose values are texts made by the server, never data: a page
// must show the catalogue's text for them instead.
const NOT_DATA = new Set(['rule_text', 'hint', 'explanation']);
// JSON keys that hold a user name (a lowercase word that is data, not a code).
const USER_KEYS = /^(?:username|user|by|actor|who|.*_by)$/;
// Names that are the same in every language: the product, the language switch.
const ALWAYS = new Set(['cellclinic', 'EN', 'FR', 'DE', 'LOINC']);
// Units of measure, written the same in French and English.
const UNITS = new Set(['mL', 'µL', 'L', 'kg', 'g', 'mg', 'cm', 'mm', '%', '°C', 'h', 'min', 's']);

// ---------- the French catalogue as matchers ----------

export const norm = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

function matchers(lang) {
  const cat = JSON.parse(fs.readFileSync(path.join(WEB, 'i18n', `${lang}.json`), 'utf8'));
  const ex = new Set();
  const tpl = [];
  for (const value of Object.values(cat)) {
    if (typeof value !== 'string') continue;
    const v = norm(value);
    if (!/\{\w+\}/.test(v)) { ex.add(v); continue; }
    // a template made of placeholders only would accept anything
    if (!/[\p{L}]/u.test(v.replace(/\{\w+\}/g, ''))) continue;
    const parts = v.split(/\{\w+\}/);
    const re = new RegExp(`^${parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)')}$`, 's');
    tpl.push({ re, literal: parts.join('').length });
  }
  // longer literal parts first: the most specific template decides
  tpl.sort((a, b) => b.literal - a.literal);
  return { exact: ex, templates: tpl };
}

const byLanguage = { fr: matchers('fr') };
export const { exact, templates } = byLanguage.fr;
let active = byLanguage.fr;

// A part of a French page may be written in another language on purpose
// (the printed plan in the patient's language, marked lang="en"): its
// strings are checked against that language's catalogue.
export function inLanguage(lang, fn) {
  if (!byLanguage[lang]) byLanguage[lang] = matchers(lang);
  const before = active;
  active = byLanguage[lang];
  try { return fn(); } finally { active = before; }
}

// ---------- the data a page received ----------

export function collectData(json, into, key = '') {
  if (json === null || json === undefined) return;
  if (Array.isArray(json)) { for (const v of json) collectData(v, into, key); return; }
  if (typeof json === 'object') {
    // an error's message is the server's text, not data
    const error = 'code' in json && 'message' in json;
    for (const [k, v] of Object.entries(json)) if (!(error && k === 'message')) collectData(v, into, k);
    return;
  }
  if (typeof json !== 'string') return;
  if (NOT_DATA.has(key)) return;
  const v = norm(json);
  if (v.length < 2) return;
  if (USER_KEYS.test(key)) { into.add(v); return; } // user names are lowercase words
  if (/^[a-z0-9]+(?:[_.-][a-z0-9]+)*$/.test(v) && /[a-z]/.test(v) && !/\d/.test(v)) return; // a stored code
  if (/^\d{4}-\d\d-\d\dT/.test(v)) return; // instants are shown formatted
  into.add(v);
}

// Numbers, dates and times as a French page writes them, a sign, a unit-free
// measure: 12, 72,5, 1 234, 05/12/2026, 14:05, 5 déc. 2026 is left to the
// catalogue-free month abbreviations below.
const NUMBERISH = /[-+−]?\d+(?:[ \u00a0\u202f.,:/h-]\d+)*/g;
// Identifiers printed on wristbands, bags and tubes: capitals and digits
// with at least one digit (W999926000001B, MRN-000123, F1/R1/B1/A1).
const IDENT = /(?<![\p{L}\d])[A-Z]*\d[A-Z\d]*(?:-[A-Z\d]+)*(?![\p{L}\d])/gu;
const MONTHS = /\b(?:janv|févr|mars|avr|mai|juin|juil|août|sept|oct|nov|déc)\.?(?=\s|$)/g;
const SEPARATORS = /\s*[·—–:;,()[\]|•«»"!?=×#%<>≤≥]+\s*/;

function isCatalogue(s, dataSet, depth = 0) {
  if (active.exact.has(s) || ALWAYS.has(s)) return true;
  if (depth > 2) return false;
  for (const { re } of active.templates) {
    const m = re.exec(s);
    if (m && m.slice(1).every((fill) => isAcceptable(norm(fill), dataSet, depth + 1))) return true;
  }
  return false;
}

// true when s is catalogue text, data, or a mix joined by punctuation
export function isAcceptable(s, dataSet, depth = 0) {
  if (/\b\d{4}-\d\d-\d\d\b/.test(s)) return false; // a stored date, not dd/mm/yyyy
  if (!s || !/[\p{L}]/u.test(s)) return true; // numbers and punctuation only
  if (isCatalogue(s, dataSet, depth)) return true;
  if (dataSet.has(s)) return true;
  // take the data out (longest first, whatever its case), and the numbers,
  // identifiers and dates, in either order (a DIN is its data and a check
  // character; a data text may hold a number), or the data alone (a
  // catalogue name may hold a number: anti-VIH-1/2), or nothing (a data
  // word inside a catalogue text: "respiratoire" in "Fréquence respiratoire")
  return ['data', 'numbers', 'data only', 'nothing'].some((how) => {
    let rest = how === 'nothing' ? s : how === 'numbers' ? withoutNumbers(s) : withoutData(s, dataSet);
    if (how === 'data') rest = withoutNumbers(rest);
    else if (how === 'numbers') rest = withoutData(rest, dataSet);
    rest = norm(rest);
    if (!/[\p{L}]/u.test(rest)) return true;
    if (rest !== s && isCatalogue(rest.replace(/\s*\u0001\s*/g, ' ').trim(), dataSet, depth)) return true;
    // pieces between punctuation and data must each be catalogue text
    const pieces = rest.split('\u0001').flatMap((p) => p.split(SEPARATORS))
      .map((p) => p.trim()).filter((p) => /[\p{L}]/u.test(p));
    return pieces.every((p) => isCatalogue(p, dataSet, depth + 1) || UNITS.has(p) ||
      active.exact.has(p.replace(/[.…]+$/, '')) || active.exact.has(`${p}.`));
  });
}

function withoutNumbers(s) {
  return s.replace(/(?<![\p{L}\d])v\d+(?![\p{L}\d])/gu, ' \u0001 ').replace(IDENT, ' \u0001 ').replace(NUMBERISH, ' \u0001 ').replace(MONTHS, ' \u0001 ');
}

function withoutData(s, dataSet) {
  // whole words only: the user "admin" is not taken out of "administrateur"
  const word = /[\p{L}\d]/u;
  let rest = s;
  for (const d of dataSet.sorted) {
    if (d.length > rest.length) continue;
    let lower = rest.toLowerCase();
    let at = lower.indexOf(d);
    while (at >= 0) {
      const before = at > 0 ? rest[at - 1] : ' ';
      const after = at + d.length < rest.length ? rest[at + d.length] : ' ';
      if ((word.test(before) && word.test(d[0])) || (word.test(after) && word.test(d[d.length - 1]))) {
        at = lower.indexOf(d, at + 1);
        continue;
      }
      rest = `${rest.slice(0, at)} \u0001 ${rest.slice(at + d.length)}`;
      lower = rest.toLowerCase();
      at = lower.indexOf(d);
    }
  }
  return rest;
}

export function makeDataSet() {
  const set = new Set();
  set.sorted = [];
  set.refresh = () => { set.sorted = [...new Set([...set].map((d) => d.toLowerCase()))].sort((a, b) => b.length - a.length); };
  return set;
}

