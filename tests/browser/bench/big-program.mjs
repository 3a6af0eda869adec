// The program page on a big program: builds one through the CSV imports (BENCH_MILESTONES
// milestones across 50 projects, BENCH_DEPENDENCIES dependencies), opens it in Chromium and
// reports what docs/benchmarks.md ("Big programs") records:
//
// - navigation → timeline visible: from the navigation's start (the page's time origin) to the
//   frame that first paints a milestone marker, median of BENCH_LOADS fresh windows;
// - DOM nodes: elements and all nodes (text and comments too) once the page is live and settled,
//   and the most seen while scrolling the page from top to bottom;
// - live latency: a status report or a forecast change made through the API by another session,
//   from sending it to the frame that paints it in the page, over BENCH_CHANGES changes (p50/p95).
//
// Not a test (CI's `node --test tests/browser/` does not pick it up): run it against a server
// started like scripts/test.sh does, e.g.
//
//   THROUGHLINE_URL=http://127.0.0.1:8181 THROUGHLINE_ADMIN_USER=… THROUGHLINE_ADMIN_PASSWORD=… \
//     node tests/browser/bench/big-program.mjs
//
// BENCH_PROGRAM_ID=<uuid> measures an existing program instead of building one.

import assert from 'node:assert/strict';
import { BASE, callApi, launchBrowser, signInAdmin, unexpectedProblems } from '../support.mjs';

const MILESTONES = Number(process.env.BENCH_MILESTONES ?? 5000);
const DEPENDENCIES = Number(process.env.BENCH_DEPENDENCIES ?? 10000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 20);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);
const PROJECTS = Math.min(50, MILESTONES);
/** A workstream: a chain of milestones, each needing the ones just before it. */
const CLUSTER = 20;

const wall = () => performance.timeOrigin + performance.now();

async function postCsv(session, path, csv) {
  const started = wall();
  const response = await fetch(BASE + path, {
    method: 'POST',
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'text/csv' },
    body: csv,
  });
  const text = await response.text();
  assert.ok(response.ok, `${path} answered ${response.status}: ${text.slice(0, 500)}`);
  return wall() - started;
}

/**
 * Dependencies in the shape of backend/benches/load.rs's (h): within each workstream every
 * milestone needs the one before it, each workstream's last needs the next one's first, then
 * the one two before, three before… until there are `count`. Providers always come earlier in
 * their workstream (or start the next one), so there is no cycle.
 */
function dependencyPairs(milestones, count) {
  const pairs = [];
  const take = (i, j) => pairs.length < count && pairs.push([i, j]);
  for (let i = 0; i < milestones; i++) {
    if (i % CLUSTER >= 1) take(i - 1, i);
    if (i % CLUSTER === CLUSTER - 1 && i + 1 < milestones) take(i + 1, i);
  }
  for (let step = 2; step < CLUSTER && pairs.length < count; step++) {
    for (let i = 0; i < milestones; i++) if (i % CLUSTER >= step) take(i - step, i);
  }
  return pairs;
}

async function buildProgram(admin) {
  const api = (method, path, body) => callApi(admin, method, path, body);
  const suffix = Math.random().toString(16).slice(2, 8);
  const { program_id: id } = await api('POST', '/api/programs', {
    name: `Big program ${MILESTONES}/${DEPENDENCIES} ${suffix}`,
    sponsor: 'Bench',
  });
  for (let p = 0; p < PROJECTS; p++) {
    await api('POST', `/api/programs/${id}/projects`, { name: `P${p}`, manager: 'Bench' });
  }
  let csv = 'project,name,owner,planned\n';
  for (let i = 0; i < MILESTONES; i++) {
    const planned = new Date(Date.UTC(2027, 0, 1) + Math.floor(i / 10) * 86_400_000);
    csv += `P${i % PROJECTS},M${i},Owner ${i % 97},${planned.toISOString().slice(0, 10)}\n`;
  }
  const milestoneMs = await postCsv(admin, `/api/programs/${id}/milestones.csv`, csv);
  csv = 'provider_project,provider,consumer_project,consumer\n';
  const pairs = dependencyPairs(MILESTONES, DEPENDENCIES);
  for (const [i, j] of pairs) csv += `P${i % PROJECTS},M${i},P${j % PROJECTS},M${j}\n`;
  const dependencyMs = await postCsv(admin, `/api/programs/${id}/dependencies.csv`, csv);
  console.log(
    `built: ${MILESTONES} milestones (${(milestoneMs / 1000).toFixed(1)} s), ` +
      `${pairs.length} dependencies (${(dependencyMs / 1000).toFixed(1)} s)`,
  );
  return id;
}

/**
 * Page-side probes, installed before any script runs: when the first marker is painted, and
 * `__throughlineWhen(predicate)`, the wall-clock time of the first frame painted after the
 * predicate (checked on every DOM change) holds.
 */
function probes() {
  // When each live frame arrived (to tell the server's delay from the page's).
  const frames = [];
  window.__throughlineArrived = (token) => frames.find((f) => f.text.includes(token))?.at;
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.length < 100_000) {
          frames.push({ at: performance.timeOrigin + performance.now(), text: e.data });
          if (frames.length > 200) frames.shift();
        }
      });
    }
  };
  const frame = () =>
    new Promise((resolve) => requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now())));
  window.__throughlineWhen = (predicate) =>
    new Promise((resolve) => {
      let done = false;
      const check = () => {
        if (done || !predicate()) return;
        done = true;
        observer.disconnect();
        frame().then(resolve);
      };
      const observer = new MutationObserver(check);
      observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      check();
    });
  window.__throughlineTimeline = new Promise((resolve) => {
    const start = () =>
      window
        .__throughlineWhen(() => document.querySelector('[data-testid="milestone-marker"]'))
        .then((at) => resolve(at - performance.timeOrigin));
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
    else start();
  });
}

function countNodes() {
  let all = 0;
  const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
  while (walker.nextNode()) all++;
  return { elements: document.getElementsByTagName('*').length, all };
}

const median = (xs) => quantile(xs, 0.5);
function quantile(xs, q) {
  const sorted = [...xs].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.ceil(at)] - sorted[lo]) * (at - lo);
}

async function main() {
  const admin = await signInAdmin();
  const id = process.env.BENCH_PROGRAM_ID ?? (await buildProgram(admin));
  const view = await callApi(admin, 'GET', `/api/programs/${id}`);
  console.log(
    `program ${id}: ${view.milestones.length} milestones, ${view.dependencies.length} dependencies, ` +
      `${view.projects.length} projects, position ${view.position}`,
  );
  const browser = await launchBrowser();
  const problems = [];

  // Navigation → timeline painted, each in a fresh window (nothing cached but the HTTP cache).
  const loads = [];
  let page;
  for (let n = 0; n < LOADS; n++) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: 'UTC', locale: 'en-GB' });
    const [name, value] = admin.cookie.split('=');
    await context.addCookies([{ name, value, url: BASE, httpOnly: true, sameSite: 'Strict' }]);
    await context.addInitScript(probes);
    const p = await context.newPage();
    p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    p.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
    await p.goto(`${BASE}/programs/${id}`, { waitUntil: 'commit' });
    const ms = await p.evaluate(() => window.__throughlineTimeline);
    loads.push(ms);
    if (n + 1 < LOADS) await context.close();
    else page = p;
  }
  console.log(`timeline painted after ${loads.map((x) => x.toFixed(0)).join(', ')} ms`);
  if (process.env.BENCH_VERBOSE) {
    // Where the last load's time went: the requests it waited for, from the navigation's start.
    const requests = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => /\.wasm$|\/api\/(auth\/me|programs\/[^/?]+(\?|$))/.test(e.name))
        .map((e) => `${e.name.replace(/^.*?\/\/[^/]+/, '')}: ${e.startTime.toFixed(0)}–${e.responseEnd.toFixed(0)} ms (${(e.encodedBodySize / 1e6).toFixed(2)} MB)`),
    );
    console.log(requests.join('\n'));
  }

  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor({ timeout: 60_000 });
  // Settled: the activity (all the program's events, read page by page) and everything else
  // loaded, no request under way and no DOM change for two seconds.
  await page.locator('[data-testid="activity-item"]').first().waitFor({ timeout: 120_000 });
  await page.waitForLoadState('networkidle', { timeout: 120_000 });
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        let timer = setTimeout(resolve, 2000);
        new MutationObserver(() => {
          clearTimeout(timer);
          timer = setTimeout(resolve, 2000);
        }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
      }),
  );
  const settled = await page.evaluate(countNodes);
  // Scroll the whole page a screen at a time; the most nodes seen at any point.
  const scrolled = await page.evaluate(async (count) => {
    const measure = new Function(`return (${count})()`);
    let most = measure();
    const step = window.innerHeight * 0.8;
    for (let y = 0; y <= document.documentElement.scrollHeight; y += step) {
      window.scrollTo(0, y);
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const now = measure();
      if (now.all > most.all) most = now;
    }
    window.scrollTo(0, 0);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    return most;
  }, countNodes.toString());
  // The same through the timeline's own scroll box, a box at a time down, then across.
  const timelineScrolled = await page.evaluate(async (count) => {
    const measure = new Function(`return (${count})()`);
    const box = document.querySelector('.timeline-scroll');
    let most = measure();
    const frames = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    for (let y = 0; y <= box.scrollHeight; y += box.clientHeight * 0.8) {
      box.scrollTop = y;
      await frames();
      const now = measure();
      if (now.all > most.all) most = now;
    }
    for (let x = 0; x <= box.scrollWidth; x += box.clientWidth * 0.8) {
      box.scrollLeft = x;
      await frames();
      const now = measure();
      if (now.all > most.all) most = now;
    }
    box.scrollTop = 0;
    box.scrollLeft = 0;
    await frames();
    return most;
  }, countNodes.toString());
  console.log(
    `DOM nodes settled: ${settled.elements} elements, ${settled.all} nodes; most while scrolling the page: ` +
      `${scrolled.elements} / ${scrolled.all}, the timeline: ${timelineScrolled.elements} / ${timelineScrolled.all}`,
  );

  // Changes made by another session, alternately a status report and a forecast change.
  const other = await signInAdmin();
  const latencies = { status: [], forecast: [] };
  const projects = view.projects;
  for (let n = 0; n < CHANGES; n++) {
    const token = `change ${n} ${Math.random().toString(16).slice(2, 8)}`;
    let waiting;
    let send;
    if (n % 2 === 0) {
      const project = projects[(n / 2) % projects.length];
      const selector = `[data-testid="project-row"][data-project-id="${project.project_id}"] [data-testid="project-narrative"]`;
      waiting = page.evaluate(
        ([selector, token]) => window.__throughlineWhen(() => document.querySelector(selector)?.textContent.includes(token)),
        [selector, token],
      );
      send = () =>
        callApi(other, 'POST', `/api/programs/${id}/projects/${project.project_id}/status`, {
          rag: ['green', 'amber', 'red'][n % 3],
          narrative: token,
        });
    } else {
      // A milestone drawn on screen now, moved a week later or back.
      const target = await page.evaluate(() => {
        const markers = [...document.querySelectorAll('[data-testid="milestone-marker"]')];
        const marker = markers[Math.floor(markers.length / 2)];
        return { id: marker.getAttribute('data-milestone'), style: marker.getAttribute('style') };
      });
      const current = (await callApi(other, 'GET', `/api/programs/${id}`)).milestones.find(
        (m) => m.milestone_id === target.id,
      );
      const forecast = new Date(Date.parse(current.forecast) + (n % 4 === 1 ? 7 : -7) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const selector = `[data-testid="milestone-marker"][data-milestone="${target.id}"]`;
      waiting = page.evaluate(
        ([selector, style]) => window.__throughlineWhen(() => {
          const marker = document.querySelector(selector);
          return marker && marker.getAttribute('style') !== style;
        }),
        [selector, target.style],
      );
      send = () => callApi(other, 'POST', `/api/programs/${id}/milestones/${target.id}/forecast`, { forecast, reason: token });
    }
    // The observer is in place before the change is sent.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
    const sent = wall();
    await send();
    const answered = wall();
    const seen = await waiting;
    (n % 2 === 0 ? latencies.status : latencies.forecast).push(seen - sent);
    if (process.env.BENCH_VERBOSE) {
      const arrived = await page.evaluate((token) => window.__throughlineArrived(token), token);
      console.log(
        `${n % 2 === 0 ? 'status' : 'forecast'}: answered after ${(answered - sent).toFixed(0)} ms, ` +
          `frame after ${arrived ? (arrived - sent).toFixed(0) : '?'} ms, painted after ${(seen - sent).toFixed(0)} ms`,
      );
    }
    await page.waitForTimeout(400);
  }
  const all = [...latencies.status, ...latencies.forecast];
  const fmt = (xs) => `p50 ${median(xs).toFixed(0)} ms, p95 ${quantile(xs, 0.95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`live latency, status reports: ${fmt(latencies.status)}`);
  console.log(`live latency, forecast changes: ${fmt(latencies.forecast)}`);
  console.log(`live latency, all ${all.length}: ${fmt(all)}`);
  const after = await page.evaluate(countNodes);
  console.log(`DOM nodes after the changes: ${after.elements} elements, ${after.all} nodes`);

  console.log(
    `| ${view.milestones.length} milestones, ${view.dependencies.length} dependencies | ` +
      `${median(loads).toFixed(0)} ms | ${settled.elements.toLocaleString('en')} elements (${settled.all.toLocaleString('en')} nodes); ` +
      `most while scrolling: ${Math.max(scrolled.elements, timelineScrolled.elements).toLocaleString('en')} ` +
      `(${Math.max(scrolled.all, timelineScrolled.all).toLocaleString('en')}) | ${median(all).toFixed(0)} / ${quantile(all, 0.95).toFixed(0)} ms |`,
  );
  const unexpected = unexpectedProblems(problems);
  if (unexpected.length) console.log(`browser problems:\n${unexpected.join('\n')}`);
  await browser.close();
}

await main();
