// Demo mode: feeds a synthetic payments network through the normal ingest path, so a newcomer
// sees numbers move at once. Production start never calls this. One rate drives everything:
// DEMO_EVENTS_PER_SECOND is the network's average over a week, the history of the last
// DEMO_HISTORY_DAYS days (loaded into an empty store only) is generated at that average along
// the generator's daily and weekly rhythm (src/generator/diurnal.ts), and the live stream follows
// the same curve on from now — so charts join the history without a wall and KPIs compare like
// with like. History and live share the demo's merchants (DEMO_SEED, DEMO_MERCHANTS).
// It also loads the shipped sample FX rates when the store has none (as `npm run dev` does:
// loadSampleFxRates), and seeds a few alert rules that fire on this data (demo-rules.ts).

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { generateEvents, liveEvents } from '../generator/generate.ts';
import { IntensityClock, utcActivityMix } from '../generator/diurnal.ts';
import { createMerchantPool } from '../generator/merchants.ts';
import { loadFxRates, parseFxCsv } from '../fx/fx-rates.ts';
import type { Engine } from '../ingest/engine.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { Source } from '../ingest/sources/source.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { seedDemoRules } from './demo-rules.ts';
import { startTradingDemo } from './trading-demo.ts';

export const SAMPLE_FX_FILE = fileURLToPath(new URL('../../reference/fx-rates.sample.csv', import.meta.url));

const HISTORY_BATCH = 5_000;
/** The demo network: its merchants come from this seed, in history and live alike. */
export const DEMO_SEED = 2026;
export const DEMO_MERCHANTS = 500;
const DAY_MS = 86_400_000;

export interface DemoOptions {
  engine: Engine; store: AnalyticsStore; log: Logger; ratePerSecond: number;
  historyDays: number; now?: () => number;
  /** Where the seeded alert rules and the trading event definitions go; none = neither, and no trading events. */
  state?: StateStore;
  /** For the trading events' checks (the track ingest's settings). */
  maxFutureMs?: number;
  customRawRetentionDays?: number;
}

/**
 * The shipped sample FX rates, when the store has none and no FX_FILE is set: in demo mode and
 * in dev mode (`npm run dev`), so USD figures are not $0.00 on a first start. Before the app is
 * built, so every cache and the live window start with them. Returns how many were loaded.
 */
export async function loadSampleFxRates(store: AnalyticsStore, log: Logger, why: 'demo' | 'dev'): Promise<number> {
  if (await store.fxRateCount() > 0) return 0;
  const loaded = await loadFxRates(store, parseFxCsv(readFileSync(SAMPLE_FX_FILE, 'utf8')), 'sample');
  log.info({ rates: loaded, file: 'reference/fx-rates.sample.csv' },
    `${why}: the store had no FX rates and FX_FILE is not set, so the shipped sample rates were loaded (illustrative, not market rates)`);
  return loaded;
}

/** Whether a start loads the sample FX rates (when the store has none): demo, or dev without FX_FILE. */
export function wantsSampleFxRates(config: { DEMO: boolean; DEV_MODE: boolean; FX_FILE: string }): 'demo' | 'dev' | null {
  if (config.FX_FILE) return null;
  return config.DEMO ? 'demo' : config.DEV_MODE ? 'dev' : null;
}

/**
 * The demo's rhythm: how busy an instant is next to the average of the `days` before `now`
 * (1 = average), from the same curve the history is generated along.
 */
export function demoIntensity(now: number, days: number): (ms: number) => number {
  const end = Math.floor(now / 60_000) * 60_000;
  const mix = utcActivityMix(createMerchantPool(DEMO_SEED, DEMO_MERCHANTS).offsetShares());
  // A week at least, so the average holds a whole weekly cycle even with a short history.
  const clock = new IntensityClock(end - Math.max(days, 7) * DAY_MS, end, mix);
  const mean = clock.meanRate;
  return (ms) => clock.rateAt(ms) / mean;
}

/** How many live events to send for a tick of `elapsedMs` ending at `now`: the rate at that instant, fractions carried over. */
export function createLivePacer(ratePerSecond: number, intensity: (ms: number) => number): (now: number, elapsedMs: number) => number {
  let carry = 0;
  return (now, elapsedMs) => {
    carry += (ratePerSecond * intensity(now) * elapsedMs) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    return n;
  };
}

/** The demo stream as a source (src/ingest/sources/source.ts): started, it feeds; stopped, it waits for what it sent. */
export function createDemoSource(deps: DemoOptions): Source {
  let stop: (() => Promise<void>) | null = null;
  return {
    name: 'demo',
    async start() { stop = await startDemo(deps); },
    async stop() {
      await stop?.();
      stop = null;
    },
  };
}

async function startDemo(deps: DemoOptions): Promise<() => Promise<void>> {
  // The history loads in the background: the server is up at once and the figures fill in. The
  // store is checked for emptiness before the live stream starts writing to it.
  const control = { stopped: false };
  const now = deps.now ?? Date.now;
  const { rawEvents } = await deps.store.loadMeta();
  const history = rawEvents > 0 ? Promise.resolve()
    : backfillHistory(deps, control).catch((err) => deps.log.warn({ err }, 'demo: history failed'));
  const rules = deps.state ? seedDemoRules(deps.state, deps.log, () => control.stopped) : Promise.resolve();
  const trading = deps.state
    ? startTradingDemo({
      engine: deps.engine, state: deps.state, log: deps.log, now, ratePerSecond: deps.ratePerSecond,
      maxFutureMs: deps.maxFutureMs ?? 300_000, rawRetentionDays: deps.customRawRetentionDays ?? 90,
    }).catch((err) => { deps.log.warn({ err }, 'demo: trading events not started'); return async () => undefined; })
    : Promise.resolve(async () => undefined);
  // Other event ids than the history's (another seed), the same merchants.
  const stream = liveEvents({
    seed: Date.now() % 1_000_000, merchantSeed: DEMO_SEED, merchants: DEMO_MERCHANTS, ratePerSecond: deps.ratePerSecond, now,
  });
  const pace = createLivePacer(deps.ratePerSecond, demoIntensity(now(), deps.historyDays));
  const tickMs = 200;
  let stopped = false;
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    const n = pace(now(), tickMs);
    if (n === 0 || stopped) return;
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) items.push(stream.next().value);
    pending = deps.engine.submit({ source: 'demo', items }).catch((err) => deps.log.warn({ err }, 'demo batch failed'));
  }, tickMs);
  deps.log.info({ eventsPerSecond: deps.ratePerSecond, merchants: DEMO_MERCHANTS },
    'demo: synthetic live stream started (the average rate; it follows the time of day)');
  return async () => {
    stopped = true;
    control.stopped = true;
    clearInterval(timer);
    await Promise.all([pending, history, rules, trading.then((stop) => stop())]);
  };
}

/** Events in a history of `days` at `ratePerSecond` on average. */
export function demoHistoryCount(ratePerSecond: number, days: number): number {
  return Math.round(ratePerSecond * days * 86_400);
}

/**
 * The demo's history: the `days` before `now` at `ratePerSecond` on average, along the daily and
 * weekly curve, from a fixed seed, so every demo shows the same merchants with real refunds,
 * disputes and payouts (test/demo/demo-history.test.ts).
 */
export function demoHistory(now: number, days: number, ratePerSecond: number) {
  const end = Math.floor(now / 60_000) * 60_000;
  return generateEvents({
    seed: DEMO_SEED, count: demoHistoryCount(ratePerSecond, days), start: end - days * DAY_MS, end, merchants: DEMO_MERCHANTS,
  });
}

/** The last `historyDays` days at the demo's rate, through the normal ingest path (the caller checked the store was empty). */
async function backfillHistory(deps: DemoOptions, control: { stopped: boolean }): Promise<void> {
  if (deps.historyDays === 0) return;
  const started = Date.now();
  // A batch refused while ingest is busy (backpressure) is retried, a few times, after a pause.
  const submit = async (items: unknown[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.engine.submit({ source: 'demo-history', items });
        return;
      } catch (err) {
        if (attempt >= 10 || control.stopped) throw err;
        await new Promise((r) => setTimeout(r, 500 * attempt));
      }
    }
  };
  const events = demoHistory((deps.now ?? Date.now)(), deps.historyDays, deps.ratePerSecond);
  let items: unknown[] = [];
  let sent = 0;
  for (const ev of events) {
    items.push(ev);
    if (control.stopped) return;
    if (items.length === HISTORY_BATCH) {
      await submit(items);
      sent += items.length;
      items = [];
    }
  }
  if (items.length) await submit(items);
  sent += items.length;
  deps.log.info({ events: sent, days: deps.historyDays, seconds: Math.round((Date.now() - started) / 1000) }, 'demo: history loaded');
}
