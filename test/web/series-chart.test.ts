// The overview's series chart in headless Chromium (uPlot on a canvas): axes with tick labels in
// the view's language, the previous period dashed, the incomplete last bucket marked (dotted and
// in the legend), a tooltip and a keyboard reading formatted as the app formats values, and at
// 360 px a plot at least 160 px high with no text under 11 px. Needs the build (`npm run build:web`).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserReady, ingestOverHttp, sharedDashboard, type DashboardSession } from '../support/browser.ts';

const TIMEOUT = 20_000;

/** Transactions every 30 minutes over the last 47 hours: both this day and the one before have data. */
function events(now: number) {
  return Array.from({ length: 94 }, (_, i) => ({
    event_id: `chart_${i}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: new Date(now - (2 + i * 30) * 60_000).toISOString(),
    txn_id: `chart_t_${i}`, merchant_id: 'm_1', amount: String(10 + (i % 7)), currency: 'USD', country: 'SN',
  }));
}

async function signIn(page: Page) {
  await page.locator('select[name="role"]').selectOption('analytics:ops');
  await page.getByRole('button', { name: /^(Sign in|Se connecter)$/ }).click();
}

const chart = '[data-chart="series"]';

// One app, browser and set of transactions for both tests (neither writes anything).
const dashboard = sharedDashboard({ DEV_MODE: 'true', JWT_SECRET: '' });
let ingested: Promise<void> | undefined;
async function withData(run: (s: DashboardSession) => Promise<void>): Promise<void> {
  const s = await dashboard.get();
  await (ingested ??= ingestOverHttp(s.base, events(Date.now())));
  await run(s);
}
after(() => dashboard.close());

async function ticks(page: Page, axis: 'x' | 'y'): Promise<string[]> {
  const raw = await page.locator(chart).getAttribute(`data-${axis}-ticks`);
  return raw ? (JSON.parse(raw) as string[]) : [];
}

test('series chart: axes with ticks, the previous period dashed, the incomplete bucket marked, a tooltip', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withData(async ({ base, browser }) => {

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(`${base}/?range=24h&tz=UTC&lang=en`);
    await signIn(page);
    await page.locator(`${chart} canvas`).first().waitFor();
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-x-ticks'), chart);

    // Axes: several time ticks in 24-hour clock (the range is a day by hour), several value ticks.
    const x = await ticks(page, 'x');
    const y = await ticks(page, 'y');
    assert.ok(x.length >= 3, `x ticks: ${JSON.stringify(x)}`);
    assert.ok(x.every((l) => /\d{1,2}:\d{2}/.test(l)), `x ticks are times: ${JSON.stringify(x)}`);
    assert.ok(y.length >= 3, `y ticks: ${JSON.stringify(y)}`);

    // The previous period (the day before has data) is drawn dashed and named in the legend.
    const fig = page.locator(chart);
    assert.equal(await fig.getAttribute('data-previous'), 'true');
    assert.match((await fig.getAttribute('data-previous-dash')) ?? '', /^\d+ \d+$/, 'the previous series has a dash pattern');
    await fig.locator('[data-legend="previous"]').getByText('Previous period').waitFor();

    // The last hour is still running: a dotted segment of two points, and a legend note.
    assert.equal(await fig.getAttribute('data-partial'), 'true');
    assert.equal(await fig.getAttribute('data-partial-points'), '2');
    assert.match((await fig.getAttribute('data-partial-dash')) ?? '', /^\d+ \d+$/);
    await fig.locator('[data-legend="partial"]').getByText(/Incomplete/).waitFor();
    // The KPI cards' sparklines reach the running bucket on a dotted segment too.
    const tail = page.locator('[data-kpi="tx_count"] [data-chart="sparkline"] [data-field="partial"]');
    assert.equal(await tail.getAttribute('stroke-dasharray'), '2 3');

    // The tooltip under the pointer: a time and the values of both periods, formatted as the app does.
    await fig.scrollIntoViewIfNeeded();
    const box = (await fig.locator('canvas').first().boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const tip = fig.locator('[data-field="chart-tooltip"]');
    await tip.waitFor();
    assert.match((await tip.textContent()) ?? '', /This period: [\d,.$]+.*Previous period: [\d,.$]+/);

    // The keyboard: End reads the last bucket, announced with its incomplete note.
    await fig.locator('[role="img"]').focus();
    await page.keyboard.press('End');
    await page.waitForFunction((sel) => (document.querySelector(`${sel} [aria-live]`)?.textContent ?? '').includes('Incomplete'), chart);

    // French: the ticks follow the language (the value ticks' grouping, the legend).
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await fig.locator('[data-legend="previous"]').getByText('Période précédente').waitFor();
    assert.deepEqual(problems, []);
    await page.close();
  });
});

test('series chart at 360 px: the plot is at least 160 px high and no text is under 11 px', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withData(async ({ base, browser }) => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 });
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(`${base}/?range=24h&tz=UTC&lang=fr`);
    await signIn(page);
    await page.locator(`${chart} canvas`).first().waitFor();
    await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute('data-x-ticks'), chart);

    // The plot area (uPlot's overlay, axes excluded) and the whole canvas.
    await page.locator(`${chart} .u-over`).waitFor();
    const plot = (await page.locator(`${chart} .u-over`).boundingBox())!;
    const canvas = (await page.locator(`${chart} canvas`).first().boundingBox())!;
    assert.ok(plot.height >= 160, `plot height ${plot.height}`);
    assert.ok(canvas.width <= 360, `canvas width ${canvas.width}`);
    // The canvas' axis labels are drawn at the configured size; every visible text in the figure is measured.
    assert.ok(Number(await page.locator(chart).getAttribute('data-axis-font-px')) >= 11);
    const small = await page.locator(chart).evaluate((fig) => {
      const out: string[] = [];
      for (const el of fig.querySelectorAll<HTMLElement>('*')) {
        const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim());
        if (!own) continue;
        const r = el.getBoundingClientRect();
        if (r.width <= 1 || r.height <= 1) continue; // visually hidden (sr-only)
        const px = parseFloat(getComputedStyle(el).fontSize);
        if (px < 11) out.push(`${px}px: ${el.textContent}`);
      }
      return out;
    });
    assert.deepEqual(small, []);
    // The x ticks fit: on a phone, few enough labels that they do not run together.
    const x = await ticks(page, 'x');
    assert.ok(x.length >= 2 && x.length <= 6, `x ticks at 360 px: ${JSON.stringify(x)}`);
    await page.close();
  });
});
