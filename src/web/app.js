// cellclinic web interface: boot, session, navigation and the hash router.
import { h, $, clear } from './dom.js';
import { api, setCsrf, onUnauthorized } from './api.js';
import {
  initI18n, setLanguage, language, languages, onLanguageChange, storedLanguage, t, formatDateTime,
} from './i18n.js';
import { flash, errorMessage } from './ui.js';
import { session } from './state.js';
import { renderLogin } from './views/login.js';
import { renderPatientList } from './views/patients.js';
import { renderPatientView } from './views/patient.js';
import { renderPatientForm } from './views/patient-form.js';
import { renderRequestList, renderRequestView } from './views/requests.js';
import { labRoutes, LAB_READ } from './views/lab.js';
// programmes
import {
  PROGRAMME_ROLES, renderProgrammes, renderScreeningForm, renderScreening, renderPlanBuilder, renderPlan, renderPlanPrint,
} from './views/programmes.js';
// bedside and adverse events
import { BEDSIDE_READ, BEDSIDE_GIVE, renderWorklist, renderGive, renderAdministration, renderWristband } from './views/bedside.js';
import { AE_READ, AE_WRITE, renderAeList, renderAeForm, renderAe } from './views/adverse.js';
// follow-up, outcome report, the patient's questionnaire page
import {
  FOLLOWUP_ROLES, REPORT_ROLES, renderFollowupList, renderVisit, renderOutcomeReport, renderQuestionnaire,
} from './views/followup.js';
// the dashboard, the landing page of every role
import { renderDashboard } from './views/dashboard.js';
// user accounts and one's own account
import { USER_ADMIN, renderUsers, renderAccount, renderForcedPasswordChange } from './views/accounts.js';
// the user's own two-step login
import { renderMfa } from './views/mfa.js';
// who read which patient's data
import { ACCESS_LOG_ROLES, renderAccessLog } from './views/access-log.js';
// failed logins, lockouts and other security events
import { SECURITY_EVENT_ROLES, renderSecurityEvents } from './views/security-events.js';
// the laboratory's settings (facility, donor-testing panels, post-thaw limits)
import { LAB_SETTINGS, renderLabSettings } from './views/lab-settings.js';
// the clinic's name and the public address of patient links
import { CLINIC_SETTINGS, renderClinicSettings } from './views/clinic-settings.js';
// the patient's stay as a timeline
import { TIMELINE_ROLES, renderTimeline } from './views/timeline.js';
// the public consultation request page the clinic's website links to
import { PUBLIC_REQUEST_PATH, renderPublicRequest } from './views/public-request.js';

const PATIENT_ROLES = ['admin', 'coordinator', 'physician', 'nurse'];
const REQUEST_ROLES = ['admin', 'coordinator'];

const ALL_ROLES = ['admin', 'coordinator', 'physician', 'nurse', 'lab', 'qa', 'analyst'];

const routes = [
  [/^\/dashboard$/, renderDashboard, ALL_ROLES],
  [/^\/patients$/, renderPatientList, PATIENT_ROLES],
  [/^\/patients\/new$/, (ctx) => renderPatientForm(ctx, null), ['admin', 'coordinator']],
  [/^\/patients\/(\d+)$/, (ctx) => renderPatientView(ctx, ctx.params[0]), PATIENT_ROLES],
  [/^\/patients\/(\d+)\/timeline$/, (ctx) => renderTimeline(ctx, ctx.params[0]), TIMELINE_ROLES],
  [/^\/patients\/(\d+)\/edit$/, (ctx) => renderPatientForm(ctx, ctx.params[0]), ['admin', 'coordinator', 'physician']],
  [/^\/requests$/, renderRequestList, REQUEST_ROLES],
  [/^\/requests\/(\d+)$/, (ctx) => renderRequestView(ctx, ctx.params[0]), REQUEST_ROLES],
  ...labRoutes,
  // programmes
  [/^\/programmes$/, renderProgrammes, PROGRAMME_ROLES],
  [/^\/patients\/(\d+)\/screening$/, (ctx) => renderScreeningForm(ctx, ctx.params[0]), ['admin', 'physician', 'nurse']],
  [/^\/screenings\/(\d+)$/, (ctx) => renderScreening(ctx, ctx.params[0]), PROGRAMME_ROLES],
  [/^\/patients\/(\d+)\/plan$/, (ctx) => renderPlanBuilder(ctx, ctx.params[0]), ['admin', 'coordinator', 'physician']],
  [/^\/plans\/(\d+)$/, (ctx) => renderPlan(ctx, ctx.params[0]), PROGRAMME_ROLES],
  [/^\/plans\/(\d+)\/print$/, (ctx) => renderPlanPrint(ctx, ctx.params[0]), PROGRAMME_ROLES],
  // bedside and adverse events
  [/^\/bedside$/, renderWorklist, BEDSIDE_READ],
  [/^\/bedside\/give\/(\d+)\/(\d+)$/, (ctx) => renderGive(ctx, ctx.params[0], ctx.params[1]), BEDSIDE_GIVE],
  [/^\/administrations\/(\d+)$/, (ctx) => renderAdministration(ctx, ctx.params[0]), BEDSIDE_READ],
  [/^\/patients\/(\d+)\/wristband$/, (ctx) => renderWristband(ctx, ctx.params[0]), BEDSIDE_READ],
  [/^\/adverse-events$/, renderAeList, AE_READ],
  [/^\/adverse-events\/new$/, renderAeForm, AE_WRITE],
  [/^\/adverse-events\/(\d+)$/, (ctx) => renderAe(ctx, ctx.params[0]), AE_READ],
  // follow-up and the outcome report
  [/^\/follow-up$/, renderFollowupList, FOLLOWUP_ROLES],
  [/^\/follow-up\/(\d+)$/, (ctx) => renderVisit(ctx, ctx.params[0]), FOLLOWUP_ROLES],
  [/^\/reports\/outcomes$/, renderOutcomeReport, REPORT_ROLES],
  // user accounts
  [/^\/users$/, renderUsers, USER_ADMIN],
  [/^\/account$/, renderAccount, ALL_ROLES],
  [/^\/account\/mfa$/, renderMfa, ALL_ROLES],
  [/^\/access-log$/, renderAccessLog, ACCESS_LOG_ROLES],
  [/^\/security-events$/, renderSecurityEvents, SECURITY_EVENT_ROLES],
  [/^\/settings\/lab$/, renderLabSettings, LAB_SETTINGS],
  [/^\/settings\/clinic$/, renderClinicSettings, CLINIC_SETTINGS],
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

export async function render(restore = null) {
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
    await renderQuestionnaire(main, qm[1]);
    focusHeading(main);
    return;
  }
  // nor does the public consultation request page
  if (parseHash().path === PUBLIC_REQUEST_PATH) {
    clear(main);
    renderPublicRequest(main);
    if (restore) restoreForms(main, restore);
    focusHeading(main);
    return;
  }
  if (!session.user) {
    clear(main);
    renderLogin({ main, alive: () => seq === renderSeq });
    return;
  }
  if (session.mustChange) {
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
  $('#nav-account').parentElement.hidden = !can(ALL_ROLES);
  const { path } = parseHash();
  for (const [id, prefix] of [['#nav-dashboard', '/dashboard'], ['#nav-patients', '/patients'], ['#nav-requests', '/requests'], ['#nav-lab', '/lab'], ['#nav-programmes', '/programmes'],
    ['#nav-bedside', '/bedside'], ['#nav-ae', '/adverse-events'], ['#nav-followup', '/follow-up'], ['#nav-reports', '/reports'],
    ['#nav-users', '/users'], ['#nav-security', '/security-events'], ['#nav-labsettings', '/settings/lab'], ['#nav-clinicsettings', '/settings/clinic'], ['#nav-account', '/account']]) {
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

// Called by the login view and at boot with the server's answer.
export async function startSession(data) {
  session.user = data.user;
  session.csrf = data.csrf;
  session.mustChange = Boolean(data.must_change_password);
  session.mfaEnrolmentOnly = Boolean(data.mfa_enrolment_required);
  setCsrf(data.csrf);
  const lang = data.user && data.user.language;
  if (lang && lang !== language()) await setLanguage(lang, { silent: true });
  if (data.security_notice) pendingFlash = { text: securityNotice(data.security_notice), kind: 'error' };
}

export function endSession() {
  session.user = null;
  session.csrf = null;
  session.mustChange = false;
  session.mfaEnrolmentOnly = false;
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

async function boot() {
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
  for (const b of document.querySelectorAll('.lang')) {
    b.addEventListener('click', () => switchLanguage(b.dataset.lang));
  }
  $('#skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    $('#main').focus();
  });
  window.addEventListener('hashchange', () => render());
  try {
    const { data } = await api('GET', '/session', { quiet401: true });
    if (data && data.user) await startSession(data);
  } catch { /* not logged in */ }
  render();
}

boot().catch((err) => {
  const main = $('#main');
  clear(main);
  main.append(h('p', { class: 'alert alert-error', role: 'alert' }, `cellclinic: ${err.message}`));
});
