// Follow-up: the worklist (due, in window, overdue: H10), one
// visit with its resolution, contact attempts and patient questionnaire
// links, the outcome report with every denominator, and the public
// questionnaire page a patient opens from a link (no account).
import { h, clear, append, today } from '../dom.js';
import { api, query } from '../api.js';
import { t, language, setLanguage, formatDateTime, formatDate, formatNumber, translatorFor, hasOwn, hasIn, noteMissing } from '../i18n.js';
import {
  errorBox, showErrorBox, showFormError, clearFieldErrors, syntheticBadge, pager, field, languageLabel,
  errorMessage, flash,
} from '../ui.js';
import { navigate } from '../app.js';
import { session } from '../state.js';
import { terms, termName } from './adverse.js';
import { FOLLOWUP_ROLES, REPORT_ROLES } from '../access.js';
export { FOLLOWUP_ROLES, REPORT_ROLES };

const RESOLVE_ROLES = ['admin', 'coordinator', 'physician'];
const SCORE_ROLES = ['admin', 'physician', 'nurse']; // who records observations (POST observations)
const STATES = ['open', 'overdue', 'in_window', 'due', 'upcoming', 'resolved', 'all'];
const PER_PAGE = 50;

// Protocols name time points "month-N"; people read "Month N" / "Mois N".
function visitLabel(label) {
  const m = /^month-(\d+)$/.exec(label || '');
  return m ? t('fu.month', { n: m[1] }) : label;
}

function stateBadge(state) {
  return h('span', { class: `badge badge-status badge-fu-${state}`, 'data-testid': 'state-badge' },
    t(`fu.state.${state}`));
}

export async function renderFollowupList(ctx) {
  const { main, query: qp } = ctx;
  const state = STATES.includes(qp.get('state')) ? qp.get('state') : 'open';
  const page = Math.max(1, Number(qp.get('page')) || 1);
  const { data } = await api('GET', `/follow-up${query({ state, page, per_page: PER_PAGE })}`);
  if (!ctx.alive()) return;
  const items = (data && data.items) || [];
  clear(main);
  const counts = (data && data.counts) || {};
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('fu.title'))),
    h('p', { class: 'help' }, t('fu.intro', { overdue: counts.overdue || 0, in_window: counts.in_window || 0,
      due: counts.due || 0 })),
    h('nav', { class: 'tabs', 'aria-label': t('fu.by_state'), 'data-testid': 'followup-tabs' },
      STATES.map((s) => h('a', {
        href: `#/follow-up?state=${s}`, class: `tab${s === state ? ' active' : ''}`,
        'aria-current': s === state ? 'page' : null, 'data-testid': `tab-${s}`,
      }, t(`fu.tab.${s}`)))));
  if (items.length === 0) {
    main.append(h('p', { class: 'empty', 'data-testid': 'followup-empty' }, t('fu.none')));
    return;
  }
  append(main, [
    h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'followup-table' },
      h('caption', { class: 'sr-only' }, t(`fu.tab.${state}`)),
      h('thead', {}, h('tr', {},
        ['fu.patient', 'fu.visit', 'fu.target', 'fu.window', 'fu.state_col', 'fu.contact', 'fu.language']
          .map((k) => h('th', { scope: 'col' }, t(k))))),
      h('tbody', {}, items.map((v) => h('tr', { 'data-testid': 'followup-row', 'data-id': v.id },
        h('td', {}, h('a', { href: `#/patients/${v.patient_id}` }, `${v.family_name} ${v.given_names}`), ` (${v.mrn})`,
          v.synthetic ? [' ', syntheticBadge()] : null),
        h('td', {}, h('a', { href: `#/follow-up/${v.id}`, 'data-testid': 'visit-link' }, visitLabel(v.label))),
        h('td', { class: 'nowrap' }, formatDate(v.target_date)),
        h('td', { class: 'nowrap' }, `${formatDate(v.window_start)} – ${formatDate(v.window_end)}`),
        h('td', {}, stateBadge(v.state), v.state === 'overdue' ? ` ${t('fu.days_overdue', { n: v.days_overdue })}` : '',
          v.state === 'resolved' ? ` (${t(`fu.status.${v.status}`)})` : ''),
        h('td', {}, [v.phone, v.email].filter(Boolean).join(' · ')),
        h('td', {}, languageLabel(v.language))))))),
    pager({ page, perPage: PER_PAGE, total: (data && data.total) || 0,
      onPage: (n) => navigate(`#/follow-up?state=${state}&page=${n}`) })]);
}

export async function renderVisit(ctx, id) {
  const { main } = ctx;
  const { data } = await api('GET', `/follow-up/${id}`);
  if (!ctx.alive()) return;
  const v = data.visit;
  const role = session.user.role;
  // the instruments' definitions: their names in the reader's language, their items for the
  // staff score form, and which are scored by staff only (never sent by link)
  const defs = {};
  const { data: list } = await api('GET', '/instruments');
  if (!ctx.alive()) return;
  for (const d of (list && list.items) || []) defs[d.id] = d;
  const lang = language();
  const instrumentName = (id) => (defs[id] ? label(defs[id], lang) : id);
  clear(main);
  main.append(
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('fu.visit_title', { label: visitLabel(v.label) }))),
    h('dl', { class: 'facts', 'data-testid': 'visit-facts' },
      h('dt', {}, t('fu.patient')), h('dd', {}, h('a', { href: `#/patients/${v.patient_id}` },
        `${v.family_name} ${v.given_names}`), ` (${v.mrn})`, v.synthetic ? [' ', syntheticBadge()] : null),
      h('dt', {}, t('fu.contact')), h('dd', {}, [v.phone, v.email].filter(Boolean).join(' · ') || '—'),
      h('dt', {}, t('fu.language')), h('dd', {}, languageLabel(v.language)),
      h('dt', {}, t('fu.target')), h('dd', {}, formatDate(v.target_date)),
      h('dt', {}, t('fu.window')), h('dd', {}, `${formatDate(v.window_start)} – ${formatDate(v.window_end)}`),
      h('dt', {}, t('fu.state_col')), h('dd', { 'data-testid': 'visit-state' }, stateBadge(v.state),
        ` ${t(`fu.status.${v.status}`)}`, v.reason ? ` — ${v.reason}` : '',
        v.died_on ? ` — ${v.died_on}, ${v.cause}` : ''),
      h('dt', {}, t('fu.instruments')), h('dd', { 'data-testid': 'visit-instruments' },
        (v.instruments || []).map(instrumentName).join(' · ')),
      h('dt', {}, t('fu.failed_contacts')), h('dd', {},
        t('fu.failed_of', { n: v.failed_contacts, max: data.lost_after_failed_contacts }))));
  if (data.observations.length) {
    main.append(h('h2', {}, t('fu.observations')), h('div', { 'data-testid': 'visit-observations' },
      data.observations.map((o) => observationView(o, defs[o.instrument], lang, instrumentName))));
  }
  if (data.contacts.length) {
    main.append(h('h2', {}, t('fu.contacts')), h('ul', { 'data-testid': 'visit-contacts' },
      data.contacts.map((c) => h('li', {}, `${formatDateTime(c.contacted_at)} · ${t(`fu.channel.${c.channel}`)} · `
        + `${t(`fu.outcome.${c.outcome}`)} · ${c.contacted_by}${c.note ? ` — ${c.note}` : ''}`))));
  }
  if (data.links.length) {
    main.append(h('h2', {}, t('fu.links')), h('ul', { 'data-testid': 'visit-links' },
      data.links.map((l) => h('li', {}, `${l.instrument} · ${t('fu.expires', { at: formatDateTime(l.expires_at) })}`
        + (l.used_at ? ` · ${t('fu.link_used', { at: formatDateTime(l.used_at) })}` : '')))));
  }
  if (v.status !== 'scheduled') return;
  // contact attempt
  const cbox = errorBox('contact-error');
  const cform = h('form', { id: 'contact-form', 'data-testid': 'contact-form', novalidate: true },
    h('h2', {}, t('fu.add_contact')), cbox,
    field('contact', { name: 'channel', label: t('fu.channel_label'), type: 'select', required: true,
      options: ['phone', 'email', 'sms', 'letter', 'in_person'].map((c) => [c, t(`fu.channel.${c}`)]) }),
    field('contact', { name: 'outcome', label: t('fu.outcome_label'), type: 'select', required: true,
      options: ['reached', 'no_answer', 'wrong_number', 'message_left', 'refused'].map((c) => [c, t(`fu.outcome.${c}`)]) }),
    field('contact', { name: 'note', label: t('fu.note'), maxlength: 1000 }),
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'contact-submit' }, t('fu.record_contact')));
  cform.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(cform);
    const body = { channel: cform.elements.channel.value, outcome: cform.elements.outcome.value };
    if (cform.elements.note.value.trim()) body.note = cform.elements.note.value.trim();
    try {
      const { data: r } = await api('POST', `/follow-up/${id}/contacts`, { body });
      navigate(`#/follow-up/${id}`, r.became_lost ? t('fu.became_lost') : t('fu.contact_saved'));
    } catch (err) { showFormError(cform, cbox, err); }
  });
  main.append(cform);
  // patient questionnaire link
  const questionnaires = (v.instruments || []).filter((i) => i !== 'isncsci' && defs[i] && !defs[i].staff_only);
  if (questionnaires.length) {
    const lbox = errorBox('link-error');
    const out = h('div', { 'data-testid': 'link-out' });
    const lform = h('form', { id: 'link-form', 'data-testid': 'link-form', novalidate: true },
      h('h2', {}, t('fu.make_link')), lbox,
      field('link', { name: 'instrument', label: t('fu.instrument'), type: 'select', required: true,
        options: questionnaires.map((i) => [i, instrumentName(i)]) }),
      field('link', { name: 'days', label: t('fu.link_days'), type: 'number', value: '14', min: 1, max: 60 }),
      h('button', { type: 'submit', class: 'btn', 'data-testid': 'link-submit' }, t('fu.make_link_button')), out);
    lform.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearFieldErrors(lform);
      try {
        // The address is the clinic's public base URL, set by the administrator:
        // the server never builds it from this browser's address.
        const { data: r } = await api('POST', `/follow-up/${id}/links`, {
          body: { instrument: lform.elements.instrument.value, days: Number(lform.elements.days.value) } });
        clear(out);
        append(out, [h('p', { class: 'alert alert-ok' }, t('fu.link_once')),
          h('p', {}, h('code', { 'data-testid': 'link-url' }, r.url)), qrFigure(r.qr_svg, t('fu.qr'), 'link-qr'),
          h('p', { class: 'actions' }, h('button', {
            type: 'button', class: 'btn', 'data-testid': 'handout-print', on: { click: printHandout },
          }, t('fu.handout_print'))),
          await handout(r, defs[r.instrument])]);
      } catch (err) { showFormError(lform, lbox, err); }
    });
    main.append(lform);
  }
  const scored = (v.instruments || []).filter((i) => i !== 'isncsci' && defs[i] && defs[i].items);
  if (SCORE_ROLES.includes(role) && scored.length) main.append(scoreForm(v, scored, defs, lang));
  if (!RESOLVE_ROLES.includes(role)) return;
  const rbox = errorBox('resolve-error');
  const rform = h('form', { id: 'resolve-form', 'data-testid': 'resolve-form', novalidate: true },
    h('h2', {}, t('fu.resolve')), rbox,
    field('resolve', { name: 'status', label: t('fu.status_label'), type: 'select', required: true,
      options: ['done', 'missed', 'withdrawn', 'lost', 'died'].map((s) => [s, t(`fu.status.${s}`)]) }),
    field('resolve', { name: 'reason', label: t('fu.reason'), maxlength: 1000, help: t('fu.reason_help') }),
    field('resolve', { name: 'died_on', label: t('fu.died_on'), type: 'date' }),
    field('resolve', { name: 'cause', label: t('fu.cause'), maxlength: 1000 }),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'resolve-submit' }, t('fu.resolve_button')));
  rform.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(rform);
    const body = { status: rform.elements.status.value };
    for (const k of ['reason', 'died_on', 'cause']) if (rform.elements[k].value.trim()) body[k] = rform.elements[k].value.trim();
    try {
      await api('POST', `/follow-up/${id}/status`, { body });
      navigate(`#/follow-up/${id}`, t('fu.resolved_saved'));
    } catch (err) { showFormError(rform, rbox, err); }
  });
  main.append(rform);
}

// The server's QR code (libqrencode): an SVG of rectangles, parsed, never run.
function qrFigure(text, alt, testid) {
  const svg = text ? new DOMParser().parseFromString(text, 'image/svg+xml').documentElement : null;
  if (!svg || svg.nodeName !== 'svg') return null;
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', alt);
  svg.setAttribute('data-testid', testid);
  return h('figure', { class: 'qr' }, document.importNode(svg, true));
}

// The sheet handed to the patient with a new link: the clinic's name, the QR
// code, the address and how to answer, in the patient's language (not the
// reader's); printed alone (print.css, body.print-handout).
async function handout(r, def) {
  const lang = r.language || 'en';
  const tr = await translatorFor(lang);
  const locale = { fr: 'fr-FR', de: 'de-DE' }[lang] || 'en-GB';
  const expires = new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(r.expires_at));
  // a language given by its catalogue alone names the questionnaire there; one
  // without it (a validated instrument) is answered in English, as the page says
  const key = `instr.${def.id}`;
  const notice = !def[lang] && !hasIn(lang, key);
  const name = def[lang] || (notice ? def.en : tr(key));
  return h('section', { class: 'handout card', lang, 'data-testid': 'handout', 'aria-label': t('fu.handout') },
    r.clinic_name ? h('p', { class: 'handout-clinic', 'data-testid': 'handout-clinic' }, r.clinic_name) : null,
    h('h2', {}, tr('handout.title')),
    h('p', { 'data-testid': 'handout-intro' }, tr('handout.intro', { questionnaire: name })),
    notice ? h('p', { 'data-testid': 'handout-other-language' }, tr('q.not_in_language')) : null,
    qrFigure(r.qr_svg, tr('handout.qr'), 'handout-qr'),
    h('p', { class: 'handout-url', 'data-testid': 'handout-url' }, r.url),
    h('ol', { 'data-testid': 'handout-steps' },
      ['handout.step_open', 'handout.step_answer', 'handout.step_send'].map((k) => h('li', {}, tr(k)))),
    h('p', { 'data-testid': 'handout-expires' }, tr('handout.expires', { date: expires })),
    h('p', {}, tr('handout.questions')));
}

function printHandout() {
  document.body.classList.add('print-handout');
  window.addEventListener('afterprint', () => document.body.classList.remove('print-handout'), { once: true });
  window.print();
}

// Scores as the server computed them, the total first, with the item and
// subscale names of the definition.
function scoreList(def, result, lang, testid) {
  const names = {};
  for (const g of (def && def.subscales) || []) names[g.id] = label(g, lang);
  for (const item of (def && def.items) || []) names[item.id] = names[item.id] || label(item, lang);
  names.total = t('fu.score_total');
  const scores = (result && result.scores) || {};
  const band = result && result.interpretation;
  const rows = Object.entries(scores).filter(([, x]) => typeof x === 'number' || typeof x === 'string');
  rows.sort(([a], [b]) => (a === 'total' ? -1 : b === 'total' ? 1 : 0));
  return h('dl', { class: 'facts', 'data-testid': testid }, rows.map(([k, x]) => [
    h('dt', {}, names[k] || k),
    h('dd', { 'data-testid': `score-value-${k}` },
      typeof x === 'number' ? formatNumber(x, Number.isInteger(x) ? 0 : 1) : x)]),
  band ? [h('dt', {}, t('fu.score_band')), h('dd', { 'data-testid': 'score-band' }, label(band, lang))] : null);
}

// One observation of the visit's window, opened in place: each answer as the
// patient (or the clinician) chose it, then the scores.
function observationView(o, def, lang, instrumentName) {
  const answers = o.answers && typeof o.answers === 'object' ? o.answers : {};
  const rows = [];
  for (const item of (def && def.items) || []) {
    const a = answers[item.id];
    if (typeof a !== 'string' || a === '') continue;
    const option = (item.options || []).find((x) => x.code === a);
    const shown = option ? label(option, lang)
      : item.type === 'number' && Number.isFinite(Number(a)) ? formatNumber(Number(a), Number.isInteger(Number(a)) ? 0 : 1) : a;
    rows.push(h('tr', { 'data-testid': 'observation-answer' }, h('th', { scope: 'row' }, label(item, lang)), h('td', {}, shown)));
  }
  return h('details', { class: 'observation card', 'data-testid': 'visit-observation' },
    h('summary', { 'data-testid': 'visit-observation-open' },
      `${formatDate(o.date)} · ${instrumentName(o.instrument)} (${t(`fu.source.${o.source}`)})`),
    rows.length ? h('table', { class: 'list compact', 'data-testid': 'observation-answers' },
      h('caption', {}, t('fu.answers')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('fu.question')), h('th', { scope: 'col' }, t('fu.answer')))),
      h('tbody', {}, rows)) : null,
    scoreList(def, o.scores, lang, 'observation-scores'));
}

// The staff score entry at a visit: one of the visit's instruments, its items as
// the definition gives them (labels in the reader's language), recorded as a
// clinician observation of the patient; the scores computed by the server are
// shown with the item and subscale names, the total first.
function scoreForm(v, ids, defs, lang) {
  const box = errorBox('score-error');
  const items = h('div', { 'data-testid': 'score-items' });
  const out = h('div', { 'data-testid': 'score-out', 'aria-live': 'polite' });
  const form = h('form', { id: 'score-form', 'data-testid': 'score-form', novalidate: true },
    h('h2', {}, t('fu.score_title')), box,
    field('score', { name: 'instrument', label: t('fu.score_instrument'), type: 'select', required: true,
      options: ids.map((i) => [i, label(defs[i], lang)]) }),
    field('score', { name: 'date', label: t('fu.score_date'), type: 'date', required: true, value: today() }),
    items,
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'score-submit' }, t('fu.score_button')), out);
  const draw = () => {
    clear(items);
    clear(out);
    for (const item of defs[form.elements.instrument.value].items || []) {
      if (item.type === 'options') {
        items.append(h('fieldset', { class: 'field', 'data-item': item.id },
          h('legend', {}, label(item, lang), item.required ? ' *' : ''),
          (item.options || []).map((o) => h('label', { class: 'choice' },
            h('input', { type: 'radio', name: item.id, value: o.code, 'data-testid': `score-${item.id}-${o.code}` }),
            ` ${label(o, lang)}`))));
      } else {
        items.append(field('score', { name: item.id, label: label(item, lang), required: item.required,
          type: item.type === 'number' ? 'number' : 'text', min: item.min, max: item.max }));
      }
    }
  };
  form.elements.instrument.addEventListener('change', draw);
  draw();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    const def = defs[form.elements.instrument.value];
    const answers = {};
    for (const item of def.items || []) {
      const el = form.elements.namedItem(item.id);
      const value = el && 'value' in el ? el.value : '';
      if (value !== '' && value !== undefined) answers[item.id] = String(value);
    }
    try {
      const { data: r } = await api('POST', `/patients/${v.patient_id}/observations`, {
        body: { instrument: def.id, date: form.elements.date.value, source: 'clinician', answers } });
      clear(out);
      out.append(h('p', { class: 'alert alert-ok' }, t('fu.score_saved', { name: label(def, lang) })),
        scoreList(def, r.scores, lang, 'score-result'));
    } catch (err) {
      // an item answered by radio buttons has no single input to mark: name it by its legend
      const item = err && err.field && (def.items || []).find((i) => i.id === err.field);
      if (item && item.type === 'options') {
        showErrorBox(box, t('fu.score_error', { item: label(item, lang), message: errorMessage(err) }));
        items.querySelector(`fieldset[data-item="${item.id}"]`)?.classList.add('has-error');
        box.focus?.();
      } else showFormError(form, box, err);
    }
  });
  return form;
}

// ---- outcome report ----

function ci(c, digits = 2) {
  if (!c || c.low === null || c.low === undefined) return c && c.not_computable ? t(`rep.nc.${c.not_computable}`) : '—';
  return `${formatNumber(c.low, digits)} – ${formatNumber(c.high, digits)}`;
}
function fmt(x, digits = 2) { return x === null || x === undefined ? '—' : formatNumber(x, digits); }
function prop(p) { return p ? `${p.x} / ${p.n}${p.n && p.p !== null && p.p !== undefined ? ` (${formatNumber(100 * p.p, 1)} %; ${ci(p.ci && { ...p.ci, low: p.ci.low === null ? null : p.ci.low * 100, high: p.ci.high === null ? null : p.ci.high * 100 }, 1)} %)` : ''}` : '—'; }

// The counts the server left out as small groups (an analyst's report) read
// "<k": each object names them in "suppressed", with k in "suppressed_below".
function showSuppressed(v) {
  if (Array.isArray(v)) v.forEach(showSuppressed);
  else if (v && typeof v === 'object') {
    for (const k of v.suppressed || []) v[k] = `<${v.suppressed_below}`;
    for (const x of Object.values(v)) showSuppressed(x);
  }
}

function table(testid, caption, heads, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': testid },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, heads.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

// The satisfaction questionnaire table (below its heading): per time point the
// response line (answered / asked / treated) above the table, never a bare
// percentage.
function satisfactionSection(sat) {
  const lang = language();
  const lbl = (o) => (o && (o[lang] || o.en)) || '';
  const sec = h('div', { 'data-testid': 'report-satisfaction' }, h('p', { class: 'help' }, t('rep.sat_intro')));
  for (const p of sat.timepoints) {
    const na = p.not_answered;
    const rows = [];
    const tops = [];
    p.items.forEach((it, i) => {
      const def = sat.items[i] || {};
      it.options.forEach((o, k) => rows.push([k === 0 ? lbl(def) : '', lbl((def.options || [])[k]), String(o.count),
        o.p === null ? '—' : `${formatNumber(100 * o.p, 1)} %`]));
      rows.push(['', t('rep.sat_apart'), `${it.answered} / ${it.not_applicable} / ${it.skipped} / ${it.unreadable}`, '']);
      if (it.top_box) {
        tops.push([lbl(def), lbl(def.top_box), prop(it.top_box.of_answered), prop(it.top_box.of_asked),
          prop(it.top_box.of_treated)]);
      }
    });
    sec.append(h('h3', {}, visitLabel(p.label)),
      h('p', { class: 'sat-response', 'data-testid': 'satisfaction-response' },
        h('strong', {}, t('rep.sat_response', { answered: p.answered, asked: p.asked, treated: p.treated })),
        ` — ${t('rep.sat_rate_asked')} ${prop(p.response_rate)}; ${t('rep.sat_rate_treated')} ${prop(p.response_rate_treated)}. `,
        t('rep.sat_not_answered', { not_yet_due: p.not_yet_due, ...na })),
      table('satisfaction-table', t('rep.sat_caption'),
        [t('rep.sat_item'), t('rep.sat_answer'), t('rep.patients'), t('rep.sat_pct')], rows),
      table('satisfaction-top-box', t('rep.sat_top_caption'),
        [t('rep.sat_item'), t('rep.sat_top'), t('rep.sat_of_answered'), t('rep.sat_of_asked'), t('rep.sat_of_treated')], tops));
  }
  return sec;
}

// A part of the report below its participant flow (a measure, the AIS, the
// satisfaction questionnaire): its heading at once (the page's outline, find
// in page), its tables and charts when drawn. Until then a placeholder about
// its height keeps the page's length and holds the charts' text alternatives.
// rows: the table rows it will have, for that height.
function reportPart(heading, rows, charts, alts, build) {
  const pending = h('div', { class: 'report-pending', 'data-testid': 'report-pending' },
    alts.map((alt) => h('p', { class: 'sr-only' }, alt)));
  pending.style.minHeight = `${4.5 + 2.6 * rows + 21 * charts}rem`;
  const el = h('section', { class: 'report-part' }, h('h2', {}, heading), pending);
  return { el, draw: () => { pending.replaceWith(...build().filter(Boolean)); el.dataset.drawn = ''; } };
}

// The parts' tables and charts are most of the page (a report of 15 measures
// is some 40 screens high; drawing them all held the page back by about
// 100 ms): the parts on the first screen are drawn now, before the page counts
// as drawn; the others when the browser is idle once they come within a
// screen of the viewport, at once if one is on screen undrawn (a quick
// scroll); all of them before the page is printed.
function drawWhenNear(ctx, parts) {
  const left = new Map(parts.map((p) => [p.el, p]));
  const observers = [];
  function stop() {
    observers.forEach((o) => o.disconnect());
    window.removeEventListener('beforeprint', drawAll);
  }
  function drawOne(p) {
    if (!ctx.alive()) { stop(); return; }
    if (!left.delete(p.el)) return;
    observers.forEach((o) => o.unobserve(p.el));
    p.draw();
    if (!left.size) stop();
  }
  function drawAll() { [...left.values()].forEach(drawOne); stop(); }
  for (const p of parts) {
    if (p.el.getBoundingClientRect().top >= window.innerHeight) break;
    drawOne(p);
  }
  if (!left.size) return;
  const idle = window.requestIdleCallback ? (fn) => window.requestIdleCallback(fn, { timeout: 300 }) : (fn) => setTimeout(fn, 50);
  const watch = (rootMargin, then) => {
    const o = new IntersectionObserver((entries) => {
      for (const e of entries) if (e.isIntersecting && left.has(e.target)) then(left.get(e.target));
    }, { rootMargin });
    for (const el of left.keys()) o.observe(el);
    observers.push(o);
  };
  watch('0px', drawOne);
  watch('100% 0px', (p) => idle(() => drawOne(p)));
  window.addEventListener('beforeprint', drawAll);
}

export async function renderOutcomeReport(ctx) {
  const { main, query: qp } = ctx;
  const protocol = qp.get('protocol') || '';
  const from = qp.get('from') || '';
  const to = qp.get('to') || '';
  // optional filters, passed to the API as they are
  const filters = {};
  for (const k of ['condition', 'product_type', 'route', 'sites']) if (qp.get(k)) filters[k] = qp.get(k);
  // the report's query, the one object every request of the page is built from
  const params = { protocol, from: from || undefined, to: to || undefined, ...filters };
  // every request of the page at once: the form's lists, the report and
  // the adverse events' terms in the reader's language (codes where the
  // list cannot be read)
  const report = protocol ? api('GET', `/reports/outcomes${query(params)}`) : null;
  const aeTermsLater = protocol ? terms().catch(() => null) : null;
  if (report) report.catch(() => {}); // shown in the form below
  // the sites the reader may pool: the session's (default), one of theirs, or all of them
  const [{ data: protos }, { data: mySites }] = await Promise.all([api('GET', '/protocols'), api('GET', '/sites')]);
  if (!ctx.alive()) return;
  clear(main);
  const box = errorBox('report-error');
  const form = h('form', { id: 'report-form', class: 'filters', 'data-testid': 'report-form', novalidate: true }, box,
    h('div', { class: 'row' },
      field('report', { name: 'protocol', label: t('rep.protocol'), type: 'select', required: true, value: protocol,
        options: [['', '—'], ['all', t('rep.all_protocols')],
          ...(protos.items || []).map((p) => [p.id, (p.name && p.name[language()]) || p.id])] }),
      field('report', { name: 'from', label: t('rep.from'), type: 'date', value: from }),
      field('report', { name: 'to', label: t('rep.to'), type: 'date', value: to })),
    h('div', { class: 'row' },
      field('report', { name: 'condition', label: t('rep.condition'), value: filters.condition, maxlength: 8,
        help: t('rep.condition_help') }),
      field('report', { name: 'product_type', label: t('rep.product_type'), value: filters.product_type, maxlength: 40,
        help: t('rep.product_type_help') }),
      field('report', { name: 'route', label: t('rep.route'), value: filters.route, maxlength: 40,
        help: t('rep.route_help') }),
      field('report', { name: 'sites', label: t('rep.sites_field'), type: 'select', value: filters.sites || '',
        options: [['', t('rep.sites_current')], ...(mySites.items || []).map((x) => [x.code, x.name || x.code]),
          ['all', t('rep.sites_all')]] })),
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'report-submit' }, t('rep.run')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = (name) => form.elements[name].value.trim() || undefined;
    navigate(`#/reports/outcomes${query({ protocol: form.elements.protocol.value, from: value('from'), to: value('to'),
      condition: value('condition'), product_type: value('product_type'), route: value('route'),
      sites: form.elements.sites.value || undefined })}`);
  });
  main.append(h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('rep.title'))),
    h('p', { class: 'help' }, t('rep.intro')), form);
  if (!protocol) return;
  let r;
  try {
    ({ data: r } = await report);
  } catch (err) { showFormError(form, box, err); return; }
  const aeTerms = await aeTermsLater;
  if (!ctx.alive()) return;
  showSuppressed(r);
  // every export in the page's language
  const csv = `/api/v1/reports/outcomes${query({ ...params, format: 'csv', lang: language() })}`;
  // a chart drawn by the server (same origin, the session cookie), its text alternative from the JSON
  const chart = (chartQuery, alt, testid, caption = null) => h('figure', { class: 'report-chart', 'data-testid': testid },
    // drawn when scrolled near; the trajectory's size keeps the page's layout
    // until the image gives its own (server/report_charts: 520 wide)
    h('img', { src: `/api/v1/reports/outcomes/chart${query({ ...params, ...chartQuery })}`, alt,
      loading: 'lazy', decoding: 'async', width: 520, height: 288 }),
    caption ? h('figcaption', { class: 'help', 'data-testid': 'report-chart-cut' }, caption) : null);
  // the chart cuts an interval at the instrument's range and says so
  const cutNote = (m) => {
    const crosses = m.range && m.timepoints.some((c) => c.ci && c.ci.low !== null && c.ci.high !== null
      && (c.ci.low < m.range.min || c.ci.high > m.range.max));
    const end = (x) => formatNumber(x, Number.isInteger(x) ? 0 : 1);
    return crosses ? t('rep.chart_ci_cut', { min: end(m.range.min), max: end(m.range.max) }) : null;
  };
  const out = h('section', { 'data-testid': 'report' });
  if (r.synthetic_data) out.append(h('p', { class: 'alert alert-warn', 'data-testid': 'report-synthetic' }, t('rep.synthetic')));
  // the sites whose patients the figures pool, by name (code)
  const pooled = (r.source && r.source.sites) || [];
  if (pooled.length) {
    out.append(h('p', { 'data-testid': 'report-pooled' },
      t('rep.sites', { sites: pooled.map((s) => (s.name ? `${s.name} (${s.code})` : s.code)).join(', ') })));
  }
  // read from a replica (serve --read-database): its data may lag behind the clinic's
  if (r.source && r.source.replica) {
    out.append(h('p', { class: 'alert', 'data-testid': 'report-replica' },
      t('rep.replica', { seconds: formatNumber(r.source.lag_seconds, r.source.lag_seconds < 10 ? 1 : 0) })));
  }
  if (r.suppression) {
    out.append(h('p', { class: 'alert', 'data-testid': 'report-suppression' },
      t('rep.suppressed', { k: r.suppression.min_group })));
  }
  // a suppressed count reads "<k" here like every other one (showSuppressed)
  const rc = r.research_consent;
  if (rc && rc.required) {
    out.append(h('p', { class: 'alert', 'data-testid': 'report-research-consent' },
      t('rep.research_left_out', { n: rc.left_out })));
  }
  out.append(h('p', {}, h('a', { href: csv, download: `outcomes-${protocol}.csv`, 'data-testid': 'report-csv' }, t('rep.csv')),
    ' · ', h('a', { href: csv.replace('format=csv', 'format=pdf'), download: `outcomes-${protocol}.pdf`, 'data-testid': 'report-pdf' }, t('rep.pdf')),
    ' · ', h('a', { href: csv.replace('format=csv', 'format=html'), download: `outcomes-${protocol}.html`, 'data-testid': 'report-html' }, t('rep.html'))));
  const f = r.flow;
  out.append(h('h2', {}, t('rep.flow')),
    table('report-flow', t('rep.flow_caption'), [t('rep.step'), t('rep.patients')],
      ['referred', 'screened', 'eligible', 'treated'].map((k) => [t(`rep.flow.${k}`), String(f[k])])),
    table('report-flow-points', t('rep.flow_points_caption', { treated: f.treated }),
      [t('rep.timepoint'), t('rep.not_yet_due'), t('rep.due'), t('rep.assessed'), t('rep.pending'), t('rep.missed'),
        t('rep.withdrawn'), t('rep.lost'), t('rep.died')],
      f.timepoints.map((p) => [visitLabel(p.label), p.not_yet_due, p.due, p.assessed, p.pending, p.missed, p.withdrawn, p.lost, p.died]
        .map(String))));
  const parts = r.measures.map((m, mi) => {
    const name = `${m.instrument} — ${m.score}`;
    const alt = t('rep.chart_trajectory_alt', {
      measure: name, drawn: m.trajectories.drawn, of: m.trajectories.of,
      points: m.timepoints.map((c) => `${visitLabel(c.label)} ${c.mean === null ? '—' : fmt(c.mean)} (${c.n} / ${c.due})`)
        .join(', ') }) + (cutNote(m) ? ` ${cutNote(m)}` : '');
    return reportPart(name, m.timepoints.length, 1, [alt], () => [
      table('report-measure', t('rep.measure_caption'),
        [t('rep.timepoint'), t('rep.n_due'), t('rep.mean_sd'), t('rep.ci'), t('rep.median_iqr'), t('rep.change'), t('rep.change_ci')],
        m.timepoints.map((c) => [visitLabel(c.label), `${c.n} / ${c.due}`, c.mean === null ? '—' : `${fmt(c.mean)} (${fmt(c.sd)})`,
          ci(c.ci), c.median === null ? '—' : `${fmt(c.median)} (${fmt(c.q1)} – ${fmt(c.q3)})`,
          c.change ? `${fmt(c.change.mean_diff)} (${t('rep.pairs', { n: c.change.pairs })})` : '',
          c.change ? ci(c.change.ci) : ''])),
      chart({ kind: 'trajectory', measure: String(mi) }, alt, 'report-chart-trajectory', cutNote(m))]);
  });
  if (r.ais) {
    const alt = t('rep.chart_ais_alt', { points: r.ais.map((a) => {
      const flows = Object.entries(a.table).flatMap(([b, row]) => Object.entries(row).filter(([g, n]) => 'ABCDE'.includes(g) && n > 0)
        .map(([g, n]) => `${b} → ${g} ${n}`));
      return `${visitLabel(a.label)}: ${t('rep.pairs', { n: a.pairs })}, ${t('rep.missing').toLowerCase()} ${a.missing}${flows.length ? `, ${flows.join(', ')}` : ''}`;
    }).join('; ') });
    parts.push(reportPart(t('rep.ais'), r.ais.length, 1, [alt], () => [
      table('report-ais', t('rep.ais_caption'), [t('rep.timepoint'), t('rep.pairs_col'), t('rep.missing'), t('rep.improved'),
        t('rep.improved_sensitivity')],
      r.ais.map((a) => [visitLabel(a.label), String(a.pairs), String(a.missing), prop(a.improved), prop(a.improved_sensitivity)])),
      chart({ kind: 'ais' }, alt, 'report-chart-ais')]));
  }
  const sat = r.satisfaction;
  if (sat) {
    // per time point a row per answer, a counts row and a top-box row per item, and its heading, response
    // line and the two tables' captions and heads (about 22 rows high, measured on the demo's report)
    const rows = sat.timepoints.reduce((n, p) => n + 22 + p.items.reduce((k, it) => k + it.options.length + 1 + (it.top_box ? 1 : 0), 0), 0);
    parts.push(reportPart(t('rep.sat'), rows, 0, [], () => [satisfactionSection(sat)]));
  }
  out.append(...parts.map((p) => p.el));
  const ae = r.adverse_events;
  out.append(h('h2', {}, t('rep.ae')),
    table('report-ae', t('rep.ae_caption', { treated: ae.treated, administrations: ae.administrations }),
      [t('rep.ae_row'), t('rep.patients_of_treated')],
      [[t('rep.ae_any'), prop(ae.patients_any)], [t('rep.ae_serious'), prop(ae.patients_serious)],
        [t('rep.ae_rate'), ae.per_administration.rate === null ? '—'
          : `${ae.events} / ${ae.administrations} (${fmt(ae.per_administration.rate, 3)}; ${ci(ae.per_administration.ci, 3)})`],
        ...ae.rows.map((x) => [`${termName(aeTerms, x.term)} — ${t('rep.grade', { g: x.grade })} (${t('rep.events', { n: x.events })})`, prop(x.patients)])]),
    chart({ kind: 'ae' }, ae.rows.length
      ? t('rep.chart_ae_alt', { treated: ae.treated, rows: ae.rows.map((x) => `${termName(aeTerms, x.term)} ${t('rep.grade', { g: x.grade })} ${x.patients.x} / ${ae.treated}`).join(', ') })
      : t('rep.chart_ae_none', { treated: ae.treated }), 'report-chart-ae'));
  // each definition by the catalogue's words; one the catalogue lacks keeps the server's
  const defText = (kind, k, fallback) => (hasOwn(`rep.doc.${kind}.${k}`) ? t(`rep.doc.${kind}.${k}`) : fallback);
  out.append(h('h2', {}, t('rep.definitions')), h('dl', { class: 'facts', 'data-testid': 'report-definitions' },
    Object.entries(r.definitions).map(([k, v]) => [h('dt', {}, defText('term', k, k)), h('dd', {}, defText('def', k, v))])));
  main.append(out);
  drawWhenNear(ctx, parts);
}

// ---- the patient's questionnaire page (public) ----

function label(obj, lang) { return (obj && (obj[lang] || obj.en)) || ''; }

// A text of the questionnaire in the page's language: the definition's own,
// else the catalogue's under the first of keys it has (a language added by
// its catalogue file alone), else a text all the definition's languages write
// alike (a number), else English, noted as missing under the last key.
function ownText(obj, lang, keys) {
  if (obj && obj[lang]) return obj[lang];
  const key = keys.find(hasOwn);
  if (key) return t(key);
  if (obj && obj.en !== undefined && obj.en === obj.fr) return obj.en;
  return undefined;
}

function qLabel(obj, lang, ...keys) {
  const s = ownText(obj, lang, keys);
  if (s !== undefined) return s;
  noteMissing(keys[keys.length - 1]);
  return (obj && obj.en) || '';
}

// An option's keys: the item's own (two items may give one code different
// words), then the instrument's.
const optionKeys = (def, item, o) => [`instr.${def.id}.${item.id}.opt.${o.code}`, `instr.${def.id}.opt.${o.code}`];

// Whether every text of the instrument exists in the page's language: a
// validated instrument's words come from its licensed translation only, so
// one without it is shown whole in English, never half translated.
function hasTextIn(def, lang) {
  const has = (obj, keys) => ownText(obj, lang, keys) !== undefined;
  return has(def, [`instr.${def.id}`]) && (def.items || []).every((item) => has(item, [`instr.${def.id}.${item.id}`])
    && (item.options || []).every((o) => has(o, optionKeys(def, item, o))));
}

export async function renderQuestionnaire(main, token) {
  clear(main);
  let data;
  try {
    ({ data } = await api('GET', `/questionnaire/${encodeURIComponent(token)}`, { quiet401: true }));
  } catch (err) {
    main.append(h('h1', { tabindex: '-1' }, t('q.title')),
      h('p', { class: 'alert alert-error', role: 'alert', 'data-testid': 'q-error' }, errorMessage(err)));
    return;
  }
  if (data.language && data.language !== language()) await setLanguage(data.language, { silent: true });
  const def = data.instrument;
  // the patient's language lacks this questionnaire: said in that language,
  // then the questionnaire and its page in English
  let notice = null;
  if (!hasTextIn(def, language())) {
    notice = h('p', { class: 'alert', lang: language(), 'data-testid': 'q-other-language' }, t('q.not_in_language'));
    await setLanguage('en', { silent: true, remember: false });
  }
  const lang = language();
  const draft = data.draft || {};
  const box = errorBox('q-error');
  const form = h('form', { id: 'q-form', class: 'questionnaire', 'data-testid': 'q-form', novalidate: true }, box);
  for (const item of def.items || []) {
    const name = item.id;
    const key = `instr.${def.id}.${item.id}`;
    if (item.type === 'options') {
      form.append(h('fieldset', { class: 'field' }, h('legend', {}, qLabel(item, lang, key), item.required ? ' *' : ''),
        (item.options || []).map((o) => h('label', { class: 'choice' },
          h('input', { type: 'radio', name, value: o.code, checked: draft[name] === o.code, 'data-testid': `q-${name}-${o.code}` }),
          ` ${qLabel(o, lang, ...optionKeys(def, item, o))}`))));
    } else {
      form.append(field('q', { name, label: qLabel(item, lang, key), required: item.required, value: draft[name] || '',
        type: item.type === 'number' ? 'number' : 'text', min: item.min, max: item.max, inputmode: item.type === 'number' ? 'decimal' : undefined }));
    }
  }
  const answers = () => {
    const a = {};
    for (const item of def.items || []) {
      const el = form.elements.namedItem(item.id);
      const v = el && 'value' in el ? el.value : '';
      if (v !== '' && v !== undefined) a[item.id] = String(v);
    }
    return a;
  };
  const save = h('button', { type: 'button', class: 'btn', 'data-testid': 'q-save' }, t('q.save'));
  save.addEventListener('click', async () => {
    try {
      await api('PUT', `/questionnaire/${encodeURIComponent(token)}/draft`, { body: { answers: answers() } });
      flash(t('q.saved'));
    } catch (err) { showFormError(form, box, err); }
  });
  form.append(h('div', { class: 'actions' }, save,
    h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'q-submit' }, t('q.submit'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    showErrorBox(box, null);
    try {
      await api('POST', `/questionnaire/${encodeURIComponent(token)}`, { body: { answers: answers() } });
      clear(main);
      main.append(h('h1', { tabindex: '-1' }, t('q.thanks_title')), h('p', { 'data-testid': 'q-done' }, t('q.thanks')));
    } catch (err) { showFormError(form, box, err); }
  });
  main.append(h('h1', { tabindex: '-1' }, qLabel(def, lang, `instr.${def.id}`)), ...(notice ? [notice] : []),
    h('p', { class: 'help' }, t('q.intro', { expires: formatDateTime(data.expires_at) })), form);
}
