// The clinic group's sites, for the administrator: every clinic, hospital
// and laboratory with its code, address, time zone, language, ISBT 128
// facility number and public address; a form to add one and, from the list,
// the same form to change one (with the version it was read at). The
// server's refusal is shown next to the field it names, and nothing is
// saved then.
import { h, clear, append } from '../dom.js';
import { api } from '../api.js';
import { t, language } from '../i18n.js';
import { navigate, refreshSites } from '../app.js';
import { errorBox, showFormError, field } from '../ui.js';
import { SITES_ADMIN } from '../access.js';
export { SITES_ADMIN };

const KINDS = ['clinic', 'hospital', 'laboratory'];
const LANGS = ['fr', 'en'];

function kindLabel(kind) { return KINDS.includes(kind) ? t(`sites.kind.${kind}`) : ''; }
// a database made before sites gave its first site the zone UTC: named in words
function zoneLabel(zone) { return zone === 'UTC' ? t('sites.time_zone_utc') : zone; }

// One form for a new site (site null) or a change to one.
function siteForm(site) {
  const id = site ? 'site-edit-form' : 'site-form';
  const box = errorBox(`${id}-error`);
  const v = (k, fallback = '') => (site ? site[k] ?? '' : fallback);
  const form = h('form', { id, class: 'card', 'data-testid': id, novalidate: true },
    h('h2', {}, site ? t('sites.edit_title', { name: site.name || site.code }) : t('sites.create')),
    box,
    field(id, { name: 'code', label: t('sites.code'), value: v('code'), maxlength: 8, required: true, help: t('sites.code_help') }),
    field(id, { name: 'name', label: t('sites.name'), value: v('name'), maxlength: 120, required: true }),
    field(id, { name: 'address', label: t('sites.address'), value: v('address'), maxlength: 240 }),
    field(id, { name: 'time_zone', label: t('sites.time_zone'), value: v('time_zone', 'Europe/Paris'), maxlength: 64,
      required: true, help: t('sites.time_zone_help') }),
    field(id, { name: 'language', label: t('sites.language'), type: 'select', value: v('language', language()),
      options: LANGS.map((l) => [l, t(`language.${l}`)]) }),
    field(id, { name: 'kind', label: t('sites.kind'), type: 'select', value: v('kind', 'clinic'),
      options: KINDS.map((k) => [k, kindLabel(k)]) }),
    field(id, { name: 'fin', label: t('sites.fin'), value: v('fin'), maxlength: 5, help: t('sites.fin_help') }),
    field(id, { name: 'public_base_url', label: t('sites.public_base_url'), type: 'url', value: v('public_base_url'),
      maxlength: 200, help: t('clinicsettings.public_base_url_help') }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `${id}-submit` },
        site ? t('action.save') : t('sites.create_submit')),
      site ? [' ', h('a', { href: '#/settings/sites', class: 'btn', 'data-testid': `${id}-cancel` }, t('action.cancel'))] : null));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    for (const k of ['code', 'name', 'address', 'time_zone', 'language', 'kind', 'fin', 'public_base_url']) {
      const value = form.elements.namedItem(k).value.trim();
      // a new site leaves out what is not given; a change may empty a field
      if (value !== '' || site) body[k] = value;
    }
    try {
      if (site) {
        await api('PATCH', `/sites/${site.id}`, { body: { ...body, version: site.version } });
      } else {
        await api('POST', '/sites', { body });
      }
      await refreshSites();
      navigate('#/settings/sites', t(site ? 'sites.saved' : 'sites.created', { name: body.name }));
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  return form;
}

export async function renderSites(ctx) {
  const { data } = await api('GET', '/sites?scope=all');
  if (!ctx.alive()) return;
  const sites = data.items || [];
  const editing = sites.find((s) => String(s.id) === ctx.query.get('edit')) || null;
  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'list', 'data-testid': 'sites-table' },
    h('caption', { class: 'sr-only' }, t('sites.title')),
    h('thead', {}, h('tr', {}, [t('sites.name'), t('sites.code'), t('sites.kind'), t('sites.address'), t('sites.time_zone'),
      t('sites.language'), t('sites.fin'), t('users.actions')].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, sites.map((s) => h('tr', { 'data-testid': 'site-row', 'data-code': s.code },
      h('th', { scope: 'row', 'data-testid': 'site-name' }, s.name || '—'),
      h('td', {}, s.code), h('td', {}, kindLabel(s.kind)), h('td', {}, s.address || '—'), h('td', {}, zoneLabel(s.time_zone)),
      h('td', {}, LANGS.includes(s.language) ? t(`language.${s.language}`) : ''), h('td', {}, s.fin || '—'),
      h('td', {}, h('a', { href: `#/settings/sites?edit=${s.id}`, class: 'btn', 'data-testid': 'site-edit',
        'aria-label': t('sites.edit_title', { name: s.name || s.code }) }, t('sites.edit'))))))));
  clear(ctx.main);
  append(ctx.main, [h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('sites.title'))),
    h('p', { class: 'help' }, t('sites.help')),
    table,
    editing ? siteForm(editing) : siteForm(null)]);
}
