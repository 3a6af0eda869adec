// The history scrubber's speed in a real browser (issue 16), each figure against a baseline
// measured in the same run:
// - playing: events shown per second at the fastest speed offered;
// - folding: events the browser folds per second (the whole demo history in one move), against
//   reading the view from the server once per event (what a scrubber without a browser-side fold
//   would do);
// - jumping: a drag of the track to a far moment until the page shows it, against opening the
//   program afresh at that moment.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 THROUGHLINE_ADMIN_PASSWORD=… node tests/browser/replay.bench.mjs
//
// Run against a server seeded with the demo (`scripts/up.sh`, or `throughline seed-demo`). Not a
// test: it prints figures (docs/benchmarks.md) and fails only if the page does not work.
//
// BENCH_PROGRAM_ID=<uuid> measures only the jumps, on that program: the 100,000-event program
// `BENCH_KEEP=1 cargo bench -p throughline-backend --bench history` leaves behind, served by
// `throughline serve` on its database, signed in as the administrator it prints.

import assert from 'node:assert/strict';
import { BASE, callApi, launchBrowser, openWindow, signInAdmin } from './support.mjs';

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const round = (x) => Math.round(x * 10) / 10;

const admin = await signInAdmin();
const browser = await launchBrowser();
const problems = [];
try {
  const big = process.env.BENCH_PROGRAM_ID;
  const demo = (await callApi(admin, 'GET', '/api/programs')).find((p) => p.name === 'Payments Platform Modernisation');
  assert.ok(big || demo, 'the demo program is seeded');
  const id = big ?? demo.program_id;
  const track = await callApi(admin, 'GET', `/api/programs/${id}/history`);
  const page = await openWindow(browser, problems, `/programs/${id}?as_of=${track.first.position}`, 'bench', admin);
  await page.getByTestId('scrub-range').waitFor({ timeout: 60_000 });
  await page.waitForFunction((p) => document.querySelector('[data-testid="scrubber"]').dataset.cursor === String(p), track.first.position);
  let rate;
  let fastest;
  let sweepMs;
  let capacity;
  let readRate;
  let events;
  if (!big) {

  // Playing at the fastest speed offered, for four seconds (or to the end).
  const speeds = await page.getByTestId('scrub-speed').locator('option').evaluateAll((o) => o.map((x) => Number(x.value)));
  fastest = Math.max(...speeds);
  await page.getByTestId('scrub-speed').selectOption(String(fastest));
  const played = await page.evaluate(async () => {
    const scrubber = document.querySelector('[data-testid="scrubber"]');
    const steps = () => Number(scrubber.dataset.steps);
    const from = steps();
    const started = performance.now();
    document.querySelector('[data-testid="scrub-play"]').click();
    await new Promise((resolve) => {
      const check = () => (performance.now() - started > 4000 || document.querySelector('[data-testid="scrub-play"]')
        ? resolve() : requestAnimationFrame(check));
      requestAnimationFrame(check);
    });
    const elapsed = (performance.now() - started) / 1000;
    document.querySelector('[data-testid="scrub-pause"]')?.click();
    return { steps: steps() - from, elapsed };
  });
  rate = played.steps / played.elapsed;

  // What the browser can fold: from the first event to the last in one move, once the window
  // holds them all (playing read them), drawn once.
  const dragTo = (value, until) => page.evaluate(async ({ value, until }) => {
    const scrubber = document.querySelector('[data-testid="scrubber"]');
    const range = document.querySelector('[data-testid="scrub-range"]');
    const started = performance.now();
    range.value = String(value);
    range.dispatchEvent(new Event('input', { bubbles: true }));
    return await new Promise((resolve) => {
      const check = () => (scrubber.dataset.cursor === String(until)
        ? requestAnimationFrame(() => resolve(performance.now() - started))
        : requestAnimationFrame(check));
      check();
    });
  }, { value, until });
  await dragTo(0, track.first.position);
  sweepMs = await dragTo(1000, track.last.position);
  capacity = (track.events - 1) / (sweepMs / 1000);

  // Baseline: one server read of the view per event, in order, from the same page.
  events = (await callApi(admin, 'GET', `/api/programs/${id}/events?limit=1000`)).events.map((e) => e.position);
  readRate = await page.evaluate(async ({ id, positions }) => {
    const started = performance.now();
    let n = 0;
    for (const p of positions) {
      await (await fetch(`/api/programs/${id}?as_of=${p}`)).json();
      n += 1;
      if (performance.now() - started > 4000) break;
    }
    return n / ((performance.now() - started) / 1000);
  }, { id, positions: events });
  } else {
    // Moments spread over the whole history, for opening the page afresh.
    const { first, last } = track;
    events = Array.from({ length: 8 }, (_, i) => Math.round(first.position + ((i + 0.5) / 8) * (last.position - first.position)));
  }

  // Jumping: the track dragged to pseudo-random far moments, until the page shows the moment.
  const jumps = [];
  let seed = 7;
  for (let i = 0; i < 30; i += 1) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const value = i % 2 === 0 ? seed % 300 : 700 + (seed % 300);
    const ms = await page.evaluate(async (value) => {
      const scrubber = document.querySelector('[data-testid="scrubber"]');
      const range = document.querySelector('[data-testid="scrub-range"]');
      const before = scrubber.dataset.cursor;
      const started = performance.now();
      range.value = String(value);
      range.dispatchEvent(new Event('input', { bubbles: true }));
      return await new Promise((resolve) => {
        const check = () => {
          if (scrubber.dataset.cursor !== before) {
            // Once the frame showing it is drawn.
            requestAnimationFrame(() => resolve(performance.now() - started));
          } else if (performance.now() - started > 3000) {
            resolve(null);
          } else {
            requestAnimationFrame(check);
          }
        };
        check();
      });
    }, value);
    if (ms !== null) jumps.push(ms);
  }
  assert.ok(jumps.length >= 10, 'jumps moved the cursor');

  // Baseline: opening the program afresh at a moment, until its timeline is drawn.
  const opens = [];
  for (let i = 0; i < 8; i += 1) {
    const at = events[Math.floor((i + 0.5) * (events.length / 8))];
    const started = Date.now();
    await page.goto(`${BASE}/programs/${id}?as_of=${at}`);
    await page.locator('[data-testid="milestone-marker"], [data-testid="no-milestones"]').first().waitFor();
    opens.push(Date.now() - started);
  }
  await page.context().close();
  assert.deepEqual(problems, []);

  console.log(`${big ? 'program' : 'demo program'}: ${track.events} events`);
  if (!big) {
    console.log(`playing at ${fastest} events/s: ${round(rate)} steps/s`);
    console.log(`folding in the browser: ${track.events - 1} events in ${round(sweepMs)} ms = ${Math.round(capacity)} steps/s; `
      + `one server read per event: ${round(readRate)} steps/s (${Math.round(capacity / readRate)}x)`);
  }
  console.log(`jump by the track: p50 ${round(quantile(jumps, 0.5))} ms, p99 ${round(quantile(jumps, 0.99))} ms (${jumps.length} jumps); `
    + `opening the page at a moment: p50 ${round(quantile(opens, 0.5))} ms (${round(quantile(opens, 0.5) / quantile(jumps, 0.5))}x)`);
} finally {
  await browser.close();
}
