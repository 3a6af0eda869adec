// End-to-end tests of the audit tab: it reads the trail a page at a time ("Load more" appends the
// next page of the same filters; a new filter starts again from the first page), and a slow
// answer for earlier filters neither holds up nor replaces the list of the filters chosen since.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  callApi,
  launchBrowser,
  openWindow as open,
  screenshot,
  signInAdmin,
  unexpectedProblems,
} from './support.mjs';

let admin;
let browser;
const problems = [];
const suffix = randomUUID().slice(0, 8);
const api = (method, path, body) => callApi(admin, method, path, body);

/** Forecast changes made in setup: more than the tab's page of 100 events. */
const FORECASTS = 110;
const PAGE = 100;

function day(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

let programId;
/** Every event of the program, as the API pages them (oldest first). */
let all;

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
  programId = (await api('POST', '/api/programs', { name: `Audit ${suffix}`, sponsor: 'Dana Whitfield (CFO)' }))
    .program_id;
  const project = await api('POST', `/api/programs/${programId}/projects`, { name: `Ledger ${suffix}`, manager: 'Lee Chen' });
  const milestones = [];
  for (const name of ['Design signed off', 'Pilot live', 'General availability']) {
    const added = await api('POST', `/api/programs/${programId}/milestones`, {
      project_id: project.project_id,
      name,
      owner: 'Mira Okafor',
      planned: day(60),
    });
    milestones.push(added.stream_id);
  }
  for (let i = 1; i <= FORECASTS; i++) {
    await api('POST', `/api/programs/${programId}/milestones/${milestones[i % 3]}/forecast`, {
      forecast: day(60 + i),
      reason: `Weekly re-plan ${i}`,
    });
  }
  all = (await api('GET', `/api/programs/${programId}/audit?limit=1000`)).events;
  assert.ok(all.length > PAGE, 'more events than one page');
});

after(async () => {
  await browser?.close();
  assert.deepEqual(unexpectedProblems(problems), []);
});

/** The rows on show: their positions and event types. */
function rows(page) {
  return page.locator('[data-testid="audit-row"]').evaluateAll((trs) =>
    trs.map((tr) => ({ position: Number(tr.cells[0].textContent), type: tr.dataset.type })),
  );
}

function ascending(list) {
  return list.every((r, i) => i === 0 || list[i - 1].position < r.position);
}

test('"Load more" appends the next page of the same filters; a new filter starts again from the first page', async () => {
  const filter = 'MilestoneForecastChanged';
  const page = await open(browser, problems, `/programs/${programId}/audit?event_type=${filter}`, 'audit paging', admin);
  const count = page.getByTestId('audit-count');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-row"]').length === n, PAGE);
  assert.match(await count.textContent(), /Showing the first 100 events, oldest first/);
  const first = await rows(page);
  assert.ok(first.every((r) => r.type === filter));
  assert.ok(ascending(first));
  assert.equal(await page.getByTestId('filter-event-type').inputValue(), filter);

  // With the keyboard: the button takes the focus and Enter presses it.
  const more = page.getByTestId('load-more');
  await more.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-row"]').length === n, FORECASTS);
  const both = await rows(page);
  assert.deepEqual(both.slice(0, PAGE), first, 'the first page stays as it was');
  assert.ok(both.every((r) => r.type === filter), 'the next page keeps the filter');
  assert.ok(ascending(both), 'the next page continues after the first, without a repeat');
  assert.deepEqual(
    both.map((r) => r.position),
    all.filter((e) => e.event_type === filter).map((e) => e.position),
  );
  await count.getByText(`Showing all ${FORECASTS} events, oldest first.`).waitFor();
  assert.equal(await more.count(), 0, 'the end of the trail has no button');
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'audit-count');
  assert.match(page.url(), /event_type=MilestoneForecastChanged/);
  await screenshot(page, '29-audit-load-more');

  // Another filter (none): the first page again, with its own "Load more".
  await page.getByTestId('filter-event-type').fill('');
  await page.getByTestId('filter-submit').click();
  await page.waitForURL((url) => !url.search.includes('event_type'));
  await page.waitForFunction(
    (types) => {
      const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
      return rows.length === 100 && rows.some((r) => !types.includes(r.dataset.type));
    },
    [filter],
  );
  assert.deepEqual(
    (await rows(page)).map((r) => r.position),
    all.slice(0, PAGE).map((e) => e.position),
  );
  await more.click();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="audit-row"]').length === n, all.length);
  assert.deepEqual(
    (await rows(page)).map((r) => r.position),
    all.map((e) => e.position),
  );

  // A row's position shows the program right after that event, read-only.
  const pick = all[10].position;
  await page.locator('[data-testid="as-of-link"]', { hasText: new RegExp(`^${pick}$`) }).click();
  await page.waitForURL(new RegExp(`/programs/${programId}\\?as_of=${pick}$`));
  await page.getByTestId('history-banner').waitFor();
  assert.match(await page.getByTestId('history-banner').textContent(), new RegExp(`#${pick}`));
  await page.context().close();
});

test('an answer held back for the first filters never replaces the list of the filters chosen since', async () => {
  const page = await open(browser, problems, `/programs/${programId}`, 'audit race', admin);
  await page.getByRole('link', { name: 'Audit trail', exact: true }).waitFor();

  // The first read of the trail (all events) is held for 1.5 s; later reads go straight through.
  let reads = 0;
  let delivered = false;
  let release;
  const firstDelivered = new Promise((resolve) => {
    release = resolve;
  });
  await page.route(/\/api\/programs\/[0-9a-f-]+\/audit\?/, async (route) => {
    reads += 1;
    if (reads > 1) return route.continue();
    const response = await route.fetch();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.fulfill({ response });
    delivered = true;
    release();
  });

  await page.getByRole('link', { name: 'Audit trail', exact: true }).click();
  await page.getByTestId('audit-filters').waitFor();
  // Every list shown from now on, to prove the held answer never shows, not even for a moment.
  await page.evaluate(() => {
    window.shownTypes = new Set();
    const record = () =>
      document.querySelectorAll('[data-testid="audit-row"]').forEach((r) => window.shownTypes.add(r.dataset.type));
    new MutationObserver(record).observe(document.body, { childList: true, subtree: true });
  });
  await page.getByTestId('filter-event-type').fill('MilestoneAdded');
  await page.getByTestId('filter-submit').click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="audit-row"]')];
    return rows.length === 3 && rows.every((r) => r.dataset.type === 'MilestoneAdded');
  });
  assert.equal(delivered, false, 'the filtered list came while the first answer was still held');

  await firstDelivered;
  // Time for the late answer to land, were it going to.
  await page.waitForTimeout(500);
  const shown = await rows(page);
  assert.deepEqual(
    shown.map((r) => r.type),
    ['MilestoneAdded', 'MilestoneAdded', 'MilestoneAdded'],
    'the late answer did not overwrite the newer one',
  );
  assert.deepEqual(await page.evaluate(() => [...window.shownTypes]), ['MilestoneAdded'], 'no other list was ever shown');
  assert.equal(await page.getByTestId('filter-event-type').inputValue(), 'MilestoneAdded');
  assert.match(await page.getByTestId('audit-count').textContent(), /Showing all 3 events/);
  assert.equal(reads, 2, 'the held read, and one read of the new filters');
  await screenshot(page, '30-audit-race');
  await page.context().close();
});
