// Cold load as a user on a modest connection feels it: Chromium with its cache disabled and the
// network throttled to 10 Mbit/s down, 40 ms round trip (DevTools `Network.emulateNetworkConditions`),
// from navigation to the demo program's timeline drawn and interactive. Median of 5.
//
// Needs the server of scripts/test.sh (seeded demo program, an administrator):
//   THROUGHLINE_URL=… THROUGHLINE_ADMIN_USER=… THROUGHLINE_ADMIN_PASSWORD=… node tests/browser/bench/cold-load.mjs
// Prints one Markdown table row per figure, for docs/benchmarks.md. WATERFALL=1 also prints the
// median run's requests: when each started and finished, its size and Content-Encoding, and the
// Accept-Encoding the browser sent.

import { BASE, callApi, launchBrowser, signInAdmin } from '../support.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const admin = await signInAdmin();
const programs = await callApi(admin, 'GET', '/api/programs');
const demo = programs.find((p) => p.name === 'Payments Platform Modernisation');
if (!demo) throw new Error('seed the demo program first (scripts/test.sh does)');

const browser = await launchBrowser();
const times = [];
const transferred = [];
const waterfalls = [];
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
  const requests = new Map();
  const request = (id) => requests.get(id) ?? requests.set(id, {}).get(id);
  cdp.on('Network.requestWillBeSent', (e) => {
    Object.assign(request(e.requestId), { url: e.request.url, sent: e.timestamp });
  });
  cdp.on('Network.requestWillBeSentExtraInfo', (e) => {
    request(e.requestId).accept = e.headers['Accept-Encoding'] ?? e.headers['accept-encoding'];
  });
  cdp.on('Network.responseReceived', (e) => {
    const headers = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]),
    );
    Object.assign(request(e.requestId), {
      status: e.response.status,
      encoding: headers['content-encoding'] ?? '-',
    });
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
    Object.assign(request(e.requestId), { done: e.timestamp, size: e.encodedDataLength });
  });
  const started = Date.now();
  await page.goto(`${BASE}/programs/${demo.program_id}`, { waitUntil: 'commit' });
  // Drawn: the markers are on the timeline. Interactive: a zoom button answers a click.
  await page.locator('[data-testid="milestone-marker"]').first().waitFor();
  await page.getByTestId('zoom-quarters').click();
  await page.locator('[data-testid="zoom-quarters"][aria-pressed="true"]').waitFor();
  times.push(Date.now() - started);
  transferred.push(bytes);
  waterfalls.push([...requests.values()]);
  await context.close();
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`runs (ms): ${times.join(', ')}`);
console.log(`transferred (KiB): ${transferred.map((b) => (b / 1024).toFixed(0)).join(', ')}`);
if (process.env.WATERFALL) {
  const run = times.indexOf(median(times));
  const requests = waterfalls[run].filter((r) => r.sent !== undefined);
  const zero = Math.min(...requests.map((r) => r.sent));
  const ms = (t) => (t === undefined ? '…' : String(Math.round((t - zero) * 1000)).padStart(5));
  console.log(`run ${run + 1}: start–end (ms) from the first request, size, status, encoding`);
  for (const r of requests.sort((a, b) => a.sent - b.sent)) {
    const size = r.size === undefined ? '' : `${(r.size / 1024).toFixed(1)} KiB`;
    const path = new URL(r.url).pathname;
    console.log(
      `${ms(r.sent)}–${ms(r.done)}  ${size.padStart(10)}  ${r.status ?? ''} ${r.encoding ?? ''}  ${path}  (Accept-Encoding: ${r.accept ?? '?'})`,
    );
  }
}
console.log(
  `| cold load of the demo program, 10 Mbit/s and 40 ms RTT, cache disabled: navigation to timeline drawn and interactive (median of ${RUNS}) | ${median(times)} ms | ${(median(transferred) / 1024).toFixed(0)} KiB transferred | ≤ 1,500 ms |`,
);
