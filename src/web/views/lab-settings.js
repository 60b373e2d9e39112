// The laboratory's settings, for the administrator: the facility its unit
// labels name, the donor-testing panel of each donor kind, and the
// post-thaw window and minimum viability of each product type. Each form
// sends one existing API call; the server's error is shown next to the
// field it names, and nothing is saved then.
import { h } from '../dom.js';
import { api } from '../api.js';
import { t, formatNumber } from '../i18n.js';
import { navigate } from '../app.js';
import { errorBox, showFormError, field } from '../ui.js';
import { section, pageHead, replace, PRODUCT_TYPES } from './lab-ui.js';
import { LAB_SETTINGS } from '../access.js';
export { LAB_SETTINGS };


const NEEDS = ['negative', 'result', 'none'];

// A form that reads its body with build(form), sends it, and redraws the
// page with message once the server accepted it.
function settingsForm({ id, title, nodes, method = 'PUT', path, build, message }) {
  const box = errorBox(`${id}-error`);
  const form = h('form', { id, class: 'card lab-form', 'data-testid': id, novalidate: true },
    title ? h('h3', {}, title) : null, box, nodes,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': `${id}-submit` }, t('action.save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await api(method, path, { body: build(form) });
      navigate(location.hash, message);
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  return form;
}

const value = (form, name) => form.elements.namedItem(name).value.trim();

// An integer as typed, or the text itself so that the server names the field.
function integer(text) {
  return /^-?\d+$/.test(text) ? Number.parseInt(text, 10) : text;
}

function siteForm(site) {
  const s = site || {};
  return settingsForm({
    id: 'site-form', path: '/lab/site', message: t('labsettings.site_saved'),
    nodes: [
      field('site-form', { name: 'fin', label: t('labsettings.fin'), value: s.fin || '', maxlength: 5, help: t('labsettings.fin_help') }),
      field('site-form', { name: 'facility_name', label: t('labsettings.facility_name'), value: s.facility_name || '', maxlength: 120 }),
      field('site-form', { name: 'facility_address', label: t('labsettings.facility_address'), type: 'textarea', rows: 4,
        value: s.facility_address || '', help: t('labsettings.facility_address_help') }),
      field('site-form', { name: 'label_language', label: t('labsettings.label_language'), type: 'select',
        value: s.label_language || 'fr', options: ['fr', 'en'].map((l) => [l, t(`language.${l}`)]) }),
    ],
    build: (form) => {
      const body = {
        facility_name: value(form, 'facility_name'),
        facility_address: form.elements.namedItem('facility_address').value.replace(/\r/g, '').trim(),
        label_language: value(form, 'label_language'),
      };
      const fin = value(form, 'fin').toUpperCase();
      if (fin !== (s.fin || '') || !s.fin) body.fin = fin;
      return body;
    },
  });
}

function panelForm(panel) {
  const id = `panel-${panel.kind}`;
  const rows = panel.markers.map((m) => h('tr', { 'data-testid': 'panel-marker' },
    h('th', { scope: 'row' }, h('label', { for: `${id}-marker-${m.marker}` }, t(`lab.marker.${m.marker}`))),
    h('td', {}, h('select', { id: `${id}-marker-${m.marker}`, name: `marker-${m.marker}`, 'data-testid': `${id}-marker-${m.marker}` },
      NEEDS.map((n) => h('option', { value: n, selected: n === m.need }, t(`labsettings.need.${n}`)))))));
  return settingsForm({
    id, title: t(`labsettings.kind.${panel.kind}`), path: '/lab/donor-panels',
    message: t('labsettings.panel_saved', { kind: t(`labsettings.kind.${panel.kind}`) }),
    nodes: [
      h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('labsettings.marker')), h('th', { scope: 'col' }, t('labsettings.need')))),
        h('tbody', {}, rows))),
      field(id, { name: 'days_before', label: t('labsettings.days_before'), value: String(panel.days_before), inputmode: 'numeric',
        help: t('labsettings.days_before_help') }),
      field(id, { name: 'days_after', label: t('labsettings.days_after'), value: String(panel.days_after), inputmode: 'numeric',
        help: t('labsettings.days_after_help') }),
    ],
    build: (form) => ({
      kind: panel.kind,
      days_before: integer(value(form, 'days_before')),
      days_after: integer(value(form, 'days_after')),
      markers: Object.fromEntries(panel.markers.map((m) => [m.marker, value(form, `marker-${m.marker}`)])),
    }),
  });
}

function cryoForm(setting) {
  const type = setting.product_type;
  const id = `cryo-${type}`;
  return settingsForm({
    id, title: t(`lab.product.${type}`), path: '/lab/cryo-settings',
    message: t('labsettings.cryo_saved', { product: t(`lab.product.${type}`) }),
    nodes: [
      field(id, { name: 'post_thaw_hours', label: t('labsettings.post_thaw_hours'), value: String(setting.post_thaw_hours),
        inputmode: 'numeric', help: t('labsettings.post_thaw_hours_help') }),
      field(id, { name: 'min_viability_percent', label: t('labsettings.min_viability'),
        value: formatNumber(setting.min_viability_tenths / 10, 1), inputmode: 'decimal', help: t('labsettings.min_viability_help') }),
    ],
    build: (form) => {
      const v = value(form, 'min_viability_percent').replace(',', '.');
      return {
        product_type: type,
        post_thaw_hours: integer(value(form, 'post_thaw_hours')),
        min_viability_percent: v !== '' && Number.isFinite(Number(v)) ? Number(v) : v,
      };
    },
  });
}

export async function renderLabSettings(ctx) {
  const [site, panels, cryo] = await Promise.all([
    api('GET', '/lab/site'), api('GET', '/lab/donor-panels'), api('GET', '/lab/cryo-settings')]);
  if (!ctx.alive()) return;
  const byType = new Map(cryo.data.map((c) => [c.product_type, c]));
  replace(ctx.main, pageHead(t('labsettings.title')),
    section(t('labsettings.site'), h('p', { class: 'help' }, t('labsettings.site_help')), siteForm(site.data.site)),
    section(t('labsettings.panels'), h('p', { class: 'help' }, t('labsettings.panels_help')),
      panels.data.panels.map(panelForm)),
    section(t('labsettings.cryo'), h('p', { class: 'help' }, t('labsettings.cryo_help')),
      PRODUCT_TYPES.filter((p) => byType.has(p)).map((p) => cryoForm(byType.get(p)))));
}
