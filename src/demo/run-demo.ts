// Demo mode: feeds a synthetic live stream through the normal ingest path, so a newcomer sees
// numbers move at once. Production start never calls this. It also loads the shipped sample FX
// rates when the store has none, so USD figures appear, and — into an empty store only — a
// history of the last DEMO_HISTORY_DAYS days (DEMO_HISTORY_EVENTS events), so every range of the
// dashboard has something to show.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { generateEvents, liveEvents } from '../generator/generate.ts';
import { loadFxRates, parseFxCsv } from '../fx/fx-rates.ts';
import type { Engine } from '../ingest/engine.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { Source } from '../ingest/sources/source.ts';

export const SAMPLE_FX_FILE = fileURLToPath(new URL('../../reference/fx-rates.sample.csv', import.meta.url));

const HISTORY_BATCH = 5_000;

export interface DemoOptions {
  engine: Engine; store: AnalyticsStore; log: Logger; ratePerSecond: number;
  historyDays: number; historyEvents: number; now?: () => number;
}

/** The shipped sample FX rates, when the store has none. Before the app is built, so every cache and the live window start with them. */
export async function loadDemoFxRates(store: AnalyticsStore, log: Logger): Promise<void> {
  if (await store.fxRateCount() === 0) {
    const loaded = await loadFxRates(store, parseFxCsv(readFileSync(SAMPLE_FX_FILE, 'utf8')), 'sample');
    log.info({ rates: loaded }, 'demo: sample FX rates loaded');
  }
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
  const { rawEvents } = await deps.store.loadMeta();
  const history = rawEvents > 0 ? Promise.resolve()
    : backfillHistory(deps, control).catch((err) => deps.log.warn({ err }, 'demo: history failed'));
  const stream = liveEvents({ seed: Date.now() % 1_000_000, ratePerSecond: deps.ratePerSecond, now: deps.now ?? Date.now });
  const tickMs = 200;
  let stopped = false;
  let pending: Promise<unknown> = Promise.resolve();
  let carry = 0;
  const timer = setInterval(() => {
    carry += (deps.ratePerSecond * tickMs) / 1000;
    const n = Math.floor(carry);
    carry -= n;
    if (n === 0 || stopped) return;
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) items.push(stream.next().value);
    pending = deps.engine.submit({ source: 'demo', items }).catch((err) => deps.log.warn({ err }, 'demo batch failed'));
  }, tickMs);
  deps.log.info({ eventsPerSecond: deps.ratePerSecond }, 'demo: synthetic live stream started');
  return async () => {
    stopped = true;
    control.stopped = true;
    clearInterval(timer);
    await Promise.all([pending, history]);
  };
}

/**
 * The demo's history: `count` events over the `days` before `now`, from a fixed seed, so every
 * demo shows the same merchants with real refunds, disputes and payouts (test/demo/demo-history.test.ts).
 */
export function demoHistory(now: number, days: number, count: number) {
  const end = Math.floor(now / 60_000) * 60_000;
  return generateEvents({ seed: 2026, count, start: end - days * 86_400_000, end, merchants: 500 });
}

/** `historyEvents` events over the last `historyDays` days, through the normal ingest path (the caller checked the store was empty). */
async function backfillHistory(deps: DemoOptions, control: { stopped: boolean }): Promise<void> {
  if (deps.historyEvents === 0 || deps.historyDays === 0) return;
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
  const events = demoHistory((deps.now ?? Date.now)(), deps.historyDays, deps.historyEvents);
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
  deps.log.info({ events: sent, days: deps.historyDays }, 'demo: history loaded');
}
