// Demo mode: feeds a synthetic live stream through the normal ingest path, so a newcomer sees
// numbers move at once. Production start never calls this. It also loads the shipped sample FX
// rates when the store has none, so USD figures appear.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { liveEvents } from '../generator/generate.ts';
import { loadFxRates, parseFxCsv } from '../fx/fx-rates.ts';
import type { Engine } from '../ingest/engine.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';

export const SAMPLE_FX_FILE = fileURLToPath(new URL('../../reference/fx-rates.sample.csv', import.meta.url));

export async function startDemo(deps: { engine: Engine; store: AnalyticsStore; log: Logger; ratePerSecond: number }): Promise<() => Promise<void>> {
  const [{ n }] = await deps.store.query('SELECT count(*)::INTEGER AS n FROM fx_rates');
  if (Number(n) === 0) {
    const loaded = await loadFxRates(deps.store, parseFxCsv(readFileSync(SAMPLE_FX_FILE, 'utf8')), 'sample');
    deps.log.info({ rates: loaded }, 'demo: sample FX rates loaded');
  }
  const stream = liveEvents({ seed: Date.now() % 1_000_000, ratePerSecond: deps.ratePerSecond, now: Date.now });
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
    pending = deps.engine.submit({ source: 'demo', position: null, items }).catch((err) => deps.log.warn({ err }, 'demo batch failed'));
  }, tickMs);
  deps.log.info({ eventsPerSecond: deps.ratePerSecond }, 'demo: synthetic live stream started');
  return async () => {
    stopped = true;
    clearInterval(timer);
    await pending;
  };
}
