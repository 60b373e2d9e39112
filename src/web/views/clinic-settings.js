// The clinic's settings, for the administrator: the name of the site the
// session works in (printed on patient handouts) and the public address its
// patients open from questionnaire links.
// One form sends PUT /clinic-site; the server's error is shown next to the
// field it names, and nothing is saved then.
import { h, clear, append } from '../dom.js';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { navigate } from '../app.js';
import { errorBox, showFormError, field } from '../ui.js';
import { CLINIC_SETTINGS } from '../access.js';
export { CLINIC_SETTINGS };


export async function renderClinicSettings(ctx) {
  const { data: site } = await api('GET', '/clinic-site');
  if (!ctx.alive()) return;
  const box = errorBox('clinic-form-error');
  const form = h('form', { id: 'clinic-form', class: 'card', 'data-testid': 'clinic-form', novalidate: true }, box,
    field('clinic-form', { name: 'name', label: t('clinicsettings.name'), value: site.name || '', maxlength: 120, required: true }),
    field('clinic-form', { name: 'public_base_url', label: t('clinicsettings.public_base_url'), type: 'url',
      value: site.public_base_url || '', maxlength: 200, required: true, help: t('clinicsettings.public_base_url_help') }),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'clinic-form-submit' }, t('action.save'))));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = (name) => form.elements.namedItem(name).value.trim();
    try {
      await api('PUT', '/clinic-site', { body: { name: value('name'), public_base_url: value('public_base_url') } });
      navigate(location.hash, t('clinicsettings.saved'));
    } catch (err) {
      showFormError(form, box, err);
    }
  });
  clear(ctx.main);
  append(ctx.main, [h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, t('clinicsettings.title'))),
    h('p', { class: 'subtitle', 'data-testid': 'clinic-site-code' }, t('clinicsettings.of_site', { code: site.code })),
    h('p', { class: 'help' }, t('clinicsettings.help')),
    site.public_base_url ? null : h('p', { class: 'alert alert-warning', 'data-testid': 'clinic-url-unset' }, t('clinicsettings.not_set')),
    form]);
}
