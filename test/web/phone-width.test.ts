// The phone width rule (issue 16), in headless Chromium against the real app: at 360 px every
// screen the router offers — sign-in, overview, live, drill-down, the Alerts screen's three
// sections, the merchant area's sections (as the merchant) and the routing screen's sections —
// in English and French, is never wider than the viewport (document.scrollingElement.scrollWidth)
// and shows every action button whole (none cut by the viewport's edges). The header is one row.
// One server, one browser, one page per user reused from screen to screen. Needs the build.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserReady, devToken, ingestOverHttp, withDashboard } from '../support/browser.ts';
import { ALERT_TABS, MERCHANT_TABS, ROUTING_TABS, SCREENS } from '../../web/src/url-state.ts';

const TIMEOUT = 20_000;
const PHONE = { width: 360, height: 780 };
const MERCHANT = 'm_phone';

/** Payments in three countries over the last half hour: the overview, the map, the live rooms and the merchant area have rows. */
function events(): unknown[] {
  const now = Date.now();
  const out: unknown[] = [];
  const places = [['SN', 'XOF', '1250000'], ['NG', 'NGN', '780752661560'], ['CI', 'XOF', '990000']] as const;
  places.forEach(([country, currency, amount], c) => {
    for (let i = 0; i < 4; i++) {
      const txn = `t_phone_${country}_${i}`;
      const at = new Date(now - (30 - i * 5 - c) * 60_000).toISOString();
      const common = { txn_id: txn, merchant_id: MERCHANT, amount, currency, country, payment_method: 'wallet', provider: 'wave' };
      out.push({ ...common, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', occurred_at: at });
      out.push(i === 3
        ? { ...common, event_id: `${txn}_f`, type: 'wallet_txn_failed', failure_reason: 'timeout', occurred_at: at }
        : { ...common, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: '1500', occurred_at: at });
    }
  });
  return out;
}

/** Waits until the screen has drawn: its marker is there and nothing says it is still loading. */
async function settle(page: Page, marker: string): Promise<void> {
  await page.locator(marker).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('[data-state="loading"], [aria-busy="true"], [data-skeleton]')
    && !/Loading…|Chargement…/.test(document.body.innerText));
}

/** What breaks the rule on the page as drawn: a page wider than the viewport, a button cut by its edges. */
function problemsOnPage(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const view = window.innerWidth;
    const width = document.scrollingElement!.scrollWidth;
    if (width > view) {
      // Name the widest culprits, to say where to look.
      const wide = [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((el) => el.getBoundingClientRect().right > view + 0.5 && el.getClientRects().length > 0)
        .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= view + 0.5)
        .slice(0, 3).map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">${(el.textContent ?? '').slice(0, 40)}`);
      out.push(`the page is ${width} px wide at ${view} px: ${wide.join(' | ')}`);
    }
    for (const b of document.querySelectorAll<HTMLElement>('button, a[href], [role="button"]')) {
      const r = b.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || getComputedStyle(b).visibility === 'hidden') continue;
      // A button scrolled out of a strip the user scrolls sideways (a row of tabs) is not cut; one
      // in a table that scrolls sideways is (its row's action is out of sight).
      let scroller: HTMLElement | null = b.parentElement;
      while (scroller && scroller !== document.body && !/(auto|scroll)/.test(getComputedStyle(scroller).overflowX)) scroller = scroller.parentElement;
      if (scroller && scroller !== document.body && !scroller.querySelector('table')) continue;
      if (r.left < -0.5 || r.right > view + 0.5) {
        out.push(`"${(b.innerText || b.getAttribute('aria-label') || '').trim().slice(0, 40)}" is cut: ${Math.round(r.left)}–${Math.round(r.right)} of ${view} px`);
      }
    }
    return out;
  });
}

interface Screen { name: string; search: string; marker: string }

const opsScreens = (): Screen[] => [
  { name: 'overview', search: '?range=24h', marker: '[data-kpis] [data-kpi]' },
  { name: 'live', search: '?screen=live', marker: '[data-room="global"] [data-field="tx_count"]' },
  { name: 'drill', search: '?screen=drill&range=24h&region=ECOWAS', marker: '[data-breakdown] [data-row]' },
  ...ALERT_TABS.map((tab) => ({
    name: `alerts/${tab}`, search: `?screen=alerts&tab=${tab}`,
    marker: tab === 'alerts' ? '[data-alert]' : tab === 'rules' ? '[data-rule]' : '[data-silence]',
  })),
  ...ROUTING_TABS.map((tab) => ({ name: `routing/${tab}`, search: `?screen=routing&rtab=${tab}`, marker: `[data-routing-view="${tab}"]` })),
  { name: 'events', search: '?screen=events', marker: '[data-events-view]' },
];
const merchantScreens = (): Screen[] => [
  { name: 'overview (merchant)', search: '?range=24h', marker: '[data-kpis] [data-kpi]' },
  { name: 'live (merchant)', search: '?screen=live', marker: `[data-room="merchant:${MERCHANT}"] [data-field="tx_count"]` },
  ...MERCHANT_TABS.map((tab) => ({ name: `merchant/${tab}`, search: `?screen=merchant&mtab=${tab}`, marker: `[data-merchant-view="${tab}"]` })),
];

async function userPage(browser: Browser, token: string | null): Promise<Page> {
  const context = await browser.newContext({ viewport: PHONE, colorScheme: 'light', reducedMotion: 'reduce' });
  if (token) await context.addInitScript((t) => sessionStorage.setItem('molam.analytics.token', t), token);
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  return page;
}

test('at 360 px no screen is wider than the viewport and no action is cut, in English and French', { timeout: 300_000 }, async (t) => {
  if (!browserReady(t)) return;
  await withDashboard({ DEV_MODE: 'true', JWT_SECRET: '', ALERT_EVAL_INTERVAL: '1' }, async ({ base, browser }) => {
    const ops = await devToken(base, { role: 'analytics:ops' });
    // Rates for today and yesterday: amounts in USD are in the millions (long figures on small cards).
    const days = [0, 1].map((d) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10));
    const fx = await fetch(`${base}/api/v1/fx-rates`, {
      method: 'PUT', headers: { authorization: `Bearer ${ops}`, 'content-type': 'text/csv' },
      body: `date,currency,usd_per_unit\n${days.flatMap((d) => [`${d},XOF,0.0016`, `${d},NGN,0.00065`]).join('\n')}\n`,
    });
    assert.equal(fx.status, 200, await fx.clone().text());
    await ingestOverHttp(base, events());
    const merchant = await devToken(base, { role: 'merchant_admin', merchant_id: MERCHANT });
    const api = async (path: string, body: unknown) => {
      const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${ops}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
    };
    // A rule that fires at once (an alert row with its actions) and a silence with a long comment.
    await api('/api/analytics/alerts/rules', {
      name: 'Failed payments for the phone layout check', metric: 'failed_count', filters: { merchant_id: [MERCHANT] }, window_minutes: 60,
      condition: { type: 'threshold', op: '>', value: 0 },
    });
    await api('/api/analytics/alerts/silences', {
      matchers: { labels: { merchant_id: MERCHANT } }, starts_at: new Date().toISOString(),
      ends_at: new Date(Date.now() + 3_600_000).toISOString(), comment: 'Maintenance window of the payment provider for the whole evening',
    });

    // Every screen of the router is visited (a new screen must be added here).
    const visited = new Set([...opsScreens(), ...merchantScreens()].map((s) => s.name.split(/[/ ]/)[0]));
    assert.deepEqual(SCREENS.filter((s) => !visited.has(s)), [], 'screens the check does not visit');

    const problems: string[] = [];
    const check = async (page: Page, lang: string, screen: Screen) => {
      await page.goto(`${base}/${screen.search}${screen.search ? '&' : '?'}lang=${lang}`);
      await settle(page, screen.marker);
      for (const p of await problemsOnPage(page)) problems.push(`${screen.name} (${lang}): ${p}`);
    };
    for (const lang of ['en', 'fr']) {
      const anonymous = await userPage(browser, null);
      await check(anonymous, lang, { name: 'sign-in', search: '', marker: 'select[name="role"]' });
      await anonymous.context().close();

      const opsPage = await userPage(browser, ops);
      for (const screen of opsScreens()) await check(opsPage, lang, screen);
      // The header is one row: the screen's name and the menu button; the menu opens the rest.
      const header = await opsPage.locator('header[data-shell]').boundingBox();
      const toggle = opsPage.locator('header[data-shell] [data-menu-toggle]');
      const menu = await toggle.boundingBox();
      assert.ok(header && menu && header.height < 2 * menu.height, `one header row (${lang}): header ${JSON.stringify(header)}, menu ${JSON.stringify(menu)}`);
      await toggle.click();
      await opsPage.locator('header[data-shell] [data-screen="overview"]').click();
      await settle(opsPage, '[data-kpis] [data-kpi]');
      assert.equal(await opsPage.locator('header[data-shell] [data-screen="live"]').isVisible(), false, 'the menu closes after a choice');
      await opsPage.context().close();

      const merchantPage = await userPage(browser, merchant);
      for (const screen of merchantScreens()) await check(merchantPage, lang, screen);
      await merchantPage.context().close();
    }
    assert.deepEqual(problems, []);
  });
});
