// Accessibility: axe-core (pinned in package.json, injected through the DevTools protocol so the
// page's Content-Security-Policy stays as users get it) on every screen of the seeded demo
// program. Serious and critical violations fail the test; lesser ones are printed.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import {
  callApi,
  launchBrowser,
  openWindow,
  screenshot,
  signInAdmin,
  unexpectedProblems,
} from './support.mjs';

const require = createRequire(import.meta.url);
const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');

let admin;
let browser;
let demo;
const problems = [];

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
  const programs = await callApi(admin, 'GET', '/api/programs');
  const list = Array.isArray(programs) ? programs : programs.programs;
  demo = list.find((p) => p.name === 'Payments Platform Modernisation') ?? list[0];
  assert.ok(demo, 'the demo program is seeded');
});

after(async () => {
  await browser?.close();
});

/** `prepare` opens what should be checked too (forms that are closed at first). */
async function audit(path, ready, name, prepare = async () => {}) {
  const page = await openWindow(browser, problems, path, name, admin);
  await page.locator(ready).first().waitFor({ timeout: 15_000 });
  await prepare(page);
  // Let live updates and transitions settle, so axe sees the page as a person does.
  await page.waitForTimeout(300);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ['violations'] }),
  );
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations.filter((v) => !serious.includes(v))) {
    console.log(`${name}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.length})`);
  }
  await screenshot(page, `a11y-${name}`);
  await page.context().close();
  return serious.map(
    (v) => `${name}: ${v.id}: ${v.help} — ${v.nodes.map((n) => `${n.target.join(' ')} (${n.any?.[0]?.message ?? ''})`).slice(0, 4).join('; ')}`,
  );
}

test('every screen of the demo program has no serious accessibility violations', async () => {
  const id = demo.program_id;
  const found = [];
  const check = async (...args) => found.push(...(await audit(...args)));
  await check('/', '[data-testid="program-row"], [data-testid="no-programs"], h1', 'programs');
  await check(`/programs/${id}`, '[data-testid="milestone-marker"]', 'overview');
  await check(`/programs/${id}/objectives`, 'h2, h3', 'objectives');
  await check(`/programs/${id}/governance`, '[data-testid="governance-tab"], h2', 'governance');
  await check(`/programs/${id}/raid`, '[data-testid="risk-register"]', 'raid');
  await check(`/programs/${id}/audit`, '[data-testid="audit-row"], table', 'audit');
  await check(`/programs/${id}?as_of=100`, '[data-testid="scrub-range"]', 'history');
  await check(`/programs/${id}/plan-files`, '[data-testid="import-form"]', 'plan-files');
  await check(`/programs/${id}/changes`, '[data-testid="changes-timeline"] [data-testid="was-ghost"]', 'changes');
  await check(`/programs/${id}/governance/setup`, '[data-testid="forum-form"]', 'governance-setup');
  await check(`/programs/${id}/briefings`, '[data-testid="briefing-fact"]', 'briefings');
  await check(`/programs/${id}/briefings/1`, '[data-testid="briefing-verified"]', 'briefing');
  await check(`/programs/${id}/members`, '[data-testid="member-row"]', 'members');
  await check(`/programs/${id}/projects`, '[data-testid="project-settings-row"]', 'projects', async (page) => {
    await page.getByTestId('manage-project').first().click();
    await page.getByTestId('manage-project-form').waitFor();
  });
  await check(`/programs/${id}/objectives/edit`, '[data-testid="objective-row"]', 'objectives-edit', async (page) => {
    await page.getByTestId('add-objective').click();
    await page.getByTestId('revise-objective').first().click();
    await page.locator('[data-testid="objective-form"]').nth(1).waitFor();
  });
  // The plan's edit forms, open: a milestone's details, taking one out of the plan, a
  // dependency's terms.
  await check(`/programs/${id}`, '[data-testid="milestone-marker"]', 'milestone-details', async (page) => {
    await page.locator('[data-testid="milestone-marker"]').first().click();
    await page.getByTestId('edit-milestone').click();
    await page.getByTestId('milestone-details-form').waitFor();
  });
  await check(`/programs/${id}`, '[data-testid="milestone-marker"]', 'milestone-retire', async (page) => {
    const open = page.locator('[data-testid="milestone-marker"][data-status]:not([data-status="met"])').first();
    await open.click();
    await page.getByTestId('retire-milestone').click();
    await page.getByTestId('retire-milestone-form').waitFor();
    await page.getByTestId('edit-dependency-terms').first().click();
    await page.getByTestId('dependency-terms-form').waitFor();
  });
  // A move pending after a slip, with its owner's answer.
  await check(`/programs/${id}`, '[data-testid="pending-move-marker"]', 'pending-move', async (page) => {
    await page.locator('[data-testid="milestone-marker"]:has([data-testid="pending-move-marker"])').first().click();
    await page.getByTestId('pending-move').waitFor();
  });
  await check('/account', 'h1', 'account');
  await check('/admin/users', '[data-testid="user-row"]', 'users');
  assert.deepEqual(found, [], 'serious accessibility violations');
  assert.deepEqual(unexpectedProblems(problems), []);
});
