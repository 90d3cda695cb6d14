// The overview's map of Africa. First, without a browser: the committed shapes
// (web/src/map/africa-50m.json) are what scripts/build-africa-map.ts makes from world-atlas.
// Then end to end in headless Chromium (Debian's, through playwright-core), as in
// dashboard.test.ts: events in two countries, and the map shows each one's value from
// GET /api/analytics/overview, on the shape's label, on hover and on focus, in English and French,
// with countries without events left unlabelled. Needs the build (`npm run build:web`).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { browserReady, ingestOverHttp, withDashboard } from '../support/browser.ts';
import { AFRICA_MAP_FILE, africaMapJson } from '../../scripts/build-africa-map.ts';
import { AFRICA_NUMERIC_TO_ALPHA2 } from '../../web/src/map/africa-codes.ts';

const TIMEOUT = 20_000;
const usd = new Intl.NumberFormat('en', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });
const usdFr = new Intl.NumberFormat('fr-SN', { style: 'currency', currency: 'USD', maximumFractionDigits: 2 });

test('map shapes: the committed file is what scripts/build-africa-map.ts writes, one shape per African country', () => {
  const committed = readFileSync(AFRICA_MAP_FILE, 'utf8');
  assert.ok(committed === africaMapJson(), 'web/src/map/africa-50m.json is stale: run node --import tsx scripts/build-africa-map.ts');
  const topology = JSON.parse(committed) as { objects: { countries: { geometries: Array<{ id: string }> } } };
  const ids = topology.objects.countries.geometries.map((g) => g.id).sort();
  assert.deepEqual(ids, Object.values(AFRICA_NUMERIC_TO_ALPHA2).sort());
  assert.equal(ids.length, 55, '54 countries and Western Sahara');
  for (const island of ['CV', 'KM', 'MU', 'SC', 'ST']) assert.ok(ids.includes(island), `${island} is on the map`);
});

function events(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const txn = (i: number, country: string, status: string, amount: string) => ({
    event_id: `map_${i}`, type: 'wallet_txn_created', status, occurred_at: at(3 + i * 5),
    txn_id: `mt_${i}`, merchant_id: 'm_1', amount, currency: 'USD', country,
  });
  return [
    txn(1, 'SN', 'succeeded', '120.00'), txn(2, 'SN', 'succeeded', '80.50'), txn(3, 'SN', 'failed', '15.00'),
    txn(4, 'NG', 'succeeded', '42.00'), txn(5, 'NG', 'succeeded', '9.99'),
  ];
}

type CountryRow = { country: string | null; metrics: { gross_volume_usd: number; tx_count: number } };

test('map: each country with events is shaded and labelled with the API value; one without is not', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '' }, async ({ base, browser, devToken }) => {
    const batch = events(Date.now());
    await ingestOverHttp(base, batch);

    const res = await fetch(`${base}/api/analytics/overview`, { headers: { authorization: `Bearer ${await devToken({ role: 'analytics:ops' })}` } });
    assert.equal(res.status, 200, await res.clone().text());
    const countries = ((await res.json()) as { countries: CountryRow[] }).countries;
    const sn = countries.find((c) => c.country === 'SN');
    const ng = countries.find((c) => c.country === 'NG');
    assert.ok(sn && ng, 'both countries in the overview');
    assert.equal(sn.metrics.gross_volume_usd, 200.5);
    assert.equal(countries.some((c) => c.country === 'KE'), false);

    const page = await browser.newPage({ colorScheme: 'light' });
    page.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
    // Nothing from outside the app: the shapes are bundled.
    page.on('request', (r) => { if (!r.url().startsWith(base)) problems.push(`outside request: ${r.url()}`); });

    await page.goto(base);
    await signIn(page, 'analytics:ops');
    const map = page.locator('[data-chart="map"]');
    const shape = (code: string) => map.locator(`[data-country="${code}"]`);
    await shape('SN').waitFor();
    assert.equal(await shape('SN').getAttribute('aria-label'), `Senegal: ${usd.format(sn.metrics.gross_volume_usd)}`);
    assert.equal(await shape('SN').getAttribute('aria-label'), 'Senegal: $200.50');
    assert.equal(await shape('NG').getAttribute('aria-label'), `Nigeria: ${usd.format(ng.metrics.gross_volume_usd)}`);
    assert.equal(await shape('SN').getAttribute('tabindex'), '0');
    assert.equal(await map.locator('[data-country]').count(), 2, 'only the countries with events are labelled');
    await map.locator('[data-shape="KE"]').waitFor();
    assert.equal(await shape('KE').count(), 0, 'Kenya, without events, has no value');
    assert.match(await page.locator('[data-field="map-max"]').textContent() ?? '', /\$200\.50/);
    assert.match(await page.locator('[data-field="map-min"]').textContent() ?? '', /\$51\.99/);

    // Hover: the tooltip names the country and its value.
    const tooltip = page.locator('[data-field="map-tooltip"]');
    await map.scrollIntoViewIfNeeded();
    const box = await shape('NG').locator('path').boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await tooltip.filter({ hasText: `Nigeria ${usd.format(ng.metrics.gross_volume_usd)}` }).waitFor();

    // Another metric; then keyboard focus shows the tooltip too.
    await page.locator('[data-panel="map"] [data-option="tx_count"]').click();
    await page.mouse.move(0, 0);
    await page.waitForFunction(() => document.querySelector('[data-country="SN"]')?.getAttribute('aria-label') === 'Senegal: 3');
    await shape('SN').focus();
    await tooltip.filter({ hasText: 'Senegal 3' }).waitFor();

    // French: names and numbers in fr-SN.
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await page.getByRole('heading', { name: 'Carte' }).waitFor();
    await page.locator('[data-panel="map"] [data-option="gross_volume_usd"]').click();
    await page.waitForFunction((label) => document.querySelector('[data-country="SN"]')?.getAttribute('aria-label') === label,
      `Sénégal: ${usdFr.format(sn.metrics.gross_volume_usd)}`);

    // A phone: the map's card fits, nothing in it scrolls sideways.
    await page.setViewportSize({ width: 360, height: 800 });
    await shape('SN').waitFor();
    const mapWidth = await map.evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(mapWidth > 200 && mapWidth <= 360, `map width ${mapWidth}`);
    const panel = await page.locator('[data-panel="map"]').evaluate((el) => ({ right: el.getBoundingClientRect().right, scroll: el.scrollWidth, client: el.clientWidth }));
    assert.ok(panel.right <= 360 && panel.scroll <= panel.client, `the map's card fits 360 px: ${JSON.stringify(panel)}`);

    assert.deepEqual(problems, [], 'no script errors, no outside requests');
  });
});

async function signIn(page: Page, role: string) {
  await page.locator('select[name="role"]').selectOption(role);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}
