// End-to-end test of the history scrubber on the demo program: scrub back to before its first
// slip and see the timeline as it was (the same as the server's view of that moment), play
// forward and see the slip arrive, step, jump by the track, and share the moment by its URL.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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
const api = (method, path, body) => callApi(admin, method, path, body);

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const cursorOf = async (page) => Number(await page.getByTestId('scrubber').getAttribute('data-cursor'));
const markerOf = (page, milestone) => page.locator(`[data-testid="milestone-marker"][data-milestone="${milestone}"]`);

test('scrub the demo program back before its first slip, then play the slip in', async () => {
  const demo = (await api('GET', '/api/programs')).find((p) => p.name === 'Payments Platform Modernisation');
  assert.ok(demo, 'scripts/test.sh seeds the demo program');
  const id = demo.program_id;
  const track = await api('GET', `/api/programs/${id}/history`);
  const slip = track.marks.find((m) => m.kind === 'slip');
  assert.ok(slip, 'the demo story has slips');
  const [event] = (await api('GET', `/api/programs/${id}/events?after=${slip.position - 1}&limit=1`)).events;
  assert.equal(event.event_type, 'MilestoneForecastChanged');
  const milestone = event.payload.milestone_id;

  // From the live page: "Replay history" opens the scrubber at now.
  const page = await open(browser, problems, `/programs/${id}`, 'replay', admin);
  await page.getByTestId('replay-history').click();
  await page.getByTestId('scrubber').waitFor();
  await page.getByTestId('scrub-range').waitFor();
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="scrubber"]')?.dataset.cursor) > 0);
  assert.ok((await cursorOf(page)) <= track.last.position);

  // To the slip, then one event back: the milestone stands where it stood before it.
  await page.goto(`${new URL(page.url()).origin}/programs/${id}?as_of=${slip.position}`);
  await page.getByTestId('scrub-range').waitFor();
  await page.waitForFunction((p) => document.querySelector('[data-testid="scrubber"]')?.dataset.cursor === String(p), slip.position);
  await markerOf(page, milestone).waitFor();
  const slipped = await markerOf(page, milestone).getAttribute('style');
  await page.getByTestId('scrub-back').click();
  await page.waitForFunction((p) => Number(document.querySelector('[data-testid="scrubber"]')?.dataset.cursor) < p, slip.position);
  const before = await cursorOf(page);
  const earlier = await markerOf(page, milestone).getAttribute('style');
  assert.notEqual(earlier, slipped, 'before the slip the milestone stood at its earlier date');
  assert.match(page.url(), new RegExp(`as_of=${before}$`), 'the URL holds the moment');
  assert.match(await page.getByTestId('history-banner').textContent(), new RegExp(`#${before}`));
  await screenshot(page, 'replay-1-before-slip');

  // The browser's fold equals the server's view of that moment, opened afresh.
  const fresh = await open(browser, problems, `/programs/${id}?as_of=${before}`, 'replay-fresh', admin);
  await markerOf(fresh, milestone).waitFor();
  assert.equal(await markerOf(fresh, milestone).getAttribute('style'), earlier);
  await fresh.context().close();

  // Play at 2 events a second: the slip arrives.
  await page.getByTestId('scrub-speed').selectOption('2');
  await page.getByTestId('scrub-play').click();
  await page.waitForFunction((p) => Number(document.querySelector('[data-testid="scrubber"]')?.dataset.cursor) >= p, slip.position, { timeout: 10_000 });
  await page.getByTestId('scrub-pause').click();
  const reached = await cursorOf(page);
  const arrived = await markerOf(page, milestone).getAttribute('style');
  assert.notEqual(arrived, earlier, 'the slip moved the milestone');
  await screenshot(page, 'replay-2-slip-arrived');
  const check = await open(browser, problems, `/programs/${id}?as_of=${reached}`, 'replay-check', admin);
  await markerOf(check, milestone).waitFor();
  assert.equal(await markerOf(check, milestone).getAttribute('style'), arrived, 'played = the server at that moment');
  await check.context().close();

  // The track's start: the program as first created; then a week forward.
  await page.getByTestId('scrub-range').fill('0');
  await page.waitForFunction((p) => document.querySelector('[data-testid="scrubber"]')?.dataset.cursor === String(p), track.first.position);
  await page.getByTestId('scrub-next-week').click();
  await page.waitForFunction((p) => Number(document.querySelector('[data-testid="scrubber"]')?.dataset.cursor) > p, track.first.position);
  assert.ok((await page.getByTestId('scrub-where').textContent()).startsWith('#'));
  await screenshot(page, 'replay-3-first-week', { element: page.getByTestId('scrubber') });

  // Other tabs follow the moment.
  await page.getByRole('link', { name: /^Risks and issues/ }).click();
  await page.waitForURL(/\/raid\?as_of=\d+$/);
  await page.context().close();
  assert.deepEqual(unexpectedProblems(problems), []);
});
