// The demo's trading events (issue 15): the seed's trading definitions loaded into the state
// store (idempotent), then a live stream of them at the demo's rate through the track use case
// and the engine — so the custom event statistics have numbers to show. Live only: no history.

import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Engine } from '../ingest/engine.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { loadCustomEvents } from '../custom-events/custom-event-definitions.ts';
import { parseDefinitionsFile } from '../custom-events/definitions-file.ts';
import { createDefinitionCache } from '../custom-events/definition-cache.ts';
import { trackEvents } from '../custom-events/track-events.ts';
import { TRADING_EVENTS_FILE, tradingStream } from '../custom-events/trading-stream.ts';
import { frameNdjson } from '../ingest/frame-events.ts';

export interface TradingDemoOptions {
  engine: Engine; state: StateStore; log: Logger; now: () => number; ratePerSecond: number;
  maxFutureMs: number; rawRetentionDays: number;
}

/** Starts the stream; resolves to its stop. */
export async function startTradingDemo(o: TradingDemoOptions): Promise<() => Promise<void>> {
  const definitions = parseDefinitionsFile(readFileSync(TRADING_EVENTS_FILE, 'utf8'));
  const loaded = await loadCustomEvents({ state: o.state, now: o.now }, definitions, 'demo');
  const stream = tradingStream(Date.now() % 1_000_000, definitions);
  const deps = {
    definitions: createDefinitionCache(o.state, { ttlMs: 10_000, now: o.now }), submit: o.engine.submitTracked,
    now: o.now, maxFutureMs: o.maxFutureMs, rawRetentionDays: o.rawRetentionDays,
  };
  let carry = 0;
  let pending: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    carry += o.ratePerSecond;
    const n = Math.floor(carry);
    carry -= n;
    if (n === 0) return;
    const at = o.now();
    const lines = Array.from({ length: n }, () => JSON.stringify(stream.next(at)));
    pending = trackEvents(deps, frameNdjson(Buffer.from(lines.join('\n')))).catch((err) => o.log.warn({ err }, 'demo: trading events failed'));
  }, 1000);
  o.log.info({ eventsPerSecond: o.ratePerSecond, definitions: loaded }, 'demo: trading events stream started (POST /api/v1/track\'s path)');
  return async () => {
    clearInterval(timer);
    await pending;
  };
}
