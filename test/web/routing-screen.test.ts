// End to end in headless Chromium (as merchant-area.test.ts): the routing screen against the real
// app. Through the API: 40 minutes of wallet payments in Senegal (wave all succeeded, orange_money
// failing a quarter), two active members of ECOWAS/XOF, a static table (version 1: wave first),
// and a proposal drafted by Ana (orange_money first). In the browser Ana, signed in as mesh ops,
// tries to approve her own proposal and sees the server's four_eyes_required where she clicked;
// Ben, another mesh operator, predicts now and sees each provider's score as the API has it on the
// Health tab with the table's primaries, opens the proposal (routes before and after), simulates
// it, approves it — the request carries an Idempotency-Key — and sees version 2, then rolls it
// back and sees version 3 restoring version 1, in the Routing tables tab and the action log, each
// checked against the API. He runs a second proposal as a canary guarded by an alert rule and
// stops it, and engages and resets the table's kill switch. An analytics:ops token reads the
// screen with a read-only note and no decision buttons; an analytics:view token is not offered
// the screen. Needs the build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserReady, ingestOverHttp, launchChromium, listenOnLoopback } from '../support/browser.ts';
import { openTempApp } from '../support/temp-app.ts';
import { activeMember, caller, people, route, setTable } from '../mesh/mesh-support.ts';

const TIMEOUT = 20_000;

async function signIn(page: Page, role: string, sub?: string) {
  await page.locator('select[name="role"]').selectOption(role);
  if (sub) await page.locator('input[name="sub"]').fill(sub);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function openPage(browser: Browser, base: string, problems: string[], search: string, allowed: RegExp[] = [], viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ colorScheme: 'light', viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    const line = `${res.status()} ${res.request().method()} ${res.url()}`;
    if (res.status() >= 400 && !allowed.some((a) => a.test(line))) problems.push(line);
  });
  await page.goto(`${base}/${search}`);
  return page;
}

test('routing screen: a proposal refused to its author, approved by another operator, the new version seen, rolled back', { timeout: 180_000 }, async (t) => {
  if (!browserReady(t)) return;
  const app = await openTempApp({ env: { DEV_MODE: 'true' } });
  let browser: Browser | undefined;
  try {
    const base = await listenOnLoopback(app);
    const p = await people();
    const call = caller(app);
    const now = Date.now();
    const events: unknown[] = [];
    for (let i = 0; i < 12; i++) {
      for (const provider of ['wave', 'orange_money']) {
        const txn = `rs_${provider}_${i}`;
        const at = now - 40 * 60_000 + i * 3 * 60_000;
        const common = { txn_id: txn, merchant_id: 'm_sn', amount: '5000', currency: 'XOF', country: 'SN' };
        events.push({ ...common, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider, occurred_at: new Date(at).toISOString() });
        events.push(i % 4 === 0 && provider === 'orange_money'
          ? { ...common, event_id: `${txn}_f`, type: 'wallet_txn_failed', failure_reason: 'timeout', occurred_at: new Date(at + 9000).toISOString() }
          : { ...common, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: '50', occurred_at: new Date(at + 9000).toISOString() });
      }
    }
    await ingestOverHttp(base, events);
    await app.platform.engine.flush();
    for (const provider of ['wave', 'orange_money']) await activeMember(app, p, provider);
    assert.equal(await setTable(app, p, [route('*', 0, null, 'wave', 'orange_money'), route('card', 0, 5_000_000, 'orange_money')], 0), 1);
    const drafted = await call('POST', '/api/mesh/proposals', p.ana, {
      region: 'ECOWAS', currency: 'XOF', base_version: 1, confidence: 0.7,
      routes: [route('*', 0, null, 'orange_money', 'wave')],
      rationale: [{ method: '*', min_amount: 0, max_amount: null, note: 'wave success rate down 12 points' }],
    });
    assert.equal(drafted.statusCode, 201, drafted.body);
    assert.equal(drafted.json().proposal.status, 'pending_approval', 'no policy: it waits for an approval');
    const id = drafted.json().proposal.id as string;
    const table = async () => (await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json() as {
      current: { version: number; kind: string; restored_version: number | null; routes: unknown[] }; versions: unknown[];
    };

    browser = await launchChromium();
    const problems: string[] = [];

    // Ana, its author: her approval is refused by the server, on the proposal she clicked.
    const ana = await openPage(browser, base, problems, '?screen=routing&rtab=proposals&lang=en', [new RegExp(`^403 POST .*/api/mesh/proposals/${id}/approve$`)]);
    await signIn(ana, 'mesh_ops', 'ana');
    await ana.getByRole('heading', { name: 'Routing', exact: true }).waitFor();
    await ana.getByRole('button', { name: `Details ${id}` }).click();
    const anaDetail = ana.locator(`[data-proposal-detail="${id}"]`);
    await anaDetail.locator('[data-field="mine"]').waitFor();
    await anaDetail.getByRole('button', { name: `Approve ${id}` }).click();
    const refusal = anaDetail.locator('[data-refusal="four_eyes_required"]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /cannot approve it: someone else must/);
    assert.equal((await call('GET', `/api/mesh/proposals/${id}`, p.viewer)).json().status, 'pending_approval', 'still pending');
    assert.equal((await table()).current.version, 1, 'the table did not move');

    // Ben: predicts now; the Health tab shows each provider's score as the API has it, and the table with its primary per route.
    const ben = await openPage(browser, base, problems, '?screen=routing&lang=en');
    await signIn(ben, 'mesh_ops', 'ben');
    await ben.locator('[data-region="ECOWAS"] [data-field="no-predictions"]').waitFor();
    await ben.getByRole('button', { name: 'Predict now' }).click();
    await ben.locator('[data-field="predicted"]').waitFor();
    const predicted = (await call('GET', '/api/mesh/predictions?region=ECOWAS&currency=XOF', p.viewer)).json() as { items: Array<{ provider: string; method: string; score: number }> };
    assert.deepEqual(predicted.items.map((x) => `${x.provider}|${x.method}`).sort(), ['orange_money|wallet', 'wave|wallet']);
    for (const x of predicted.items) {
      const score = ben.locator(`[data-region="ECOWAS"] [data-prediction="${x.provider}|XOF|wallet"] [data-field="score"]`);
      await score.waitFor();
      assert.equal(Number(await score.getAttribute('data-score')), x.score);
    }
    assert.ok(predicted.items.find((x) => x.provider === 'wave')!.score > predicted.items.find((x) => x.provider === 'orange_money')!.score, 'the failing provider scores lower');
    const health = ben.locator('[data-health-table="ECOWAS/XOF"]');
    await health.waitFor();
    assert.deepEqual(await health.locator('[data-field="primary"]').allTextContents(), ['wave', 'orange_money']);
    assert.match((await ben.locator('[data-region="ECOWAS"] [data-field="members"]').textContent()) ?? '', /2 active/);

    // The proposal: routes before (version 1) and after, its rationale; Ben approves it.
    const sections = ben.getByRole('group', { name: 'Routing sections' });
    await sections.getByRole('button', { name: 'Proposals' }).click();
    assert.match(ben.url(), /rtab=proposals/);
    await ben.getByRole('button', { name: `Details ${id}` }).click();
    const detail = ben.locator(`[data-proposal-detail="${id}"]`);
    const change = detail.locator('[data-change="*|0|"]');
    await change.waitFor();
    assert.deepEqual(await change.locator('[data-field="before"] [data-provider]').evaluateAll((els) => els.map((e) => e.getAttribute('data-provider'))), ['wave', 'orange_money']);
    assert.deepEqual(await change.locator('[data-field="after"] [data-provider]').evaluateAll((els) => els.map((e) => e.getAttribute('data-provider'))), ['orange_money', 'wave']);
    assert.match((await detail.locator('[data-field="rationale"]').textContent()) ?? '', /wave success rate down 12 points/);
    assert.equal(await detail.locator('[data-field="mine"]').count(), 0, 'not his own');
    // Simulated over the last 24 h: the wallet payments went to wave; the proposal sends them to orange_money.
    await detail.locator('[data-field="no-simulation"]').waitFor();
    await detail.getByRole('button', { name: `Simulate ${id}` }).click();
    const segment = detail.locator('[data-segment="*|0|"]');
    await segment.waitFor();
    assert.match((await segment.textContent()) ?? '', /wave → orange_money/);
    const simulated = (await call('GET', `/api/mesh/proposals/${id}`, p.viewer)).json() as { simulation: { segments: Array<{ attempts: number }> } | null };
    assert.equal(simulated.simulation?.segments[0]?.attempts, 24, 'kept with the proposal: the 24 payments of the window');
    await detail.locator('input[name="decision_note"]').fill('wave degraded since 09:40');
    const approveSent = ben.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/mesh/proposals/${id}/approve`));
    await detail.getByRole('button', { name: `Approve ${id}` }).click();
    const approve = await approveSent;
    assert.match(approve.headers()['idempotency-key'] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a fresh Idempotency-Key for the action');
    assert.deepEqual(approve.postDataJSON(), { comment: 'wave degraded since 09:40' });
    await detail.locator('[data-field="decided"][data-outcome="applied"]').waitFor();
    await detail.locator('[data-field="applied-version"][data-version="2"]').waitFor();
    await detail.locator('[data-field="table-version"][data-version="2"]').waitFor();
    const applied = (await call('GET', `/api/mesh/proposals/${id}`, p.viewer)).json();
    assert.deepEqual([applied.status, applied.applied_version, applied.created_by, applied.decided_by], ['applied', 2, 'ana', 'ben']);
    assert.deepEqual([(await table()).current.version, (await table()).current.kind], [2, 'proposal']);

    // Rolled back from the same detail: the table's version 3 restores version 1.
    await detail.locator('[data-field="rollback-until"]').waitFor();
    await detail.locator('input[name="decision_note"]').fill('orange_money slower');
    await detail.getByRole('button', { name: `Roll back ${id}` }).click();
    await detail.locator('[data-field="decided"][data-outcome="rolled_back"]').waitFor();
    await detail.locator('[data-field="table-version"][data-version="3"]').waitFor();
    const after = await table();
    assert.deepEqual([after.current.version, after.current.kind, after.current.restored_version], [3, 'rollback', 1]);
    assert.equal(after.current.routes.length, 2);
    assert.equal((await call('GET', `/api/mesh/proposals/${id}`, p.viewer)).json().status, 'rolled_back');

    // Routing tables: the current version and the history, as the API has them.
    await sections.getByRole('button', { name: 'Routing tables' }).click();
    const card = ben.locator('[data-table="ECOWAS/XOF"]');
    await ben.locator('[data-table="ECOWAS/XOF"][data-version="3"]').waitFor();
    await card.getByRole('button', { name: 'History ECOWAS XOF' }).click();
    const history = ben.locator('[data-table-detail="ECOWAS/XOF"]');
    await history.locator('[data-field="current-version"][data-version="3"]').waitFor();
    assert.deepEqual(await history.locator('[data-table-version]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-table-version')}:${e.getAttribute('data-kind')}`)),
      ['3:rollback', '2:proposal', '1:static']);
    assert.deepEqual(await history.locator('[data-route] [data-provider]').evaluateAll((els) => els.map((e) => e.getAttribute('data-provider'))),
      ['wave', 'orange_money', 'orange_money'], 'the current routes are version 1\'s again');

    // The action log: the approval and the rollback, by Ben.
    await sections.getByRole('button', { name: 'Action log' }).click();
    await ben.locator(`[data-action="proposal.rolled_back"][data-target="proposal:${id}"]`).waitFor();
    assert.equal(await ben.locator(`[data-action="proposal.applied"][data-target="proposal:${id}"] [data-field="actor"]`).textContent(), 'ben');
    await ben.locator('input[name="target"]').fill('routing:ECOWAS/XOF');
    await ben.getByRole('button', { name: 'Filter', exact: true }).click();
    await ben.locator('[data-target="routing:ECOWAS/XOF"]').first().waitFor();
    assert.equal(await ben.locator(`[data-target="proposal:${id}"]`).count(), 0, 'only the table\'s actions');

    // A second proposal runs as a canary for 10 % of the payments, guarded by an alert rule, then stops.
    const rule = await call('POST', '/api/analytics/alerts/rules', p.viewer, {
      name: 'Wallet failures', metric: 'failed_count', window_minutes: 60, for_minutes: 0, severity: 'critical', condition: { type: 'threshold', op: '>', value: 100 },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    const second = await call('POST', '/api/mesh/proposals', p.ana, { region: 'ECOWAS', currency: 'XOF', base_version: 3, routes: [route('*', 0, null, 'orange_money', 'wave')] });
    assert.equal(second.statusCode, 201, second.body);
    const canaryId = second.json().proposal.id as string;
    await sections.getByRole('button', { name: 'Proposals' }).click();
    await ben.getByRole('button', { name: `Details ${canaryId}` }).click();
    const canaryDetail = ben.locator(`[data-proposal-detail="${canaryId}"]`);
    await canaryDetail.locator('input[name="canary_percent"]').fill('10');
    await canaryDetail.locator(`select[name="canary_rule"] option[value="${rule.json().id}"]`).waitFor({ state: 'attached' });
    await canaryDetail.getByRole('button', { name: `Start canary ${canaryId}` }).click();
    await canaryDetail.locator('[data-field="canary"][data-percent="10"]').waitFor();
    const live = (await call('GET', `/api/mesh/proposals/${canaryId}`, p.viewer)).json();
    assert.deepEqual([live.status, live.canary_percent, String(live.canary_alert_rule_id)], ['canary', 10, String(rule.json().id)]);
    await canaryDetail.getByRole('button', { name: `Stop canary ${canaryId}` }).click();
    await canaryDetail.locator('[data-canary-form="start"]').waitFor();
    assert.equal((await call('GET', `/api/mesh/proposals/${canaryId}`, p.viewer)).json().status, 'pending_approval', 'awaiting approval again');

    // The kill switch: engaged with a reason (the table routes by its static version 1), then reset.
    await sections.getByRole('button', { name: 'Routing tables' }).click();
    await ben.getByRole('button', { name: 'History ECOWAS XOF' }).click();
    await ben.locator('[data-kill-switch="off"]').waitFor();
    await ben.locator('input[name="kill_reason"]').fill('wave outage');
    await ben.getByRole('button', { name: 'Engage kill switch ECOWAS XOF' }).click();
    await ben.locator('[data-kill-switch="engaged"]').waitFor();
    await ben.locator('[data-table="ECOWAS/XOF"] [data-field="kill-switch"]').waitFor();
    const switches = (await call('GET', '/api/mesh/kill-switches', p.viewer)).json() as { items: Array<{ region: string; currency: string; static_version: number; engaged_by: string; reason: string }> };
    assert.deepEqual(switches.items.map((k) => [k.region, k.currency, k.static_version, k.engaged_by, k.reason]), [['ECOWAS', 'XOF', 1, 'ben', 'wave outage']]);
    await ben.getByRole('button', { name: 'Reset kill switch ECOWAS XOF' }).click();
    await ben.locator('[data-kill-switch="off"]').waitFor();
    assert.deepEqual((await call('GET', '/api/mesh/kill-switches', p.viewer)).json().items, []);

    // French: the section names.
    await ben.locator('[data-option="fr"]').first().click();
    await ben.getByRole('group', { name: 'Rubriques du routage' }).getByRole('button', { name: 'Journal des actions' }).waitFor();

    // analytics:ops reads the mesh: a read-only note and no decision; analytics:view is not offered the screen.
    const ops = await openPage(browser, base, problems, '?screen=routing&rtab=proposals&lang=en', [], { width: 360, height: 780 });
    await signIn(ops, 'analytics:ops');
    await ops.locator('[data-field="read-only"]').waitFor();
    await ops.locator('[data-option="all"]').click();
    await ops.getByRole('button', { name: `Details ${id}` }).click();
    await ops.locator(`[data-proposal-detail="${id}"] [data-change]`).first().waitFor();
    assert.equal(await ops.getByRole('button', { name: `Roll back ${id}` }).count(), 0);
    assert.ok(await ops.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'at phone width the page does not scroll sideways (its tables do)');
    const viewer = await openPage(browser, base, problems, '?lang=en');
    await signIn(viewer, 'analytics:view');
    await viewer.locator('[data-screen="overview"]').waitFor();
    assert.equal(await viewer.locator('[data-screen="routing"]').count(), 0);

    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await app.close();
  }
});
