// The public consultation request page: the address the clinic's website
// links to (/#/consultation), no account. It speaks the visitor's browser
// language among all the catalogues (switchable in the header), asks for a
// short guided description of the condition (a diagnosis from a list; for a
// spinal cord injury, its level and date), and posts to the public API,
// which keeps its limits and its rate limit: a refused field is shown under
// that field in the page's language, a refusal for too many requests as a
// sentence. A thank-you page follows.
import { h, clear, today } from '../dom.js';
import { api } from '../api.js';
import { t, language, languages } from '../i18n.js';
import { errorBox, showErrorBox, showFormError, clearFieldErrors, field } from '../ui.js';
import { PUBLIC_REQUEST_PATH } from '../access.js';
export { PUBLIC_REQUEST_PATH };


// The diagnoses of the form (core/consult.c consult_diagnoses, same order).
export const DIAGNOSES = ['sci', 'spina_bifida', 'als', 'multiple_sclerosis', 'parkinson', 'stroke',
  'rheumatoid_arthritis', 'crohn', 'lupus', 'heart_failure', 'copd', 'pulmonary_fibrosis',
  'knee_osteoarthritis', 'other'];

// Spinal cord levels, C1 to S5 (core/dysreflexia.h sci_level_is_valid).
export const LEVELS = [['C', 8], ['T', 12], ['L', 5], ['S', 5]]
  .flatMap(([region, n]) => Array.from({ length: n }, (_, i) => `${region}${i + 1}`));

// ISO 3166-1 alpha-2 (core/consult.c); their names come from the browser
// (Intl.DisplayNames) in the page's language.
const COUNTRIES = ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ '
  + 'BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM '
  + 'DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS '
  + 'GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN '
  + 'KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ '
  + 'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM '
  + 'PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV '
  + 'SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI '
  + 'VN VU WF WS YE YT ZA ZM ZW').split(' ');

function countryOptions(lang) {
  let names = null;
  try { names = new Intl.DisplayNames([lang], { type: 'region' }); } catch { /* codes only */ }
  return COUNTRIES.map((c) => [c, (names && names.of(c)) || c])
    .sort((a, b) => a[1].localeCompare(b[1], lang));
}

// A language named in its own words ("Deutsch", "français").
function ownName(code) {
  try { return new Intl.DisplayNames([code], { type: 'language' }).of(code) || code; } catch { return code; }
}

export function renderPublicRequest(main) {
  const lang = language();
  const box = errorBox('pub-error');
  const choose = ['', t('pub.choose')];
  const sci = h('fieldset', { class: 'field-group', 'data-testid': 'pub-sci', hidden: true },
    h('legend', {}, t('pub.sci_title')),
    field('pub', { name: 'injury_level', label: t('pub.injury_level'), type: 'select',
      options: [choose, ...LEVELS.map((l) => [l, l])], help: t('pub.injury_level_help') }),
    field('pub', { name: 'injury_date', label: t('pub.injury_date'), type: 'date', max: today() }));
  const consent = h('div', { class: 'field field-consent' },
    h('label', { class: 'choice', for: 'pub-consent' },
      h('input', { type: 'checkbox', id: 'pub-consent', name: 'consent', 'data-testid': 'pub-consent' }),
      h('span', {}, t('pub.consent'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *'))));
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'pub-submit' }, t('pub.submit'));
  const form = h('form', { id: 'pub-form', class: 'card', 'data-testid': 'pub-form', novalidate: true },
    box,
    field('pub', { name: 'name', label: t('pub.name'), required: true, maxlength: 200, autocomplete: 'name' }),
    h('p', { class: 'help' }, t('pub.contact_help')),
    h('div', { class: 'row' },
      field('pub', { name: 'email', label: t('pub.email'), type: 'email', maxlength: 254, autocomplete: 'email' }),
      field('pub', { name: 'phone', label: t('pub.phone'), type: 'tel', maxlength: 40, autocomplete: 'tel' })),
    field('pub', { name: 'country', label: t('pub.country'), type: 'select', options: [choose, ...countryOptions(lang)] }),
    field('pub', { name: 'birth_date', label: t('pub.birth_date'), type: 'date', max: today() }),
    h('h2', {}, t('pub.condition_title')),
    h('p', { class: 'help' }, t('pub.condition_help')),
    field('pub', { name: 'diagnosis', label: t('pub.diagnosis'), type: 'select', required: true,
      options: [choose, ...DIAGNOSES.map((d) => [d, t(`pub.diagnosis.${d}`)])] }),
    sci,
    field('pub', { name: 'condition', label: t('pub.condition'), maxlength: 200, help: t('pub.condition_text_help') }),
    field('pub', { name: 'message', label: t('pub.message'), type: 'textarea', rows: 5, maxlength: 4000,
      help: t('pub.message_help') }),
    field('pub', { name: 'language', label: t('pub.language'), type: 'select', required: true, value: lang,
      options: languages({ patient: true }).map((c) => [c, ownName(c)]) }),
    consent,
    h('div', { class: 'actions' }, submit));
  const showSci = () => { sci.hidden = form.elements.diagnosis.value !== 'sci'; };
  form.elements.diagnosis.addEventListener('change', showSci);
  form.addEventListener('cc:restored', showSci);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const value = (name) => form.elements[name].value.trim();
    const body = { name: value('name'), language: form.elements.language.value, consent: form.elements.consent.checked };
    for (const k of ['email', 'phone', 'country', 'birth_date', 'diagnosis', 'condition', 'message']) {
      if (value(k)) body[k] = k === 'message' ? form.elements.message.value : value(k);
    }
    if (body.diagnosis === 'sci') {
      for (const k of ['injury_level', 'injury_date']) if (value(k)) body[k] = value(k);
    }
    submit.disabled = true;
    try {
      await api('POST', '/consultation-requests', { body, quiet401: true });
      clear(main);
      main.append(h('h1', { tabindex: '-1', 'data-testid': 'pub-thanks-title' }, t('pub.thanks_title')),
        h('p', { 'data-testid': 'pub-thanks' }, t('pub.thanks')));
      main.querySelector('h1').focus();
    } catch (err) {
      if (err.status === 429) {
        const minutes = Math.max(1, Math.ceil((Number(err.retryAfter) || 60) / 60));
        showErrorBox(box, t('pub.rate_limited', { minutes }));
        box.focus?.();
      } else {
        showFormError(form, box, err);
      }
    } finally {
      submit.disabled = false;
    }
  });
  main.append(h('h1', { tabindex: '-1' }, t('pub.title')), h('p', { class: 'lead' }, t('pub.intro')), form);
}
