// End to end in headless Chromium (as dashboard.test.ts): the merchant area against the real app
// with REFUND_APPROVAL_THRESHOLD set and the refund relay running. Ana, an administrator of
// m_e2e, requests a refund above the threshold from a transaction's drawer (it waits for
// approval), tries to approve it herself and sees the server's refusal (four_eyes_required); Bob,
// another administrator of m_e2e signed in in another browser context, approves it; back in
// Ana's summary the Refunds card grows by exactly the refund's amount, as the API says. Ana answers a dispute with a PNG and submits it (the evidence locks). Then an
// operator picks the merchant and reads its audit log (through X-Merchant-Id). Needs the build.

import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserReady, devToken, ingestOverHttp, launchChromium, listenOnLoopback } from '../support/browser.ts';
import { openTempApp } from '../support/temp-app.ts';
import { mintToken } from '../support/tokens.ts';

const TIMEOUT = 20_000;
const MERCHANT = 'm_e2e';
const TXN = 'tx_e2e_refund';
/** XOF has no minor unit: 20000 minor units are 20,000 XOF, above the 10,000 threshold. */
const REFUND = 20_000;
const PNG = readFileSync(new URL('../files/fixtures/receipt.png', import.meta.url));

async function signIn(page: Page, role: string, merchant?: string, sub?: string) {
  await page.locator('select[name="role"]').selectOption(role);
  if (merchant) await page.locator('input[name="merchant_id"]').fill(merchant);
  if (sub) await page.locator('input[name="sub"]').fill(sub);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The whole number a money card shows (XOF has no decimals): "XOF 20,000" → 20000. */
const digits = (text: string | null) => Number((text ?? '').replace(/\D/g, '') || 'NaN');

async function openPage(browser: Browser, base: string, problems: string[], allowed: RegExp[] = []): Promise<Page> {
  const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    const line = `${res.status()} ${res.request().method()} ${res.url()}`;
    if (res.status() >= 400 && !allowed.some((a) => a.test(line))) problems.push(line);
  });
  await page.goto(`${base}/?screen=merchant&lang=en`);
  return page;
}

test('merchant area: a refund above the threshold requested by one user, refused to its requester, approved by another, seen in the KPIs', { timeout: 180_000 }, async (t) => {
  if (!browserReady(t)) return;
  const app = await openTempApp({ env: { DEV_MODE: 'true', JWT_SECRET: '', REFUND_APPROVAL_THRESHOLD: 'XOF:10000' }, parts: ['refund-relay'] });
  let browser: Browser | undefined;
  try {
    const base = await listenOnLoopback(app);
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    const common = { txn_id: TXN, merchant_id: MERCHANT, amount: '150000', currency: 'XOF', country: 'SN', payment_method: 'wallet', provider: 'wave' };
    await ingestOverHttp(base, [
      { event_id: 'e2e_m_1', type: 'wallet_txn_created', status: 'pending', occurred_at: at(120_000), customer_id: 'cus_e2e', ...common },
      { event_id: 'e2e_m_2', type: 'wallet_txn_succeeded', occurred_at: at(90_000), fee: '1500', ...common },
      { event_id: 'e2e_m_3', type: 'dispute_created', occurred_at: at(60_000), dispute_id: 'dp_e2e', txn_id: TXN, merchant_id: MERCHANT,
        amount: '5000', currency: 'XOF', country: 'SN', reason: 'fraud' },
    ]);
    await app.platform.engine.flush();

    const apiToken = await devToken(base, { role: 'merchant_admin', merchant_id: MERCHANT, sub: 'auditor@m_e2e' });
    const api = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${apiToken}` } });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as T;
    };
    const apiRefunds = async () => (await api<{ current: { refunds: string } }>('/api/merchant/summary?period=mtd&currency=XOF')).current.refunds;
    const refundsBefore = Number(await apiRefunds());

    browser = await launchChromium();
    const problems: string[] = [];
    // Ana's own approval is refused by the server: that one 403 is expected.
    const ana = await openPage(browser, base, problems, [/^403 POST .*\/api\/merchant\/refunds\/[^/]+\/approve$/]);
    await signIn(ana, 'merchant_admin', MERCHANT, 'ana@m_e2e');
    await ana.getByRole('heading', { name: 'Merchant' }).waitFor();
    const refundsCard = ana.locator('[data-kpi="m_refunds"] [data-field="value"]');
    await ana.locator('select[name="summary_currency"] option[value="XOF"]').waitFor({ state: 'attached' });
    await ana.locator('select[name="summary_currency"]').selectOption('XOF');
    await ana.locator('[data-summary="mtd|XOF"]').waitFor();
    const shownBefore = digits(await refundsCard.textContent());
    assert.equal(shownBefore, refundsBefore, 'the card shows the API figure');

    // Ana: Transactions → the drawer → a partial refund above the threshold.
    const sections = ana.getByRole('group', { name: 'Merchant sections' });
    await sections.getByRole('button', { name: 'Transactions' }).click();
    await ana.getByRole('button', { name: `Open transaction ${TXN}` }).click();
    const form = ana.locator(`[data-refund-form="${TXN}"]`);
    await form.waitFor();
    await form.locator('input[name="refund_amount"]').fill(String(REFUND));
    await form.locator('input[name="refund_reason"]').fill('e2e partial refund');
    const sent = ana.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/merchant/refunds'));
    await form.getByRole('button', { name: 'Request refund' }).click();
    const request = await sent;
    const key = request.headers()['idempotency-key'];
    assert.match(key ?? '', /^[0-9a-f]{32}$/, 'an Idempotency-Key per attempt');
    assert.deepEqual(request.postDataJSON(), { transaction_id: TXN, amount: REFUND, currency: 'XOF', reason: 'e2e partial refund' });
    const result = form.locator('[data-refund-result="pending_approval"]');
    await result.waitFor();
    const refundId = await result.getAttribute('data-refund-id');
    assert.ok(refundId);
    await ana.getByRole('button', { name: 'Close' }).click();

    // Ana tries to approve her own request: the server refuses and the page says so.
    await sections.getByRole('button', { name: 'Refunds' }).click();
    const anaRow = ana.locator(`[data-refund="${refundId}"]`);
    await anaRow.locator('[data-field="mine"]').waitFor();
    await anaRow.getByRole('button', { name: `Approve ${refundId}` }).click();
    const refusal = anaRow.locator('[data-refusal="four_eyes_required"]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /someone other than the person who requested it/);
    assert.equal((await api<{ status: string }>(`/api/merchant/refunds/${refundId}`)).status, 'pending_approval', 'still pending');

    // Bob, another administrator of the merchant, approves it from the approval queue.
    const bob = await openPage(browser, base, problems);
    await signIn(bob, 'merchant_admin', MERCHANT, 'bob@m_e2e');
    await bob.getByRole('group', { name: 'Merchant sections' }).getByRole('button', { name: 'Refunds' }).click();
    const bobRow = bob.locator(`[data-refund="${refundId}"]`);
    assert.equal(await bobRow.locator('[data-field="requested-by"]').textContent(), 'ana@m_e2e');
    assert.equal(await bobRow.locator('[data-field="mine"]').count(), 0);
    await bobRow.getByRole('button', { name: `Approve ${refundId}` }).click();
    await bob.locator(`[data-refund="${refundId}"][data-status="approved"]`).waitFor();
    const approved = await api<{ status: string; decided_by: string; requested_by: string }>(`/api/merchant/refunds/${refundId}`);
    assert.deepEqual([approved.status, approved.requested_by, approved.decided_by], ['approved', 'ana@m_e2e', 'bob@m_e2e']);

    // The relay puts the approved refund into the stream; Ana's summary shows it, exactly.
    await sections.getByRole('button', { name: 'Summary' }).click();
    await ana.locator('[data-summary="mtd|XOF"]').waitFor();
    for (;;) {
      const shown = digits(await refundsCard.textContent());
      if (shown !== shownBefore) {
        assert.equal(shown, shownBefore + REFUND, 'the Refunds card grew by exactly the refund');
        break;
      }
      const answered = ana.waitForResponse((r) => r.url().includes('/api/merchant/summary'));
      await ana.locator('[data-action="refresh"]').click();
      await answered;
    }
    assert.equal(Number(await apiRefunds()), refundsBefore + REFUND, 'and so does the API');

    // An operator picks the merchant and acts for it: the audit log shows the refund's story.
    const ops = await openPage(browser, base, problems);
    await signIn(ops, 'analytics:ops');
    await ops.locator('[data-field="pick-merchant"]').waitFor();
    await ops.locator('input[name="acting_for"]').fill(MERCHANT);
    const withHeader = ops.waitForRequest((r) => r.url().includes('/api/merchant/summary'));
    await ops.getByRole('button', { name: 'Open', exact: true }).click();
    assert.equal((await withHeader).headers()['x-merchant-id'], MERCHANT);
    await ops.getByRole('group', { name: 'Merchant sections' }).getByRole('button', { name: 'Audit log' }).click();
    await ops.locator('[data-audit="refund.approved"]').first().waitFor();
    await ops.locator('[data-audit="refund.requested"]').first().waitFor();

    // Ana answers the dispute: its deadline counts down in the merchant's zone; a PNG is uploaded
    // (a draft), the response submitted, and the evidence is locked.
    await sections.getByRole('button', { name: 'Disputes' }).click();
    const dispute = ana.locator('[data-dispute="dp_e2e"]');
    assert.match((await dispute.locator('[data-field="countdown"]').textContent()) ?? '', /^6 d 2[0-3] h left$/);
    assert.match((await dispute.textContent()) ?? '', /\(Africa\/Dakar\)/);
    await dispute.getByRole('button', { name: 'Open dispute dp_e2e' }).click();
    const panel = ana.locator('[data-dispute-panel="dp_e2e"]');
    await panel.locator('input[name="evidence_file"]').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
    await panel.locator('input[name="evidence_description"]').fill('Signed delivery receipt');
    await panel.getByRole('button', { name: 'Upload evidence' }).click();
    await panel.locator('[data-evidence]', { hasText: 'Signed delivery receipt' }).waitFor();
    await panel.getByRole('button', { name: 'Submit response' }).click();
    await panel.getByRole('button', { name: 'Yes, submit' }).click();
    await panel.locator('[data-field="locked"]').waitFor();
    assert.equal(await panel.locator('input[name="evidence_file"]').count(), 0, 'no more uploads');
    const submitted = await api<{ status: string; evidence: Array<{ state: string; content_type: string }> }>('/api/merchant/disputes/dp_e2e');
    assert.equal(submitted.status, 'under_review');
    assert.deepEqual(submitted.evidence.map((e) => [e.state, e.content_type]), [['submitted', 'image/png']]);

    // French: the same area's words.
    await ana.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await ana.getByRole('group', { name: 'Rubriques marchand' }).getByRole('button', { name: 'Remboursements' }).click();
    await ana.getByRole('heading', { name: 'File d’approbation' }).waitFor();

    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await app.close();
  }
});

const PAY_MERCHANT = 'm_pay';

test('merchant area: payouts and their covered transactions, the schedule refused to an old sign-in and accepted after signing in again, exports (at once as CSV, and in the background), a webhook’s secret shown once, the alerts', { timeout: 180_000 }, async (t) => {
  if (!browserReady(t)) return;
  // The test secret signs both the dev sign-in's tokens and the old one minted here. Exports of
  // more than one row go to the background.
  const app = await openTempApp({ env: { DEV_MODE: 'true', EXPORT_SYNC_MAX_ROWS: '1' } });
  let browser: Browser | undefined;
  try {
    const base = await listenOnLoopback(app);
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    const day = 86_400_000;
    const txn = (id: string, amount: string, fee: string, ago: number, n: number) => {
      const common = { txn_id: id, merchant_id: PAY_MERCHANT, amount, currency: 'XOF', country: 'SN', payment_method: 'wallet', provider: 'wave' };
      return [
        { event_id: `pay_${n}_c`, type: 'wallet_txn_created', status: 'pending', occurred_at: at(ago), ...common },
        { event_id: `pay_${n}_s`, type: 'wallet_txn_succeeded', occurred_at: at(ago - 30_000), fee, ...common },
      ];
    };
    const payout = (id: string, type: string, amount: string, ago: number) =>
      ({ event_id: `pay_${id}_${type}`, type, occurred_at: at(ago), payout_id: id, merchant_id: PAY_MERCHANT, amount, currency: 'XOF', country: 'SN' });
    // Nets 49,500 and 29,700 XOF. po_1 (60,000) covers tx_pay_1 whole and 10,500 of tx_pay_2; po_2
    // (10,000) the next part of tx_pay_2: a transaction split between two payouts.
    await ingestOverHttp(base, [
      ...txn('tx_pay_1', '50000', '500', 10 * day, 1),
      ...txn('tx_pay_2', '30000', '300', 9 * day, 2),
      payout('po_1', 'payout_created', '60000', 5 * day),
      payout('po_1', 'payout.settled', '60000', 4 * day),
      payout('po_2', 'payout_created', '10000', 3 * day),
    ]);
    await app.platform.engine.flush();

    browser = await launchChromium();
    const problems: string[] = [];
    // The old sign-in's schedule change is refused by the server: that one 403 is expected.
    const page = await openPage(browser, base, problems, [/^403 PUT .*\/api\/merchant\/settings\/payout-schedule$/]);
    // Ana signed in 10 minutes ago: her token is valid, but too old for a step-up.
    const old = await mintToken({ sub: 'ana@m_pay', roles: ['merchant_admin'], merchantId: PAY_MERCHANT, authTime: Math.floor(now / 1000) - 600 });
    await page.evaluate((tk) => sessionStorage.setItem('molam.analytics.token', tk), old);
    await page.goto(`${base}/?screen=merchant&mtab=payouts&lang=en`);

    // The upcoming payout: 79,200 net − 70,000 paid out = 9,200 XOF, nothing held back (captured days ago).
    const upcoming = page.locator('[data-upcoming="XOF"]');
    assert.equal(digits(await upcoming.locator('[data-field="amount"]').textContent()), 9200);
    assert.equal(digits(await upcoming.locator('[data-field="held"]').textContent()), 0);
    await page.locator('[data-field="scheduled-for"]', { hasText: 'Next payout on' }).waitFor();

    // The history, newest first; po_1's transactions add up to its amount.
    const rows = page.locator('[data-payout]');
    await rows.first().waitFor();
    assert.deepEqual(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-payout'))), ['po_2', 'po_1']);
    assert.equal(await page.locator('[data-payout="po_1"] [data-status]').first().getAttribute('data-status'), 'settled');
    await page.getByRole('button', { name: 'Transactions of payout po_1' }).click();
    const detail = page.locator('[data-payout-detail="po_1"]');
    await detail.locator('[data-covered]').first().waitFor();
    const covered = await detail.locator('[data-field="covered"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-minor'))));
    assert.deepEqual(covered, [49_500, 10_500]);
    assert.equal(covered.reduce((a, b) => a + b, 0), 60_000, 'they add up to the payout');
    assert.equal(digits(await detail.locator('[data-field="covered-total"]').textContent()), 60_000);
    assert.equal(digits(await page.locator('[data-payout="po_1"] [data-field="amount"]').textContent()), 60_000);
    assert.equal(await detail.locator('[data-field="uncovered"]').count(), 0);

    // The schedule change with the old sign-in: refused, and said so.
    const schedule = page.locator('[data-section="schedule"]');
    await schedule.locator('select[name="interval"]').selectOption('weekly');
    await schedule.locator('select[name="weekly_anchor"]').selectOption('wednesday');
    await schedule.locator('input[name="minimum_XOF"]').fill('5000');
    await schedule.getByRole('button', { name: 'Save' }).click();
    const stepUp = schedule.locator('[data-step-up]');
    await stepUp.locator('[data-refusal="step_up_required"]').waitFor();
    assert.match((await stepUp.textContent()) ?? '', /sign-in from the last 5 minutes/);
    const api = async () => (await (await fetch(`${base}/api/merchant/settings/payout-schedule`, { headers: { authorization: `Bearer ${old}` } })).json()) as { interval: string; weekly_anchor: string; minimum_amounts: Record<string, number> };
    assert.equal((await api()).interval, 'daily', 'unchanged');

    // Signing in again (the dev sign-in issues a fresh token) brings her back to the payouts.
    await stepUp.getByRole('button', { name: 'Sign in again' }).click();
    await signIn(page, 'merchant_admin', PAY_MERCHANT, 'ana@m_pay');
    await schedule.locator('select[name="interval"]').selectOption('weekly');
    await schedule.locator('select[name="weekly_anchor"]').selectOption('wednesday');
    await schedule.locator('input[name="minimum_XOF"]').fill('5000');
    await schedule.getByRole('button', { name: 'Save' }).click();
    await schedule.locator('[data-field="schedule-saved"]').waitFor();
    const saved = await api();
    assert.deepEqual([saved.interval, saved.weekly_anchor, saved.minimum_amounts], ['weekly', 'wednesday', { XOF: 5000 }]);
    assert.match((await schedule.locator('[data-field="schedule-updated"]').textContent()) ?? '', /ana@m_pay/);

    // Exports: one day's transactions (one row) download at once as CSV.
    await page.getByRole('group', { name: 'Merchant sections' }).getByRole('button', { name: 'Exports' }).click();
    const day10 = new Date(now - 10 * day).toISOString().slice(0, 10); // Africa/Dakar is UTC
    await page.locator('select[name="export_kind"]').selectOption('transactions');
    await page.locator('select[name="export_format"]').selectOption('csv');
    await page.locator('input[name="export_from"]').fill(day10);
    await page.locator('input[name="export_to"]').fill(day10);
    const direct = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const file = await direct;
    assert.match(file.suggestedFilename(), /^transactions_m_pay_.*\.csv$/);
    const csv = readFileSync((await file.path())!, 'utf8');
    assert.match(csv, /^\uFEFFtxn_id,created_at,/);
    assert.match(csv, /tx_pay_1/);
    assert.doesNotMatch(csv, /tx_pay_2/);
    await page.locator(`[data-export-downloaded="${file.suggestedFilename()}"]`).waitFor();

    // Payouts are an export kind too: the day of po_2.
    const day3 = new Date(now - 3 * day).toISOString().slice(0, 10);
    await page.locator('select[name="export_kind"]').selectOption('payouts');
    await page.locator('input[name="export_from"]').fill(day3);
    await page.locator('input[name="export_to"]').fill(day3);
    const payoutFile = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const payoutCsv = readFileSync((await (await payoutFile).path())!, 'utf8');
    assert.match(payoutCsv, /po_2/);
    assert.doesNotMatch(payoutCsv, /po_1/);
    await page.locator('select[name="export_kind"]').selectOption('transactions');

    // Two rows: a background export, polled until its signed link is ready.
    await page.locator('input[name="export_from"]').fill(new Date(now - 11 * day).toISOString().slice(0, 10));
    await page.locator('input[name="export_to"]').fill(new Date(now).toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Export', exact: true }).click();
    const job = page.locator('[data-export-job][data-status="ready"]');
    await job.waitFor();
    const link = await job.locator('[data-field="download"]').getAttribute('href');
    assert.match(link ?? '', /^\/downloads\/exports\/[^?]+\?expires=\d+&signature=[0-9a-f]{64}$/);
    const viaLink = page.waitForEvent('download');
    await job.locator('[data-field="download"]').click();
    const big = readFileSync((await (await viaLink).path())!, 'utf8');
    assert.match(big, /tx_pay_1/);
    assert.match(big, /tx_pay_2/);

    // Webhooks: an endpoint created, its secret shown once (and copied), then deleted after a confirmation.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.getByRole('group', { name: 'Merchant sections' }).getByRole('button', { name: 'Webhooks' }).click();
    await page.locator('input[name="webhook_url"]').fill('https://hooks.example.com/molam');
    await page.locator('input[name="webhook_event"][value="merchant.refund.created"]').check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const shown = page.locator('[data-webhook-secret]');
    const secret = (await shown.locator('[data-field="secret"]').textContent()) ?? '';
    assert.match(secret, /^whsec_/);
    await shown.getByRole('button', { name: 'Copy' }).click();
    await shown.locator('[data-field="copied"]').waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    const hookId = await shown.getAttribute('data-webhook-secret');
    const row = page.locator(`[data-webhook="${hookId}"]`);
    assert.equal(await row.locator('[data-field="url"]').textContent(), 'https://hooks.example.com/molam');
    const hooks = await (await fetch(`${base}/api/merchant/webhooks`, { headers: { authorization: `Bearer ${old}` } })).text();
    assert.doesNotMatch(hooks, /whsec_/, 'the list never holds the secret');
    await shown.getByRole('button', { name: 'I have kept it' }).click();
    assert.equal(await page.locator('[data-webhook-secret]').count(), 0);
    assert.ok(!((await page.locator('body').textContent()) ?? '').includes(secret), 'shown once');
    await row.getByRole('button', { name: `Deliveries ${hookId}` }).click();
    await row.locator('[data-deliveries] [data-state="empty"]').waitFor();
    await row.getByRole('button', { name: `Delete ${hookId}` }).click();
    await row.getByRole('alertdialog').getByRole('button', { name: 'Yes, delete' }).click();
    await page.locator(`[data-webhook="${hookId}"][data-enabled="false"]`).waitFor();

    // The merchant's alerts: none yet, in every state.
    await page.getByRole('group', { name: 'Merchant sections' }).getByRole('button', { name: 'Alerts' }).click();
    await page.locator('[data-state="empty"]').waitFor();
    await page.getByRole('group', { name: 'State' }).getByRole('button', { name: 'firing' }).click();
    await page.locator('[data-state="empty"]').waitFor();

    // French.
    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await page.getByRole('heading', { name: 'Alertes' }).waitFor();
    await page.getByRole('group', { name: 'Rubriques marchand' }).getByRole('button', { name: 'Exports' }).click();
    await page.getByRole('heading', { name: 'Exporter des données' }).waitFor();
    await page.getByRole('group', { name: 'Rubriques marchand' }).getByRole('button', { name: 'Versements' }).click();
    await page.getByRole('heading', { name: 'Calendrier des versements' }).waitFor();

    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await app.close();
  }
});
