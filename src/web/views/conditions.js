// Condition details as structured fields in the user's language: which
// details a condition has follows from its ICD-10 code (the same kinds and
// values as the server's core/condition.h, which checks them again).
import { h } from '../dom.js';
import { t, formatNumber } from '../i18n.js';
import { field } from '../ui.js';

const LEVELS = [['C', 8], ['T', 12], ['L', 5], ['S', 5]].flatMap(([r, n]) =>
  Array.from({ length: n }, (_, i) => `${r}${i + 1}`));
const ENUMS = {
  ais: ['A', 'B', 'C', 'D', 'E'],
  type: ['myelomeningocele', 'meningocele', 'lipomyelomeningocele', 'occulta'],
  course: ['relapsing_remitting', 'secondary_progressive', 'primary_progressive'],
  onset_region: ['bulbar', 'limb', 'respiratory'],
};
const EDSS = Array.from({ length: 21 }, (_, i) => i / 2);
const DETAILS = {
  sci: ['level', 'ais'], spina_bifida: ['type', 'level'], ms: ['course', 'edss_at_diagnosis'],
  als: ['onset_region'], other: [],
};

export function conditionKind(icd10) {
  const c = (icd10 || '').trim().toUpperCase();
  if (/^(S14|S24|S34|T09\.3|T91\.3|G82)/.test(c)) return 'sci';
  if (/^(Q05|Q76\.0)/.test(c)) return 'spina_bifida';
  if (/^G35/.test(c)) return 'ms';
  if (/^G12\.2/.test(c)) return 'als';
  return 'other';
}

// The label of the condition's date: the injury's for an injury.
export function onsetLabel(kind) {
  return t(kind === 'sci' ? 'condition.injury_date' : 'condition.onset_date');
}

function valueText(key, v) {
  if (key === 'level') return String(v);
  if (key === 'edss_at_diagnosis') return formatNumber(v, 1);
  if (key === 'note') return String(v);
  return t(`condition.value.${key}.${v}`);
}

// "Neurological level: C5 · AIS grade: B – sensory incomplete" in the
// user's language; a detail the interface does not know is left out rather
// than shown as a code.
export function detailsText(details) {
  if (!details || typeof details !== 'object') return '';
  const known = ['level', 'ais', 'type', 'course', 'edss_at_diagnosis', 'onset_region', 'note'];
  // one element per detail: each reads as one catalogue sentence
  return known.filter((k) => details[k] !== undefined && details[k] !== null && details[k] !== '')
    .map((k, i) => [i ? ' · ' : '', h('span', { class: 'condition-detail' },
      h('span', {}, t(`condition.detail.${k}`)), t('condition.detail_separator'), h('span', {}, valueText(k, details[k])))]);
}

// The fields of a condition of this kind (all optional) and the note.
export function detailFields(prefix, kind) {
  const opts = (key) => {
    if (key === 'level') return LEVELS.map((l) => [l, l]);
    if (key === 'edss_at_diagnosis') return EDSS.map((n) => [String(n), formatNumber(n, 1)]);
    return ENUMS[key].map((v) => [v, t(`condition.value.${key}.${v}`)]);
  };
  return h('div', { class: 'row', 'data-testid': 'condition-details', 'data-kind': kind },
    DETAILS[kind].map((key) => field(prefix, { name: key, label: t(`condition.detail.${key}`), type: 'select',
      options: [['', t('form.choose')], ...opts(key)] })),
    field(prefix, { name: 'note', label: t('condition.detail.note'), maxlength: 500 }));
}

// The details object of the form's fields (empty ones left out).
export function readDetails(form, kind) {
  const out = {};
  for (const key of [...DETAILS[kind], 'note']) {
    const el = form.elements.namedItem(key);
    const v = el ? el.value.trim() : '';
    if (v) out[key] = key === 'edss_at_diagnosis' ? Number(v) : v;
  }
  return out;
}
