// Shared by the browser test files: signing in, calling the API, opening windows, screenshots.
//
// Needs a running server (API + built UI) at THROUGHLINE_URL with an administrator
// THROUGHLINE_ADMIN_USER / THROUGHLINE_ADMIN_PASSWORD (scripts/test.sh creates one), and Chromium
// at /usr/bin/chromium (override with CHROMIUM_PATH). playwright-core never downloads a browser.
// Screenshots go to tests/browser/screenshots/ (gitignored).

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

export const BASE = (process.env.THROUGHLINE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = new URL('./screenshots/', import.meta.url);
/** How soon a change made in one window must show in the other. */
export const LIVE_BUDGET_MS = 1000;
export const ADMIN_USER = process.env.THROUGHLINE_ADMIN_USER ?? 'admin';
export const ADMIN_PASSWORD = process.env.THROUGHLINE_ADMIN_PASSWORD;

/** Signs in through the API like the login page does: the session cookie and its CSRF token. */
export async function signIn(username, password) {
  const response = await fetch(BASE + '/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const text = await response.text();
  assert.equal(response.status, 200, `cannot sign in as ${username}: ${text}`);
  const cookie = response.headers.get('set-cookie').split(';')[0];
  const me = JSON.parse(text);
  return { cookie, csrf: me.csrf_token, me };
}

/** Checks the server is up and signs the administrator in. */
export async function signInAdmin() {
  await mkdir(SHOTS, { recursive: true });
  const health = await (await fetch(BASE + '/api/health')).json();
  assert.equal(health.status, 'ok', `server at ${BASE} is not healthy`);
  assert.ok(ADMIN_PASSWORD, 'set THROUGHLINE_ADMIN_PASSWORD');
  return signIn(ADMIN_USER, ADMIN_PASSWORD);
}

/** Calls the API with `session`; throws on any non-2xx answer. */
export async function callApi(session, method, path, body) {
  const headers = { cookie: session.cookie, 'x-csrf-token': session.csrf };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  }
  return text ? JSON.parse(text) : null;
}

export async function screenshot(page, name, options = {}) {
  const path = new URL(`${name}.png`, SHOTS).pathname;
  if (options.element) {
    await options.element.screenshot({ path });
  } else {
    await page.screenshot({ path, fullPage: true });
  }
}

/** Collect console errors and failed requests, so a broken page fails loudly. */
function watch(page, label, problems) {
  page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${label}: console error: ${m.text()}`);
  });
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A browser window at `path`, signed in with `session` (null: nobody). */
export async function openWindow(browser, problems, path, label, session) {
  const context = await browser.newContext({
    viewport: { width: 1440, height: 900 },
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  if (session) {
    const [name, value] = session.cookie.split('=');
    await context.addCookies([{ name, value, url: BASE, httpOnly: true, sameSite: 'Strict' }]);
  }
  const page = await context.newPage();
  watch(page, label, problems);
  await page.goto(BASE + path);
  return page;
}

/** Console problems other than the non-2xx answers a test provoked on purpose. */
export function unexpectedProblems(problems) {
  // The browser logs every non-2xx answer; 401s before signing in, 403s of forged writes, 404s
  // of not-found tests, 409s of conflict tests and 422s of field-error tests are expected.
  return problems.filter((p) => !/Failed to load resource: .* status of (401|403|404|409|422)\b/.test(p));
}
