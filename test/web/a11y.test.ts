// Accessibility: axe-core (WCAG 2.1 A and AA rules) on every screen of the built dashboard, in
// the light and the dark theme, at desktop and phone widths (the merchant area's and the routing screen's sections too) — no violation of serious or
// critical impact. Each screen is loaded once per width and checked in both themes (switched as
// the system switches it). Runs in Debian's Chromium through playwright-core, like the other e2e tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { browserReady, devToken as devTokenFor, ingestOverHttp, withDashboard } from '../support/browser.ts';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[]; failureSummary?: string }> }> }
declare global {
  interface Window { axe: { run(ctx: Document, opts: unknown): Promise<AxeResult> } }
}

/** The page is drawn in `theme`: the html class says so and no colour transition is still running. */
async function themeDrawn(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.waitForFunction((dark) => {
    if (document.documentElement.classList.contains('dark') !== dark) return false;
    void document.body.offsetHeight; // styles recomputed: a transition the switch starts exists now
    return document.getAnimations().every((a) => !(a instanceof CSSTransition) || a.playState === 'finished');
  }, theme === 'dark');
}

async function serious(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`).join(' | ')}`);
}

test('axe: no serious or critical violation on any screen, light and dark, desktop and phone', { timeout: 900_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '', ALERT_EVAL_INTERVAL: '1' }, async ({ app, base, browser, devToken }) => {
    const ops = await devToken({ role: 'analytics:ops' });
    const merchant = await devToken({ role: 'merchant_admin', merchant_id: 'm_1' });
    const at = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
    const events = Array.from({ length: 12 }, (_, i) => ({
      event_id: `a11y_${i}`, type: 'wallet_txn_created', status: i % 4 ? 'succeeded' : 'failed', occurred_at: at(2 + i * 3),
      txn_id: `t_a11y_${i}`, merchant_id: `m_${i % 3}`, amount: `${10 + i}.00`, currency: i % 2 ? 'XOF' : 'USD', country: i % 2 ? 'SN' : 'NG',
    }));
    await ingestOverHttp(base, events);
    const rule = await fetch(`${base}/api/analytics/alerts/rules`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ops}` },
      body: JSON.stringify({ name: 'Failures', metric: 'failed_count', window_minutes: 60, for_minutes: 0, severity: 'critical', condition: { type: 'threshold', op: '>', value: 0 } }),
    });
    assert.equal(rule.status, 201, await rule.clone().text());
    let fired = false;
    for (let i = 0; i < 300 && !fired; i++) {
      const res = await fetch(`${base}/api/analytics/alerts`, { headers: { authorization: `Bearer ${ops}` } });
      fired = ((await res.json()) as { items: unknown[] }).items.length > 0;
      if (!fired) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(fired, 'the rule fired (the Alerts screens are checked with a row)');

    // Custom events: a definition and a few tracked fills (the Events screen with its charts and table).
    const defined = await fetch(`${base}/api/v1/custom-events`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ops}` },
      body: JSON.stringify({ name: 'order.filled', properties: [{ name: 'symbol', type: 'string', role: 'dimension' }, { name: 'latency_ms', type: 'number', role: 'measure', unit: 'ms' }] }),
    });
    assert.equal(defined.status, 201, await defined.clone().text());
    const tracked = await fetch(`${base}/api/v1/track`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ops}` },
      body: JSON.stringify(Array.from({ length: 12 }, (_, i) => ({ event_type: 'order.filled', user_id: `u${i % 4}`, timestamp: at(2 + i * 7), properties: { symbol: i % 2 ? 'BTC' : 'ETH', latency_ms: 3 + i } }))),
    });
    assert.equal(tracked.status, 200, await tracked.clone().text());

    // The routing mesh: two active members, a static table, and a proposal by Ana that Ben (mesh ops) may decide.
    const mesh = async (who: string, method: string, path: string, body: unknown, key?: string) => {
      const res = await fetch(`${base}/api/mesh${path}`, {
        method, headers: { 'content-type': 'application/json', authorization: `Bearer ${who}`, ...(key ? { 'idempotency-key': key } : {}) }, body: JSON.stringify(body),
      });
      assert.ok(res.ok, await res.clone().text());
      return (await res.json()) as { id: string };
    };
    const ana = await devTokenFor(base, { role: 'mesh_ops', sub: 'ana' });
    const ben = await devTokenFor(base, { role: 'mesh_ops', sub: 'ben' });
    const cea = await devTokenFor(base, { role: 'mesh_compliance', sub: 'cea' });
    for (const provider of ['wave', 'orange_money']) {
      const m = await mesh(ana, 'POST', '/members', { provider, name: provider, kind: 'psp', region: 'ECOWAS', currencies: ['XOF'] });
      await mesh(cea, 'POST', `/members/${m.id}/approve`, {});
      await mesh(ben, 'POST', `/members/${m.id}/approve`, {});
    }
    const route = (...providers: string[]) => ({ method: '*', min_amount: 0, max_amount: null, providers });
    await mesh(ana, 'PUT', '/routing/ECOWAS/XOF', { base_version: 0, routes: [route('wave', 'orange_money'), { ...route('orange_money'), method: 'card', max_amount: 5_000_000 }] }, 'a11y-table');
    const proposal = await mesh(ana, 'POST', '/proposals', {
      region: 'ECOWAS', currency: 'XOF', base_version: 1, confidence: 0.7, routes: [route('orange_money', 'wave')],
      rationale: [{ method: '*', min_amount: 0, max_amount: null, note: 'wave success rate down' }],
    }) as unknown as { proposal: { id: string } };
    // Wallet payments of both providers: predictions for the Health tab, traffic for the proposal's simulation.
    await ingestOverHttp(base, ['wave', 'orange_money'].flatMap((provider) => Array.from({ length: 6 }, (_, i) => ({
      event_id: `a11y_${provider}_${i}`, type: 'wallet_txn_created', status: i % 3 || provider === 'wave' ? 'succeeded' : 'failed', occurred_at: at(3 + i * 4),
      txn_id: `t_a11y_${provider}_${i}`, merchant_id: 'm_1', amount: '5000', currency: 'XOF', country: 'SN', payment_method: 'wallet', provider,
    }))));
    await app.platform.engine.flush();
    await mesh(ben, 'POST', '/predictions/generate', {});
    await mesh(ben, 'POST', `/proposals/${proposal.proposal.id}/simulate`, {});

    const screens: Array<{ name: string; search: string; token: string | null; ready: string; then?: (p: Page) => Promise<void> }> = [
      { name: 'sign-in', search: '', token: null, ready: 'form' },
      { name: 'overview', search: '?range=24h', token: ops, ready: '[data-kpis][aria-busy="false"]' },
      { name: 'overview-fr-xof', search: '?range=24h&lang=fr&currency=XOF', token: ops, ready: '[data-kpis][aria-busy="false"]' },
      { name: 'live', search: '?screen=live', token: ops, ready: '[data-room="global"] [data-chart="sparkline"]' },
      { name: 'drill', search: '?screen=drill&region=__first__', token: ops, ready: '[data-breakdown]' },
      { name: 'alerts', search: '?screen=alerts', token: ops, ready: '[data-alert]' },
      { name: 'alerts-rules', search: '?screen=alerts', token: ops, ready: '[data-alert]', then: (p) => p.locator('[data-option="rules"]').first().click() },
      { name: 'alerts-silences', search: '?screen=alerts', token: ops, ready: '[data-alert]', then: (p) => p.locator('[data-option="silences"]').first().click() },
      { name: 'merchant-summary', search: '?screen=merchant', token: merchant, ready: '[data-summary="mtd|"]' },
      { name: 'merchant-transactions', search: '?screen=merchant&mtab=transactions', token: merchant, ready: '[data-txn]',
        then: async (p) => { await p.locator('[data-txn] button').first().click(); await p.locator('[data-drawer] [data-section="events"]').waitFor(); } },
      { name: 'merchant-refunds', search: '?screen=merchant&mtab=refunds', token: merchant, ready: '[data-state="empty"]' },
      { name: 'merchant-disputes', search: '?screen=merchant&mtab=disputes&lang=fr', token: merchant, ready: '[data-state="empty"]' },
      { name: 'merchant-payouts', search: '?screen=merchant&mtab=payouts', token: merchant, ready: '[data-section="schedule"] select[name="interval"]',
        then: (p) => p.locator('[data-section="upcoming"] [data-field="scheduled-for"]').waitFor() },
      { name: 'merchant-exports', search: '?screen=merchant&mtab=exports&lang=fr', token: merchant, ready: 'select[name="export_kind"]' },
      { name: 'merchant-webhooks', search: '?screen=merchant&mtab=webhooks', token: merchant, ready: '[data-state="empty"]' },
      { name: 'merchant-alerts', search: '?screen=merchant&mtab=alerts&lang=fr', token: merchant, ready: '[data-state="empty"]' },
      { name: 'merchant-ops-picker', search: '?screen=merchant', token: ops, ready: '[data-field="pick-merchant"]' },
      { name: 'routing-health', search: '?screen=routing', token: ben, ready: '[data-prediction]' },
      { name: 'routing-proposals-fr', search: '?screen=routing&rtab=proposals&lang=fr', token: ben, ready: '[data-proposal]',
        then: async (p) => { await p.locator('[data-proposal] button').first().click(); await p.locator('[data-decide="pending_approval"]').waitFor(); await p.locator('[data-segment]').first().waitFor(); } },
      { name: 'routing-proposals-read-only', search: '?screen=routing&rtab=proposals', token: ops, ready: '[data-proposal]',
        then: async (p) => { await p.locator('[data-proposal] button').first().click(); await p.locator('[data-change]').first().waitFor(); } },
      { name: 'routing-tables', search: '?screen=routing&rtab=tables', token: ben, ready: '[data-table]',
        then: async (p) => { await p.locator('[data-table] button').first().click(); await p.locator('[data-table-version]').first().waitFor(); } },
      { name: 'routing-log', search: '?screen=routing&rtab=log&lang=fr', token: ben, ready: '[data-action]' },
      { name: 'events-grouped', search: '?screen=events&group=symbol', token: ops, ready: '[data-events-answer] [data-table="event-stats"]' },
    ];
    type Screen = (typeof screens)[number];
    const openScreen = async (theme: 'light' | 'dark', viewport: { width: number; height: number }, s: Screen): Promise<Page> => {
      const context = await browser.newContext({ viewport, colorScheme: theme, reducedMotion: 'reduce', bypassCSP: true }); // to inject axe
      if (s.token) await context.addInitScript((tok) => sessionStorage.setItem('molam.analytics.token', tok), s.token);
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${base}/${s.search.replace('__first__', encodeURIComponent(region))}`);
      await page.locator(s.ready).first().waitFor();
      if (s.then) {
        await s.then(page);
        await page.waitForLoadState('networkidle');
      }
      return page;
    };
    const regions = await fetch(`${base}/api/analytics/breakdown?dimension=region`, { headers: { authorization: `Bearer ${ops}` } });
    const region = ((await regions.json()) as { items: Array<{ key: string }> }).items[0]!.key;
    const found: string[] = [];
    // One page load per screen and width: checked in the theme it was opened in, then in the other
    // one, switched as the system switches it (behind the sign-in the dashboard follows
    // prefers-color-scheme while it changes; the charts follow the html class). The sign-in page
    // takes the theme when it loads only: it is loaded in each. Every other screen opens in dark,
    // so both themes are checked as first drawn and as switched to.
    for (const viewport of [{ width: 1280, height: 860 }, { width: 360, height: 780 }]) {
      for (const [i, s] of screens.entries()) {
        const themes = i % 2 === 0 ? (['light', 'dark'] as const) : (['dark', 'light'] as const);
        let page: Page | undefined;
        for (const theme of themes) {
          if (page && s.token) await page.emulateMedia({ colorScheme: theme });
          else {
            await page?.context().close();
            page = await openScreen(theme, viewport, s);
          }
          await themeDrawn(page, theme);
          for (const v of await serious(page)) found.push(`${s.name} ${theme} ${viewport.width}px: ${v}`);
        }
        await page!.context().close();
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  });
});
