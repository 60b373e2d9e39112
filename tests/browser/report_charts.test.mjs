// The outcome report's charts on the report page, on demonstration
// data (synthetic treated patients with follow-up and adverse events): each
// chart is an image drawn by the server, under its table, loaded with the
// session cookie, with a text alternative made from the report's numbers, in
// English and in French.
import assert from 'node:assert/strict';
import { run, login } from './harness.mjs';

async function charts(page) {
  await page.getByTestId('report-chart-ae').waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('.report-chart img')].every((i) => i.complete));
  return page.locator('.report-chart img').evaluateAll((list) => {
    // the test id of the table just before the figure (tables sit in a scrolling wrapper)
    const tableBefore = (fig) => {
      const prev = fig.previousElementSibling;
      return prev?.dataset.testid || prev?.querySelector('table')?.dataset.testid;
    };
    return list.map((i) => ({
    w: i.naturalWidth, h: i.naturalHeight, alt: i.alt, src: i.getAttribute('src'),
    figure: i.closest('figure').dataset.testid, after: tableBefore(i.closest('figure')),
    }));
  });
}

await run([
  ['report charts: trajectories per measure and adverse events, loaded, with their alt text', async ({ page, server }) => {
    const api = await server.client();
    const { body: rep } = await api.request('GET', '/api/v1/reports/outcomes?protocol=sci');
    assert.ok(rep.flow.treated > 0 && rep.measures.length > 0, 'the demo has treated patients with measures');
    await login(page, server);
    await page.goto('/#/reports/outcomes?protocol=sci');
    const imgs = await charts(page);
    const want = rep.measures.length + (rep.ais ? 1 : 0) + 1;
    assert.equal(imgs.length, want);
    for (const img of imgs) assert.ok(img.w > 0 && img.h > 0, `chart loaded: ${img.src}`);
    rep.measures.forEach((m, i) => {
      const img = imgs.filter((x) => x.figure === 'report-chart-trajectory')[i];
      assert.equal(img.src, `/api/v1/reports/outcomes/chart?protocol=sci&kind=trajectory&measure=${i}`);
      assert.equal(img.after, 'report-measure', 'each trajectory chart stands under its table');
      assert.ok(img.alt.includes(`${m.instrument} — ${m.score}: ${m.trajectories.drawn} of ${m.trajectories.of} patients drawn`),
        img.alt);
      assert.ok(img.alt.includes(`(${m.timepoints[0].n} / ${m.timepoints[0].due})`), img.alt);
    });
    const ae = imgs.find((x) => x.figure === 'report-chart-ae');
    assert.equal(ae.after, 'report-ae');
    assert.ok(ae.alt.includes(`among ${rep.adverse_events.treated} treated patients`), ae.alt);
    for (const row of rep.adverse_events.rows) {
      assert.ok(ae.alt.includes(`${row.term} grade ${row.grade} ${row.patients.x} / ${rep.adverse_events.treated}`), ae.alt);
    }
    // in French
    await page.getByTestId('lang-fr').click();
    await page.waitForFunction(() => document.querySelector('.report-chart img')?.alt.startsWith('Graphique'));
    const fr = await charts(page);
    assert.equal(fr.length, want);
    assert.match(fr[0].alt, /patients sur \d+ tracés/);
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],
], { demo: 100 });
