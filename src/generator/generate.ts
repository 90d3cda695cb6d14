// Synthetic Molam Connect event streams in contract v1 shape. `generateEvents` replays a
// historical window: seeded and deterministic, exactly `count` events in roughly event-time
// order. `liveEvents` is the endless demo feed with occurred_at near now(); its caller paces it.

import { BATCH_TIMING, LIVE_TIMING } from './behaviour.ts';
import { IntensityClock, utcActivityMix } from './diurnal.ts';
import { Engine, type GeneratedEvent } from './engine.ts';
import { createPrng, type Seed } from './prng.ts';

export type { GeneratedEvent } from './engine.ts';

export interface FaultRates {
  /** Share of events delivered twice, same event_id and content (default 0.01). */
  duplicateRate?: number;
  /** Share of events delivered 1 hour to 4 days after their neighbours (default 0.005). */
  lateRate?: number;
  /** Share of two-step payments whose outcome arrives before their created event (default 0.05). */
  outOfOrderRate?: number;
}

export interface GenerateOptions extends FaultRates {
  seed: Seed;
  /** Number of events to emit, duplicates included. */
  count: number;
  /** Event-time window [start, end), epoch ms. */
  start: number;
  end: number;
  /** Number of merchants (default 10_000). */
  merchants?: number;
}

export const DEFAULT_RATES: Required<FaultRates> = { duplicateRate: 0.01, lateRate: 0.005, outOfOrderRate: 0.05 };
export const DEFAULT_MERCHANTS = 10_000;

/** Mean events per started payment (outcome, refunds, payouts, duplicates): paces the live clock. */
const EVENTS_PER_PAYMENT = 1.95;

function rates(o: FaultRates): Required<FaultRates> {
  const r: Required<FaultRates> = {
    duplicateRate: o.duplicateRate ?? DEFAULT_RATES.duplicateRate,
    lateRate: o.lateRate ?? DEFAULT_RATES.lateRate,
    outOfOrderRate: o.outOfOrderRate ?? DEFAULT_RATES.outOfOrderRate,
  };
  for (const [name, v] of Object.entries(r)) {
    if (!(v >= 0 && v < 1)) throw new RangeError(`${name} must be in [0, 1), got ${v}`);
  }
  return r;
}

function merchantCount(n: number | undefined): number {
  const v = n ?? DEFAULT_MERCHANTS;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`merchants must be a positive integer, got ${v}`);
  return v;
}

/**
 * Yields exactly `count` events whose occurred_at lies in [start, end), in arrival order. Payments
 * start along the window's intensity curve at the pace that makes the events fill the window.
 */
export function* generateEvents(opts: GenerateOptions): Generator<GeneratedEvent, void, undefined> {
  const { count, start, end } = opts;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isInteger(start) || !Number.isInteger(end) || start >= end) {
    throw new RangeError('start and end must be integer epoch ms with start < end');
  }
  const engine = new Engine({
    seed: opts.seed, merchants: merchantCount(opts.merchants), start, end, ...rates(opts), timing: BATCH_TIMING,
  });
  const clock = new IntensityClock(start, end, utcActivityMix(engine.pool.offsetShares()));
  let emitted = 0;
  while (emitted < count) {
    // The next payment starts where the share of events produced so far puts it on the curve.
    const startAt = engine.produced < count ? Math.max(start, Math.floor(clock.timeAt(engine.produced / count))) : Infinity;
    const event = engine.take(startAt);
    if (event !== null) {
      emitted++;
      yield event;
    } else if (startAt === Infinity) {
      return;
    } else {
      engine.startPayment(startAt);
    }
  }
}

export interface LiveOptions extends FaultRates {
  seed: Seed;
  /** The rate the caller will pull at; spaces occurred_at between pulls. */
  ratePerSecond: number;
  /** Current time, epoch ms. */
  now: () => number;
  merchants?: number;
  /** The merchants' seed, when not `seed` (the same merchants with other event ids). */
  merchantSeed?: Seed;
}

/**
 * An endless feed for demo mode. Never yields an event from the future: follow-ups (outcomes,
 * refunds, payouts, late deliveries) wait until now() reaches them. Refund, dispute, payout and
 * lateness delays are compressed to minutes so they show while someone watches.
 */
export function* liveEvents(opts: LiveOptions): Generator<GeneratedEvent, never, undefined> {
  if (!(opts.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive');
  const engine = new Engine({
    seed: opts.seed, poolSeed: opts.merchantSeed, merchants: merchantCount(opts.merchants), start: -Infinity, end: Infinity,
    ...rates(opts), timing: LIVE_TIMING,
  });
  const rng = createPrng(opts.seed, 0x11fe);
  const meanGapMs = (EVENTS_PER_PAYMENT * 1000) / opts.ratePerSecond;
  let clock = opts.now();
  for (;;) {
    const now = opts.now();
    const event = engine.take(now);
    if (event !== null) {
      yield event;
      continue;
    }
    // Exponential gaps spread a batch pulled in one tick over the time since the last one.
    clock = Math.min(now, Math.max(clock - Math.log(1 - rng.float()) * meanGapMs, now - 2000));
    engine.startPayment(Math.floor(clock));
  }
}
