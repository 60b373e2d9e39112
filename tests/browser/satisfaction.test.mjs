// The outcome report page's satisfaction table, on the demo's
// synthetic SCI cohort: for each time point the response line "answered x /
// asked y / treated z" stands ABOVE the table, its numbers are the API's, and
// the demo shows every denominator (asked and not answered, "not applicable").
import assert from 'node:assert/strict';
import { run, login, toFrench, scrollThroughReport } from './harness.mjs';

const DEMO_PATIENTS = 200;

await run([
  ['the report page shows the response line above the satisfaction table, EN and FR', async ({ page, server }) => {
    const api = await server.client();
    const r = await api.request('GET', '/api/v1/reports/outcomes?protocol=sci');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const sat = r.body.satisfaction;
    assert.ok(sat && sat.timepoints.length === 4, 'the SCI report has a satisfaction section');
    // The demo's data exercise every denominator.
    const m1 = sat.timepoints[0];
    assert.ok(m1.answered > 0 && m1.asked > m1.answered && m1.treated >= m1.asked,
      `demo month-1: answered ${m1.answered} < asked ${m1.asked} <= treated ${m1.treated}`);
    assert.ok(m1.not_answered.visit_done > 0, 'some demo patients were asked at a done visit and did not answer');
    assert.ok(m1.items.some((it) => it.not_applicable > 0), 'some demo answers are "not applicable"');

    await login(page, server);
    await page.goto('/#/reports/outcomes?protocol=sci');
    await scrollThroughReport(page);
    const section = page.getByTestId('report-satisfaction');
    await section.waitFor();
    const lines = section.getByTestId('satisfaction-response');
    const tables = section.getByTestId('satisfaction-table');
    assert.equal(await lines.count(), sat.timepoints.length);
    assert.equal(await tables.count(), sat.timepoints.length);
    for (const [i, p] of sat.timepoints.entries()) {
      const text = await lines.nth(i).innerText();
      assert.ok(text.startsWith(`Answered ${p.answered} / asked ${p.asked} / treated ${p.treated}`), text);
      const above = await lines.nth(i).evaluate((el, k) => {
        const table = document.querySelectorAll('[data-testid="satisfaction-table"]')[k];
        return Boolean(el.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING);
      }, i);
      assert.ok(above, `time point ${p.label}: the response line comes before its table`);
    }
    // month-1's table: one row per option plus one counts row per item; free text never shown
    const rows = tables.first().locator('tbody tr');
    const want = m1.items.reduce((n, it) => n + it.options.length + 1, 0);
    assert.equal(await rows.count(), want);
    const motor = m1.items.find((it) => it.item === 'change_motor');
    assert.match(await tables.first().innerText(),
      new RegExp(`${motor.answered} / ${motor.not_applicable} / ${motor.skipped} / ${motor.unreadable}`));
    assert.doesNotMatch(await section.innerText(), /Comments/);
    const top = section.getByTestId('satisfaction-top-box').first();
    assert.equal(await top.locator('tbody tr').count(), m1.items.filter((it) => it.top_box).length);
    const s = m1.items.find((it) => it.item === 'satisfaction').top_box;
    assert.match(await top.locator('tbody tr').first().innerText(),
      new RegExp(`${s.of_answered.x} / ${s.of_answered.n}.*${s.of_asked.x} / ${s.of_asked.n}.*${s.of_treated.x} / ${s.of_treated.n}`, 's'));

    await toFrench(page);
    await scrollThroughReport(page);
    await page.getByTestId('report-satisfaction').waitFor();
    await page.getByText('Satisfaction et efficacité perçue').waitFor();
    assert.ok((await page.getByTestId('satisfaction-response').first().innerText())
      .startsWith(`Répondu ${m1.answered} / interrogés ${m1.asked} / traités ${m1.treated}`));
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],
], { demo: DEMO_PATIENTS });
