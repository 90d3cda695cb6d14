// The first run in Chromium (issue 16): on an empty store the overview is a guide to sending the
// first event (a curl line against this server with a dev token, the demo, the CLI, the API
// docs), in English and French; once an event is in, the guide is gone. The dev sign-in offers
// the merchants that have data.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserReady, ingestOverHttp, withDashboard } from '../support/browser.ts';
import { txnEvents } from '../merchant/merchant-events.ts';

const TIMEOUT = 30_000;

test('an empty store shows the first-run guide; the first event removes it', { timeout: 180_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '' }, async ({ base, browser }) => {
    const page = await browser.newPage();
    page.setDefaultTimeout(TIMEOUT);
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    await page.goto(base);

    // No merchant has data yet: the sign-in says so.
    await page.locator('select[name="role"]').selectOption('merchant_admin');
    await page.getByText('No merchant has data yet').waitFor();
    await page.locator('select[name="role"]').selectOption('analytics:ops');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const guide = page.locator('[data-first-run]');
    await guide.getByRole('heading', { name: 'No events yet: send the first one' }).waitFor();
    const curl = await guide.locator('[data-field="first-run-curl"]').textContent();
    assert.ok(curl?.startsWith(`curl -s ${base}/api/v1/events`), curl ?? '');
    assert.match(curl ?? '', /npm run -s token -- --role events:write/);
    await guide.getByText('npm run demo', { exact: true }).waitFor();
    assert.equal(await guide.getByRole('link', { name: 'API documentation' }).getAttribute('href'), '/docs');

    await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'FR' }).click();
    await guide.getByRole('heading', { name: 'Aucun événement pour l’instant : envoyez le premier' }).waitFor();
    await page.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'EN' }).click();

    // The first event: the guide goes (the overview refreshes on reload).
    await ingestOverHttp(base, txnEvents({ merchant: 'm_first', txn: 't_first', at: new Date(Date.now() - 60_000).toISOString(), status: 'succeeded', amount: '1500' }));
    await page.reload();
    await page.locator('[data-field="as-of"]').filter({ hasNotText: 'nothing ingested yet' }).waitFor();
    assert.equal(await guide.count(), 0, 'no guide once there are events');

    // The dev sign-in now offers the merchant that has data.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('select[name="role"]').selectOption('merchant_admin');
    await page.getByRole('group', { name: 'Merchants with data, busiest first: pick one or type an id.' }).getByRole('button', { name: 'm_first' }).click();
    assert.equal(await page.locator('input[name="merchant_id"]').inputValue(), 'm_first');
    assert.deepEqual(problems, []);
  });
});
