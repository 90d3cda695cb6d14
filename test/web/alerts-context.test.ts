// End to end in headless Chromium against the real app: what the Alerts screen tells and offers.
// An alert says why it fired (observed against the threshold, in the metric's words), charts the
// metric around the firing and links to its scope; the rule editor offers metric labels, takes a
// ratio's threshold in percent and picks webhooks from the list, and checks its fields before
// asking the server; a read-only user is offered no action; at 360 px the three sub-views fit
// the viewport with their actions in view; a garbage token and a reversed custom range are
// refused in their forms with a message. Needs the build (`npm run build:web`).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserReady, devToken as devTokenAt, sharedDashboard } from '../support/browser.ts';

const TIMEOUT = 20_000;

// One app and browser for both tests; the second signs in on pages of its own.
const dashboard = sharedDashboard({ DEV_MODE: 'true', JWT_SECRET: '', ALERT_EVAL_INTERVAL: '1' });
after(() => dashboard.close());

async function open(browser: Browser, base: string, role: string, query: string, viewport = { width: 1280, height: 860 }, merchant?: string): Promise<Page> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`${base}/${query}`);
  await page.locator('select[name="role"]').selectOption(role);
  if (merchant) await page.locator('input[name="merchant_id"]').fill(merchant);
  await page.locator('select[name="role"]').locator('xpath=ancestor::form').locator('button[type="submit"]').click();
  await page.locator('select[name="role"]').waitFor({ state: 'detached' });
  return page;
}

/** Clicks an alert's scope link: the overview of m_ctx alone (its 3 payments), the network a click away for ops only. */
async function followScopeLink(page: Page, alertId: number, ops: boolean): Promise<void> {
  await page.locator(`[data-alert="${alertId}"] [data-field="scope-link"]`).click();
  await page.locator('[data-field="merchant-filter"] [data-field="merchant"]', { hasText: 'm_ctx' }).waitFor();
  assert.equal(new URL(page.url()).searchParams.get('merchant_id'), 'm_ctx');
  await page.locator('[data-kpi="tx_count"] [data-field="value"]', { hasText: /^3$/ }).waitFor();
  await page.locator('[data-ticker]').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Show the whole network' }).count(), ops ? 1 : 0);
  if (ops) {
    // The ticker is the network's: it says the filter does not apply to it.
    await page.locator('[data-field="unfiltered"]', { hasText: 'the merchant filter does not apply here' }).waitFor();
    await page.getByRole('button', { name: 'Show the whole network' }).click();
    await page.locator('[data-field="merchant-filter"]').waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).searchParams.get('merchant_id'), null);
  }
}

test('alerts screen: context of an alert, the rule editor\'s labels, percent and webhooks, read-only and phone views', { timeout: 240_000 }, async (t) => {
  if (!browserReady(t)) return;
  const { base, browser } = await dashboard.get();
  const ops = await devTokenAt(base, { role: 'analytics:ops' });
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method, headers: { authorization: `Bearer ${ops}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  const at = new Date(Date.now() - 3 * 60_000).toISOString();
  const ingest = await fetch(`${base}/api/v1/events`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await devTokenAt(base, { role: 'events:write' })}` },
    body: JSON.stringify(['a', 'b', 'c'].map((id) => ({
      event_id: `e2e_ctx_${id}`, type: 'wallet_txn_created', status: 'failed', occurred_at: at,
      txn_id: `t_ctx_${id}`, merchant_id: 'm_ctx', amount: '12.00', currency: 'USD', country: 'SN',
    }))),
  });
  assert.equal(ingest.status, 200, await ingest.clone().text());
  const rule = await api<{ id: string }>('POST', '/api/analytics/alerts/rules', {
    name: 'ctx failures', metric: 'failed_count', filters: { merchant_id: ['m_ctx'] }, window_minutes: 60,
    condition: { type: 'threshold', op: '>', value: 2 },
  });
  const hook = await api<{ id: number }>('POST', '/api/analytics/alerts/webhooks', { url: 'https://hooks.example.com/molam' });
  await api('POST', '/api/analytics/alerts/silences', {
    matchers: { labels: { merchant_id: 'm_other' } }, starts_at: new Date().toISOString(),
    ends_at: new Date(Date.now() + 3_600_000).toISOString(), comment: 'e2e maintenance window',
  });
  type Row = { id: number; rule_id: number };
  let alert: Row | undefined;
  for (let i = 0; i < 150 && !alert; i++) {
    alert = (await api<{ items: Row[] }>('GET', '/api/analytics/alerts')).items.find((a) => String(a.rule_id) === String(rule.id));
    if (!alert) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(alert, 'the rule opens an alert within 30 s');

  // --- The alert says why: observed against the threshold, by the metric's label; a chart; a link.
  const page = await open(browser, base, 'analytics:ops', '?screen=alerts');
  const row = page.locator(`[data-alert="${alert.id}"]`);
  await row.waitFor();
  assert.equal((await row.locator('[data-field="judgement"]').textContent())?.trim(), 'Failed transactions over 60 min = 3 (threshold > 2)');
  const href = await row.locator('[data-field="scope-link"]').getAttribute('href');
  const link = new URLSearchParams(href ?? '');
  assert.equal(link.get('screen'), null, `a merchant's scope opens the overview: ${href}`);
  assert.equal(link.get('merchant_id'), 'm_ctx');
  await row.getByRole('button', { name: 'Details' }).click();
  const detail = page.locator(`[data-alert-detail="${alert.id}"]`);
  await detail.locator('[data-chart="alert-series"]').waitFor();
  assert.match((await detail.locator('[data-chart="alert-series"]').getAttribute('aria-label')) ?? '', /^Failed transactions .*threshold 2\)$/);

  // --- Rule editor: labels, not ids; 5 typed for 5 % is sent as 0.05; a webhook picked by its URL.
  await page.getByRole('group', { name: 'Section' }).getByRole('button', { name: 'Rules' }).click();
  await page.getByRole('button', { name: 'New rule' }).click();
  const editor = page.locator('[data-rule-editor="new"]');
  const metric = editor.locator('select[name="metric"]');
  await metric.selectOption({ label: 'Refund rate' });
  const texts = await metric.locator('option').allTextContents();
  assert.ok(texts.every((x) => !/_/.test(x)), `no metric ids in the options: ${texts.join(', ')}`);
  await editor.getByRole('checkbox', { name: 'https://hooks.example.com/molam' }).check();
  await editor.locator('input[name="value"]').fill('5');
  // No name: the form says so at the field and sends nothing.
  let previews = 0;
  page.on('request', (r) => { if (r.url().endsWith('/rules/preview')) previews++; });
  await editor.getByRole('button', { name: 'Preview last 7 days' }).click();
  await editor.locator('#rule-error-name', { hasText: 'Give the rule a name.' }).waitFor();
  assert.equal(await editor.getByLabel('Name').getAttribute('aria-invalid'), 'true');
  assert.equal(previews, 0, 'nothing was sent');
  await editor.getByLabel('Name').fill('e2e refunds');
  const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/analytics/alerts/rules/preview'));
  await editor.getByRole('button', { name: 'Preview last 7 days' }).click();
  const body = (await sent).postDataJSON() as { metric: string; condition: unknown; channels: string[] };
  assert.equal(body.metric, 'refund_rate');
  assert.deepEqual(body.condition, { type: 'threshold', op: '>', value: 0.05 });
  assert.deepEqual(body.channels, [String(hook.id)]);
  await editor.locator('[data-preview][data-stale="false"]').waitFor();
  await editor.getByRole('button', { name: 'Save rule' }).click();
  const saved = page.locator('[data-rule]', { hasText: 'e2e refunds' });
  await saved.waitFor();
  assert.match((await saved.locator('[data-field="condition"]').textContent()) ?? '', /Refund rate > 5(\.0)?%/);
  await page.close();

  // --- A read-only user: no action anywhere, and says why.
  const viewer = await open(browser, base, 'analytics:view', '?screen=alerts');
  await viewer.locator(`[data-alert="${alert.id}"]`).waitFor();
  await viewer.locator('[data-field="read-only"]').waitFor();
  for (const name of ['Acknowledge', 'Resolve']) assert.equal(await viewer.getByRole('button', { name, exact: true }).count(), 0, name);
  await viewer.locator(`[data-alert="${alert.id}"]`).getByRole('button', { name: 'Details' }).click();
  await viewer.locator('[data-alert-context] [data-field="judgement"]').waitFor();
  assert.equal(await viewer.getByRole('button', { name: 'Assign', exact: true }).count(), 0);
  assert.equal(await viewer.getByRole('button', { name: 'Add comment' }).count(), 0);
  await viewer.getByRole('group', { name: 'Section' }).getByRole('button', { name: 'Rules' }).click();
  await viewer.locator('[data-rule]', { hasText: 'ctx failures' }).waitFor();
  for (const name of [/^New rule$/, /^Edit /, /^Disable /, /^Delete /]) assert.equal(await viewer.getByRole('button', { name }).count(), 0, String(name));
  await viewer.getByRole('group', { name: 'Section' }).getByRole('button', { name: 'Silences' }).click();
  await viewer.locator('[data-silence]', { hasText: 'e2e maintenance window' }).waitFor();
  assert.equal(await viewer.getByRole('button', { name: /^End now/ }).count(), 0);
  assert.equal(await viewer.getByRole('button', { name: 'Create silence' }).count(), 0);
  // The scope link works without the merchant area: the overview filtered to the merchant.
  await viewer.getByRole('group', { name: 'Section' }).getByRole('button', { name: 'Alerts' }).click();
  await followScopeLink(viewer, alert.id, true);
  await viewer.close();

  // --- The merchant's own user, with its own rule: the link opens its overview (its token
  // confines it anyway), with no way out to the network.
  const mine = await devTokenAt(base, { role: 'merchant_admin', merchant_id: 'm_ctx' });
  const asMerchant = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method, headers: { authorization: `Bearer ${mine}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  const own = await asMerchant<{ id: string }>('POST', '/api/analytics/alerts/rules', {
    name: 'my failures', metric: 'failed_count', window_minutes: 60, condition: { type: 'threshold', op: '>', value: 2 },
  });
  let ownAlert: Row | undefined;
  for (let i = 0; i < 150 && !ownAlert; i++) {
    ownAlert = (await asMerchant<{ items: Row[] }>('GET', '/api/analytics/alerts')).items.find((a) => String(a.rule_id) === String(own.id));
    if (!ownAlert) await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(ownAlert, 'the merchant\'s rule opens an alert within 30 s');
  const merchantUser = await open(browser, base, 'merchant_admin', '?screen=alerts', undefined, 'm_ctx');
  await followScopeLink(merchantUser, ownAlert.id, false);
  await merchantUser.close();

  // --- At 360 px: no sideways scroll, and every row's last action in view (French: the longest).
  const phone = await open(browser, base, 'analytics:ops', '?screen=alerts&lang=fr', { width: 360, height: 780 });
  const fits = async (what: string, last: string | RegExp) => {
    const widths = await phone.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
    assert.ok(widths.doc <= widths.view, `${what}: the page is ${widths.doc} px wide at ${widths.view} px`);
    const button = phone.getByRole('button', { name: last }).first();
    await button.waitFor();
    const box = await button.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= widths.view, `${what}: "${last}" in view: ${JSON.stringify(box)}`);
  };
  await phone.locator(`[data-alert="${alert.id}"]`).waitFor();
  await fits('alerts', 'Résoudre');
  await phone.getByRole('group', { name: 'Rubrique' }).getByRole('button', { name: 'Règles' }).click();
  await phone.locator('[data-rule]').first().waitFor();
  await fits('rules', 'Supprimer ctx failures');
  await phone.getByRole('group', { name: 'Rubrique' }).getByRole('button', { name: 'Silences' }).click();
  await phone.locator('[data-silence]').first().waitFor();
  await fits('silences', /^Terminer maintenant/);
  await phone.close();
});

test('bad input is refused in its form: a garbage or unknown token, a reversed custom range', { timeout: 90_000 }, async (t) => {
  if (!browserReady(t)) return;
  const { base, browser } = await dashboard.get();
  const page = await browser.newPage();
  page.setDefaultTimeout(TIMEOUT);
  await page.goto(`${base}/`);
  const token = page.getByLabel('Bearer token');
  const use = page.getByRole('button', { name: 'Use this token' });
  await token.fill('not a token at all');
  await use.click();
  await page.locator('#signin-token-error', { hasText: 'This is not a JWT' }).waitFor();
  assert.equal(await token.getAttribute('aria-invalid'), 'true');
  // JWT-shaped but not signed by anyone the server trusts: /me refuses, the reason is shown.
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  await token.fill(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'mallory' })}.c2lnbmF0dXJl`);
  await use.click();
  await page.locator('#signin-token-error', { hasText: 'The server refused this token:' }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'nothing kept');
  assert.equal(await page.getByRole('button', { name: 'Sign in', exact: true }).count(), 1, 'still on the sign-in page');

  // A reversed custom range: the form says so next to the dates; the view keeps its range.
  await page.locator('select[name="role"]').selectOption('analytics:ops');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('button', { name: 'Custom' }).click();
  const form = page.locator('[data-control="custom-range"]');
  await form.locator('input[name="from"]').fill('2026-03-10');
  await form.locator('input[name="to"]').fill('2026-03-01');
  await form.getByRole('button', { name: 'Apply' }).click();
  await form.locator('#range-error', { hasText: 'The start date is after the end date.' }).waitFor();
  assert.equal(await form.locator('input[name="from"]').getAttribute('aria-invalid'), 'true');
  assert.notEqual(new URL(page.url()).searchParams.get('from'), '2026-03-10', 'not applied');
  await page.close();
});
