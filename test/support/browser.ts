// Test helper for the dashboard's end-to-end tests: Debian's Chromium through playwright-core
// (never a downloaded browser), the real app on a loopback port, and dev-mode tokens and ingest
// over HTTP, as a user of the running server would get them.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { WEB_BUILD_DIR, hasWebBuild } from '../../src/http/routes/web-app.ts';
import { openTempApp, type TempApp } from './temp-app.ts';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * False (the test skipped) when Chromium is missing outside CI; under CI that fails, as does a
 * missing dashboard build (`npm test` runs `npm run build:web` first).
 */
export function browserReady(t: TestContext): boolean {
  if (!existsSync(CHROMIUM)) {
    if (!process.env.CI) {
      t.skip(`${CHROMIUM} is missing (apt-get install chromium); under CI this fails`);
      return false;
    }
    assert.fail(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  }
  assert.ok(hasWebBuild(WEB_BUILD_DIR), `no dashboard build in ${WEB_BUILD_DIR}: run npm run build:web`);
  return true;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Starts the app on a free loopback port; its base URL. */
export async function listenOnLoopback(app: TempApp): Promise<string> {
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.app.server.address();
  assert.ok(address && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

/** A dev-mode token from POST /api/dev/token (the app runs with DEV_MODE=true). */
export async function devToken(base: string, body: { role: string; merchant_id?: string; sub?: string }): Promise<string> {
  const res = await fetch(`${base}/api/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

/** Ingests events through POST /api/v1/events with an events:write dev token; asserts all were accepted. */
export async function ingestOverHttp(base: string, events: unknown[]): Promise<void> {
  const res = await fetch(`${base}/api/v1/events`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${await devToken(base, { role: 'events:write' })}` },
    body: JSON.stringify(events),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(((await res.json()) as { accepted: number }).accepted, events.length);
}

export interface DashboardSession {
  app: TempApp;
  /** The app's base URL on loopback. */
  base: string;
  browser: Browser;
  /** A dev-mode token (the app must run with DEV_MODE=true). */
  devToken(body: { role: string; merchant_id?: string }): Promise<string>;
}

/**
 * The real app (with `env`) on a loopback port and a Chromium, both closed when `run` ends,
 * whatever happens. The app runs what the dashboard talks to: the live feed and WebSocket server,
 * and the alert scheduler.
 */
export async function withDashboard(env: Record<string, string>, run: (s: DashboardSession) => Promise<void>): Promise<void> {
  const session = await openDashboard(env);
  try {
    await run(session);
  } finally {
    await session.close();
  }
}

/**
 * One dashboard (app and Chromium, as withDashboard opens them) for the tests of a file: opened by
 * the first `get()` (after the test's browserReady), closed by `close()` in the file's `after`.
 */
export function sharedDashboard(env: Record<string, string>): { get(): Promise<DashboardSession>; close(): Promise<void> } {
  let opening: ReturnType<typeof openDashboard> | undefined;
  return {
    get: () => (opening ??= openDashboard(env)),
    async close() {
      await (await opening?.catch(() => undefined))?.close();
    },
  };
}

async function openDashboard(env: Record<string, string>): Promise<DashboardSession & { close(): Promise<void> }> {
  const app = await openTempApp({ env, parts: ['live-feed', 'live', 'alerts'] });
  let browser: Browser | undefined;
  try {
    const base = await listenOnLoopback(app);
    browser = await launchChromium();
    const b = browser;
    return {
      app, base, browser: b, devToken: (body) => devToken(base, body),
      async close() {
        try {
          await b.close();
        } finally {
          await app.close();
        }
      },
    };
  } catch (err) {
    await browser?.close();
    await app.close();
    throw err;
  }
}
