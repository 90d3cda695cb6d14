// The refund relay, a background part (src/start-parts.ts, `refund-relay`): every second it
// delivers the refund_created events of approved refunds (refund-stream.ts) to its sink — the
// local ingest engine, or the Kafka topic — and every hour it purges the Idempotency-Key answers
// past their 24 hours. It runs where events can be delivered: a process that ingests, or an api
// process with Kafka; several relays may run at once (each claims different rows).
// At least once to the sink, exactly once in the stream: an event claimed but not confirmed (the
// process stopped) is due again after RECLAIM_AFTER_MS, and its fixed event_id makes the second
// copy a duplicate. An event the engine refuses for good (older than raw retention, say) is kept
// as `rejected` with the reason, logged and counted, never dropped silently.

import type { Logger } from 'pino';
import type { StateStore } from '../state-store/state-store.ts';
import { isStateUnavailable } from '../state-store/state-unavailable.ts';
import { periodicPart, type Part } from '../start-parts.ts';
import { purgeExpiredKeys } from './idempotency.ts';
import { claimDueEvents, markDelivered, markRejected, markRetry } from './refund-stream.ts';
import type { RefundEventSink } from './refund-sinks.ts';

const DELIVER_EVERY_MS = 1000;
const PURGE_EVERY_MS = 3_600_000;
const BATCH = 500;
/** Most batches one pass delivers (a backlog drains over a few passes, other work interleaved). */
const MAX_BATCHES = 20;

export type RelayOutcome = 'delivered' | 'retried' | 'rejected';

export interface RefundRelayOptions {
  state: StateStore;
  /** Null: this process can deliver nowhere (an api process without Kafka); starting the part is refused. */
  sink: RefundEventSink | null;
  now: () => number;
  log: Logger;
  onOutcome?: (via: string, outcome: RelayOutcome, events: number) => void;
}

export interface RefundRelay extends Part {
  /** One delivery pass now; returns how many events reached the stream. */
  deliverNow(): Promise<number>;
}

export function createRefundRelay(o: RefundRelayOptions): RefundRelay {
  /** While the state store is unavailable, says so once, not every second. */
  const quietly = (what: string, run: () => Promise<unknown>) => {
    let paused = false;
    return async () => {
      try {
        await run();
        if (paused) o.log.info(`${what} resumed`);
        paused = false;
      } catch (err) {
        if (!isStateUnavailable(err)) throw err;
        if (!paused) o.log.warn({ reason: (err as Error).message }, `${what} paused: the state store is unavailable`);
        paused = true;
      }
    };
  };
  const deliverNow = async () => {
    if (!o.sink) throw new Error('this process can deliver refund events nowhere: it does not ingest, and KAFKA_BROKERS is not set');
    let delivered = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const due = await claimDueEvents(o.state, o.now(), BATCH);
      if (due.length === 0) break;
      delivered += await deliverBatch(o, o.sink, due);
      if (due.length < BATCH) break;
    }
    return delivered;
  };
  const delivery = periodicPart({ what: 'refund relay', everyMs: DELIVER_EVERY_MS, atStart: true, log: o.log }, quietly('refund relay', deliverNow));
  const purge = periodicPart({ what: 'idempotency key purge', everyMs: PURGE_EVERY_MS, atStart: true, log: o.log }, quietly('idempotency key purge', async () => {
    const purged = await purgeExpiredKeys(o.state, o.now());
    if (purged) o.log.info({ purged }, 'idempotency keys past their 24 hours purged');
  }));
  return {
    deliverNow,
    async start() {
      if (!o.sink) throw new Error('the part refund-relay delivers refund events: this process does not ingest and has no KAFKA_BROKERS');
      await delivery.start();
      await purge.start();
    },
    async stop() {
      await delivery.stop();
      await purge.stop();
      await o.sink?.close();
    },
  };
}

async function deliverBatch(o: RefundRelayOptions, sink: RefundEventSink, due: Awaited<ReturnType<typeof claimDueEvents>>): Promise<number> {
  let outcomes;
  try {
    outcomes = await sink.deliver(due);
  } catch (err) {
    await markRetry(o.state, due, (err as Error).message, o.now());
    o.onOutcome?.(sink.via, 'retried', due.length);
    o.log.warn({ via: sink.via, events: due.length, err: (err as Error).message }, 'refund events not delivered; retried later');
    return 0;
  }
  const delivered = due.filter((_, i) => outcomes[i].ok).map((e) => e.refund_id);
  await markDelivered(o.state, delivered, sink.via, o.now());
  for (const [i, e] of due.entries()) {
    const r = outcomes[i];
    if (r.ok) continue;
    await markRejected(o.state, e.refund_id, r.error);
    o.log.error({ refundId: e.refund_id, merchantId: e.merchant_id, reason: r.error }, 'a refund_created event was refused by ingest: this refund is missing from the KPIs');
  }
  if (delivered.length) o.onOutcome?.(sink.via, 'delivered', delivered.length);
  if (delivered.length < due.length) o.onOutcome?.(sink.via, 'rejected', due.length - delivered.length);
  return delivered.length;
}
