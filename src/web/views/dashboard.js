// The dashboard: the page a user lands on after login. One tile per
// section of GET /dashboard (the server leaves out the sections a role may
// not read): its count, the first items, each linking to its record, and a
// link to the full list. Printable (print.css hides the controls).
import { h, clear, append } from '../dom.js';
import { api, query } from '../api.js';
import { t, has, language, formatDate, formatDateTime } from '../i18n.js';
import { syntheticBadge } from '../ui.js';
import { can, navigate } from '../app.js';

export const DASHBOARD_DAYS = [7, 14, 30, 90];

const label = (prefix, code) => (code && has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code || '');
const patient = (family, given, mrn, synthetic) => [`${family}, ${given} (${mrn})`, synthetic ? [' ', syntheticBadge()] : null];

function visitLabel(text) {
  const m = /^month-(\d+)$/.exec(text || '');
  return m ? t('fu.month', { n: m[1] }) : text;
}

function badge(cls, text, testid) {
  return h('span', { class: `badge badge-status ${cls}`, 'data-testid': testid }, text);
}

// One section: heading with the count (links to the list), the items or the
// empty state, "N of M" when there are more, and the link to the list.
function tile(key, sec, title, render, emptyText, extra = null) {
  const items = sec.items || [];
  return h('section', { class: 'card dash-tile', 'data-testid': `dash-${key}`, 'aria-labelledby': `dash-h-${key}` },
    h('h2', { id: `dash-h-${key}`, class: 'dash-title' },
      h('a', { href: sec.link, 'data-testid': `dash-${key}-link` }, title),
      h('span', { class: 'dash-count', 'data-testid': `dash-${key}-count`, 'aria-label': t('dash.count', { n: sec.total }) },
        String(sec.total))),
    extra,
    items.length === 0
      ? h('p', { class: 'empty', 'data-testid': `dash-${key}-empty` }, emptyText)
      : h('ul', { class: 'dash-list' }, items.map((x) => h('li', { 'data-testid': `dash-${key}-item` }, render(x)))),
    sec.total > items.length
      ? h('p', { class: 'help', 'data-testid': `dash-${key}-more` }, t('dash.shown', { n: items.length, total: sec.total }))
      : null,
    h('p', { class: 'dash-all no-print' }, h('a', { href: sec.link, 'data-testid': `dash-${key}-all` }, t('dash.see_all'))));
}

function administration(a) {
  const href = a.administration_id ? `#/administrations/${a.administration_id}`
    : can(['physician', 'nurse']) ? `#/bedside/give/${a.plan_id}/${a.item}` : '#/bedside';
  return [h('a', { href }, patient(a.family_name, a.given_names, a.patient_mrn, a.synthetic)), ' — ',
    label('prog.route', a.route), ', ', label('lab.product', a.product), ' ',
    badge(`badge-dash-${a.status}`, t(`dash.adm.${a.status}`), 'dash-status')];
}

function visit(v) {
  return [h('a', { href: `#/follow-up/${v.id}` }, patient(v.family_name, v.given_names, v.mrn, v.synthetic)), ' — ',
    visitLabel(v.label), ' ', badge('badge-fu-overdue', t('dash.days_overdue', { n: v.days_overdue }), 'dash-overdue')];
}

function adverseEvent(e) {
  const term = (e.term_name && e.term_name[language()]) || e.term_text || e.term_code;
  return [h('a', { href: `#/adverse-events/${e.id}` }, `${term} (${t('dash.grade', { n: e.grade })})`), ' — ',
    patient(e.family_name, e.given_names, e.patient_mrn, e.synthetic),
    e.deadline_status ? [' — ', t('dash.report_due', { at: formatDateTime(e.next_due_at) }), ' ',
      badge(`badge-dl-${e.deadline_status}`, t(`ae.dl.${e.deadline_status}`), 'dash-deadline')] : null];
}

function unit(u) {
  const when = u.expired ? t('dash.expired_ago', { n: -u.days_left })
    : u.days_left === 0 ? t('dash.expires_today') : t('dash.expires_in', { n: u.days_left });
  return [h('a', { href: `#/lab/units/${u.id}` }, `${u.din}${u.din_check || ''}`), ' — ', label('lab.product', u.product_type),
    ', ', label('lab.state', u.state), ', ', formatDate(u.expiry), ' ',
    badge(u.expired ? 'badge-dash-expired' : 'badge-dash-expiring', when, 'dash-expiry')];
}

// A unit on its way to the site: to its page, where it is received.
function arriving(u) {
  return [h('a', { href: `#/lab/units/${u.id}` }, `${u.din}${u.din_check || ''}`), ' — ', label('lab.product', u.product_type),
    ', ', t('dash.from_site', { site: u.site_name || u.site_code }), ', ', formatDate(u.expiry)];
}

function batch(b) {
  return [h('a', { href: `#/lab/batches/${b.id}` }, b.code), ' — ', label('lab.product', b.product_type), ' ',
    b.qc_complete === false ? badge('badge-dash-waiting', t('dash.batch.waiting_qc'), 'dash-ready')
      : b.ready ? badge('badge-dash-ready', t('dash.batch.ready'), 'dash-ready')
        : badge('badge-dash-blocked', t('dash.batch.blocked', { n: b.blocks }), 'dash-ready')];
}

function request(r) {
  const what = [r.diagnosis ? t(`pub.diagnosis.${r.diagnosis}`) : '', r.condition].filter(Boolean).join(', ');
  return [h('a', { href: `#/requests/${r.id}` }, r.name), r.synthetic ? [' ', syntheticBadge()] : null, ' — ', what,
    ' — ', formatDateTime(r.created_at)];
}

export async function renderDashboard(ctx) {
  const wanted = Number(ctx.query.get('days'));
  const days = DASHBOARD_DAYS.includes(wanted) ? wanted : 7;
  const { data } = await api('GET', `/dashboard${query({ days })}`);
  if (!ctx.alive()) return;
  const s = data.sections || {};
  const synthetic = Object.values(s).some((sec) => (sec.items || []).some((x) => x.synthetic));
  const tiles = [];
  if (s.administrations_today) {
    const c = s.administrations_today.counts;
    tiles.push(tile('administrations_today', s.administrations_today, t('dash.administrations_today'), administration,
      t('dash.empty.administrations_today'),
      h('p', { class: 'help', 'data-testid': 'dash-adm-counts' }, t('dash.adm.counts', c))));
  }
  if (s.overdue_visits) {
    tiles.push(tile('overdue_visits', s.overdue_visits, t('dash.overdue_visits'), visit, t('dash.empty.overdue_visits')));
  }
  if (s.open_serious_events) {
    tiles.push(tile('open_serious_events', s.open_serious_events, t('dash.open_serious_events'), adverseEvent,
      t('dash.empty.open_serious_events')));
  }
  if (s.units_expiring) {
    const sec = s.units_expiring;
    const select = h('select', { id: 'dash-days', name: 'days', 'data-testid': 'dash-days',
      on: { change: (e) => navigate(`#/dashboard${query({ days: e.target.value })}`) } },
    DASHBOARD_DAYS.map((d) => h('option', { value: String(d), selected: d === sec.days }, t('dash.days', { n: d }))));
    tiles.push(tile('units_expiring', sec, t('dash.units_expiring', { n: sec.days }), unit, t('dash.empty.units_expiring'),
      [h('p', { class: 'help', 'data-testid': 'dash-units-expired' }, t('dash.units_expired', { n: sec.expired })),
        h('p', { class: 'dash-filter no-print' }, h('label', { for: 'dash-days' }, t('dash.horizon')), ' ', select)]));
  }
  if (s.units_arriving) {
    tiles.push(tile('units_arriving', s.units_arriving, t('dash.units_arriving'), arriving, t('dash.empty.units_arriving')));
  }
  if (s.batches_awaiting_release) {
    tiles.push(tile('batches_awaiting_release', s.batches_awaiting_release, t('dash.batches_in_process'), batch,
      t('dash.empty.batches_in_process')));
  }
  if (s.new_requests) {
    tiles.push(tile('new_requests', s.new_requests, t('dash.new_requests'), request, t('dash.empty.new_requests')));
  }
  append(clear(ctx.main), [
    h('div', { class: 'page-head' },
      h('h1', { tabindex: '-1', 'data-testid': 'dash-title' }, t('dash.title')),
      h('p', { class: 'actions' }, h('button', { type: 'button', class: 'btn no-print', 'data-testid': 'dash-print',
        on: { click: () => window.print() } }, t('action.print')))),
    h('p', { class: 'subtitle', 'data-testid': 'dash-today' }, t('dash.today', { date: formatDate(data.today) })),
    synthetic ? h('p', { class: 'alert alert-warning', role: 'note', 'data-testid': 'dash-synthetic' }, t('dash.synthetic')) : null,
    tiles.length ? h('div', { class: 'dash-grid' }, tiles)
      : h('p', { class: 'empty', 'data-testid': 'dash-none' }, t('dash.none'))]);
}
