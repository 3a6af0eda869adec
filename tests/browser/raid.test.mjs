// End-to-end test of the RAID tab: a contributor identifies a risk in one session; the program
// manager, already on the tab in another, sees the heatmap cell count and the register row appear
// live; the program manager sets the appetite, and accepting the risk above it is refused naming
// the forum that decides; looking at the program as of before the risk shows an empty register.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/raid.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  LIVE_BUDGET_MS,
  callApi,
  launchBrowser,
  openWindow as open,
  signIn,
  signInAdmin,
  unexpectedProblems,
} from './support.mjs';

let admin;
let contributor;
let browser;
const problems = [];
const suffix = randomUUID().slice(0, 8);
const api = (method, path, body) => callApi(admin, method, path, body);

function day(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

let programId;
let projectName;

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
  programId = (await api('POST', '/api/programs', { name: `RAID ${suffix}`, sponsor: 'Dana Whitfield (CFO)' }))
    .program_id;
  projectName = `Ledger ${suffix}`;
  const project = await api('POST', `/api/programs/${programId}/projects`, { name: projectName, manager: 'Lee Chen' });
  const provider = (
    await api('POST', `/api/programs/${programId}/milestones`, {
      project_id: project.project_id,
      name: 'HSM delivered',
      owner: 'Mira Okafor',
      planned: day(30),
    })
  ).stream_id;
  const consumer = (
    await api('POST', `/api/programs/${programId}/milestones`, {
      project_id: project.project_id,
      name: 'PCI certification',
      owner: 'Mira Okafor',
      planned: day(60),
    })
  ).stream_id;
  await api('POST', `/api/programs/${programId}/dependencies`, {
    provider,
    consumer,
    description: 'Keys live in the HSM',
  }).catch(() => {});
  // Risk acceptance above a score of 12 is the steering committee's.
  const chair = await api('POST', '/api/users', {
    username: `steer-${suffix}`,
    display_name: 'Sam Steer',
    password: `steer password ${suffix}`,
  });
  await api('POST', `/api/programs/${programId}/members`, { user_id: chair.user_id, role: 'forum_member' });
  const forum = await api('POST', `/api/programs/${programId}/forums`, {
    name: 'Steering committee',
    purpose: 'Accepts risks above appetite',
    chair: chair.user_id,
    members: [],
    quorum: 1,
    cadence: 'monthly',
    first_session: day(5),
    decision_sla_days: 10,
  });
  await api('POST', `/api/programs/${programId}/decision-rights`, {
    rights: [{ kind: 'risk_acceptance', threshold: 12, forum_id: forum.stream_id }],
  });
  const password = `contributor password ${suffix}`;
  const user = await api('POST', '/api/users', {
    username: `contrib-${suffix}`,
    display_name: 'Cory Contributor',
    password,
  });
  await api('POST', `/api/programs/${programId}/members`, { user_id: user.user_id, role: 'contributor' });
  contributor = await signIn(`contrib-${suffix}`, password);
});

after(async () => {
  await browser?.close();
  assert.deepEqual(unexpectedProblems(problems), []);
});

test('a risk identified in one session appears live in the heatmap and register of another; history before it is empty', async () => {
  const before = (await api('GET', `/api/programs/${programId}`)).position;

  // The program manager is already on the tab, with an empty register.
  const pm = await open(browser, problems, `/programs/${programId}/raid`, 'program manager', admin);
  const register = pm.getByTestId('risk-register');
  await register.waitFor();
  await pm.getByTestId('no-risks').waitFor();
  const cell = pm.locator('[data-testid="heat-cell"][data-p="4"][data-i="4"]');
  assert.equal(await cell.getAttribute('data-count'), '0');
  assert.equal(await cell.getAttribute('aria-label'), 'Probability 4, impact 4: no risks');

  // The contributor identifies a risk in their own session.
  const co = await open(browser, problems, `/programs/${programId}/raid`, 'contributor', contributor);
  await co.getByTestId('identify-risk').click();
  const form = co.getByTestId('identify-form');
  await form.locator('[name="title"]').fill('HSM supplier slips past the PCI audit');
  await form.locator('[name="owner"]').fill('Mira Okafor');
  await form.locator('[name="cause"]').fill('Single supplier for the HSM');
  await form.locator('[name="category"] option', { hasText: 'Vendor' }).waitFor({ state: 'attached' });
  await form.locator('[name="category"]').selectOption('Vendor');
  await form.getByTestId('project-picker').getByLabel(projectName).check();
  await form.getByTestId('milestone-picker').getByLabel(/HSM delivered/).check();
  await form.locator('[name="probability"]').selectOption('4');
  await form.locator('[name="impact"]').selectOption('4');
  await form.locator('[name="days"]').fill('20');
  await form.locator('[name="review"]').fill(day(14));
  await co.screenshot({ path: '/tmp/raid-identify-form.png', fullPage: true });
  const sent = Date.now();
  await form.locator('button[value="identify"]').click();
  await co.locator('[data-testid="risk-row"]', { hasText: 'HSM supplier slips' }).waitFor();

  // Live in the program manager's window: the cell's count, then the register's row.
  await pm.locator('[data-testid="heat-cell"][data-p="4"][data-i="4"][data-count="1"]').waitFor({ timeout: 5_000 });
  const seenAfter = Date.now() - sent;
  assert.equal(await cell.getAttribute('aria-label'), 'Probability 4, impact 4: 1 risk');
  const row = pm.locator('[data-testid="risk-row"]', { hasText: 'HSM supplier slips' });
  await row.waitFor();
  assert.match(await row.getByTestId('score').textContent(), /16 · High/);
  assert.equal(await pm.getByTestId('count-open-risks').locator('strong').textContent(), '1');
  console.log(`risk seen live after ${seenAfter} ms (budget ${LIVE_BUDGET_MS} ms from the event)`);

  // Choosing the cell narrows the register to it; another cell empties it.
  await cell.click();
  await row.waitFor();
  await pm.locator('[data-testid="heat-cell"][data-p="1"][data-i="1"]').click();
  await pm.getByTestId('no-risks').waitFor();
  await pm.getByTestId('clear-cell').click();
  await row.waitFor();

  // The program manager sets the appetite: the risk is above it, flagged on the tab's label.
  await pm.getByTestId('set-appetite').click();
  const appetite = pm.getByTestId('appetite-form');
  await appetite.locator('[name="score"]').fill('12');
  await appetite.locator('[name="reason"]').fill('Board risk policy 2027');
  await appetite.locator('button[value="appetite"]').click();
  await row.getByTestId('above-appetite').waitFor();
  await pm.getByRole('link', { name: 'Risks and issues (1 above appetite)' }).waitFor();

  // Accepting it is the steering committee's decision: the refusal says so, in the risk's panel.
  await row.getByTestId('risk-title').click();
  const panel = row.getByTestId('risk-panel');
  await panel.waitFor();
  await panel.locator('[data-act="respond"]').click();
  await panel.locator('[name="strategy"]').selectOption('accept');
  await panel.locator('[data-form="respond"] [name="reason"]').fill('Cheaper than a second supplier');
  await panel.locator('[data-form="respond"] button').click();
  const refusal = panel.getByRole('alert');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /Steering committee/);

  // Mitigating instead is the project's own call, with an action to do it.
  await panel.locator('[name="strategy"]').selectOption('mitigate');
  await panel.locator('[data-form="respond"] button').click();
  await row.getByText(/mitigate/).first().waitFor();
  await panel.locator('[name="action-title"]').fill('Qualify a second HSM supplier');
  await panel.locator('[name="action-owner"]').fill('Lee Chen');
  await panel.locator('[name="action-due"]').fill(day(10));
  await panel.locator('[data-form="add-action"] button').click();
  await panel.getByTestId('raid-action').first().waitFor();
  await panel.getByTestId('risk-history').getByText(/Qualify a second HSM supplier|action/i).first().waitFor();
  await pm.screenshot({ path: '/tmp/raid-tab.png', fullPage: true });

  // As of before the risk existed, the register is empty and nothing can be changed.
  await pm.goto(`${new URL(pm.url()).origin}/programs/${programId}/raid?as_of=${before}`);
  await pm.getByTestId('risk-register').waitFor();
  await pm.getByTestId('no-risks').waitFor();
  assert.equal(await pm.locator('[data-testid="risk-row"]').count(), 0);
  assert.equal(await pm.getByTestId('identify-risk').count(), 0);
  assert.equal(
    await pm.locator('[data-testid="heat-cell"][data-p="4"][data-i="4"]').getAttribute('data-count'),
    '0',
  );
  await pm.screenshot({ path: '/tmp/raid-history.png', fullPage: true });
});
