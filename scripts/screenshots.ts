// `npm run screenshots`: a screenshot of every dashboard screen — light and dark, desktop and
// phone — written to docs/screenshots/. It starts the real server in demo mode on a free port
// with a fresh data directory (30 days of synthetic history plus the live stream), lets an alert
// rule fire so the Alerts screen has rows, and drives Debian's Chromium with playwright-core.
//
//   npm run screenshots [-- --out DIR]

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const out = resolve(process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1]! : 'docs/screenshots');
const DEVICES = { desktop: { width: 1280, height: 860 }, phone: { width: 360, height: 780 } } as const;
const THEMES = ['light', 'dark'] as const;

interface Server { url: string; stop(): Promise<void>; waitFor(msg: string): Promise<void> }

async function startServer(dataDir: string): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--dev', '--demo'], {
    env: {
      // JSON log lines: the script reads them (dev mode would print them pretty).
      ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info', LOG_FORMAT: 'json', JWT_SECRET: '',
      DEMO_EVENTS_PER_SECOND: '2', DEMO_HISTORY_DAYS: '2', ALERT_EVAL_INTERVAL: '2',
      // Every refund waits for a second person: the merchant area's approval queue has a row.
      REFUND_APPROVAL_THRESHOLD: '*:1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seen = new Set<string>();
  const waiters: Array<{ msg: string; resolve: () => void }> = [];
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let url: ((u: string) => void) | null = null;
  const ready = new Promise<string>((res, rej) => {
    url = res;
    void exited.then(() => rej(new Error('the server exited before it was ready')));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let msg: { msg?: string; url?: string };
    try { msg = JSON.parse(line); } catch { return; }
    if (!msg.msg) return;
    seen.add(msg.msg);
    if (msg.msg === 'molam-analytics ready' && msg.url) url?.(msg.url);
    for (const w of waiters.filter((x) => x.msg === msg.msg)) w.resolve();
  });
  return {
    url: await ready,
    waitFor: (msg) => (seen.has(msg) ? Promise.resolve() : new Promise((r) => waiters.push({ msg, resolve: r }))),
    async stop() { child.kill('SIGTERM'); await exited; },
  };
}

async function api<T>(base: string, path: string, token: string | null, init: RequestInit = {}): Promise<T> {
  const res = await fetch(base + path, {
    ...init, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A rule that fires on the demo data within a few evaluations (so the Alerts screen has rows). */
async function fireAnAlert(base: string, token: string): Promise<void> {
  await api(base, '/api/analytics/alerts/rules', token, {
    method: 'POST',
    body: JSON.stringify({
      name: 'Success rate below 99 %', metric: 'success_rate', window_minutes: 60, for_minutes: 0, severity: 'warn',
      condition: { type: 'threshold', op: '<', value: 0.99 },
    }),
  });
  for (let i = 0; i < 60; i++) {
    const alerts = await api<{ items: unknown[] }>(base, '/api/analytics/alerts', token);
    if (alerts.items.length > 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.warn('no alert fired within a minute; the Alerts screen will be empty');
}

async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.locator('[data-skeleton]').first().waitFor({ state: 'detached', timeout: 20_000 }).catch(() => undefined);
  // Lists still loading (the merchant area's, the routing screen's) and cards dimmed while they refresh.
  await page.waitForFunction(() => !document.querySelector('[data-state="loading"], [aria-busy="true"]'), undefined, { timeout: 20_000 }).catch(() => undefined);
  await page.waitForTimeout(400);
}

async function shoot(browser: Browser, base: string, token: string | null, name: string, search: string,
  then?: (page: Page) => Promise<void>): Promise<void> {
  for (const theme of THEMES) {
    for (const [device, viewport] of Object.entries(DEVICES)) {
      const context = await browser.newContext({ viewport, colorScheme: theme, deviceScaleFactor: 1, reducedMotion: 'reduce' });
      if (token) await context.addInitScript((t) => sessionStorage.setItem('molam.analytics.token', t), token);
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      await page.goto(`${base}/${search}`);
      await settle(page);
      if (then) {
        await then(page);
        await settle(page);
      }
      const file = join(out, `${name}-${theme}-${device}.png`);
      await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
      console.log(file);
      await context.close();
    }
  }
}

/** A decimal in major units → integer minor units of the currency (Intl's exponent), exactly. */
function toMinor(amount: string, currency: string): number {
  const exp = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const [whole, frac = ''] = amount.split('.');
  return Number(whole! + frac.padEnd(exp, '0').slice(0, exp));
}

/** The merchant area, as the busiest demo merchant's administrator (and, for the picker, as ops). */
async function shootMerchantArea(browser: Browser, base: string, merchantId: string, dev: (b: Record<string, string>) => Promise<string>, ops: string): Promise<void> {
  const ana = await dev({ role: 'merchant_admin', merchant_id: merchantId, sub: `ana@${merchantId}` });
  const bob = await dev({ role: 'merchant_admin', merchant_id: merchantId, sub: `bob@${merchantId}` });
  // One refund awaiting approval, requested by Ana: Bob's queue shows it.
  const txns = await api<{ items: Array<{ txn_id: string; amount: string; currency: string }> }>(base, '/api/merchant/transactions?status=succeeded&sort=-amount&limit=1', ana);
  const txn = txns.items[0];
  if (txn) {
    await api(base, '/api/merchant/refunds', ana, {
      method: 'POST', headers: { 'idempotency-key': `screenshots-${txn.txn_id}` },
      body: JSON.stringify({ transaction_id: txn.txn_id, amount: toMinor(txn.amount, txn.currency), currency: txn.currency, reason: 'Customer returned the goods' }),
    }).catch((err) => console.warn(`no refund for the screenshots: ${String(err)}`));
  }
  await shoot(browser, base, ana, 'merchant-summary', '?screen=merchant');
  await shoot(browser, base, ana, 'merchant-summary-fr', '?screen=merchant&lang=fr');
  await shoot(browser, base, ana, 'merchant-transactions', '?screen=merchant&mtab=transactions', async (page) => {
    await page.locator('[data-txn] button').first().click();
    await page.locator('[data-drawer] [data-section="events"]').waitFor();
  });
  await shoot(browser, base, bob, 'merchant-refunds', '?screen=merchant&mtab=refunds');
  await shoot(browser, base, ana, 'merchant-disputes', '?screen=merchant&mtab=disputes&lang=fr', async (page) => {
    const open = page.locator('[data-dispute] button').first();
    if (await open.count()) await open.click();
  });
  await shoot(browser, base, ops, 'merchant-ops', `?screen=merchant&mtab=audit&for=${encodeURIComponent(merchantId)}`);
}

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'molam-screens-'));
  const server = await startServer(dataDir);
  let browser: Browser | undefined;
  try {
    const base = server.url;
    console.log(`server ${base}; loading the demo history…`);
    await server.waitFor('demo: history loaded');
    const dev = (body: Record<string, string>) => api<{ token: string }>(base, '/api/dev/token', null, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.token);
    const ops = await dev({ role: 'analytics:ops', sub: 'ops.dakar' });
    await fireAnAlert(base, ops);
    const top = await api<{ items: Array<{ merchant_id: string }> }>(base, '/api/analytics/top/merchants?limit=1', ops);
    const merchant = await dev({ role: 'merchant_admin', merchant_id: top.items[0]!.merchant_id });
    const regions = await api<{ items: Array<{ key: string }> }>(base, '/api/analytics/breakdown?dimension=region', ops);
    const region = regions.items[0]!.key;
    const countries = await api<{ items: Array<{ key: string }> }>(base, `/api/analytics/breakdown?dimension=country&region=${encodeURIComponent(region)}`, ops);

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
    await shoot(browser, base, null, 'sign-in', '');
    await shoot(browser, base, null, 'sign-in-fr', '?lang=fr');
    await shoot(browser, base, ops, 'overview', '?range=7d');
    await shoot(browser, base, ops, 'overview-fr-xof', '?range=30d&lang=fr&currency=XOF&tz=Africa%2FDakar');
    for (const [name, lang] of [['live', 'en'], ['live-fr', 'fr']]) {
      await shoot(browser, base, ops, name, `?screen=live&lang=${lang}`, async (page) => {
        await page.locator('[data-room="global"] [data-chart="sparkline"]').waitFor();
      });
    }
    await shoot(browser, base, ops, 'drill', `?screen=drill&range=7d&region=${encodeURIComponent(region)}&country=${countries.items[0]!.key}`);
    await shoot(browser, base, ops, 'drill-fr', `?screen=drill&range=7d&lang=fr&region=${encodeURIComponent(region)}`);
    await shoot(browser, base, ops, 'alerts', '?screen=alerts');
    await shoot(browser, base, ops, 'alerts-fr', '?screen=alerts&lang=fr');
    await shoot(browser, base, ops, 'alerts-rules-fr', '?screen=alerts&tab=rules&lang=fr');
    for (const tab of ['rules', 'silences']) {
      await shoot(browser, base, ops, `alerts-${tab}`, '?screen=alerts', async (page) => {
        const button = page.locator(`[data-option="${tab}"]`).first();
        if (await button.count()) await button.click();
      });
    }
    await shoot(browser, base, merchant, 'overview-merchant', '?range=7d');
    await shootMerchantArea(browser, base, top.items[0]!.merchant_id, dev, ops);
  } finally {
    await browser?.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
