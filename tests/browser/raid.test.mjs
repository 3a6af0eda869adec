// End-to-end test of the RAID tab: a contributor identifies a risk in one session; the program
// manager, already on the tab in another (and on the overview in a third), sees the heatmap cell
// count, the register row, the top risks and the risk's marks on the timeline's threatened
// milestones appear live; the program manager sets the appetite, and accepting the risk above it
// is refused naming the forum that decides; asked from the refusal, the forum approves the
// acceptance, which the audit trail shows as caused by the approval; looking at the program as of
// before the risk shows an empty register.
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
let chair;
let providerId;
let consumerId;

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
  programId = (await api('POST', '/api/programs', { name: `RAID ${suffix}`, sponsor: 'Dana Whitfield (CFO)' }))
    .program_id;
  projectName = `Ledger ${suffix}`;
  const project = await api('POST', `/api/programs/${programId}/projects`, { name: projectName, manager: 'Lee Chen' });
  const provider = (providerId = (
    await api('POST', `/api/programs/${programId}/milestones`, {
      project_id: project.project_id,
      name: 'HSM delivered',
      owner: 'Mira Okafor',
      planned: day(30),
    })
  ).stream_id);
  const consumerProject = await api('POST', `/api/programs/${programId}/projects`, {
    name: `Cards ${suffix}`,
    manager: 'Noor Haddad',
  });
  const consumer = (consumerId = (
    await api('POST', `/api/programs/${programId}/milestones`, {
      project_id: consumerProject.project_id,
      name: 'PCI certification',
      owner: 'Mira Okafor',
      planned: day(40),
    })
  ).stream_id);
  await api('POST', `/api/programs/${programId}/dependencies`, {
    provider,
    consumer,
    description: 'Keys live in the HSM',
  });
  // Risk acceptance above a score of 12 is the steering committee's.
  const steer = await api('POST', '/api/users', {
    username: `steer-${suffix}`,
    display_name: 'Sam Steer',
    password: `steer password ${suffix}`,
  });
  await api('POST', `/api/programs/${programId}/members`, { user_id: steer.user_id, role: 'forum_member' });
  const forum = await api('POST', `/api/programs/${programId}/forums`, {
    name: 'Steering committee',
    purpose: 'Accepts risks above appetite',
    chair: steer.user_id,
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
  chair = await signIn(`steer-${suffix}`, `steer password ${suffix}`);
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
  // And, in another window, on the overview: no top risks, no risk marks on the timeline.
  const overview = await open(browser, problems, `/programs/${programId}`, 'program manager (overview)', admin);
  await overview.getByTestId('timeline').waitFor();
  await overview.getByTestId('top-risks').getByText('No open risk has been assessed.').waitFor();
  assert.equal(await overview.getByTestId('risk-mark').count(), 0);

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

  // The overview, live too: the risk tops its list, and the timeline marks the milestone it
  // names and, downstream through the dependency, the milestone that needs it.
  const top = overview.getByTestId('top-risk').first();
  await top.waitFor();
  assert.match(await top.textContent(), /16 · High.*HSM supplier slips past the PCI audit/s);
  const direct = overview.locator(`[data-testid="risk-mark"][data-milestone="${providerId}"]`);
  await direct.waitFor({ state: 'attached' });
  assert.match(await direct.getAttribute('class'), /direct/);
  assert.match(await direct.getAttribute('aria-label'), /1 risk could push this milestone by up to 20 days/);
  const downstream = overview.locator(`[data-testid="risk-mark"][data-milestone="${consumerId}"]`);
  await downstream.waitFor({ state: 'attached' });
  assert.match(await downstream.getAttribute('aria-label'), /\(downstream\)/);
  await overview.screenshot({ path: '/tmp/raid-overview.png', fullPage: true });
  await overview.context().close();

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

  // Mitigating is the project's own call, with an action to do it.
  await panel.locator('[name="strategy"]').selectOption('mitigate');
  await panel.locator('[data-form="respond"] button').click();
  await row.getByText(/mitigate/).first().waitFor();
  await panel.locator('[name="action-title"]').fill('Qualify a second HSM supplier');
  await panel.locator('[name="action-owner"]').fill('Lee Chen');
  await panel.locator('[name="action-due"]').fill(day(10));
  await panel.locator('[data-form="add-action"] button').click();
  await panel.getByTestId('raid-action').first().waitFor();
  await panel.getByTestId('risk-history').getByText(/Qualify a second HSM supplier|action/i).first().waitFor();

  // Its details are edited in place, against the version shown: a new owner and cause, the
  // threatened milestone kept ticked; the panel and the register show them.
  await panel.locator('[data-act="edit"]').click();
  const edit = panel.getByTestId('revise-form');
  await edit.waitFor();
  assert.equal(await edit.locator('[name="title"]').inputValue(), 'HSM supplier slips past the PCI audit');
  await edit.locator('[name="owner"]').fill('Priya Raman');
  await edit.locator('[name="cause"]').fill('Single HSM supplier, no second source');
  await edit.locator('button[value="revise"]').click();
  await edit.waitFor({ state: 'detached' });
  await panel.getByText('Single HSM supplier, no second source').waitFor();
  await row.getByText('Priya Raman').first().waitFor();
  await pm.screenshot({ path: '/tmp/raid-tab.png', fullPage: true });

  // Asked from the refusal, the acceptance goes to the forum as a decision (of the risk as it
  // is now: a change before the approval would make the approval refuse its stale effect).
  await panel.locator('[data-act="respond"]').click();
  await panel.locator('[name="strategy"]').selectOption('accept');
  await panel.locator('[data-form="respond"] [name="reason"]').fill('Cheaper than a second supplier');
  await panel.locator('[data-form="respond"] button').click();
  await panel.getByTestId('raise-acceptance').click();
  await panel.getByTestId('raise-acceptance').waitFor({ state: 'detached' });

  // The chair, in their own session, approves the acceptance; the program manager sees the risk
  // accepted live, naming the decision.
  // (Tabling it for the forum's session is the program manager's, tested on the governance tab.)
  const governance = await api('GET', `/api/programs/${programId}/governance`);
  const raised = governance.view.decisions.find((d) => d.kind === 'risk_acceptance');
  assert.equal(raised.question, 'Accept the risk “HSM supplier slips past the PCI audit”?');
  await api('POST', `/api/programs/${programId}/decisions/${raised.decision_id}/table`, {});
  const board = await open(browser, problems, `/programs/${programId}/governance`, 'chair', chair);
  const pending = board.locator('[data-testid="decision"][data-state="in_review"]');
  await pending.waitFor();
  await pending.locator('[data-act="vote"][data-vote="approve"]').click();
  // The approval names the version it saw: wait until the vote is in it.
  await pending.getByTestId('votes').getByText('Sam Steer — approve').waitFor();
  await pending.locator('[name="rationale"]').fill('A second supplier costs more than the slip would');
  await pending.locator('button[value="approve"]').click();
  await board.locator('[data-testid="decision"][data-state="approved"]').waitFor();
  await board.context().close();
  await row.getByText(/accept/i).first().waitFor();
  await panel.getByText('by decision').waitFor();
  assert.equal(await row.getByTestId('above-appetite').count(), 1, 'still above appetite, but accepted');

  // The audit trail: the acceptance names the forum's approval as its cause.
  await pm.goto(`${new URL(pm.url()).origin}/programs/${programId}/audit`);
  const accepted = pm.locator('[data-testid="audit-row"][data-type="RiskResponseChosen"]', { hasText: /accept/i });
  await accepted.first().waitFor();
  await accepted.first().getByTestId('cause-link').click();
  await pm.locator('[data-testid="audit-row"][data-type="DecisionApproved"]').waitFor();
  await pm.screenshot({ path: '/tmp/raid-audit-causation.png', fullPage: true });

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

test('a dependency turning late suggests a risk live; its consumer dismisses it with a reason or identifies it', async () => {
  const pm = await open(browser, problems, `/programs/${programId}/raid`, 'program manager', admin);
  await pm.getByTestId('risk-register').waitFor();
  assert.equal(await pm.getByTestId('risk-suggestions').count(), 0);
  // The provider slips past the consumer's need: the dependency turns late.
  await api('POST', `/api/programs/${programId}/milestones/${providerId}/forecast`, {
    forecast: day(45),
    reason: 'HSM vendor moved the delivery',
  });
  const suggestions = pm.getByTestId('risk-suggestions');
  await suggestions.waitFor({ timeout: 5_000 });
  assert.match(await suggestions.locator('summary').textContent(), /1 risk suggested by dependencies in trouble/);
  await suggestions.locator('summary').click();
  const suggestion = suggestions.getByTestId('risk-suggestion');
  assert.match(await suggestion.textContent(), /waits on “HSM delivered”/);
  await pm.screenshot({ path: '/tmp/raid-suggestion.png', fullPage: true });

  // Dismissing needs a reason, and is recorded: the suggestion goes.
  await suggestion.locator('[data-act="dismiss-suggestion"]').click();
  await suggestion.locator('[data-form="dismiss"] [name="reason"]').fill('Covered by the HSM supplier risk');
  await suggestion.locator('[data-form="dismiss"] button').click();
  await suggestions.waitFor({ state: 'detached' });
  const settings = await api('GET', `/api/programs/${programId}/audit?event_type=RiskSuggestionDismissed`);
  assert.equal(settings.events.length, 1);
  assert.match(JSON.stringify(settings.events[0]), /Covered by the HSM supplier risk/);

  // A worse trouble (broken) suggests it again; identifying it files a risk linked to the
  // dependency, on the consumer's project.
  const program = await api('GET', `/api/programs/${programId}`);
  const dependency = program.dependencies[0];
  await api('POST', `/api/programs/${programId}/dependencies/${dependency.dependency_id}/agree`, {});
  await api('POST', `/api/programs/${programId}/dependencies/${dependency.dependency_id}/break`, {
    reason: 'The vendor cannot deliver at all',
  });
  await suggestions.waitFor({ timeout: 5_000 });
  await suggestions.locator('summary').click();
  await suggestions.locator('[data-act="accept-suggestion"]').click();
  await suggestions.waitFor({ state: 'detached' });
  const row = pm.locator('[data-testid="risk-row"]', { hasText: 'waits on “HSM delivered”' });
  await row.waitFor();
  assert.match(await row.textContent(), /Cards/);
  await pm.context().close();
});
