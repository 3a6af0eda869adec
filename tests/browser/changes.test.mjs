// End-to-end test of "What changed": a forecast moved and a report filed after a moment are what
// the page lists since that moment, with the presets and a custom range, and nothing before it.
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

function day(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('the demo program was played over the past weeks: last week shows its news, not its creation', async () => {
  const demo = (await api('GET', '/api/programs')).find((p) => p.name === 'Payments Platform Modernisation');
  assert.ok(demo, 'scripts/test.sh seeds the demo program');
  const page = await open(browser, problems, `/programs/${demo.program_id}/changes`, 'demo changes', admin);
  const milestones = page.getByTestId('changed-milestones');
  await milestones.waitFor();
  const text = await milestones.textContent();
  assert.match(text, /Forecast .* days later/, 'the week’s slips');
  assert.doesNotMatch(text, /Added/, 'the milestones were added weeks ago');
  assert.match(await page.getByTestId('changed-projects').textContent(), /→/);
  await screenshot(page, '9a-demo-last-week');
  await page.context().close();
});

test('the demo program compared since its last review session', async () => {
  const demo = (await api('GET', '/api/programs')).find((p) => p.name === 'Payments Platform Modernisation');
  const page = await open(browser, problems, `/programs/${demo.program_id}/changes`, 'demo since session', admin);
  const preset = page.locator('[data-preset="session"]');
  await preset.waitFor();
  assert.match(await preset.textContent(), /^Since the review session of /);
  await preset.click();
  await page.waitForURL(/from=\d+$/);
  await page.locator('[data-preset="session"][aria-current="page"]').waitFor();
  // The session came late in the demo's story: since then, the RAID register was filled in.
  await page.getByTestId('changed-risks').waitFor();
  await page.context().close();
});

test('what changed since a moment: the slip, the report and the risk, and nothing before', async () => {
  const { program_id: id } = await api('POST', '/api/programs', { name: `Changes ${suffix}`, sponsor: 'Dana Whitfield (CFO)' });
  const ledger = await api('POST', `/api/programs/${id}/projects`, { name: 'Ledger', manager: 'Lee Chen' });
  const cards = await api('POST', `/api/programs/${id}/projects`, { name: 'Cards', manager: 'Sam Steer' });
  const schema = (await api('POST', `/api/programs/${id}/milestones`, {
    project_id: ledger.project_id, name: 'Schema frozen', owner: 'Lee Chen', planned: day(30),
  })).stream_id;
  const launch = (await api('POST', `/api/programs/${id}/milestones`, {
    project_id: cards.project_id, name: 'Cards launch', owner: 'Sam Steer', planned: day(40),
  })).stream_id;
  await api('POST', `/api/programs/${id}/dependencies`, { provider: schema, consumer: launch });
  // The steering forum meets: its session is the moment compared with.
  const me = await api('GET', '/api/me');
  const forum = await api('POST', `/api/programs/${id}/forums`, {
    name: 'Steering', purpose: 'Weekly review', chair: me.user.user_id, members: [], quorum: 1,
    cadence: 'weekly', first_session: day(0), decision_sla_days: 10,
  });
  await api('POST', `/api/programs/${id}/forums/${forum.stream_id}/sessions`, { date: null });
  const moment = (await api('GET', `/api/programs/${id}`)).position;

  await api('POST', `/api/programs/${id}/milestones/${schema}/forecast`, { forecast: day(44), reason: 'Vendor late' });
  await api('POST', `/api/programs/${id}/projects/${cards.project_id}/status`, { rag: 'red', narrative: 'Launch slips with the schema' });
  await api('POST', `/api/programs/${id}/raid/risks`, {
    details: { title: 'Schema vendor slips again', category: 'Vendor', owner: 'Lee Chen', projects: [ledger.project_id] },
    assessment: { probability: 3, impact: 4 },
  });

  // From the program page's tab, since last week: everything, as added.
  const page = await open(browser, problems, `/programs/${id}`, 'changes', admin);
  await page.getByRole('link', { name: 'What changed' }).click();
  await page.getByTestId('changed-milestones').waitFor();
  assert.equal(await page.locator('[data-preset="week"]').getAttribute('aria-current'), 'page');

  // Since the session (compare mode's preset): the slip with its days, the downstream
  // dependency, the report, the risk.
  await page.locator('[data-preset="session"]').click();
  await page.waitForURL(/from=\d+$/);
  await page.locator('[data-preset="session"][aria-current="page"]').waitFor();
  const milestones = page.getByTestId('changed-milestones');
  await milestones.waitFor();
  const slipped = milestones.locator(`[data-key="${schema}"]`);
  assert.match(await slipped.textContent(), /Forecast .* \(14 days later\)/);
  assert.equal(await milestones.locator('[data-testid="change-row"]').count() >= 1, true);
  const dependency = page.getByTestId('changed-dependencies');
  assert.match(await dependency.textContent(), /Schema frozen → Cards launch/);
  const report = page.getByTestId('changed-projects').locator(`[data-key="${cards.project_id}"]`);
  assert.match(await report.textContent(), /Launch slips with the schema/);
  assert.equal(await report.locator('[data-testid="rag-chip"][data-rag="red"]').count(), 1);
  assert.match(await page.getByTestId('changed-risks').textContent(), /Schema vendor slips again.*Identified.*Score — → 12/s);
  // On the timeline, the slipped milestone has a ghost where it stood and an arrow to where it went.
  const timeline = page.getByTestId('changes-timeline');
  const ghost = timeline.locator(`[data-testid="milestone-marker"][data-milestone="${schema}"] [data-testid="was-ghost"]`);
  await ghost.waitFor();
  const dx = Number(await ghost.getAttribute('x')) + 5;
  assert.ok(dx < -40, `the ghost stands 14 days (4 px a day) before the new forecast (dx=${dx})`);
  assert.equal(await timeline.locator(`[data-milestone="${schema}"] .was-line`).count(), 1);
  await screenshot(page, '9b-what-changed');

  // A custom range ending at the moment itself: nothing changed in it.
  const form = page.getByTestId('changes-custom');
  await form.locator('[name="from"]').fill(day(0));
  await form.locator('button').click();
  await page.getByTestId('changes-range').waitFor();
  assert.match(page.url(), /from=\d{4}-\d{2}-\d{2}/);
  await page.goto(`${new URL(page.url()).origin}/programs/${id}/changes?from=${moment}&to=${moment}`);
  await page.getByTestId('no-changes').waitFor();
  await page.context().close();
  assert.deepEqual(unexpectedProblems(problems), []);
});
