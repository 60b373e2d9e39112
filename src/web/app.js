// cellclinic web interface: boot, session, navigation and the hash router.
import { h, $, clear } from './dom.js';
import { api, setCsrf, onUnauthorized } from './api.js';
import {
  initI18n, setLanguage, language, languages, onLanguageChange, storedLanguage, t, formatDateTime, warmFormatters,
} from './i18n.js';
import { flash, errorMessage } from './ui.js';
import { session } from './state.js';
import {
  ACCESS_LOG_ROLES, AE_READ, AE_WRITE, BEDSIDE_GIVE, BEDSIDE_READ, CLINIC_SETTINGS, FOLLOWUP_ROLES, LAB_READ, LAB_SETTINGS,
  PROGRAMME_ROLES, PUBLIC_REQUEST_PATH, REPORT_ROLES, SECURITY_EVENT_ROLES, SITES_ADMIN, TIMELINE_ROLES, USER_ADMIN,
} from './access.js';

// A page's module is loaded when the page is first opened (the browser keeps
// it): the first page of a visit loads its own view, not every view.
// file: relative to this one; args(ctx): what the page takes after ctx.
// The handler keeps its file, so that boot can ask for it at once.
// A module already loaded is called at once (import() of it resolves only in
// a later task). The Intl formatters are made in the next task, once the page
// has asked for its data: making the first of a document takes 20 to 60 ms,
// which would otherwise hold the page's requests back.
const views = new Map();
const loadView = (file) => import(file).then((m) => { views.set(file, m); return m; });
const page = (file, name, args = () => []) => Object.assign(async (ctx) => {
  const drawn = (views.get(file) || await loadView(file))[name](ctx, ...args(ctx));
  setTimeout(warmFormatters, 0);
  return drawn;
}, { file });
const id = (ctx) => [ctx.params[0]];

const PATIENT_ROLES = ['admin', 'coordinator', 'physician', 'nurse'];
const REQUEST_ROLES = ['admin', 'coordinator'];

const ALL_ROLES = ['admin', 'coordinator', 'physician', 'nurse', 'lab', 'qa', 'analyst'];

const routes = [
  [/^\/dashboard$/, page('./views/dashboard.js', 'renderDashboard'), ALL_ROLES],
  [/^\/patients$/, page('./views/patients.js', 'renderPatientList'), PATIENT_ROLES],
  [/^\/patients\/new$/, page('./views/patient-form.js', 'renderPatientForm', () => [null]), ['admin', 'coordinator']],
  [/^\/patients\/(\d+)$/, page('./views/patient.js', 'renderPatientView', id), PATIENT_ROLES],
  [/^\/patients\/(\d+)\/timeline$/, page('./views/timeline.js', 'renderTimeline', id), TIMELINE_ROLES],
  [/^\/patients\/(\d+)\/edit$/, page('./views/patient-form.js', 'renderPatientForm', id), ['admin', 'coordinator', 'physician']],
  [/^\/requests$/, page('./views/requests.js', 'renderRequestList'), REQUEST_ROLES],
  [/^\/requests\/(\d+)$/, page('./views/requests.js', 'renderRequestView', id), REQUEST_ROLES],
  // the laboratory
  [/^\/lab$/, page('./views/lab-lists.js', 'renderLabHome'), LAB_READ],
  [/^\/lab\/inventory$/, page('./views/lab-lists.js', 'renderInventory'), LAB_READ],
  [/^\/lab\/storage$/, page('./views/lab-lists.js', 'renderStorage'), LAB_READ],
  [/^\/lab\/lookback$/, page('./views/lab-lists.js', 'renderLookback'), LAB_READ],
  [/^\/lab\/arrivals$/, page('./views/lab-lists.js', 'renderArrivals'), LAB_READ],
  [/^\/lab\/donors\/new$/, page('./views/lab-donor.js', 'renderDonorNew'), ['lab']],
  [/^\/lab\/donors\/(\d+)$/, page('./views/lab-donor.js', 'renderDonor', id), LAB_READ],
  [/^\/lab\/batches\/(\d+)$/, page('./views/lab-batch.js', 'renderBatch', id), LAB_READ],
  [/^\/lab\/units\/(\d+)$/, page('./views/lab-unit.js', 'renderUnit', id), LAB_READ],
  // programmes
  [/^\/programmes$/, page('./views/programmes.js', 'renderProgrammes'), PROGRAMME_ROLES],
  [/^\/patients\/(\d+)\/screening$/, page('./views/programmes.js', 'renderScreeningForm', id), ['admin', 'physician', 'nurse']],
  [/^\/screenings\/(\d+)$/, page('./views/programmes.js', 'renderScreening', id), PROGRAMME_ROLES],
  [/^\/patients\/(\d+)\/plan$/, page('./views/programmes.js', 'renderPlanBuilder', id), ['admin', 'coordinator', 'physician']],
  [/^\/plans\/(\d+)$/, page('./views/programmes.js', 'renderPlan', id), PROGRAMME_ROLES],
  [/^\/plans\/(\d+)\/print$/, page('./views/programmes.js', 'renderPlanPrint', id), PROGRAMME_ROLES],
  // bedside and adverse events
  [/^\/bedside$/, page('./views/bedside.js', 'renderWorklist'), BEDSIDE_READ],
  [/^\/bedside\/give\/(\d+)\/(\d+)$/, page('./views/bedside.js', 'renderGive', (ctx) => ctx.params), BEDSIDE_GIVE],
  [/^\/administrations\/(\d+)$/, page('./views/bedside.js', 'renderAdministration', id), BEDSIDE_READ],
  [/^\/patients\/(\d+)\/wristband$/, page('./views/bedside.js', 'renderWristband', id), BEDSIDE_READ],
  [/^\/adverse-events$/, page('./views/adverse.js', 'renderAeList'), AE_READ],
  [/^\/adverse-events\/new$/, page('./views/adverse.js', 'renderAeForm'), AE_WRITE],
  [/^\/adverse-events\/(\d+)$/, page('./views/adverse.js', 'renderAe', id), AE_READ],
  // follow-up and the outcome report
  [/^\/follow-up$/, page('./views/followup.js', 'renderFollowupList'), FOLLOWUP_ROLES],
  [/^\/follow-up\/(\d+)$/, page('./views/followup.js', 'renderVisit', id), FOLLOWUP_ROLES],
  [/^\/reports\/outcomes$/, page('./views/followup.js', 'renderOutcomeReport'), REPORT_ROLES],
  // user accounts
  [/^\/users$/, page('./views/accounts.js', 'renderUsers'), USER_ADMIN],
  [/^\/account$/, page('./views/accounts.js', 'renderAccount'), ALL_ROLES],
  [/^\/account\/mfa$/, page('./views/mfa.js', 'renderMfa'), ALL_ROLES],
  [/^\/access-log$/, page('./views/access-log.js', 'renderAccessLog'), ACCESS_LOG_ROLES],
  [/^\/security-events$/, page('./views/security-events.js', 'renderSecurityEvents'), SECURITY_EVENT_ROLES],
  [/^\/settings\/lab$/, page('./views/lab-settings.js', 'renderLabSettings'), LAB_SETTINGS],
  [/^\/settings\/clinic$/, page('./views/clinic-settings.js', 'renderClinicSettings'), CLINIC_SETTINGS],
  [/^\/settings\/sites$/, page('./views/sites.js', 'renderSites'), SITES_ADMIN],
];

let renderSeq = 0;
let pendingFlash = null;

export function can(roles) { return Boolean(session.user && roles.includes(session.user.role)); }

// The pages that need no account and are offered in every catalogue's
// language: the public consultation request and a patient's questionnaire.
const QUESTIONNAIRE = /^\/q\/([A-Za-z0-9_-]{20,64})$/;
function isPatientPage(path) { return path === PUBLIC_REQUEST_PATH || QUESTIONNAIRE.test(path); }

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = raw.split('?');
  return { path: path || '/', query: new URLSearchParams(qs || '') };
}

// Goes to a route; an optional message is shown once on the next screen.
export function navigate(hash, message = null) {
  pendingFlash = message;
  if (location.hash === hash) render();
  else location.hash = hash;
}

// every role lands on the dashboard (it shows the sections the
// role may read); the former start pages stay in the navigation.
function homeFor() {
  return '#/dashboard';
}

// #main carries data-rendered="<hash>" once the page of that hash is drawn,
// so that a reader (or a test) can tell a drawn page from the one before it.
export async function render(restore = null) {
  const main = $('#main');
  delete main.dataset.rendered;
  const seq = renderSeq + 1;
  try {
    await drawPage(restore);
  } finally {
    if (seq === renderSeq) main.dataset.rendered = location.hash;
  }
}

async function drawPage(restore) {
  const seq = ++renderSeq;
  const main = $('#main');
  // The login screen of a logged-in user only redirects: the message waits for the page.
  const redirecting = session.user && ['/', '/login'].includes(parseHash().path);
  if (!redirecting) {
    if (pendingFlash) flash(pendingFlash.text ?? pendingFlash, pendingFlash.kind ?? 'ok');
    else flash(null);
    pendingFlash = null;
  }
  // a language offered only on the patient pages gives way elsewhere
  if (!isPatientPage(parseHash().path) && !languages().includes(language())) {
    await setLanguage(storedLanguage(), { silent: true });
    if (seq !== renderSeq) return;
  }
  updateChrome();
  // a patient's questionnaire link needs no account
  const qm = QUESTIONNAIRE.exec(parseHash().path);
  if (qm) {
    clear(main);
    const { renderQuestionnaire } = await import('./views/followup.js');
    if (seq !== renderSeq) return;
    await renderQuestionnaire(main, qm[1]);
    focusHeading(main);
    return;
  }
  // nor does the public consultation request page
  if (parseHash().path === PUBLIC_REQUEST_PATH) {
    const { renderPublicRequest } = await import('./views/public-request.js');
    if (seq !== renderSeq) return;
    clear(main);
    renderPublicRequest(main);
    if (restore) restoreForms(main, restore);
    focusHeading(main);
    return;
  }
  if (!session.user) {
    const { renderLogin } = await import('./views/login.js');
    if (seq !== renderSeq) return;
    clear(main);
    renderLogin({ main, alive: () => seq === renderSeq });
    return;
  }
  if (session.mustChange) {
    const { renderForcedPasswordChange } = await import('./views/accounts.js');
    if (seq !== renderSeq) return;
    clear(main);
    renderForcedPasswordChange(main);
    focusHeading(main);
    return;
  }
  const { path, query } = parseHash();
  // a role that must use two-step login reaches only its enrolment until done
  if (session.mfaEnrolmentOnly && path !== '/account/mfa') {
    location.replace('#/account/mfa');
    return;
  }
  if (path === '/' || path === '/login') {
    location.replace(homeFor(session.user));
    return;
  }
  let handler = null; let params = []; let roles = null;
  for (const [re, fn, r] of routes) {
    const m = re.exec(path);
    if (m) { handler = fn; params = m.slice(1); roles = r; break; }
  }
  clear(main);
  const ctx = { main, params, query, alive: () => seq === renderSeq };
  if (!handler) {
    if (path === '/home') {
      main.append(h('h1', { tabindex: '-1' }, t('home.title')), h('p', {}, t('home.norole')));
    } else {
      main.append(h('h1', { tabindex: '-1' }, t('notfound.title')),
        h('p', {}, h('a', { href: homeFor(session.user) }, t('notfound.home'))));
    }
    focusHeading(main);
    return;
  }
  if (!can(roles)) {
    main.append(h('h1', { tabindex: '-1' }, t('forbidden.title')), h('p', {}, t('forbidden.text')));
    focusHeading(main);
    return;
  }
  main.append(h('p', { class: 'loading', 'data-testid': 'loading' }, t('loading')));
  try {
    await handler(ctx);
  } catch (err) {
    if (!ctx.alive()) return;
    if (err && err.status === 401) return; // the login screen is already shown
    clear(main);
    main.append(h('h1', { tabindex: '-1' }, t('error.title')),
      h('p', { class: 'alert alert-error', role: 'alert', 'data-testid': 'page-error' }, errorMessage(err)));
    console.error(err);
  }
  if (ctx.alive() && restore) restoreForms(main, restore);
  if (ctx.alive()) focusHeading(main);
}

// Switching the language redraws the page; what was typed in its forms
// (and the record version an edit form started from) is carried over.
function snapshotForms(main) {
  const snap = { hash: location.hash, forms: {} };
  for (const form of main.querySelectorAll('form[id]')) {
    const values = {};
    for (const el of form.elements) if (el.name && 'value' in el) values[el.name] = el.value;
    snap.forms[form.id] = { values, data: { ...form.dataset } };
  }
  return snap;
}

function restoreForms(main, snap) {
  if (snap.hash !== location.hash) return;
  for (const [id, { values, data }] of Object.entries(snap.forms)) {
    const form = main.querySelector(`form[id="${id}"]`);
    if (!form) continue;
    for (const [name, value] of Object.entries(values)) {
      const el = form.elements.namedItem(name);
      if (el && 'value' in el) el.value = value;
    }
    Object.assign(form.dataset, data);
    form.dispatchEvent(new CustomEvent('cc:restored'));
  }
}

// After a route change, move the focus to the page heading so keyboard and
// screen-reader users start at the top of the new content.
// The window's title names the page, whichever element has the focus.
function focusHeading(main) {
  const h1 = main.querySelector('h1');
  // a heading may give a shorter title of its own (data-title)
  if (h1) document.title = t('app.page_title', { page: h1.dataset.title || h1.textContent.replace(/\s+/g, ' ').trim() });
  const active = document.activeElement;
  if (active && active !== document.body && main.contains(active) && active.tagName !== 'H1') return;
  if (h1) { if (!h1.hasAttribute('tabindex')) h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
}

export function updateMenu() { updateChrome(); }

function updateChrome() {
  const logged = Boolean(session.user);
  $('#mainnav').hidden = !logged || Boolean(session.mustChange) || Boolean(session.mfaEnrolmentOnly);
  $('#logout').hidden = !logged;
  $('#nav-mfa').hidden = !logged;
  const who = $('#whoami');
  who.hidden = !logged;
  who.textContent = logged ? `${session.user.username} (${t(`role.${session.user.role}`)})` : '';
  updateSite(logged);
  $('#nav-dashboard').parentElement.hidden = !can(ALL_ROLES);
  $('#nav-patients').parentElement.hidden = !can(PATIENT_ROLES);
  $('#nav-requests').parentElement.hidden = !can(REQUEST_ROLES);
  $('#nav-lab').parentElement.hidden = !can(LAB_READ);
  $('#nav-programmes').parentElement.hidden = !can(PROGRAMME_ROLES);
  $('#nav-bedside').parentElement.hidden = !can(BEDSIDE_READ);
  $('#nav-ae').parentElement.hidden = !can(AE_READ);
  $('#nav-followup').parentElement.hidden = !can(FOLLOWUP_ROLES);
  $('#nav-reports').parentElement.hidden = !can(REPORT_ROLES);
  $('#nav-users').parentElement.hidden = !can(USER_ADMIN);
  $('#nav-security').parentElement.hidden = !can(SECURITY_EVENT_ROLES);
  $('#nav-labsettings').parentElement.hidden = !can(LAB_SETTINGS);
  $('#nav-clinicsettings').parentElement.hidden = !can(CLINIC_SETTINGS);
  $('#nav-sites').parentElement.hidden = !can(SITES_ADMIN);
  $('#nav-account').parentElement.hidden = !can(ALL_ROLES);
  const { path } = parseHash();
  for (const [id, prefix] of [['#nav-dashboard', '/dashboard'], ['#nav-patients', '/patients'], ['#nav-requests', '/requests'], ['#nav-lab', '/lab'], ['#nav-programmes', '/programmes'],
    ['#nav-bedside', '/bedside'], ['#nav-ae', '/adverse-events'], ['#nav-followup', '/follow-up'], ['#nav-reports', '/reports'],
    ['#nav-users', '/users'], ['#nav-security', '/security-events'], ['#nav-labsettings', '/settings/lab'], ['#nav-clinicsettings', '/settings/clinic'], ['#nav-sites', '/settings/sites'], ['#nav-account', '/account']]) {
    const a = $(id);
    if (path.startsWith(prefix)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const offered = languages({ patient: isPatientPage(path) });
  for (const b of document.querySelectorAll('.lang')) {
    b.hidden = !offered.includes(b.dataset.lang);
    b.setAttribute('aria-pressed', String(b.dataset.lang === language()));
  }
  // a patient page takes its title from its heading (focusHeading)
  if (!isPatientPage(path)) document.title = logged ? `cellclinic — ${t('app.subtitle')}` : `cellclinic — ${t('login.title')}`;
}

// The site the session works in: its name, or a picker when the user may
// work in several.
function updateSite(logged) {
  const name = $('#sitename');
  const label = $('#sitepicker-label');
  const picker = $('#sitepicker');
  const several = logged && session.sites.length > 1;
  // a clinic that never gave itself a name (a single site) shows none
  name.hidden = !logged || !session.site || !session.site.name || several;
  name.textContent = session.site ? session.site.name : '';
  // staff words only once a member of the staff is logged in: the patients'
  // pages are in languages the staff catalogue may not have
  name.title = logged ? t('site.current') : '';
  label.hidden = !several;
  if (!several) return;
  clear(picker);
  for (const s of session.sites) {
    picker.append(h('option', { value: s.code, selected: Boolean(session.site && s.code === session.site.code) }, s.name || s.code));
  }
}

async function loadSites() {
  const user = session.user;
  try {
    const { data } = await api('GET', '/sites');
    if (session.user !== user) return; // logged out meanwhile
    session.sites = data.items || [];
    session.site = data.current || session.site;
  } catch { session.sites = []; }
}

// Reads the sites again (after the administrator added or changed one), so
// that the header's picker offers them.
export async function refreshSites() {
  await loadSites();
  updateChrome();
}

async function switchSite(code) {
  try {
    const { data } = await api('POST', '/session/site', { body: { site: code } });
    session.sites = data.items || [];
    session.site = data.current;
    // another site's records are not shown: start again from the dashboard
    navigate('#/dashboard', { text: t('site.switched', { name: session.site.name }), kind: 'ok' });
  } catch (err) {
    flash(errorMessage(err), 'error');
    updateChrome();
  }
}

// What happened to the account since its owner's last login (failed
// passwords, a lock), in the owner's language and local time.
function securityNotice(n) {
  const parts = [n.failed_attempts === 1
    ? t('login.notice.failure', { last: formatDateTime(n.last_failure) })
    : t('login.notice.failures', { count: n.failed_attempts, last: formatDateTime(n.last_failure) })];
  if (n.locked_until) parts.push(t('login.notice.locked', { until: formatDateTime(n.locked_until) }));
  parts.push(t('login.notice.advice'));
  return parts.join(' ');
}

// Called by the login view and at boot with the server's answer. At boot
// the page does not wait for the header's list of sites (the session names
// its site): the header shows the picker when the list comes.
export async function startSession(data, { waitForSites = true } = {}) {
  session.user = data.user;
  session.csrf = data.csrf;
  session.mustChange = Boolean(data.must_change_password);
  session.mfaEnrolmentOnly = Boolean(data.mfa_enrolment_required);
  session.site = data.site || null;
  setCsrf(data.csrf);
  if (data.user && !session.mustChange && !session.mfaEnrolmentOnly) {
    const sites = loadSites();
    if (waitForSites) await sites;
    else sites.then(updateChrome);
  }
  const lang = data.user && data.user.language;
  if (lang && lang !== language()) await setLanguage(lang, { silent: true });
  if (data.security_notice) pendingFlash = { text: securityNotice(data.security_notice), kind: 'error' };
}

export function endSession() {
  session.user = null;
  session.csrf = null;
  session.mustChange = false;
  session.mfaEnrolmentOnly = false;
  session.site = null;
  session.sites = [];
  setCsrf(null);
}

async function logout() {
  try {
    await api('DELETE', '/session', { quiet401: true });
  } catch { /* logged out either way */ }
  endSession();
  pendingFlash = t('logout.done');
  if (location.hash && location.hash !== '#/login') history.replaceState(null, '', '#/login');
  render();
}

async function switchLanguage(lang) {
  if (lang === language()) return;
  await setLanguage(lang);
  if (session.user && !session.mustChange && languages().includes(lang)) {
    try {
      await api('PATCH', '/session/preferences', { body: { language: lang } });
      session.user.language = lang;
    } catch (err) {
      if (err.status !== 401) flash(errorMessage(err), 'error');
    }
  }
}

// One switch button per catalogue; its accessible name is the language's
// name in the interface's language (re-read on each switch).
function languageButtons() {
  const group = $('#langswitch');
  clear(group);
  for (const code of languages({ patient: true })) {
    group.append(h('button', {
      type: 'button', class: 'lang', id: `lang-${code}`, 'data-lang': code, 'data-testid': `lang-${code}`,
      'aria-label': t(`language.${code}`), 'data-i18n-aria-label': `language.${code}`,
    }, code.toUpperCase()));
  }
}

// The module of the page the address names and the views it imports (the
// build lists them in index.html), asked for at boot at once while the
// session and the catalogues load; render finds them loaded.
function preloadView(path) {
  let file = null;
  if (QUESTIONNAIRE.test(path)) file = './views/followup.js';
  else if (path === PUBLIC_REQUEST_PATH) file = './views/public-request.js';
  else file = (routes.find(([re]) => re.test(path)) || [])[1]?.file;
  if (!file) return;
  let deps = {};
  try { deps = JSON.parse($('#module-deps').textContent); } catch { /* served without the list */ }
  for (const dep of deps[file.slice(2)] || []) {
    document.head.append(h('link', { rel: 'modulepreload', href: new URL(`./${dep}`, import.meta.url).href }));
  }
  loadView(file).catch(() => {}); // render reports a failure
}

async function boot() {
  // who is logged in, asked while the catalogues and the page's module load
  const signedIn = api('GET', '/session', { quiet401: true }).then((r) => r.data).catch(() => null);
  preloadView(parseHash().path);
  await initI18n(() => storedLanguage({ patient: isPatientPage(parseHash().path) }));
  languageButtons();
  onUnauthorized(() => {
    if (!session.user) return;
    endSession();
    pendingFlash = t('session.expired');
    render();
  });
  onLanguageChange(() => render(snapshotForms($('#main'))));
  $('#logout').addEventListener('click', logout);
  $('#sitepicker').addEventListener('change', (e) => switchSite(e.target.value));
  for (const b of document.querySelectorAll('.lang')) {
    b.addEventListener('click', () => switchLanguage(b.dataset.lang));
  }
  $('#skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('#main').focus();
  });
  window.addEventListener('hashchange', () => render());
  const data = await signedIn;
  if (data && data.user) await startSession(data, { waitForSites: false });
  render();
}

boot().catch((err) => {
  const main = $('#main');
  clear(main);
  main.append(h('p', { class: 'alert alert-error', role: 'alert' }, `cellclinic: ${err.message}`));
});
