// End to end in headless Chromium (as dashboard.test.ts): the Alerts screen's sub-views against
// the real app. A rule is written in the editor, its 7-day preview is checked against
// POST /api/analytics/alerts/rules/preview for the very body the page sent, then it is saved
// and found in the list and through the API; an alert is assigned and commented (checked through
// the API and the comments table); a silence is created and ended. Needs the build (`npm run build:web`).
// (Read-only users, alert context, phone widths, form checks: alerts-context.test.ts.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { browserReady, devToken as devTokenAt, withDashboard } from '../support/browser.ts';

const TIMEOUT = 20_000;
const HOUR = 3_600_000;

async function signIn(page: Page, role: string) {
  await page.locator('select[name="role"]').selectOption(role);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** A failed payment of `merchant` `msAgo` ago (failed_count counts it). */
function failed(id: string, merchant: string, msAgo: number) {
  return {
    event_id: `e2e_as_${id}`, type: 'wallet_txn_created', status: 'failed', occurred_at: new Date(Date.now() - msAgo).toISOString(),
    txn_id: `t_as_${id}`, merchant_id: merchant, amount: '12.00', currency: 'USD', country: 'SN',
  };
}

test('alerts screen: rule editor with the 7-day preview, assign and comment, silences', { timeout: 120_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '', ALERT_EVAL_INTERVAL: '1' }, async ({ app, base, browser }) => {
    const devToken = (role: string) => devTokenAt(base, { role });
    const ops = await devToken('analytics:ops');
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${base}${path}`, {
        method, headers: { authorization: `Bearer ${ops}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
      return (await res.json()) as T;
    };

    // m_pre failed three times, one and more days ago, each in its own hour (the preview's
    // material); m_1 fails now, so the API-made rule opens an alert to assign and comment.
    const ingest = await fetch(`${base}/api/v1/events`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken('events:write')}` },
      body: JSON.stringify([
        failed('p1', 'm_pre', 26 * HOUR + 20 * 60_000), failed('p2', 'm_pre', 50 * HOUR + 20 * 60_000),
        failed('p3', 'm_pre', 74 * HOUR + 20 * 60_000), failed('live', 'm_1', 3 * 60_000),
      ]),
    });
    assert.equal(ingest.status, 200, await ingest.clone().text());
    await api('POST', '/api/analytics/alerts/rules', {
      name: 'e2e live failures', metric: 'failed_count', filters: { merchant_id: ['m_1'] }, window_minutes: 60,
      condition: { type: 'threshold', op: '>=', value: 1 },
    });

    const page = await browser.newPage({ colorScheme: 'light' });
    page.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => { if (res.status() >= 400) problems.push(`${res.status()} ${res.request().method()} ${res.url()}`); });
    await page.goto(`${base}/?screen=alerts`);
    await signIn(page, 'analytics:ops');
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const section = page.getByRole('group', { name: 'Section' });

    // --- Rules: write one in the editor, preview it, save it.
    await section.getByRole('button', { name: 'Rules' }).click();
    await page.locator('[data-rule]', { hasText: 'e2e live failures' }).waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const editor = page.locator('[data-rule-editor="new"]');
    await editor.waitFor();
    await editor.getByLabel('Name').fill('e2e preview rule');
    await editor.locator('select[name="metric"]').selectOption('failed_count');
    await editor.locator('select[name="op"]').selectOption('>=');
    await editor.locator('input[name="value"]').fill('1');
    await editor.locator('input[name="window_minutes"]').fill('60');
    await editor.locator('input[name="filter_merchant_id"]').fill('m_pre');
    await editor.locator('select[name="severity"]').selectOption('critical');
    const save = editor.getByRole('button', { name: 'Save rule' });
    assert.equal(await save.isDisabled(), true, 'no save before a preview');

    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/analytics/alerts/rules/preview'));
    await editor.getByRole('button', { name: 'Preview last 7 days' }).click();
    const body = (await sent).postDataJSON() as Record<string, unknown>;
    assert.equal(body.metric, 'failed_count');
    assert.deepEqual(body.filters, { merchant_id: ['m_pre'] });
    assert.deepEqual(body.condition, { type: 'threshold', op: '>=', value: 1 });
    const shown = editor.locator('[data-preview][data-stale="false"] [data-field="firings"]');
    await shown.waitFor();
    const expected = await api<{ firings: number }>('POST', '/api/analytics/alerts/rules/preview', body);
    assert.equal(expected.firings, 3, 'three separate hours with a failure');
    assert.equal(Number(await shown.textContent()), expected.firings);
    assert.equal(await editor.locator('[data-preview-firings] li').count(), 3);

    // An edit makes the preview stale and locks Save again; previewing the same draft unlocks it.
    await editor.locator('input[name="value"]').fill('2');
    await editor.locator('[data-preview][data-stale="true"]').waitFor();
    assert.equal(await save.isDisabled(), true);
    await editor.locator('input[name="value"]').fill('1');
    await editor.locator('[data-preview][data-stale="false"]').waitFor();
    await save.and(page.locator(':enabled')).click();

    const listed = page.locator('[data-rule]', { hasText: 'e2e preview rule' });
    await listed.waitFor();
    await page.getByRole('status').filter({ hasText: 'Rule saved: e2e preview rule' }).waitFor();
    assert.match((await listed.locator('[data-field="condition"]').textContent()) ?? '', /Failed transactions >= 1/, 'the metric by its label');
    type Rule = { id: string; name: string; filters: Record<string, string[]>; severity: string; condition: unknown; enabled: boolean };
    const rules = (await api<{ items: Rule[] }>('GET', '/api/analytics/alerts/rules')).items;
    const saved = rules.find((r) => r.name === 'e2e preview rule');
    assert.ok(saved, 'the rule is stored');
    assert.deepEqual(saved.filters, { merchant_id: ['m_pre'] });
    assert.equal(saved.severity, 'critical');
    assert.deepEqual(saved.condition, { type: 'threshold', op: '>=', value: 1 });

    // Disable it from the list (PATCH {enabled:false}).
    await listed.getByRole('button', { name: 'Disable e2e preview rule' }).click();
    await page.locator(`[data-rule="${saved.id}"][data-enabled="false"]`).waitFor();
    assert.equal((await api<Rule>('GET', `/api/analytics/alerts/rules/${saved.id}`)).enabled, false);

    // --- Silences: create one on the rule and a label, then end it.
    await section.getByRole('button', { name: 'Silences' }).click();
    await page.getByText('No silences.').waitFor();
    await page.locator('select[name="silence_rule"]').selectOption({ label: 'e2e preview rule' });
    await page.getByLabel('Labels').fill('merchant_id=m_pre');
    await page.getByLabel('Duration').selectOption('1h');
    await page.getByLabel('Comment').fill('e2e maintenance');
    await page.getByRole('button', { name: 'Create silence' }).click();
    const silenceRow = page.locator('[data-silence][data-state="active"]', { hasText: 'e2e maintenance' });
    await silenceRow.waitFor();
    type Silence = { id: number; matchers: { rule_id?: string; labels?: Record<string, string> }; starts_at: string; ends_at: string; comment: string };
    const [silence] = (await api<{ items: Silence[] }>('GET', '/api/analytics/alerts/silences')).items;
    assert.deepEqual(silence.matchers, { rule_id: saved.id, labels: { merchant_id: 'm_pre' } });
    assert.equal(silence.comment, 'e2e maintenance');
    const hours = (Date.parse(silence.ends_at) - Date.parse(silence.starts_at)) / HOUR;
    assert.ok(Math.abs(hours - 1) < 0.01, `one hour, not ${hours}`);
    await silenceRow.getByRole('button', { name: `End now #${silence.id}` }).click();
    await page.locator(`[data-silence="${silence.id}"][data-state="ended"]`).waitFor();
    const [ended] = (await api<{ items: Silence[] }>('GET', '/api/analytics/alerts/silences')).items;
    assert.ok(Date.parse(ended.ends_at) <= Date.now(), 'ended now');

    // --- Alerts: assign and comment the live alert (the evaluator runs every second).
    type Row = { id: number; rule_name: string; assignee: string | null };
    let alert: Row | undefined;
    for (let i = 0; i < 150 && !alert; i++) {
      alert = (await api<{ items: Row[] }>('GET', '/api/analytics/alerts')).items.find((a) => a.rule_name === 'e2e live failures');
      if (!alert) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(alert, 'the live rule opens an alert within 30 s');
    await section.getByRole('button', { name: 'Alerts' }).click();
    const row = page.locator(`[data-alert="${alert.id}"]`);
    await row.waitFor();
    await row.getByRole('button', { name: 'Details' }).click();
    const detail = page.locator(`[data-alert-detail="${alert.id}"]`);
    await detail.getByLabel('Assignee').fill('alice');
    await detail.getByRole('button', { name: 'Assign', exact: true }).click();
    await row.locator('[data-field="assignee"]', { hasText: 'alice' }).waitFor();
    await detail.getByText('Assignee saved.').waitFor();
    await detail.getByRole('textbox', { name: 'Comment', exact: true }).fill('looking into m_1');
    await detail.getByRole('button', { name: 'Add comment' }).click();
    await detail.getByText('Comment saved.').waitFor();
    await detail.locator('[data-comment]', { hasText: 'looking into m_1' }).waitFor();
    const after = (await api<{ items: Row[] }>('GET', '/api/analytics/alerts')).items.find((a) => a.id === alert!.id);
    assert.equal(after?.assignee, 'alice');
    const comments = await app.platform.state.query<{ author: string; body: string }>(
      'SELECT author, body FROM alert_comments WHERE alert_id = $1', [alert.id]);
    assert.deepEqual(comments.map((c) => ({ ...c })), [{ author: 'dev-user', body: 'looking into m_1' }]);

    // Filters beyond status: severity (the alert is warn) and rule.
    await page.locator('select[name="severity"]').selectOption('critical');
    await page.getByText('No alerts').waitFor();
    await page.locator('select[name="severity"]').selectOption('warn');
    await row.waitFor();
    await page.locator('select[name="rule_id"]').selectOption({ label: 'e2e preview rule' });
    await page.getByText('No alerts').waitFor();
    assert.deepEqual(problems, []);

    // (A viewer's screens offer no action at all: alerts-context.test.ts.)
  });
});
