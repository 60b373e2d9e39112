// Synthetic demonstration data is marked as such everywhere; the interface is
// usable with the keyboard alone and fits a tablet screen.
import assert from 'node:assert/strict';
import { run, login, ADMIN_USER } from './harness.mjs';

const DEMO_PATIENTS = 60;

await run([
  ['synthetic records carry a SYNTHETIC / SYNTHÉTIQUE badge', async ({ page, server }) => {
    await login(page, server);
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patients-table').waitFor();
    const rows = page.getByTestId('patient-row');
    assert.equal(await rows.count(), 25);
    assert.equal(await page.getByTestId('patients-table').getByTestId('synthetic-badge').count(), 25);
    assert.equal(await page.getByTestId('synthetic-badge').first().textContent(), 'SYNTHETIC');
    assert.match(await page.getByTestId('pager-info').textContent(), new RegExp(`Page 1 of 3 \\(${DEMO_PATIENTS} in all\\)`));
    // The patient page.
    await rows.first().getByTestId('patient-link').click();
    await page.getByTestId('patient-name').waitFor();
    assert.equal(await page.getByTestId('synthetic-badge').count(), 1);
    assert.ok(await page.getByTestId('weight-row').count() >= 1, 'demo patients have a weight');
    assert.ok(await page.getByTestId('condition-row').count() >= 1, 'demo patients have a condition');
    // In French.
    await page.getByTestId('lang-fr').click();
    await page.getByText('SYNTHÉTIQUE').first().waitFor();
    // The inbox.
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('requests-table').waitFor();
    const reqRows = await page.getByTestId('request-row').count();
    assert.ok(reqRows >= 1, 'demo requests are listed');
    assert.equal(await page.getByTestId('requests-table').getByTestId('synthetic-badge').count(), reqRows);
    await page.getByTestId('request-link').first().click();
    await page.getByTestId('request-title').waitFor();
    assert.equal(await page.getByTestId('synthetic-badge').textContent(), 'SYNTHÉTIQUE');
    const api = await server.client();
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],

  ['keyboard only: log in, search, open a patient', async ({ page, server }) => {
    await page.goto('/');
    await page.getByTestId('login-form').waitFor();
    // The user name field has the focus; Tab goes to the password; Enter submits.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-username');
    await page.keyboard.type(ADMIN_USER);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password');
    await page.keyboard.type('wrong password');
    await page.keyboard.press('Enter');
    await page.getByTestId('login-error').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'login-password', 'focus back on the password');
    await page.keyboard.type(server.adminPassword);
    await page.keyboard.press('Enter');
    // The landing page is the dashboard; the patient list is in the navigation.
    await page.getByTestId('dash-title').waitFor();
    // The skip link is the first stop and leads into the page.
    // Start from the top of the document, as after loading a page.
    await page.evaluate(() => {
      document.body.setAttribute('tabindex', '-1');
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-link');
    // Focus is visible (an outline is drawn).
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    // Reach the navigation's patient list by tabbing and open it with Enter.
    let found = false;
    for (let i = 0; i < 20 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement.id === 'nav-patients');
    }
    assert.ok(found, 'the patient list in the navigation is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('patients-table').waitFor();
    // Reach the search field by tabbing, type, Enter.
    found = false;
    for (let i = 0; i < 20 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement.id === 'patient-search');
    }
    assert.ok(found, 'the search field is reachable with Tab');
    const first = await page.getByTestId('patient-row').first().locator('td').nth(1).textContent();
    const name = first.replace('SYNTHETIC', '').trim();
    await page.keyboard.type(name);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => [...document.querySelectorAll('[data-testid="patient-row"]')]
      .every((r) => r.textContent.toLowerCase().includes(n.toLowerCase())), name);
    // Tab to the first patient link and open it with Enter.
    found = false;
    for (let i = 0; i < 20 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement.dataset.testid === 'patient-link');
    }
    assert.ok(found, 'the patient link is reachable with Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('patient-name').waitFor();
  }],

  ['fits a tablet screen without sideways scrolling', async ({ page, server }) => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await login(page, server);
    const check = async (what) => {
      const { sw, iw } = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth, iw: window.innerWidth }));
      assert.ok(sw <= iw, `${what}: page is ${sw}px wide in a ${iw}px window`);
    };
    await page.getByTestId('dash-title').waitFor();
    await check('dashboard');
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patients-table').waitFor();
    await check('patient list');
    await page.getByTestId('patient-link').first().click();
    await page.getByTestId('patient-name').waitFor();
    await check('patient page');
    await page.getByTestId('edit-patient').click();
    await page.getByTestId('patient-form').waitFor();
    await check('edit form');
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('requests-table').waitFor();
    await check('inbox');
    await page.getByTestId('request-link').first().click();
    await page.getByTestId('convert-form').waitFor();
    await check('request page');
    // Buttons are large enough to touch.
    const h = await page.getByTestId('convert-submit').evaluate((b) => b.getBoundingClientRect().height);
    assert.ok(h >= 40, `button height ${h}px`);
  }],

  ['printing a patient page shows the record, not the controls', async ({ page, server }) => {
    await login(page, server);
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-link').first().click();
    await page.getByTestId('patient-name').waitFor();
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('#topbar').isVisible(), false);
    assert.equal(await page.getByTestId('weight-form').isVisible(), false);
    assert.equal(await page.getByTestId('edit-patient').isVisible(), false);
    assert.equal(await page.getByTestId('patient-facts').isVisible(), true);
    assert.equal(await page.getByTestId('synthetic-badge').isVisible(), true);
    assert.match(await page.getByTestId('printed-by').textContent(), /Printed .* by admin/);
    assert.equal(await page.getByTestId('printed-by').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
    assert.equal(await page.getByTestId('printed-by').isVisible(), false);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4' }).catch(() => null);
    if (pdf) assert.ok(pdf.length > 1000, 'a PDF is produced');
  }],

  ['a nurse sees patients and records weights, but no inbox and no new patient', async ({ page, server }) => {
    const api = await server.client();
    const pw = 'Nurse-password-2026!';
    const r = await api.request('POST', '/api/v1/users', { username: 'nina', role: 'nurse', password: pw });
    assert.ok(r.status === 201 || r.status === 200, `create nurse: ${r.status} ${JSON.stringify(r.body)}`);
    await login(page, server, 'nina', pw);
    await page.getByTestId('dash-title').waitFor();
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patients-table').waitFor();
    assert.match(await page.getByTestId('whoami').textContent(), /nina \(nurse\)/);
    assert.equal(await page.getByTestId('nav-requests').isVisible(), false);
    assert.equal(await page.getByTestId('new-patient').count(), 0);
    await page.getByTestId('patient-link').first().click();
    await page.getByTestId('patient-name').waitFor();
    assert.equal(await page.getByTestId('edit-patient').count(), 0, 'nurses do not edit demographics');
    assert.equal(await page.getByTestId('condition-form').count(), 0, 'nurses do not add conditions');
    await page.getByTestId('weight-form').waitFor();
    // Typing the inbox address shows a clear refusal.
    await page.goto('/#/requests');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  }],

  ['an ended session leads to the login form and back to the same page', async ({ page, context, server }) => {
    await login(page, server);
    await page.getByTestId('nav-patients').click();
    await page.getByTestId('patient-link').first().click();
    await page.getByTestId('patient-name').waitFor();
    const url = page.url();
    await context.clearCookies();
    await page.getByTestId('nav-requests').click();
    await page.getByTestId('login-form').waitFor();
    assert.match(await page.getByTestId('flash').textContent(), /session has ended/);
    await page.locator('#login-username').fill('admin');
    await page.locator('#login-password').fill(server.adminPassword);
    await page.locator('#login-password').press('Enter');
    await page.getByTestId('requests-table').waitFor();
    await page.goto(url);
    await page.getByTestId('patient-name').waitFor();
  }],
], { demo: DEMO_PATIENTS });
