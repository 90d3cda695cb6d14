// The overview's controls end to end in headless Chromium: one currency shown in its own unit
// with the locale's format (1 234 567 FCFA in fr-SN), back to USD; a custom date range and the
// time zone, both in the URL and in what the page asks the API; "today" starting at the zone's
// midnight. Every figure is checked against the API over the range the page asked for.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserReady, ingestOverHttp, withDashboard } from '../support/browser.ts';


const kpi = (page: Page, name: string) => page.locator(`[data-kpis][aria-busy="false"] [data-kpi="${name}"] [data-field="value"]`).textContent();
const overviewAsked = (page: Page, test: (q: URLSearchParams) => boolean) =>
  page.waitForResponse((res) => res.url().includes('/api/analytics/overview?') && test(new URL(res.url()).searchParams));

/**
 * With a currency chosen, every figure is in it: no section (a KPI card, the chart, the map, a
 * ranking) shows "$" or "USD", but the live ticker, which says that the filter does not apply to
 * it. The chart's and the map's headings and the chart's value axis name the currency. And
 * nothing before had volume: the badges read "nouveau" on one line.
 */
async function oneCurrencyOnScreen(page: Page, currency: string, money: RegExp): Promise<void> {
  await page.locator('[data-ticker] [data-field="unfiltered"]').waitFor();
  await page.locator('[data-panel="map"] svg').first().waitFor();
  await page.locator('figure[data-y-ticks]').waitFor();
  const inUsd = await page.locator('section').evaluateAll((sections) => sections
    .filter((s) => /\$|USD/.test((s as HTMLElement).innerText) && !s.querySelector('[data-field="unfiltered"]'))
    .map((s) => `${s.getAttribute('aria-label')}: ${(s as HTMLElement).innerText.slice(0, 80)}`));
  assert.deepEqual(inUsd, [], `a figure in USD under the ${currency} filter`);
  for (const heading of ['[data-kpi="avg_ticket_usd"] h2', '[data-field="chart-title"]', '[data-panel="map"] h2']) {
    assert.match((await page.locator(heading).textContent()) ?? '', new RegExp(`\\(${currency}\\)$`), heading);
  }
  assert.match((await page.locator('[data-panel="map"] [data-field="map-max"]').textContent()) ?? '', money, 'the map\'s scale');
  const ticks = JSON.parse((await page.locator('figure[data-y-ticks]').getAttribute('data-y-ticks')) ?? '[]') as string[];
  assert.ok(ticks.length > 0 && ticks.every((x) => x === '—' || money.test(x)), `the value axis in ${currency}: ${ticks.join(', ')}`);
  const badge = page.locator('[data-kpi="tx_count"] [data-field="change"]');
  assert.equal(await badge.textContent(), 'nouveau');
  const box = await badge.boundingBox();
  assert.ok(box && box.height < 24, `the badge wraps (${box?.height} px high)`);
}

test('controls: local currency in the locale\'s format, custom range and time zone in the URL and the API calls', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '' }, async ({ base, browser, devToken }) => {
    const ops = await devToken({ role: 'analytics:ops' });
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    // 1,234,567 XOF in three payments (XOF has no minor unit), and one in USD.
    const events = [['1000000', 'XOF'], ['200000', 'XOF'], ['34567', 'XOF'], ['50.00', 'USD']].map(([amount, currency], i) => ({
      event_id: `ctl_${i}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: at(5 + i),
      txn_id: `t_ctl_${i}`, merchant_id: 'm_1', amount, currency, country: 'SN',
    }));
    // Three days back, outside every range below but 7 d: a range computed too wide shows 5.
    events.push({ event_id: 'ctl_old', type: 'wallet_txn_created', status: 'succeeded', occurred_at: at(3 * 1440), txn_id: 't_ctl_old', merchant_id: 'm_1', amount: '9.00', currency: 'USD', country: 'SN' });
    // XOF converts to USD: the USD figures (average ticket, chart, map, ticker) are not empty.
    const rateDay = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const fx = await fetch(`${base}/api/v1/fx-rates`, { method: 'PUT', headers: { authorization: `Bearer ${ops}`, 'content-type': 'text/csv' }, body: `date,currency,usd_per_unit\n${rateDay},XOF,0.0016\n` });
    assert.equal(fx.status, 200, await fx.text());
    const names = await fetch(`${base}/api/v1/merchants`, { method: 'PUT', headers: { authorization: `Bearer ${ops}`, 'content-type': 'text/csv' }, body: 'merchant_id,name\nm_1,Boutique Awa\n' });
    assert.equal(names.status, 200, await names.text());
    await ingestOverHttp(base, events);
    const apiOverview = async (q: URLSearchParams) => {
      const res = await fetch(`${base}/api/analytics/overview?${q}`, { headers: { authorization: `Bearer ${ops}` } });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as { kpis: { metrics: Record<string, number | null>; local?: Record<string, string> } };
    };

    const context = await browser.newContext({ timezoneId: 'Africa/Nairobi' });
    await context.addInitScript((tok) => sessionStorage.setItem('molam.analytics.token', tok), ops);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);

    // One currency, in French: the exact local sum, formatted for fr-SN.
    const xof = overviewAsked(page, (q) => q.get('currency') === 'XOF');
    await page.goto(`${base}/?lang=fr&currency=XOF&tz=Africa%2FDakar`);
    const asked = new URL((await xof).url()).searchParams;
    assert.equal(asked.get('tz'), 'Africa/Dakar');
    const local = (await apiOverview(asked)).kpis.local!;
    assert.equal(local.gross_volume_usd, '1234567');
    // A million and more in short on the card, the exact sum as its tooltip.
    assert.equal(await kpi(page, 'gross_volume_usd'), '1,2\u00a0M\u00a0FCFA');
    assert.equal(await page.locator('[data-kpi="gross_volume_usd"] [data-field="value"]').getAttribute('title'), '1\u202f234\u202f567\u00a0FCFA');
    assert.equal(await kpi(page, 'tx_count'), '3', 'the currency is a filter: the USD payment is not counted');
    // The average ticket from the API's local form: 1,234,567 over 3 sales, to the nearest franc.
    assert.equal(local.avg_ticket_usd, '411522');
    assert.equal(await kpi(page, 'avg_ticket_usd'), '411\u202f522\u00a0FCFA');
    await oneCurrencyOnScreen(page, 'XOF', /FCFA/);
    // The merchant by its imported name, not its id alone.
    await page.locator('[data-ranking="merchants"] [data-row="m_1"]', { hasText: 'Boutique Awa (m_1)' }).waitFor();

    // Amounts in USD instead.
    await page.getByRole('group', { name: 'Montants en' }).getByRole('button', { name: 'USD' }).click();
    await page.waitForURL(/show=usd/);
    const inUsd = (await apiOverview(asked)).kpis.metrics.gross_volume_usd;
    assert.equal(await kpi(page, 'gross_volume_usd'), inUsd === null ? '—' : new Intl.NumberFormat('fr-SN', { style: 'currency', currency: 'USD' }).format(inUsd));

    // Back to every currency, in English; then a custom range of whole days in Nairobi's zone.
    await page.goto(`${base}/?lang=en&tz=Africa%2FNairobi`);
    await page.locator('[data-kpis][aria-busy="false"]').waitFor();
    assert.equal(await kpi(page, 'tx_count'), '4');
    await page.getByRole('group', { name: 'Range' }).getByRole('button', { name: 'Custom' }).click();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi' }).format(new Date());
    const yesterday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Nairobi' }).format(new Date(Date.now() - 86_400_000));
    await page.getByLabel('From').fill(yesterday);
    await page.getByLabel('To (inclusive)').fill(today);
    const custom = overviewAsked(page, (q) => q.get('from') === new Date(`${yesterday}T00:00:00+03:00`).toISOString());
    await page.getByRole('button', { name: 'Apply' }).click();
    const customAsked = new URL((await custom).url()).searchParams;
    assert.equal(customAsked.get('to'), new Date(Date.parse(`${today}T00:00:00+03:00`) + 86_400_000).toISOString(), 'to = the midnight after the last day');
    assert.equal(customAsked.get('tz'), 'Africa/Nairobi');
    const url = new URL(page.url()).searchParams;
    assert.deepEqual([url.get('range'), url.get('from'), url.get('to'), url.get('tz')], ['custom', yesterday, today, 'Africa/Nairobi']);
    await page.locator('[data-option="custom"][aria-pressed="true"]').waitFor();
    await page.locator('[data-kpis][aria-busy="false"]').waitFor();
    assert.equal(await kpi(page, 'tx_count'), String((await apiOverview(customAsked)).kpis.metrics.tx_count));

    // The zone: Lagos; "today" then starts at Lagos's midnight.
    const lagosDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Africa/Lagos' }).format(new Date());
    const lagosMidnight = new Date(`${lagosDate}T00:00:00+01:00`).toISOString();
    await page.locator('[data-control="tz"]').selectOption('Africa/Lagos');
    await page.waitForURL(/tz=Africa%2FLagos/);
    const lagosToday = overviewAsked(page, (x) => x.get('tz') === 'Africa/Lagos' && x.get('from') === lagosMidnight);
    await page.getByRole('group', { name: 'Range' }).getByRole('button', { name: 'Today' }).click();
    await page.waitForURL(/range=today/);
    const q = new URL((await lagosToday).url()).searchParams;
    await page.locator('[data-kpis][aria-busy="false"]').waitFor();
    assert.equal(await kpi(page, 'tx_count'), String((await apiOverview(q)).kpis.metrics.tx_count));
    await context.close();
  });
});
