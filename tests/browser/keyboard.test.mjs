// Keyboard only: a program manager raises a decision and tables it, and the forum's chair votes
// and approves it, without a mouse. Every control is reached with Tab, shows a visible focus
// ring, and is used with Enter, Space or typing.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/keyboard.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  callApi,
  launchBrowser,
  openWindow as open,
  screenshot,
  signIn,
  signInAdmin,
  unexpectedProblems,
} from './support.mjs';

let admin;
let chair;
let browser;
let programId;
const problems = [];
const suffix = randomUUID().slice(0, 8);
const api = (method, path, body) => callApi(admin, method, path, body);

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
  programId = (
    await api('POST', '/api/programs', { name: `Keyboard ${suffix}`, sponsor: 'Dana Whitfield (CFO)' })
  ).program_id;
  const password = `keyboard chair ${suffix}`;
  const user = await api('POST', '/api/users', {
    username: `kchair-${suffix}`,
    display_name: 'Kim Chair',
    password,
  });
  await api('POST', `/api/programs/${programId}/members`, { user_id: user.user_id, role: 'forum_member' });
  const forum = await api('POST', `/api/programs/${programId}/forums`, {
    name: 'Change board',
    purpose: 'Approves changes',
    chair: user.user_id,
    members: [],
    quorum: 1,
    cadence: 'fortnightly',
    first_session: new Date().toISOString().slice(0, 10),
    decision_sla_days: 10,
  });
  await api('POST', `/api/programs/${programId}/decision-rights`, {
    rights: [{ kind: 'other', forum_id: forum.stream_id }],
  });
  chair = await signIn(`kchair-${suffix}`, password);
});

after(async () => {
  await browser?.close();
  assert.deepEqual(unexpectedProblems(problems), []);
});

/**
 * Presses Tab until the focused element matches `selector` (at most `limit` presses), then checks
 * that it shows a focus ring.
 */
async function tabTo(page, selector, limit = 250) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const found = await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
    if (found) {
      const ring = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
        return outline || style.boxShadow !== 'none';
      });
      assert.ok(ring, `${selector} shows where the focus is`);
      return;
    }
  }
  assert.fail(`${selector} cannot be reached with the Tab key`);
}

test('a decision is raised, tabled, voted on and approved with the keyboard alone', async () => {
  const pm = await open(browser, problems, `/programs/${programId}/governance`, 'program manager (keyboard)', admin);
  const governance = pm.getByTestId('governance');
  await governance.getByText('No decisions raised yet.').waitFor();

  await tabTo(pm, '[data-testid="raise-decision"]');
  await pm.keyboard.press('Enter');
  await pm.getByTestId('raise-form').waitFor();
  await tabTo(pm, '[data-testid="raise-form"] [name="kind"]');
  // A closed select takes the option whose label starts with what is typed.
  await pm.keyboard.type('Other');
  await tabTo(pm, '[data-testid="raise-form"] [name="question"]');
  await pm.keyboard.type('Hold the go-live freeze for one more week?');
  await tabTo(pm, '[data-testid="raise-form"] [name="titleA"]');
  await pm.keyboard.type('Hold it');
  await tabTo(pm, '[data-testid="raise-form"] [name="titleB"]');
  await pm.keyboard.type('Release on Monday');
  await tabTo(pm, '[data-testid="raise-form"] button[value="raise"]');
  await pm.keyboard.press('Enter');
  const card = governance.getByTestId('decision').first();
  await card.waitFor();
  assert.match(await card.getByTestId('routing').textContent(), /Change board/);

  await tabTo(pm, '[data-testid="decision"] [data-act="table"]');
  await screenshot(pm, '27-keyboard-focus-on-table');
  await pm.keyboard.press('Enter');
  await pm.locator('[data-testid="decision"][data-state="in_review"]').waitFor();

  const board = await open(browser, problems, `/programs/${programId}/governance`, 'chair (keyboard)', chair);
  const pending = board.locator('[data-testid="decision"][data-state="in_review"]');
  await pending.waitFor();
  await tabTo(board, '[data-testid="decision"] [data-act="vote"][data-vote="approve"]');
  await board.keyboard.press('Space');
  await board.getByTestId('votes').waitFor();
  assert.match(await board.getByTestId('votes').textContent(), /Kim Chair — approve/);
  await tabTo(board, '[data-testid="decision"] [name="rationale"]');
  await board.keyboard.type('The freeze protects the payment cut-over; one week is cheap.');
  await tabTo(board, '[data-testid="decision"] button[value="approve"]');
  await board.keyboard.press('Enter');
  await board.getByTestId('outcome').waitFor();
  assert.match(await board.getByTestId('outcome').textContent(), /Approved by Kim Chair/);
  // The program manager's window shows the outcome live.
  await pm.locator('[data-testid="decision"][data-state="approved"]').waitFor();
  await screenshot(board, '28-keyboard-approved');
  await board.context().close();
  await pm.context().close();
});
