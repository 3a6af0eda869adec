// Cold load as a user on a modest connection feels it: Chromium with its cache disabled and the
// network throttled to 10 Mbit/s down, 40 ms round trip (DevTools `Network.emulateNetworkConditions`),
// from navigation to the demo program's timeline drawn and interactive. Median of 5.
//
// Needs the server of scripts/test.sh (seeded demo program, an administrator):
//   THROUGHLINE_URL=… THROUGHLINE_ADMIN_USER=… THROUGHLINE_ADMIN_PASSWORD=… node tests/browser/bench/cold-load.mjs
// Prints one Markdown table row per figure, for docs/benchmarks.md.

import { BASE, callApi, launchBrowser, signInAdmin } from '../support.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const admin = await signInAdmin();
const programs = await callApi(admin, 'GET', '/api/programs');
const demo = programs.find((p) => p.name === 'Payments Platform Modernisation');
if (!demo) throw new Error('seed the demo program first (scripts/test.sh does)');

const browser = await launchBrowser();
const times = [];
const transferred = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const [name, value] = admin.cookie.split('=');
  await context.addCookies([{ name, value, url: BASE, httpOnly: true, sameSite: 'Strict' }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 40,
    downloadThroughput: (10 * 1000 * 1000) / 8,
    uploadThroughput: (10 * 1000 * 1000) / 8,
  });
  let bytes = 0;
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
  });
  const started = Date.now();
  await page.goto(`${BASE}/programs/${demo.program_id}`, { waitUntil: 'commit' });
  // Drawn: the markers are on the timeline. Interactive: a zoom button answers a click.
  await page.locator('[data-testid="milestone-marker"]').first().waitFor();
  await page.getByTestId('zoom-quarters').click();
  await page.locator('[data-testid="zoom-quarters"][aria-pressed="true"]').waitFor();
  times.push(Date.now() - started);
  transferred.push(bytes);
  await context.close();
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`runs (ms): ${times.join(', ')}`);
console.log(
  `| cold load of the demo program, 10 Mbit/s and 40 ms RTT, cache disabled: navigation to timeline drawn and interactive (median of ${RUNS}) | ${median(times)} ms | ${(median(transferred) / 1024).toFixed(0)} KiB transferred | ≤ 1,500 ms |`,
);
