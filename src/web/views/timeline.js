// One patient's stay as a timeline: screening, plan, administrations with
// the DIN of their units, vital signs, adverse events, follow-up visits and
// scores, in date order (GET /patients/{id}/timeline, read at once), each
// dated in the reader's language and linking to its own page.
import { h, clear } from '../dom.js';
import { api } from '../api.js';
import { t, has, language, formatDate, formatDateTime, formatNumber } from '../i18n.js';
import { TIMELINE_ROLES } from '../access.js';
export { TIMELINE_ROLES };


const tOr = (key, fallback = '') => (has(key) ? t(key) : fallback);
const named = (o) => (o ? (o[language()] || o.en || '') : '');

// "YYYY-MM-DD" is a calendar date; an instant is shown in local time.
function when(at) {
  return /^\d{4}-\d\d-\d\d$/.test(at) ? formatDate(at) : formatDateTime(at);
}

function visitLabel(label) {
  const m = /^month-(\d+)$/.exec(label || '');
  return m ? t('fu.month', { n: m[1] }) : label;
}

function vitalsText(d) {
  const parts = [];
  if (d.systolic !== null && d.diastolic !== null) parts.push(`${t('tl.bp')} ${d.systolic}/${d.diastolic} mmHg`);
  if (d.heart_rate !== null) parts.push(`${t('tl.hr')} ${d.heart_rate}/min`);
  if (d.spo2 !== null) parts.push(`SpO₂ ${d.spo2} %`);
  if (d.temperature_dc !== null) parts.push(`${t('tl.temp')} ${formatNumber(d.temperature_dc / 10, 1)} °C`);
  if (d.respiratory_rate !== null) parts.push(`${t('tl.rr')} ${d.respiratory_rate}/min`);
  return parts.join(' · ');
}

function scoreText(scores) {
  const s = scores && scores.scores;
  if (!s || typeof s.total !== 'number') return '';
  return `${t('fu.score_total')} ${formatNumber(s.total, Number.isInteger(s.total) ? 0 : 1)}`;
}

export async function renderTimeline(ctx, id) {
  const [{ data: p }, { data }, { data: protos }, { data: instruments }, { data: terms }] = await Promise.all([
    api('GET', `/patients/${id}`), api('GET', `/patients/${id}/timeline`), api('GET', '/protocols'),
    api('GET', '/instruments'), api('GET', '/adverse-events/terms')]);
  if (!ctx.alive()) return;
  const programme = (pid) => named((protos.items || []).find((x) => x.id === pid)?.name) || pid;
  const instrument = (iid) => named((instruments.items || []).find((x) => x.id === iid)) || iid;
  const term = (code, text) => {
    const n = named((terms.terms || []).find((x) => x.code === code)) || text || code;
    return text && n !== text ? `${n} : ${text}` : n;
  };
  const describe = (e) => {
    const d = e.detail || {};
    switch (e.kind) {
      case 'screening':
        return [`${t('tl.screening')} — ${programme(d.protocol)}`, `#/screenings/${e.id}`,
          d.decision ? tOr(`prog.verdict.${d.decision}`) : `${tOr(`prog.verdict.${d.verdict}`)} (${t('prog.undecided')})`];
      case 'plan':
        return [`${t('tl.plan')} — ${programme(d.protocol)}`, `#/plans/${e.id}`,
          `${formatDate(d.start)} → ${formatDate(d.end)} · ${tOr(`prog.status.${d.status}`)}`];
      case 'administration':
        return [`${t('tl.administration')} — ${tOr(`prog.route.${d.route}`)}`, `#/administrations/${e.id}`,
          [tOr(`lab.product.${d.product_type}`), ...(d.units || []).map((u) => `DIN ${u.din}${u.din_check || ''}`),
            tOr(`bs.status.${d.status}`)].filter(Boolean).join(' · ')];
      case 'vitals':
        return [`${t('tl.vitals')} — ${tOr(`bs.phase.${d.phase}`)}`,
          d.administration_id ? `#/administrations/${d.administration_id}` : null, vitalsText(d)];
      case 'adverse_event':
        return [`${t('tl.adverse_event')} — ${term(d.term_code, d.term_text)}`, `#/adverse-events/${e.id}`,
          [t('ae.grade_n', { n: d.grade }), d.serious ? t('tl.serious') : '',
            d.resolved_at ? t('tl.resolved', { date: when(d.resolved_at) }) : ''].filter(Boolean).join(' · ')];
      case 'observation':
        return [`${t('tl.observation')} — ${instrument(d.instrument)}`, d.visit_id ? `#/follow-up/${d.visit_id}` : null,
          [scoreText(d.scores), tOr(`fu.source.${d.source}`)].filter(Boolean).join(' · ')];
      case 'visit':
        return [t('tl.visit_of', { label: visitLabel(d.label) }), `#/follow-up/${e.id}`, tOr(`fu.status.${d.status}`)];
      default:
        return [e.kind, null, ''];
    }
  };
  const items = (data.events || []).map((e) => {
    const [title, href, text] = describe(e);
    return h('li', { class: `timeline-event timeline-${e.kind}`, 'data-testid': 'timeline-event', 'data-kind': e.kind },
      h('time', { class: 'timeline-date', datetime: e.at, 'data-testid': 'timeline-date' }, when(e.at)),
      h('div', { class: 'timeline-body' },
        href ? h('a', { href, 'data-testid': 'timeline-link' }, title) : h('strong', {}, title),
        text ? h('p', { class: 'muted', 'data-testid': 'timeline-text' }, text) : null));
  });
  clear(ctx.main);
  ctx.main.append(
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1', 'data-testid': 'timeline-title', 'data-title': t('tl.page_title') },
        t('tl.title', { patient: `${p.family_name.toUpperCase()}, ${p.given_names}` })),
      h('div', { class: 'actions no-print' },
        h('a', { class: 'btn btn-quiet', href: `#/patients/${p.id}`, 'data-testid': 'timeline-back' }, t('tl.back')))),
    h('p', { class: 'subtitle' }, `${t('patient.mrn')} ${p.mrn}`),
    items.length ? h('ol', { class: 'timeline', 'data-testid': 'timeline' }, items)
      : h('p', { class: 'empty', 'data-testid': 'timeline-empty' }, t('tl.empty')));
}
