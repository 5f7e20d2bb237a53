// Shared by the browser tests: start `lookout demo` (Lookout over the in-repo fake Authentik),
// drive Debian's Chromium through playwright-core, and collect everything that must never
// happen on the page (console errors, uncaught exceptions, CSP violations, dialogs).

import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHOTS = path.join(ROOT, 'screenshots');
const BIN = process.env.LOOKOUT_BIN || path.join(ROOT, 'target/debug/lookout');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

/** The standard scenario's figures (`STANDARD` in src/fake/scenario.rs). */
export const STANDARD = {
  usersTotal: 12,
  usersActive: 10,
  groups: 4,
  sessions: 7,
  sessionUsers: 5,
  logins24h: 30,
  failed24h: 15,
  burstIp: '198.51.100.23',
  burstFailures: 8,
  burstUsernames: ['admin', 'root', 'alice'],
};

export const XSS_IMG = '<img src=x onerror=alert(1)>';
export const XSS_SCRIPT = '"><script>alert(1)</script>';

/**
 * Starts `lookout demo` on free ports with its own data directory. Resolves once both URLs
 * are printed; `stop()` ends the process (by its pid) and removes the directory.
 */
export async function startLookout() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'lookout-browser-'));
  const args = [
    'demo',
    '--listen', '127.0.0.1:0',
    '--fake-listen', '127.0.0.1:0',
    '--scenario', 'standard',
    '--no-simulate',
    '--refresh', '1s',
    '--data-dir', dataDir,
  ];
  const proc = spawn(BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOOKOUT_LOG: process.env.LOOKOUT_LOG || 'warn' },
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const urls = await new Promise((resolve, reject) => {
    const found = {};
    const timer = setTimeout(() => reject(new Error(`lookout demo did not start in 30 s\n${stderr}`)), 30_000);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lookout demo exited (${code}) before printing its URLs\n${stderr}`));
    });
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      const m = line.match(/^(dashboard|fake-authentik): (http:\/\/\S+)$/);
      if (m) found[m[1]] = m[2];
      if (found.dashboard && found['fake-authentik']) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  proc.removeAllListeners('exit');
  const lookout = {
    url: urls.dashboard,
    fakeUrl: urls['fake-authentik'],
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
    /** A failed login at the fake, timestamped now. */
    async failedLogin(username, ip) {
      await post(`${lookout.fakeUrl}/_fake/events`, { action: 'login_failed', username, ip });
    },
    /** `count` failed logins from `ip`, cycling through `usernames`. */
    async attack(ip, count, usernames = ['admin', 'root']) {
      for (let i = 0; i < count; i++) await lookout.failedLogin(usernames[i % usernames.length], ip);
    },
    async fault(body) {
      await post(`${lookout.fakeUrl}/_fake/fault`, body);
    },
    async clearFault() {
      const res = await fetch(`${lookout.fakeUrl}/_fake/fault`, { method: 'DELETE' });
      if (!res.ok) throw new Error(`DELETE /_fake/fault: ${res.status}`);
    },
    async api(p) {
      const res = await fetch(`${lookout.url}${p}`);
      if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
      return res.json();
    },
  };
  return lookout;
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
}

/** Headless Chromium from Debian with a fresh profile (playwright makes a temporary one). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * A page in a fresh context that records what must never happen. Call `assertClean()` at the
 * end of a test.
 */
export async function openPage(browser, { width = 1280, height = 900, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  const problems = { console: [], errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  // Init scripts are injected by the browser, outside the page's CSP.
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
    });
  });
  return {
    page,
    context,
    problems,
    async assertClean(assert) {
      const csp = await page.evaluate(() => window.__csp).catch(() => []);
      assert.deepEqual(problems.dialogs, [], 'no dialog opened');
      assert.deepEqual(problems.errors, [], 'no uncaught page error');
      assert.deepEqual(csp, [], 'no CSP violation');
      assert.deepEqual(problems.console, [], 'no console error');
      await context.close();
    },
  };
}

/** Loads the dashboard and waits for the live stream to connect. */
export async function gotoLive(page, url) {
  await page.goto(url);
  await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
}

export async function shoot(page, name, opts = {}) {
  await mkdir(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), ...opts });
}
