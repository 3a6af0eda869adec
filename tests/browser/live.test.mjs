// End-to-end test of the Throughline UI in two headless Chromium windows.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/
//
// Needs a running server (API + built UI) at THROUGHLINE_URL with an administrator
// THROUGHLINE_ADMIN_USER / THROUGHLINE_ADMIN_PASSWORD (scripts/test.sh creates one), and Chromium
// at /usr/bin/chromium (override with CHROMIUM_PATH). playwright-core never downloads a browser.
// Screenshots go to tests/browser/screenshots/ (gitignored).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  BASE,
  LIVE_BUDGET_MS,
  callApi,
  launchBrowser,
  openWindow as open,
  screenshot,
  signIn,
  signInAdmin,
  unexpectedProblems,
} from './support.mjs';

let admin; // the administrator's session, used by `api`

function api(method, path, body, session = admin) {
  return callApi(session, method, path, body);
}

const suffix = randomUUID().slice(0, 8);
const programName = `Payments modernisation ${suffix}`;
const projectName = `Card gateway ${suffix}`;

let browser;
let programId;
let projectId;
let amberPosition;
const problems = [];

before(async () => {
  admin = await signInAdmin();

  const created = await api('POST', '/api/programs', {
    name: programName,
    description: 'Move card processing off the mainframe onto the cloud platform by mid-2027.',
    sponsor: 'Dana Whitfield (CFO)',
    objectives: [
      {
        title: 'Retire the mainframe',
        kpi: 'Share of card volume on the new platform',
        target_value: '100%',
        target_date: '2027-06-30',
      },
      { title: 'Cut cost per transaction', kpi: 'Cost per transaction', target_value: '€0.02' },
    ],
  });
  programId = created.program_id;
  const added = await api('POST', `/api/programs/${programId}/projects`, {
    name: projectName,
    manager: 'Lee Chen',
  });
  projectId = added.project_id;
  await api('POST', `/api/programs/${programId}/projects`, {
    name: `Fraud scoring ${suffix}`,
    manager: 'Priya Nair',
  });
  const view = await api('GET', `/api/programs/${programId}`);
  const project = view.projects.find((p) => p.project_id === projectId);
  const amber = await api('POST', `/api/programs/${programId}/projects/${projectId}/status`, {
    rag: 'amber',
    narrative: 'Vendor API two weeks late; mitigation plan agreed.',
    expected_version: project.version,
    reason: 'Weekly status review',
  });
  amberPosition = amber.position;

  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** A browser window signed in with `session` (the administrator's by default; null: nobody). */
function openWindow(path, label, session = admin) {
  return open(browser, problems, path, label, session);
}

const rowSelector = (name) => `[data-testid="project-row"][data-project-name="${name}"]`;

test('a status change in one window shows in the other within a second, without reload', async () => {
  const a = await openWindow(`/programs/${programId}`, 'window A');
  const b = await openWindow(`/programs/${programId}`, 'window B');
  for (const page of [a, b]) {
    await page.locator(rowSelector(projectName)).waitFor();
    await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  }
  const rowB = b.locator(rowSelector(projectName));
  assert.equal(await rowB.getAttribute('data-rag'), 'amber');
  assert.match(await b.getByTestId('program-name').textContent(), new RegExp(suffix));
  await screenshot(a, '2-program-page');

  // Mark window B so a reload would be noticed.
  await b.evaluate(() => {
    window.__throughlineNoReload = true;
  });
  await b.getByTestId('activity-item').first().waitFor();
  const activityBefore = await b.getByTestId('activity-item').count();

  // Window A: open the status form of the project and report Red, with the keyboard.
  const rowA = a.locator(rowSelector(projectName));
  await rowA.getByTestId('report-status').click();
  const form = a.getByTestId('status-form');
  await form.waitFor();
  const focusedRag = await a.evaluate(() => document.activeElement?.getAttribute('data-testid'));
  assert.equal(focusedRag, 'status-rag-amber', 'the form opens with the current status focused');
  await form.getByTestId('status-rag-red').check();
  const narrative = `Vendor missed the second deadline; go-live at risk (${suffix}).`;
  await form.getByTestId('status-narrative').fill(narrative);
  await form.getByTestId('status-reason').fill('Escalated at the steering committee');

  const seenInB = b.waitForFunction(
    ([selector, text]) => {
      const row = document.querySelector(selector);
      return (
        row?.getAttribute('data-rag') === 'red' &&
        row.querySelector('[data-testid="project-narrative"]')?.textContent.includes(text)
      );
    },
    [rowSelector(projectName), narrative],
    { polling: 20, timeout: 10_000 },
  );
  const started = performance.now();
  await form.getByTestId('status-narrative').press('Enter'); // Enter submits
  await seenInB;
  const elapsed = performance.now() - started;
  console.log(`window B showed the change ${elapsed.toFixed(0)} ms after window A submitted`);
  assert.ok(elapsed < LIVE_BUDGET_MS, `window B took ${elapsed.toFixed(0)} ms (budget ${LIVE_BUDGET_MS} ms)`);

  // Still the same document in B: it was not reloaded.
  assert.equal(await b.evaluate(() => window.__throughlineNoReload), true);

  // B: the chip, the trend and the highlight of the changed row.
  assert.equal(await rowB.getByTestId('rag-chip').textContent(), 'Red');
  assert.match(await rowB.getByTestId('rag-trend').textContent(), /amber → red/);
  assert.equal(await rowB.getAttribute('data-highlighted'), 'true', 'the changed row is highlighted');
  assert.equal(
    await b.locator('[data-testid="rollup-rag"] [data-testid="rag-chip"]').getAttribute('data-rag'),
    'red',
  );

  // B: the activity panel gained the event, newest first, with who, what, why and where.
  await b.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="activity-item"]').length === n,
    activityBefore + 1,
    { timeout: 2000 },
  );
  const newest = b.getByTestId('activity-item').first();
  const newestText = await newest.textContent();
  assert.match(newestText, new RegExp(`${projectName}`));
  assert.match(newestText, /Reported status Red/);
  assert.ok(newestText.includes(narrative), 'the activity item carries the narrative');
  assert.match(await newest.getByTestId('activity-reason').textContent(), /Escalated at the steering committee/);
  assert.ok((await newest.getByTestId('activity-actor').textContent()).trim().length > 0);
  assert.ok(Number(await newest.getAttribute('data-position')) > amberPosition);
  await screenshot(b, '3-after-live-update');

  // A: the form closed, its own view updated too.
  await a.getByTestId('status-form').waitFor({ state: 'detached' });
  assert.equal(await rowA.getAttribute('data-rag'), 'red');

  await a.context().close();
  await b.context().close();
});

test('the program list shows the program with its health', async () => {
  const page = await openWindow('/', 'list');
  const row = page.locator(`[data-testid="program-row"][data-program-name="${programName}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Dana Whitfield/);
  assert.match(await row.getByTestId('project-count').textContent(), /2 projects/);
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  await screenshot(page, '1-program-list');

  // The list stays live: a change elsewhere shows without reload.
  const view = await api('GET', `/api/programs/${programId}`);
  const other = view.projects.find((p) => p.project_id !== projectId);
  await api('POST', `/api/programs/${programId}/projects/${other.project_id}/status`, {
    rag: 'green',
    narrative: 'Model trained and validated.',
    expected_version: other.version,
  });
  await page.waitForFunction(
    (name) =>
      [...document.querySelectorAll('[data-testid="program-row"]')]
        .find((r) => r.getAttribute('data-program-name') === name)
        ?.textContent.includes('Green'),
    programName,
    { timeout: 3000 },
  );
  await page.context().close();
});

test('history: the program as it stood at a past position, read-only', async () => {
  const page = await openWindow(`/programs/${programId}?as_of=${amberPosition}`, 'history');
  await page.getByTestId('history-banner').waitFor();
  assert.match(await page.getByTestId('history-banner').textContent(), new RegExp(`#${amberPosition}`));
  assert.equal(await page.locator(rowSelector(projectName)).getAttribute('data-rag'), 'amber');
  assert.equal(await page.getByTestId('report-status').count(), 0, 'no edit forms in history');
  assert.equal(await page.getByTestId('add-project').count(), 0);
  // The activity is read after the view: wait for it before judging its positions.
  await page.getByTestId('activity-item').first().waitFor();
  const positions = await page
    .getByTestId('activity-item')
    .evaluateAll((items) => items.map((i) => Number(i.getAttribute('data-position'))));
  assert.ok(positions.length > 0 && positions.every((p) => p <= amberPosition));
  await screenshot(page, '4-history');
  await page.getByTestId('back-to-live').click();
  await page.getByTestId('history-banner').waitFor({ state: 'detached' });
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  assert.equal(await page.locator(rowSelector(projectName)).getAttribute('data-rag'), 'red');

  // A moment an hour ago, by its address: the program did not exist yet.
  const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
  await page.goto(`${new URL(page.url()).origin}/programs/${programId}?as_of=${encodeURIComponent(anHourAgo)}`);
  await page.getByTestId('not-found').waitFor();
  assert.match(await page.getByTestId('not-found').textContent(), /did not exist yet/);
  await page.context().close();
});

test('creating a program shows field errors, then opens the new program', async () => {
  const page = await openWindow('/', 'create');
  await page.getByTestId('new-program').click();
  const form = page.getByTestId('create-program-form');
  await form.waitFor();
  await form.getByTestId('objective-title').fill('');
  await form.getByTestId('objective-kpi').fill('Merchants onboarded');
  await form.getByTestId('create-program-submit').click();
  const nameError = form.locator('[data-testid="field-error"][data-field="name"]');
  await nameError.waitFor();
  assert.match(await nameError.textContent(), /empty/);
  await form.locator('[data-testid="field-error"][data-field="objectives[0].title"]').waitFor();
  await screenshot(page, '5-create-errors');

  const name = `Merchant onboarding ${suffix}`;
  await form.getByTestId('program-name').fill(name);
  await form.getByTestId('program-sponsor').fill('Sam Okafor (COO)');
  await form.getByTestId('objective-title').fill('Onboard merchants in a day');
  await form.getByTestId('create-program-submit').click();
  await page.waitForURL(/\/programs\/[0-9a-f-]{36}$/);
  assert.equal((await page.getByTestId('program-name').textContent()).trim(), name);
  await page.getByTestId('no-projects').waitFor();
  await page.context().close();
});

test('editing details: a stale edit is refused with a conflict, then saved', async () => {
  const page = await openWindow(`/programs/${programId}`, 'edit');
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  await page.getByTestId('edit-program').click();
  const form = page.getByTestId('edit-program-form');
  await form.waitFor();
  await form.getByTestId('edit-sponsor').fill('Sam Okafor (COO)');
  await form.getByTestId('edit-reason').fill('Sponsorship moved to operations');

  // Someone else edits the program meanwhile.
  const view = await api('GET', `/api/programs/${programId}`);
  await api('PATCH', `/api/programs/${programId}`, {
    description: 'Move card processing off the mainframe by mid-2027, region by region.',
    expected_version: view.version,
  });
  // That change reaches this window live, while the form stays open with what was typed.
  await page.waitForFunction(
    () => document.querySelector('[data-testid="program-description"]')?.textContent.includes('region by region'),
    null,
    { timeout: 3000 },
  );

  await form.getByTestId('edit-submit').click();
  const formError = form.getByTestId('form-error');
  await formError.waitFor();
  assert.match(await formError.textContent(), /Someone else changed this program/);

  await form.getByTestId('edit-submit').click(); // now against the current version
  await form.waitFor({ state: 'detached' });
  await page.waitForFunction(
    () => document.querySelector('[data-testid="program-sponsor"]')?.textContent === 'Sam Okafor (COO)',
    null,
    { timeout: 3000 },
  );
  const newest = page.getByTestId('activity-item').first();
  assert.match(await newest.textContent(), /Changed the sponsor from Dana Whitfield \(CFO\) to Sam Okafor \(COO\)/);
  assert.match(await newest.getByTestId('activity-reason').textContent(), /Sponsorship moved to operations/);
  await page.context().close();
});

test('an unknown program shows a not-found page', async () => {
  const page = await openWindow(`/programs/${randomUUID()}`, 'not found');
  await page.getByTestId('not-found').waitFor();
  assert.match(await page.getByTestId('not-found').textContent(), /not found/i);
  await page.context().close();
});

test('signing in shows only your own programs; a viewer gets no edit controls and a forged write is refused', async () => {
  // A viewer of this program only, and a program they do not belong to.
  const viewerName = `viewer-${suffix}`;
  const viewerPassword = `viewer password ${suffix}`;
  const viewer = await api('POST', '/api/users', {
    username: viewerName,
    display_name: `Vera Viewer ${suffix}`,
    password: viewerPassword,
  });
  await api('POST', `/api/programs/${programId}/members`, { user_id: viewer.user_id, role: 'viewer' });
  const hidden = await api('POST', '/api/programs', { name: `Board secrets ${suffix}`, sponsor: 'CEO' });

  // Nobody signed in: the login page, whatever the address.
  const page = await openWindow(`/programs/${programId}`, 'viewer', null);
  const form = page.getByTestId('login-form');
  await form.waitFor();
  await form.getByTestId('login-username').fill(viewerName);
  await form.getByTestId('login-password').fill('not my password');
  await form.getByTestId('login-submit').click();
  await page.getByTestId('login-error').waitFor();
  assert.match(await page.getByTestId('login-error').textContent(), /user name or the password is wrong/);
  await screenshot(page, '6-login-error');
  await form.getByTestId('login-password').fill(viewerPassword);
  await form.getByTestId('login-password').press('Enter');

  // Signed in, on the page asked for: read-only.
  await page.locator(rowSelector(projectName)).waitFor();
  await page.locator('[data-testid="live-indicator"][data-state="live"]').waitFor();
  assert.match(await page.getByTestId('user-menu').textContent(), /Vera Viewer/);
  assert.equal((await page.getByTestId('read-only-badge').textContent()).trim(), 'Read-only');
  for (const control of ['edit-program', 'add-project', 'report-status']) {
    assert.equal(await page.getByTestId(control).count(), 0, `a viewer sees ${control}`);
  }
  await screenshot(page, '7-viewer-program');

  // A write forged from the viewer's own page (with the session's CSRF token) is refused.
  const forged = await page.evaluate(
    async ([program, project]) => {
      const me = await (await fetch('/api/me')).json();
      const response = await fetch(`/api/programs/${program}/projects/${project}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token },
        body: JSON.stringify({ rag: 'green', narrative: 'all fine, honest' }),
      });
      return { status: response.status, body: await response.json() };
    },
    [programId, projectId],
  );
  assert.equal(forged.status, 403);
  assert.equal(forged.body.error.code, 'forbidden');

  // The program list holds this program only.
  await page.getByRole('link', { name: 'Programs' }).first().click();
  await page.locator('[data-testid="program-row"]').first().waitFor();
  const names = await page
    .locator('[data-testid="program-row"]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-program-name')));
  assert.deepEqual(names, [programName]);
  assert.equal(await page.locator(`[data-program-id="${hidden.program_id}"]`).count(), 0);
  // And the hidden program's own address is a not-found page.
  await page.goto(`${BASE}/programs/${hidden.program_id}`);
  await page.getByTestId('not-found').waitFor();

  // Signing out returns to the login page.
  await page.getByTestId('user-menu-button').click();
  await page.getByTestId('sign-out').click();
  await page.getByTestId('login-form').waitFor();
  await screenshot(page, '8-signed-out');
  await page.context().close();
});

test('an administrator adds a user, gives them a role and makes a token, all in the UI', async () => {
  const page = await openWindow('/admin/users', 'admin');
  const form = page.getByTestId('create-user-form');
  await form.waitFor();
  const username = `casey-${suffix}`;
  await form.getByTestId('new-username').fill(username);
  await form.getByTestId('new-display-name').fill(`Casey Contributor ${suffix}`);
  await form.getByTestId('new-password').fill('short');
  await form.getByTestId('create-user-submit').click();
  await form.locator('[data-testid="field-error"][data-field="password"]').waitFor();
  await form.getByTestId('new-password').fill(`casey password ${suffix}`);
  await form.getByTestId('create-user-submit').click();
  await page.locator(`[data-testid="user-row"][data-username="${username}"]`).waitFor();
  await screenshot(page, '9-users');

  await page.goto(`${BASE}/programs/${programId}/members`);
  const grant = page.getByTestId('grant-form');
  await grant.waitFor();
  await page.waitForFunction(
    (name) => [...document.querySelectorAll('[data-testid="grant-user"] option')].some((o) => o.textContent.includes(name)),
    username,
  );
  const option = await grant
    .getByTestId('grant-user')
    .locator('option', { hasText: username })
    .getAttribute('value');
  await grant.getByTestId('grant-user').selectOption(option);
  await grant.getByTestId('grant-role').selectOption('project_manager');
  await grant.getByTestId('grant-project').selectOption({ label: projectName });
  await grant.getByTestId('grant-reason').fill('Runs the gateway cut-over');
  await grant.getByTestId('grant-submit').click();
  const row = page.locator(`[data-testid="member-row"][data-username="${username}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), new RegExp(`Project manager of ${projectName}`));
  await screenshot(page, '10-members');

  // The grant is in the program's activity, with its reason.
  await page.goto(`${BASE}/programs/${programId}`);
  const newest = page.getByTestId('activity-item').first();
  await newest.waitFor();
  assert.match(await newest.textContent(), new RegExp(`Made ${username} Project manager of ${projectName}`));
  assert.match(await newest.getByTestId('activity-reason').textContent(), /Runs the gateway cut-over/);

  // A read-only token, shown once.
  await page.goto(`${BASE}/account`);
  const tokenForm = page.getByTestId('create-token-form');
  await tokenForm.waitFor();
  await tokenForm.getByTestId('token-name').fill('Weekly report script');
  await tokenForm.getByTestId('create-token-submit').click();
  const secret = (await page.getByTestId('new-token-secret').textContent()).trim();
  assert.match(secret, /^tl_[0-9a-f]{64}$/);
  const readable = await fetch(`${BASE}/api/programs/${programId}`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(readable.status, 200);
  await screenshot(page, '11-token-created');
  await page.locator('[data-testid="token-row"][data-token-name="Weekly report script"]').getByTestId('revoke-token').click();
  await page.locator('[data-testid="token-row"][data-token-name="Weekly report script"][data-revoked="true"]').waitFor();
  const refused = await fetch(`${BASE}/api/programs/${programId}`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal(refused.status, 401);
  await page.context().close();
});

test('no errors in the browser console', () => {
  assert.deepEqual(unexpectedProblems(problems), []);
});
