// Biovigilance through the interface, in French: a nurse has reported a
// fever needing hospitalisation, possibly linked to the cells, that the clinic
// learned of 30 hours ago. The quality manager sees on the adverse-event list
// that the rapid notification to the competent authority is overdue, opens the
// event, sees both biovigilance deadlines (notification, conclusions) beside
// the initial report, records the notification sent with the authority's
// reference, and sees who sent it, when, and the reference; nothing on the
// page is English, a code or a UTC instant.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage } from './harness.mjs';

const PASSWORD = 'biovigilance-browser-password-1';
// a date and time as the French page writes them: 4 déc. 2026, 20:13
const WHEN = String.raw`\d{1,2} \S+ \d{4}, \d\d:\d\d`;
const iso = (hoursAgo) => new Date(Date.now() - hoursAgo * 3600e3).toISOString().slice(0, 19) + 'Z';

async function ok(c, method, p, body, want) {
  const r = await c.request(method, `/api/v1${p}`, body);
  assert.equal(r.status, want, `${method} ${p}: ${JSON.stringify(r.body)}`);
  return r.body;
}

await run([
  ['the quality manager sees the biovigilance notification overdue and records it sent, in French', async ({ page, server }) => {
    const admin = await server.client();
    for (const [username, role] of [['coordinator1', 'coordinator'], ['nurse1', 'nurse'], ['qa1', 'qa']]) {
      await ok(admin, 'POST', '/users', { username, role, password: PASSWORD }, 201);
    }
    const coordinator = await server.client('coordinator1', PASSWORD);
    const nurse = await server.client('nurse1', PASSWORD);
    const p = await ok(coordinator, 'POST', '/patients', { family_name: 'Biovigilance', given_names: 'Jeanne',
      birth_date: '1979-06-12', sex: 'female', language: 'fr', confirm_duplicate: true }, 201);
    await ok(nurse, 'POST', '/adverse-events', { patient_id: p.id, term: 'fever', grade: 3, onset_at: iso(32),
      aware_at: iso(30), seriousness: ['hospitalisation'], related_product: 'possible', related_procedure: 'unlikely',
      expectedness: 'expected', description: 'Fièvre à 40,2 °C six heures après la perfusion' }, 201);

    await login(page, server, 'qa1', PASSWORD);
    await toFrench(page);
    await page.getByTestId('nav-ae').click();
    const alert = page.getByTestId('ae-overdue');
    await alert.waitFor();
    assert.match(await alert.textContent(), new RegExp(`${p.mrn}.*Fièvre.*Biovigilance : notification rapide.*EN RETARD`));
    await alert.locator('a', { hasText: 'Biovigilance' }).first().click();

    const notify = page.locator('[data-testid="ae-deadline"][data-kind="biovigilance_notification"]');
    await notify.waitFor();
    assert.match(await page.getByTestId('ae-biovigilance').textContent(), /autorité compétente est notifiée sans délai/);
    assert.match(await notify.textContent(), new RegExp(`Biovigilance : notification rapide à l’autorité compétente · ${WHEN} · EN RETARD`));
    const conclusion = page.locator('[data-testid="ae-deadline"][data-kind="biovigilance_conclusion"]');
    assert.match(await conclusion.textContent(), new RegExp(`Biovigilance : conclusions de l’enquête · ${WHEN} · à faire`));
    assert.match(await page.locator('[data-testid="ae-deadline"][data-kind="initial"]').textContent(), /Déclaration initiale/);
    assertFrenchPage(await page.locator('main').innerText(), [/\bReport\b/, /\bdeadline/i, /\bOVERDUE\b/, /\bsent\b/],
      'the event with its biovigilance deadlines');

    await page.getByTestId('sent-biovigilance_notification-reference').fill('ANSM-BV-2026-0042');
    await page.getByTestId('sent-submit-biovigilance_notification').click();
    const sent = page.locator('[data-testid="ae-deadline"][data-kind="biovigilance_notification"] [data-testid="ae-deadline-sent"]');
    await sent.waitFor();
    assert.match(await sent.textContent(), new RegExp(`envoyée par qa1 le ${WHEN} · référence ANSM-BV-2026-0042`));
    assert.match(await page.locator('[data-testid="ae-deadline"][data-kind="biovigilance_notification"]').textContent(),
      /envoyée en retard/);
    assert.equal(await page.getByTestId('sent-form-biovigilance_notification').count(), 0, 'recorded once: no form left');
    assert.equal(await page.getByTestId('sent-form-biovigilance_conclusion').count(), 1, 'the conclusions are still to send');
    assertFrenchPage(await page.locator('main').innerText(), [/\bReport\b/, /\bsent by\b/, /\breference\b/],
      'the event after the notification');

    // the list no longer shows this notification among the late ones
    await page.getByTestId('nav-ae').click();
    await page.getByTestId('ae-filter').waitFor();
    const left = await page.getByTestId('ae-overdue').count() ? await page.getByTestId('ae-overdue').textContent() : '';
    assert.doesNotMatch(left, /Biovigilance : notification rapide/);
  }],
]);
