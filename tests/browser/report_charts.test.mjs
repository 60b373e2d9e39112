// The outcome report's charts on the report page, on demonstration
// data (synthetic treated patients with follow-up and adverse events): each
// chart is an image drawn by the server, under its table, loaded with the
// session cookie, with a text alternative made from the report's numbers, in
// English and in French.
import assert from 'node:assert/strict';
import { run, login, toFrench, assertFrenchPage, scrollThroughReport, pageDrawn } from './harness.mjs';

async function charts(page) {
  await page.getByTestId('report-chart-ae').waitFor();
  // each measure's table and chart are drawn, and its chart loads, when the reader scrolls to them
  await scrollThroughReport(page);
  const figures = page.locator('.report-chart img');
  for (let i = 0; i < await figures.count(); i++) await figures.nth(i).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => [...document.querySelectorAll('.report-chart img')].every((i) => i.complete && i.naturalWidth > 0));
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
    // terms by their names, as the adverse-event form shows them
    const { body: list } = await api.request('GET', '/api/v1/adverse-events/terms');
    assert.ok(rep.adverse_events.rows.length > 0, 'the demo cohort has adverse events');
    for (const row of rep.adverse_events.rows) {
      const name = list.terms.find((x) => x.code === row.term).en;
      assert.ok(ae.alt.includes(`${name} grade ${row.grade} ${row.patients.x} / ${rep.adverse_events.treated}`), `${ae.alt}\n${JSON.stringify(row)}`);
    }
    // in French
    await page.getByTestId('lang-fr').click();
    await page.waitForFunction(() => document.querySelector('.report-chart img')?.alt.startsWith('Graphique'));
    const fr = await charts(page);
    assert.equal(fr.length, want);
    assert.match(fr[0].alt, /patients sur \d+ tracés/);
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],
  ['report page as analyst, in French: small groups not shown, with the note in French', async ({ page, server }) => {
    const admin = await server.client();
    const password = 'Analyst-browser-pw-1';
    const made = await admin.request('POST', '/api/v1/users', { username: 'analyst9', role: 'analyst', password });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const api = await server.client('analyst9', password);
    // the analyst's report: counts under 5 left out (null), the objects naming them
    const { body: rep } = await api.request('GET', '/api/v1/reports/outcomes?protocol=sci');
    assert.equal(rep.suppression.min_group, 5);
    const hidden = JSON.stringify(rep).match(/"suppressed_below":5/g) || [];
    assert.ok(hidden.length > 0, 'the demo cohort has groups of fewer than 5 patients');
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'fr' });
    await login(page, server, 'analyst9', password);
    await page.goto('/#/reports/outcomes?protocol=sci');
    const note = page.getByTestId('report-suppression');
    await note.waitFor();
    assert.equal(await note.textContent(),
      'Moins de 5 patients : non affiché (noté <5). Des groupes aussi petits pourraient désigner un patient.');
    // only patients with a research consent are counted (H15), and the page says how many were left out
    const rc = rep.research_consent;
    assert.equal(rc.required, true);
    const consentNote = await page.getByTestId('report-research-consent').textContent();
    const counted = 'Seuls les patients qui ont consenti à l’utilisation de leurs données pour la recherche sont comptés';
    // a count under the threshold reads <5 like every other one
    assert.equal(consentNote, `${counted} : ${rc.left_out === null ? '<5' : rc.left_out} écartés faute de ce consentement.`);
    await scrollThroughReport(page);
    const text = await page.getByTestId('report').textContent();
    assert.ok(text.includes('<5'), 'a left-out count reads <5');
    assert.ok(!/null|undefined|NaN/.test(text), 'no raw null, undefined or NaN on the page');
  }],
  ['in French: no chart draws an interval beyond its instrument\'s range; a cut interval is said', async ({ page, server }) => {
    const api = await server.client();
    const { body: rep } = await api.request('GET', '/api/v1/reports/outcomes?protocol=sci');
    const crosses = (m) => Boolean(m.range) && m.timepoints.some((c) => c.ci && c.ci.low !== null && c.ci.high !== null
      && (c.ci.low < m.range.min || c.ci.high > m.range.max));
    // a count such as the satisfaction domains rated has no scale of its own
    assert.ok(rep.measures.filter((m) => m.range).every((m) => m.range.min < m.range.max));
    const lems = rep.measures.find((m) => m.instrument === 'isncsci' && m.score === 'lems');
    assert.deepEqual(lems.range, { min: 0, max: 50 });
    const cut = rep.measures.map(crosses);
    assert.ok(cut.some(Boolean), 'the small demo cohort has an interval crossing its scale');
    await login(page, server);
    await toFrench(page);
    await page.goto('/#/reports/outcomes?protocol=sci');
    await charts(page);
    const figures = page.getByTestId('report-chart-trajectory');
    assert.equal(await figures.count(), rep.measures.length);
    for (const [i, m] of rep.measures.entries()) {
      const fig = figures.nth(i);
      const note = fig.getByTestId('report-chart-cut');
      assert.equal(await note.count(), cut[i] ? 1 : 0, `${m.instrument} ${m.score}: a note only when an interval is cut`);
      if (cut[i]) {
        const text = await note.innerText();
        assert.match(text, /^Le graphique coupe à la limite de l’échelle \(\d+ à \d+\) chaque IC à 95 % qui la dépasse\.$/);
        assertFrenchPage(text, [/\bcut\b/, /\bscale\b/], 'the chart note');
        assert.ok((await fig.locator('img').getAttribute('alt')).endsWith(text), 'the text alternative says it too');
      }
      // the drawing's own numbers (its SVG title, in the reader's French) stay within the range
      const svg = await page.evaluate(async (src) => (await fetch(src, { credentials: 'same-origin' })).text(),
        await fig.locator('img').getAttribute('src'));
      const title = /<title>([^<]*)<\/title>/.exec(svg)[1];
      assert.ok(title.startsWith('Graphique de '), `${m.score}: the drawing's text in French: ${title}`);
      const ends = m.range ? [...title.matchAll(/\((-?\d+(?:,\d+)?) à (-?\d+(?:,\d+)?)/g)] : [];
      assert.ok(!m.range || ends.length > 0, `${m.score}: the drawing gives its intervals: ${title}`);
      for (const [, lo, hi] of ends) {
        const n = (x) => Number(x.replace(',', '.'));
        assert.ok(n(lo) >= m.range.min && n(hi) <= m.range.max, `${m.score}: ${lo} à ${hi} within the scale: ${title}`);
      }
      assert.equal(title.includes('coupé à la limite de l’échelle'), cut[i], `${m.score}: the drawing says where it cut: ${title}`);
    }
    await api.request('PATCH', '/api/v1/session/preferences', { language: 'en' });
  }],
  ['a measure far below is drawn when scrolled to, its chart described before; printing draws every table and chart', async ({ page, server }) => {
    const api = await server.client();
    const { body: rep } = await api.request('GET', '/api/v1/reports/outcomes?protocol=sci');
    const last = rep.measures.length - 1;
    const name = `${rep.measures[last].instrument} — ${rep.measures[last].score}`;
    await login(page, server);
    await page.goto('/#/reports/outcomes?protocol=sci');
    await pageDrawn(page);
    // every heading is on the page at once (find in page, the outline), the last measure's table not yet
    const headings = await page.getByTestId('report').locator('h2').allTextContents();
    for (const m of rep.measures) assert.ok(headings.includes(`${m.instrument} — ${m.score}`), `heading of ${m.instrument} ${m.score}`);
    const part = page.locator('.report-part').filter({ has: page.getByRole('heading', { name, exact: true }) });
    assert.equal(await part.count(), 1);
    assert.ok((await part.boundingBox()).y > 900 * 3, 'the last measure is screens below the first');
    assert.equal(await part.getByTestId('report-measure').count(), 0, 'not drawn before the reader comes near');
    // meanwhile its chart's text alternative is there for a screen reader
    const waiting = await part.getByTestId('report-pending').textContent();
    assert.ok(waiting.includes(`${name}: ${rep.measures[last].trajectories.drawn} of ${rep.measures[last].trajectories.of} patients drawn`), waiting);
    await part.scrollIntoViewIfNeeded();
    await part.getByTestId('report-measure').waitFor();
    const fig = part.getByTestId('report-chart-trajectory');
    await fig.locator('img').waitFor();
    assert.equal(await fig.locator('img').getAttribute('alt'), waiting, 'the same text alternative on the chart');
    assert.equal(await fig.locator('img').getAttribute('src'),
      `/api/v1/reports/outcomes/chart?protocol=sci&kind=trajectory&measure=${last}`);
    assert.equal(await part.getByTestId('report-pending').count(), 0);
    // printed from the top of the page: every part drawn first
    await page.goto('about:blank');
    await page.goto('/#/reports/outcomes?protocol=sci');
    await pageDrawn(page);
    assert.ok(await page.getByTestId('report-pending').count() > 0, 'parts wait below the first screen');
    await page.emulateMedia({ media: 'print' });
    await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
    assert.equal(await page.getByTestId('report-pending').count(), 0, 'nothing left undrawn in print');
    assert.equal(await page.getByTestId('report-measure').count(), rep.measures.length);
    assert.equal(await page.getByTestId('report-chart-trajectory').count(), rep.measures.length);
    assert.equal(await page.getByTestId('report-chart-ais').count(), rep.ais ? 1 : 0);
    assert.equal(await page.getByTestId('report-satisfaction').count(), rep.satisfaction ? 1 : 0);
    // shown in print, each chart with its text alternative
    for (const img of await page.locator('.report-chart img').all()) {
      assert.ok(await img.isVisible(), 'a chart shows in print');
      assert.ok((await img.getAttribute('alt')).length > 20);
    }
    assert.equal(await page.locator('.report-chart img').count(), rep.measures.length + (rep.ais ? 1 : 0) + 1);
  }],
], { demo: 100 });
