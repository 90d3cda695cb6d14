// End to end in headless Chromium (Debian's, through playwright-core; no browser is downloaded):
// the built dashboard served by the real app, signed in through the dev sign-in page, shows the
// same transaction count as GET /api/analytics/overview — all merchants for ops, one merchant's
// for a merchant user. Needs the build (`npm test` runs `npm run build:web` first).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserReady, ingestOverHttp, withDashboard } from '../support/browser.ts';

const TIMEOUT = 20_000;
const count = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const countFr = new Intl.NumberFormat('fr-SN', { maximumFractionDigits: 0 });

function events(now: number) {
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString();
  const txn = (i: number, merchant: string, status: string, amount: string) => ({
    event_id: `e2e_${i}`, type: 'wallet_txn_created', status, occurred_at: at(3 + i * 5),
    txn_id: `t_${i}`, merchant_id: merchant, amount, currency: 'USD', country: 'SN',
  });
  return [
    txn(1, 'm_1', 'succeeded', '120.00'), txn(2, 'm_1', 'succeeded', '80.50'), txn(3, 'm_1', 'failed', '15.00'),
    txn(4, 'm_2', 'succeeded', '42.00'), txn(5, 'm_2', 'succeeded', '9.99'), txn(6, 'm_2', 'pending', '30.00'), txn(7, 'm_3', 'succeeded', '1000.00'),
  ];
}

test('dashboard: dev sign-in, then the KPI cards match the API (ops, then a merchant)', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '' }, async ({ base, browser, devToken }) => {
    const txCount = async (token: string, range?: { from: string; to: string }) => {
      const qs = range ? `?${new URLSearchParams(range)}` : '';
      const res = await fetch(`${base}/api/analytics/overview${qs}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { kpis: { metrics: { tx_count: number } } }).kpis.metrics.tx_count;
    };

    const batch = events(Date.now());
    const ingest = await fetch(`${base}/api/v1/events`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken({ role: 'events:write' })}` },
      body: JSON.stringify(batch),
    });
    assert.equal(ingest.status, 200, await ingest.clone().text());
    assert.equal(((await ingest.json()) as { accepted: number }).accepted, batch.length);

    const opsCount = await txCount(await devToken({ role: 'analytics:ops' }));
    const m1Count = await txCount(await devToken({ role: 'merchant_admin', merchant_id: 'm_1' }));
    assert.equal(opsCount, 7);
    assert.equal(m1Count, 3);

    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`console: ${msg.text()}`); });
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`); });

    await page.goto(base);
    await signIn(page, 'analytics:ops');
    assert.equal(await kpiValue(page, 'tx_count'), count.format(opsCount));
    await page.getByText('events awaiting an FX rate').waitFor();
    assert.notEqual(await page.locator('[data-field="as-of"]').textContent(), 'nothing ingested yet');
    assert.equal(await page.locator('[data-kpi]').count(), 7, 'seven KPI cards');
    await page.locator('[data-chart="series"] canvas').first().waitFor();
    await page.locator('[data-ranking="countries"] [data-row="SN"]').waitFor();
    await page.locator('[data-ranking="merchants"] [data-row="m_3"]').waitFor();
    const opsToken = await devToken({ role: 'analytics:ops' });

    // French: labels translated, numbers in fr-SN (narrow no-break space grouping, comma decimal).
    const grossEn = await kpiValue(page, 'gross_volume_usd');
    assert.match(grossEn ?? '', /^\$1,252\.49$/);
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor();
    await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
    const grossFr = await kpiValue(page, 'gross_volume_usd');
    assert.match(grossFr ?? '', /1[\u202f\u00a0]252,49/, `French grouping and decimal: ${grossFr}`);
    assert.match(new URL(page.url()).search, /lang=fr/);

    // 7 days: in the URL, and the card equals the API over the range the page asked for.
    const asked = page.waitForResponse((res) => res.url().includes('/api/analytics/overview') && new URL(res.url()).searchParams.has('from')
      && Date.parse(new URL(res.url()).searchParams.get('to')!) - Date.parse(new URL(res.url()).searchParams.get('from')!) === 7 * 86_400_000);
    await page.getByRole('group', { name: 'Période' }).getByRole('button', { name: '7 j' }).click();
    const response = await asked;
    assert.match(new URL(page.url()).search, /range=7d/);
    const params = new URL(response.url()).searchParams;
    const to = Date.parse(params.get('to')!);
    assert.equal(to % 60_000, 0, 'to is rounded to the minute');
    assert.ok(to >= Date.now() - 120_000 && to <= Date.now() + 60_000, 'to is now, rounded up');
    const week = await txCount(opsToken, { from: params.get('from')!, to: params.get('to')! });
    await page.locator('[data-option="7d"][aria-pressed="true"]').waitFor();
    await page.locator('[data-kpis][aria-busy="false"]').waitFor();
    assert.equal(await kpiValue(page, 'tx_count'), countFr.format(week));

    // A link reproduces the view.
    await page.reload();
    await page.getByRole('heading', { name: 'Vue d’ensemble' }).waitFor();
    await page.locator('[data-option="7d"][aria-pressed="true"]').waitFor();

    // Back to English for the rest.
    await page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'EN' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(await kpiValue(page, 'gross_volume_usd'), grossEn);

    // Live: the global counter follows new events over the WebSocket, without a reload.
    const liveTotal = async (token: string) => {
      const res = await fetch(`${base}/api/analytics/live`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { totals: { tx_count: number } }).totals.tx_count;
    };
    const screens = page.getByRole('navigation', { name: 'Screens' });
    await screens.getByRole('button', { name: 'Live' }).click();
    assert.match(new URL(page.url()).search, /screen=live/);
    await page.locator('[data-field="connection"][data-state="connected"]').waitFor();
    const exact = (n: number) => new RegExp(`^${count.format(n).replace(/[,.]/g, '\\$&')}$`);
    const before = await liveTotal(opsToken);
    await page.locator('[data-room="global"] [data-field="tx_count"]', { hasText: exact(before) }).waitFor();
    await page.locator('[data-room="global"] [data-chart="sparkline"]').waitFor();
    const more = [1, 2, 3].map((i) => ({
      event_id: `e2e_live_${i}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: new Date(Date.now() - 30_000).toISOString(),
      txn_id: `t_live_${i}`, merchant_id: 'm_2', amount: '5.00', currency: 'USD', country: 'SN',
    }));
    await ingestOverHttp(base, more);
    let after = before;
    for (let i = 0; i < 100 && after < before + more.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await liveTotal(opsToken);
    }
    assert.equal(after, before + more.length);
    await page.locator('[data-room="global"] [data-field="tx_count"]', { hasText: exact(after) }).waitFor();
    await screens.getByRole('button', { name: 'Overview' }).click();
    await page.locator('[data-kpi="tx_count"]').waitFor();
    assert.doesNotMatch(new URL(page.url()).search, /screen=/);

    // Drill-down: a region, then a country, then back up through the breadcrumb.
    const regionsRes = await fetch(`${base}/api/analytics/breakdown?dimension=region`, { headers: { authorization: `Bearer ${opsToken}` } });
    assert.equal(regionsRes.status, 200, await regionsRes.clone().text());
    const region = ((await regionsRes.json()) as { items: Array<{ key: string }> }).items[0]!.key;
    await screens.getByRole('button', { name: 'Drill-down' }).click();
    await page.locator(`[data-breakdown="region"] [data-row="${region}"] button`).click();
    await page.locator('[data-breakdown="country"] [data-row="SN"] button').click();
    await page.locator('[data-breakdown="city"]').waitFor();
    let search = new URL(page.url()).searchParams;
    assert.equal(search.get('screen'), 'drill');
    assert.equal(search.get('region'), region);
    assert.equal(search.get('country'), 'SN');
    assert.equal(await kpiValue(page, 'tx_count'), count.format(await txCount(opsToken)), 'the drill-down shows the 24 h total');
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: region }).click();
    await page.locator('[data-breakdown="country"] [data-row="SN"]').waitFor();
    search = new URL(page.url()).searchParams;
    assert.equal(search.get('region'), region);
    assert.equal(search.get('country'), null);
    await screens.getByRole('button', { name: 'Overview' }).click();
    await page.locator('[data-kpi="tx_count"]').waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(page, 'merchant_admin', 'm_1');
    assert.equal(await kpiValue(page, 'tx_count'), count.format(m1Count));
    await page.locator('[data-ranking="countries"] [data-row="SN"]').waitFor();
    assert.equal(await page.locator('[data-ranking="merchants"]').count(), 0, 'no merchant ranking for a merchant');
    await page.locator('[data-chart="map"] [data-country="SN"]').waitFor();
    await page.locator('[data-latest-alerts]', { hasText: 'No alerts' }).waitFor();
    assert.doesNotMatch(await page.locator('body').innerText(), /\bm_[23]\b/, 'no other merchant anywhere on the overview');

    // A merchant's live screen: its own room only.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('button', { name: 'Live' }).click();
    const m1Live = await liveTotal(await devToken({ role: 'merchant_admin', merchant_id: 'm_1' }));
    await page.locator('[data-room="merchant:m_1"] [data-field="tx_count"]', { hasText: exact(m1Live) }).waitFor();
    assert.equal(await page.locator('[data-room="global"]').count(), 0, 'no global room for a merchant');
    assert.equal(await page.locator('[data-room]').count(), 1, 'only the merchant room');
    assert.doesNotMatch(await page.locator('body').innerText(), /\bm_[23]\b/, 'no other merchant anywhere on Live');
    if (process.env.E2E_SCREENSHOT) await page.screenshot({ path: process.env.E2E_SCREENSHOT, fullPage: true });

    assert.deepEqual(problems, [], 'no script errors and no content security policy violations');
  });
});

test('dashboard alerts: a firing alert is listed and acknowledged from the Alerts screen', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '', ALERT_EVAL_INTERVAL: '1' }, async ({ base, browser, devToken }) => {
    const opsToken = await devToken({ role: 'analytics:ops' });
    const rule = await fetch(`${base}/api/analytics/alerts/rules`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${opsToken}` },
      body: JSON.stringify({ name: 'e2e failed payments', metric: 'failed_count', window_minutes: 60, condition: { type: 'threshold', op: '>=', value: 1 } }),
    });
    assert.ok(rule.status === 200 || rule.status === 201, await rule.clone().text());
    const ingest = await fetch(`${base}/api/v1/events`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken({ role: 'events:write' })}` },
      body: JSON.stringify([{
        event_id: 'e2e_alert_1', type: 'wallet_txn_created', status: 'failed', occurred_at: new Date(Date.now() - 3 * 60_000).toISOString(),
        txn_id: 't_alert_1', merchant_id: 'm_1', amount: '15.00', currency: 'USD', country: 'SN',
      }]),
    });
    assert.equal(ingest.status, 200, await ingest.clone().text());

    type Row = { id: number | string; state: string; rule_name: string; acknowledged_by: string | null };
    const listAlerts = async () => {
      const res = await fetch(`${base}/api/analytics/alerts`, { headers: { authorization: `Bearer ${opsToken}` } });
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { items: Row[] }).items;
    };
    let firing: Row | undefined;
    for (let i = 0; i < 150 && !firing; i++) {
      firing = (await listAlerts()).find((a) => a.rule_name === 'e2e failed payments' && a.state === 'firing');
      if (!firing) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(firing, 'the rule fires within 30 s');
    assert.equal(firing.acknowledged_by, null);

    const page = await browser.newPage({ colorScheme: 'light' });
    page.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`); });
    await page.goto(`${base}/?screen=alerts`);
    await signIn(page, 'analytics:ops');
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const row = page.locator(`[data-alert="${firing.id}"]`);
    await row.waitFor();
    assert.equal(await row.getAttribute('data-state'), 'firing');
    await row.locator('[data-field="severity"]').waitFor();
    await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Resolved' }).click();
    await page.getByText('No alerts').waitFor();
    await page.getByRole('group', { name: 'Status' }).getByRole('button', { name: 'Firing' }).click();
    await row.waitFor();
    const ack = row.getByRole('button', { name: 'Acknowledge' });
    assert.equal(await ack.isEnabled(), true);
    await ack.click();
    await row.locator('[data-field="acknowledged_by"]', { hasText: 'dev-user' }).waitFor();
    await row.getByRole('button', { name: 'Acknowledge' }).and(page.locator(':disabled')).waitFor();
    const after = (await listAlerts()).find((a) => a.id === firing!.id);
    assert.equal(after?.acknowledged_by, 'dev-user');

    // French labels.
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await page.getByRole('heading', { name: 'Alertes' }).waitFor();
    await row.getByRole('button', { name: 'Résoudre' }).waitFor();

    // Dark theme: light by default here (the system says light); the toggle sets it and a reload keeps it.
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
    assert.equal(await isDark(), false);
    await page.getByRole('button', { name: 'Thème sombre' }).click();
    assert.equal(await isDark(), true);
    // The button says what a click does: now back to light.
    await page.locator('[data-theme-toggle][data-theme="dark"]', { hasText: 'Thème clair' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Alertes' }).waitFor();
    assert.equal(await isDark(), true, 'the choice persists over a reload');
    await page.getByRole('button', { name: 'Thème clair' }).click();
    assert.equal(await isDark(), false);
    await page.reload();
    await page.getByRole('heading', { name: 'Alertes' }).waitFor();
    assert.equal(await isDark(), false);
    // No stored choice: the default follows prefers-color-scheme.
    const darkPage = await browser.newPage({ colorScheme: 'dark' });
    await darkPage.goto(base);
    await darkPage.locator('select[name="role"]').waitFor();
    assert.equal(await darkPage.evaluate(() => document.documentElement.classList.contains('dark')), true);
    await darkPage.close();
    assert.deepEqual(problems, []);
  });
});

test('dashboard outside dev mode: no dev sign-in (the identity provider issues tokens); a pasted token works', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({}, async ({ app, base, browser }) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Dev sign-in is not available on this server').waitFor();
    await page.locator('textarea[name="token"]').fill(app.adminToken);
    await page.getByRole('button', { name: 'Use this token' }).click();
    assert.equal(await kpiValue(page, 'tx_count'), '0');
  });
});

async function signIn(page: Page, role: string, merchantId?: string) {
  await page.locator('select[name="role"]').selectOption(role);
  if (merchantId) await page.locator('input[name="merchant_id"]').fill(merchantId);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function kpiValue(page: Page, kpi: string): Promise<string | null> {
  const value = page.locator(`[data-kpi="${kpi}"] [data-field="value"]`);
  await value.waitFor();
  return value.textContent();
}
