// The dashboard in real headless Chromium against `lookout demo` (the in-repo fake Authentik,
// standard scenario, no simulated traffic, 1 s refresh). Each test gets its own Lookout, so
// acknowledgements and staged attacks never leak between tests.
//
// Run: scripts/browser-test.sh (or `node --test tests/browser/` with LOOKOUT_BIN built).

import assert from 'node:assert/strict';
import { mkdir, stat as fileStat } from 'node:fs/promises';
import path from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import {
  ROOT,
  STANDARD,
  XSS_IMG,
  XSS_SCRIPT,
  gotoLive,
  launchBrowser,
  openPage,
  shoot,
  startLookout,
} from './helpers.mjs';

let browser;
let lookout;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

beforeEach(async () => {
  lookout = await startLookout();
});

afterEach(async () => {
  await lookout?.stop();
});

/**
 * docs/screenshot.png, the README's picture: the whole dashboard mid-attack, kept under 300 KB
 * (only the top when the full page would be heavier). Written on request only, so a test run
 * leaves the tree clean: `LOOKOUT_DOCS_SCREENSHOT=1 scripts/browser-test.sh`.
 */
async function docsScreenshot(page) {
  const file = path.join(ROOT, 'docs/screenshot.png');
  await mkdir(path.dirname(file), { recursive: true });
  await page.setViewportSize({ width: 1280, height: 860 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: file, fullPage: true });
  if ((await fileStat(file)).size > 290_000) await page.screenshot({ path: file, clip: { x: 0, y: 0, width: 1280, height: 1280 } });
  assert.ok((await fileStat(file)).size < 300_000, 'docs screenshot under 300 KB');
}

const card = (page, endpoint) => page.locator(`#card-demo-${endpoint}`);

/** The value of a stat line on a stat card, by label. */
async function stat(page, endpoint, label) {
  const exact = new RegExp(`^${label.replace(/[()]/g, '\\$&')}$`);
  const row = card(page, endpoint).locator('.stats > div', { has: page.locator('dt', { hasText: exact }) });
  return (await row.locator('dd').textContent()).trim();
}

/** Every banner alert (the collapsed ones too). */
const bannerAlerts = (page) => page.locator('#alerts article.alert');

describe('dashboard', () => {
  test('shows the standard scenario in every card', async () => {
    const { page, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);

    const sessions = card(page, 'sessions');
    assert.equal(await sessions.locator('.stat-value').textContent(), String(STANDARD.sessions));
    assert.equal(await stat(page, 'sessions', 'Users signed in'), String(STANDARD.sessionUsers));

    const users = card(page, 'user-stats');
    assert.equal(await users.locator('.stat-value').textContent(), String(STANDARD.usersTotal));
    assert.equal(await stat(page, 'user-stats', 'Active users'), String(STANDARD.usersActive));
    assert.equal(await stat(page, 'user-stats', 'Groups'), String(STANDARD.groups));
    assert.equal(await stat(page, 'user-stats', 'Logins (24 h)'), String(STANDARD.logins24h));
    assert.equal(await stat(page, 'user-stats', 'Failed logins (24 h)'), String(STANDARD.failed24h));

    // Every card says how fresh it is.
    for (const endpoint of ['sessions', 'user-stats', 'security-alerts', 'login-events']) {
      const fresh = card(page, endpoint).locator('.fresh');
      assert.match(await fresh.textContent(), /^updated (just now|\d+ s ago)$/);
      assert.ok(await fresh.locator('time[datetime]').count());
    }

    // The login list: newest first, with a mark that is not colour alone, and relative times.
    const logins = card(page, 'login-events');
    const rows = logins.locator('tbody tr');
    assert.equal(await rows.count(), 20);
    const burstRows = rows.filter({ hasText: STANDARD.burstIp });
    assert.equal(await burstRows.count(), STANDARD.burstFailures);
    for (const text of await burstRows.locator('.col-res').allTextContents()) {
      assert.equal(text.trim(), 'Failed');
    }
    assert.ok(await rows.locator('.res-ok').count(), 'some successful logins');
    assert.match(await rows.first().locator('.col-place').textContent(), /\w/);
    const when = rows.first().locator('time');
    assert.match(await when.textContent(), /ago|just now/);
    assert.match(await when.getAttribute('datetime'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(await when.getAttribute('title'), /UTC$/);

    // The chart: bars, the labelled threshold, and accessible titles.
    const chart = logins.locator('figure.chart');
    assert.match(await chart.locator('.legend').textContent(), new RegExp(`Successful ${STANDARD.logins24h}\\s*Failed ${STANDARD.failed24h}`));
    assert.ok((await chart.locator('rect.bar-fail').count()) > 0);
    assert.ok((await chart.locator('rect.bar-ok').count()) > 0);
    assert.equal(await chart.locator('line.threshold').count(), 1);
    assert.equal(await chart.locator('.chart-label text').textContent(), 'alert > 5 / IP / 10 min');
    assert.match(await chart.locator('svg.chart-svg > title').textContent(), /30 successful, 15 failed/);
    assert.match(await chart.locator('g.bucket title').first().textContent(), /UTC: \d+ failed, \d+ successful$/);

    // The scenario's brute force: on the banner, pinned, with what happened.
    const alert = bannerAlerts(page).filter({ hasText: STANDARD.burstIp });
    assert.equal(await alert.count(), 1);
    assert.equal(await alert.getAttribute('role'), 'alert');
    const facts = await alert.locator('.facts').textContent();
    assert.match(facts, new RegExp(`Failures\\s*${STANDARD.burstFailures}`));
    for (const u of STANDARD.burstUsernames) {
      assert.ok(await alert.locator('.chip', { hasText: new RegExp(`^${u}$`) }).count(), u);
    }
    assert.match(facts, /First seen\s*2 h ago/);
    assert.equal(await alert.locator('.state').textContent(), 'Ended');
    assert.equal(await page.locator('#alert-count').textContent(), '1 active alert');
    assert.equal(await page.title(), '(1) Lookout demo');

    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
    await shoot(page, 'dashboard-full.png', { fullPage: true });
    await assertClean(assert);
  });

  test('a new attack appears on the banner without a reload', async () => {
    const { page, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);
    await page.evaluate(() => {
      window.__sameDocument = true;
    });
    assert.equal(await bannerAlerts(page).count(), 1);

    const ip = '203.0.113.77';
    await lookout.attack(ip, 7, ['admin', 'administrator', 'root', 'postgres']);
    const staged = Date.now();
    const alert = bannerAlerts(page).filter({ hasText: ip });
    await alert.waitFor({ timeout: 5000 });
    const after = Date.now() - staged;
    assert.ok(after < 5000, `banner after ${after} ms`);
    assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');

    // Loudest first: the ongoing attack sits above the scenario's ended one.
    assert.match(await bannerAlerts(page).first().textContent(), new RegExp(ip.replaceAll('.', '\\.')));
    assert.equal(await alert.locator('.state').textContent(), 'Ongoing');
    assert.match(await alert.locator('.facts').textContent(), /Failures\s*7/);
    assert.match(await alert.locator('.alert-head').textContent(), /Password spraying/);
    assert.equal(await page.locator('#alert-count').textContent(), '2 active alerts');
    // The banner is pinned: still on screen after scrolling to the bottom.
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(100);
    const box = await alert.boundingBox();
    assert.ok(box && box.y >= 0 && box.y < 400, `banner in view (y=${box?.y})`);
    await page.evaluate(() => window.scrollTo(0, 0));

    // The same alert shows on the login list and the chart, live too.
    await card(page, 'login-events').locator('tbody tr', { hasText: ip }).first().waitFor();

    if (process.env.LOOKOUT_DOCS_SCREENSHOT) await docsScreenshot(page);
    await shoot(page, 'attack.png');
    await assertClean(assert);
  });

  test('dismissing an alert hides it, also after a reload', async () => {
    const { page, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);
    const alert = bannerAlerts(page).filter({ hasText: STANDARD.burstIp });
    await alert.waitFor();
    assert.equal(await page.locator('#acked').isHidden(), true);

    // By keyboard: the dismiss control is a real button.
    const button = alert.getByRole('button', { name: /Dismiss alert: Brute force from 198\.51\.100\.23/ });
    await button.focus();
    await page.keyboard.press('Enter');
    await alert.waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await page.locator('#alerts').isHidden(), true);
    assert.equal(await page.locator('#alert-count').textContent(), 'No active alerts');
    await page.locator('#acked:not([hidden])').waitFor();
    assert.equal(await page.locator('#acked-summary').textContent(), '1 acknowledged');
    // Focus is not dropped on the floor.
    assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY');

    const api = await lookout.api('/api/v1/alerts');
    assert.equal(api.alerts.find((a) => a.ip === STANDARD.burstIp).acknowledged, true);

    await page.reload();
    await page.locator('#live[data-state="live"]').waitFor();
    await page.waitForTimeout(1500); // a couple of refreshes
    assert.equal(await bannerAlerts(page).count(), 0);
    assert.equal(await page.locator('#alerts').isHidden(), true);
    // Still listed, marked, on the alerts card and behind the toggle.
    const row = card(page, 'security-alerts').locator('li', { hasText: STANDARD.burstIp });
    assert.match(await row.textContent(), /Dismissed/);
    await page.locator('#acked-summary').click();
    await page.locator('#acked-list li', { hasText: STANDARD.burstIp }).waitFor();
    await shoot(page, 'dismissed.png');
    // The popover closes on Escape, handing focus back to its toggle.
    await page.keyboard.press('Escape');
    assert.equal(await page.locator('#acked-list').isVisible(), false);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'acked-summary');
    await assertClean(assert);
  });

  test('snoozing silences an attacking IP for an hour', async () => {
    const { page, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);
    const ip = '203.0.113.200';
    await lookout.attack(ip, 6);
    const alert = bannerAlerts(page).filter({ hasText: ip });
    await alert.waitFor({ timeout: 5000 });
    await alert.getByRole('button', { name: `Snooze alerts from ${ip} for 1 hour` }).click();
    await alert.waitFor({ state: 'detached', timeout: 5000 });
    await page.locator('#acked-summary', { hasText: '1 snoozed' }).waitFor();
    const api = await lookout.api('/api/v1/alerts');
    assert.equal(api.alerts.find((a) => a.ip === ip).snoozed, true);

    // More failures from the snoozed IP stay off the banner, also after a reload.
    await lookout.attack(ip, 2);
    await page.reload();
    await page.locator('#live[data-state="live"]').waitFor();
    await page.waitForTimeout(1500);
    assert.equal(await bannerAlerts(page).filter({ hasText: ip }).count(), 0);
    assert.equal(await bannerAlerts(page).count(), 1, 'the other alert stays');
    const row = card(page, 'security-alerts').locator('li', { hasText: ip });
    assert.match(await row.textContent(), /Snoozed/);
    await assertClean(assert);
  });

  test('hostile usernames are shown as text and never run', async () => {
    const { page, problems, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);
    const ip = '192.0.2.66';
    // Enough failures from one IP to alert, so the names reach the banner too.
    for (let i = 0; i < 4; i++) {
      await lookout.failedLogin(XSS_IMG, ip);
      await lookout.failedLogin(XSS_SCRIPT, ip);
    }
    const alert = bannerAlerts(page).filter({ hasText: ip });
    await alert.waitFor({ timeout: 5000 });
    const check = async (where) => {
      const chips = await alert.locator('.chip').allTextContents();
      assert.ok(chips.includes(XSS_IMG), `${where}: <img> name as text on the banner: ${chips}`);
      assert.ok(chips.includes(XSS_SCRIPT), `${where}: <script> name as text on the banner`);
      const users = await card(page, 'login-events').locator('.user').allTextContents();
      assert.ok(users.includes(XSS_IMG), `${where}: <img> name as text in the list`);
      assert.ok(users.includes(XSS_SCRIPT), `${where}: <script> name as text in the list`);
      const title = await card(page, 'login-events').locator('.user', { hasText: XSS_IMG }).first().getAttribute('title');
      assert.equal(title, XSS_IMG, `${where}: tooltip holds the literal value`);
      assert.equal(await page.locator('img').count(), 0, `${where}: no <img> element`);
      assert.equal(await page.locator('img[src=x]').count(), 0, `${where}: no img[src=x]`);
      assert.equal(await page.locator('script').count(), 1, `${where}: only the page's own script`);
      assert.deepEqual(problems.dialogs, [], `${where}: no alert() ran`);
    };
    await check('live update');
    await page.reload();
    await page.locator('#live[data-state="live"]').waitFor();
    await alert.waitFor();
    await check('server render');
    await page.waitForTimeout(500);
    await shoot(page, 'hostile.png');
    await assertClean(assert);
  });

  test('a failing upstream marks cards stale without hiding their data, then recovers', async () => {
    const { page, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);
    const sessions = card(page, 'sessions');
    const logins = card(page, 'login-events');
    assert.match(await sessions.getAttribute('class'), /state-fresh/);

    await lookout.fault({ kind: 'status', status: 503 });
    await page.locator('#card-demo-login-events.state-stale').waitFor({ timeout: 10_000 });
    await lookout.clearFault();
    const notice = logins.locator('.notice');
    assert.match(await notice.textContent(), /Stale/);
    assert.match(await notice.textContent(), /503/);
    // The last good data stays on screen beside the error.
    assert.equal(await logins.locator('tbody tr').count(), 20);
    assert.ok(await logins.locator('rect.bar-fail').count());
    assert.equal(await sessions.locator('.stat-value').textContent(), String(STANDARD.sessions));
    await shoot(page, 'stale.png');

    // Recovery (the poller backs off after failures, so allow a few seconds).
    await page.locator('#card-demo-login-events.state-fresh').waitFor({ timeout: 20_000 });
    assert.equal(await logins.locator('.notice').count(), 0);
    await page.locator('#card-demo-sessions.state-fresh').waitFor({ timeout: 20_000 });
    await assertClean(assert);
  });

  test('many alerts collapse behind "+N more"', async () => {
    const { page, assertClean } = await openPage(browser);
    await gotoLive(page, lookout.url);
    // Different names per source, so no distributed-attack alert joins in.
    for (const n of [11, 12, 13, 14]) {
      await lookout.attack(`203.0.113.${n}`, 6, [`user${n}a`, `user${n}b`]);
    }
    await page.locator('#alert-count', { hasText: '5 active alerts' }).waitFor({ timeout: 8000 });
    assert.equal(await page.locator('#alert-list > article').count(), 3);
    const more = page.locator('#alerts-more');
    assert.equal(await more.locator('summary').textContent(), '+2 more');
    assert.equal(await page.locator('#alert-extra > article').first().isVisible(), false);
    await more.locator('summary').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('#alert-extra > article').first().isVisible(), true);
    assert.equal(await page.locator('#alerts article[role="alert"]').count(), 5);
    await assertClean(assert);
  });

  test('fits a 375 px phone without horizontal scrolling', async () => {
    const { page, assertClean } = await openPage(browser, { width: 375, height: 812 });
    await gotoLive(page, lookout.url);
    const long = `${'very-long-username-'.repeat(4)}end`;
    await lookout.attack('2001:db8:85a3:1234:5678:9abc:def0:1234', 6, [long, XSS_SCRIPT, 'admin']);
    // IPv6 sources are grouped by /64.
    await bannerAlerts(page).filter({ hasText: '2001:db8:85a3:1234::/64' }).waitFor({ timeout: 5000 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `scrollWidth ${width} > 375`);
    // Nothing overflows sideways inside the banner either (it scrolls vertically on its own).
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('#alerts, #alerts .alert, #alerts .facts > div')]
        .filter((el) => el.scrollWidth > el.clientWidth + 1)
        .map((el) => `${el.className}: ${el.scrollWidth} > ${el.clientWidth}`),
    );
    assert.deepEqual(wide, []);
    // The long name is cut on screen, whole in its tooltip.
    const cell = card(page, 'login-events').locator('.user', { hasText: 'very-long' }).first();
    assert.equal(await cell.getAttribute('title'), long);
    assert.ok((await cell.textContent()).endsWith('…'));
    await shoot(page, 'mobile.png', { fullPage: true });
    await assertClean(assert);
  });

  test('dark mode and keyboard focus', async () => {
    const { page, assertClean } = await openPage(browser, { colorScheme: 'dark' });
    await gotoLive(page, lookout.url);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const [r, g, b] = bg.match(/\d+/g).map(Number);
    assert.ok(r + g + b < 120, `dark background, got ${bg}`);

    // Tab order starts with the skip link, then reaches the dismiss button, with a visible ring.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Skip to cards');
    let found = false;
    for (let i = 0; i < 10 && !found; i++) {
      await page.keyboard.press('Tab');
      found = await page.evaluate(() => document.activeElement.matches('.alert-actions [data-ack]'));
    }
    assert.ok(found, 'dismiss button reachable by Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none');
    await shoot(page, 'dark.png', { fullPage: true });
    await assertClean(assert);
  });
});
