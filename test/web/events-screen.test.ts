// End to end in headless Chromium: the Events screen against the real app. Through the API, an
// `order.filled` definition (symbol, a dimension; latency_ms, a measure) and 90 fills tracked over
// the last three hours. In the browser an ops user opens the screen and sees the events per hour
// and latency_ms's p50/p95/p99 exactly as the stats API answers the request the page made (the
// table's cells against the answer; the counts add up to the 90 fills), groups by symbol (a line
// per symbol), switches to French and to a phone's width (nothing wider than the viewport). A
// merchant's token is not offered the screen, and the URL alone shows the refusal note.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserReady, devToken, launchChromium, listenOnLoopback } from '../support/browser.ts';
import { openTempApp } from '../support/temp-app.ts';

const TIMEOUT = 20_000;

async function signIn(page: Page, role: string, merchant?: string) {
  await page.locator('select[name="role"]').selectOption(role);
  if (merchant) await page.locator('input[name="merchant_id"]').fill(merchant);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

interface StatsAnswer { items: Array<{ bucket: string; group?: string; count: number; p50: number | null; p95: number | null; p99: number | null }>; group_by: string | null }

test('events screen: a measure\'s percentiles per hour as the API answers them, grouped by a dimension, in French and on a phone; not for a merchant', { timeout: 180_000 }, async (t) => {
  if (!browserReady(t)) return;
  const app = await openTempApp({ env: { DEV_MODE: 'true' } });
  let browser;
  try {
    const base = await listenOnLoopback(app);
    const defined = await app.inject({
      method: 'POST', url: '/api/v1/custom-events', payload: {
        name: 'order.filled', description: 'An order was filled.',
        properties: [
          { name: 'symbol', type: 'string', role: 'dimension' },
          { name: 'latency_ms', type: 'number', role: 'measure', unit: 'ms' },
        ],
      },
    });
    assert.equal(defined.statusCode, 201, defined.body);
    const now = Date.now();
    const fills = Array.from({ length: 90 }, (_, i) => ({
      event_type: 'order.filled', event_id: `fill_${i}`, user_id: `u${i % 9}`,
      timestamp: new Date(now - 3 * 3_600_000 + i * 110_000).toISOString(),
      properties: { symbol: ['BTC', 'ETH', 'SOL'][i % 3], latency_ms: i % 10 === 0 ? 900 + i : 5 + (i % 17) },
    }));
    const tracked = await fetch(`${base}/api/v1/track`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(base, { role: 'analytics:ops' })}` },
      body: JSON.stringify(fills),
    });
    assert.equal(tracked.status, 200, await tracked.clone().text());
    assert.equal(((await tracked.json()) as { accepted: number }).accepted, 90);

    browser = await launchChromium();
    const problems: string[] = [];
    const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`); });
    await page.goto(`${base}/?lang=en`);
    await signIn(page, 'analytics:ops');
    // Offered in the navigation; the page's own stats request is the reference.
    const answered = page.waitForResponse((r) => r.url().includes('/api/v1/custom-events/order.filled/stats'));
    await page.locator('nav [data-screen="events"]').click();
    const first = await answered;
    const url = new URL(first.url());
    assert.equal(url.searchParams.get('measure'), 'latency_ms', 'the definition\'s measure, picked by default');
    assert.equal(url.searchParams.get('interval'), '1h');
    const stats = (await first.json()) as StatsAnswer;
    assert.equal(stats.items.reduce((s, x) => s + x.count, 0), 90, 'every fill in the period');
    await page.locator('[data-events-answer]').waitFor();
    await page.locator('[data-section="measure-chart"] [data-chart="lines"]').waitFor();
    assert.deepEqual(JSON.parse((await page.locator('[data-chart="lines"]').getAttribute('data-lines'))!), ['p50', 'p95', 'p99']);
    const rows = page.locator('[data-table="event-stats"] tbody tr');
    assert.equal(await rows.count(), stats.items.length);
    for (const item of stats.items) {
      const row = page.locator(`[data-table="event-stats"] tr[data-bucket="${item.bucket}"]`);
      assert.equal(Number((await row.locator('[data-cell="count"]').textContent())!.replace(/\D/g, '')), item.count);
      for (const s of ['p50', 'p95', 'p99'] as const) assert.equal(Number(await row.locator(`[data-cell="${s}"]`).getAttribute('data-value')), item[s], `${item.bucket} ${s}`);
    }
    assert.match((await page.locator('[data-field="accuracy"]').textContent()) ?? '', /±1%/);
    assert.match(page.url(), /screen=events/);

    // Grouped by symbol: a line per symbol, rows per (hour, symbol), as the API answers.
    const grouped = page.waitForResponse((r) => r.url().includes('/stats') && r.url().includes('group_by=symbol'));
    await page.locator('select[name="group"]').selectOption('symbol');
    const byGroup = (await (await grouped).json()) as StatsAnswer;
    assert.equal(byGroup.group_by, 'symbol');
    await page.locator('[data-table="event-stats"] tr[data-group="BTC"]').first().waitFor();
    assert.deepEqual(JSON.parse((await page.locator('[data-chart="lines"]').getAttribute('data-lines'))!).sort(), ['BTC', 'ETH', 'SOL']);
    assert.equal(await rows.count(), byGroup.items.length);
    assert.match(page.url(), /group=symbol/);

    // French, and a phone's width: the page no wider than the viewport.
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await page.getByRole('heading', { name: 'Événements', exact: true }).waitFor();
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(200);
    const width = await page.evaluate(() => document.scrollingElement!.scrollWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 361).slice(0, 8).map((e) => `${e.tagName}.${e.className}`.slice(0, 120)));
    assert.ok(width <= 360, `the page is ${width} px wide at 360: ${wide.join(' | ')}`);

    // A merchant's token: no Events in the navigation; the URL alone shows why.
    const merchant = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const mp = await merchant.newPage();
    mp.setDefaultTimeout(TIMEOUT);
    await mp.goto(`${base}/?screen=events&lang=en`);
    await signIn(mp, 'merchant_admin', 'm_one');
    await mp.locator('[data-field="no-events"]').waitFor();
    assert.equal(await mp.locator('nav [data-screen="events"]').count(), 0);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await app.close();
  }
});
