// End-to-end test of executive briefings: the demo's last-week briefing is listed and this week's
// is due on the governance tab; the program manager writes a narrative and publishes; the
// published briefing verifies against the log, prints, and its PDF is rendered to a PNG (Debian's
// pdftoppm) to be looked at.
//
//   THROUGHLINE_URL=http://127.0.0.1:8080 node --test tests/browser/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BASE,
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
const api = (method, path, body) => callApi(admin, method, path, body);

before(async () => {
  admin = await signInAdmin();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('the program manager publishes the demo briefing, which verifies, prints and opens as a PDF', async () => {
  const demo = (await api('GET', '/api/programs')).find((p) => p.name === 'Payments Platform Modernisation');
  assert.ok(demo, 'scripts/test.sh seeds the demo program');
  const id = demo.program_id;

  // Last week's briefing makes this week's due: on the governance tab's attention list.
  const gov = await open(browser, problems, `/programs/${id}/governance`, 'governance', admin);
  const due = gov.getByTestId('briefing-due');
  await due.waitFor();
  assert.match(await due.textContent(), /Executive briefing due/);
  await due.click();
  await gov.waitForURL(/\/briefings$/);

  // The draft: generated from the log, counting from briefing 1, every sentence with its events.
  const page = gov;
  const published = page.getByTestId('published-briefing');
  await published.first().waitFor();
  assert.equal(await published.count(), 1, 'the demo published one last week');
  await page.getByTestId('briefing-fact').first().waitFor();
  const draft = await page.locator('.briefing-draft').textContent();
  assert.match(draft, /What changed since briefing 1/);
  assert.match(draft, /slipped \d+ days/);
  assert.ok((await page.getByTestId('evidence-link').count()) > 5, 'sentences link to their events');
  assert.ok(await page.locator('.briefing-timeline svg .briefing-ghost').count() > 0, 'moved milestones keep a ghost');
  await screenshot(page, '10a-briefing-draft');

  await page.getByLabel('Narrative (your words to leadership)').fill(
    'PCI re-audit is booked; 3-D Secure and the go-live follow it.\n\nWe need the shadow-mode decision this week.',
  );
  await page.getByLabel(/Highlights/).fill('Go-live holds if the re-audit passes\nShadow mode: decision needed');
  await page.getByRole('button', { name: 'Publish briefing' }).click();
  await page.waitForURL(/\/briefings\/2$/);
  const verified = page.getByTestId('briefing-verified');
  await verified.waitFor();
  assert.match(await verified.textContent(), /^Verified against the log: event \d+ holds this content, SHA-256 [0-9a-f]{64}\./);
  const article = await page.getByTestId('briefing').textContent();
  assert.match(article, /executive briefing 2/);
  assert.match(article, /Shadow mode: decision needed/);
  await screenshot(page, '10b-briefing-published');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('.briefing-actions').isVisible(), false, 'print hides the buttons');
  await screenshot(page, '10c-briefing-print');
  await page.emulateMedia({ media: 'screen' });

  // Its PDF, rendered to PNG.
  const href = await page.getByTestId('pdf-link').getAttribute('href');
  const res = await fetch(BASE + href, { headers: { cookie: admin.cookie } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/pdf');
  const pdf = Buffer.from(await res.arrayBuffer());
  assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
  const dir = mkdtempSync(join(tmpdir(), 'briefing-'));
  writeFileSync(join(dir, 'b.pdf'), pdf);
  execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', join(dir, 'b.pdf'), join(dir, 'page')]);
  const png = readFileSync(join(dir, 'page-1.png'));
  assert.ok(png.length > 20_000, `a page with content (${png.length} bytes)`);
  copyFileSync(join(dir, 'page-1.png'), new URL('./screenshots/10d-briefing-pdf-page1.png', import.meta.url).pathname);
  const text = execFileSync('pdftotext', [join(dir, 'b.pdf'), '-']).toString();
  assert.match(text, /executive briefing 2/);
  assert.match(text, /Go-live holds if the re-audit passes/);

  const list = await api('GET', `/api/programs/${id}/briefings`);
  assert.equal(list.published.length, 2);
  await page.context().close();
  assert.deepEqual(unexpectedProblems(problems), []);
});
