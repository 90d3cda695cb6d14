// Where the refund relay delivers refund_created events: to this process's ingest engine (a
// process that ingests: ROLE=all or consumer), or to the Kafka topic the consumers read (a
// process that does not ingest, ROLE=api, when KAFKA_BROKERS is set). Either way the event keeps
// its event_id, so a second delivery is a duplicate for the engine that ingests it.

import { Producer, compatibilityPartitioner, stringSerializers } from '@platformatic/kafka';
import type { Engine } from '../ingest/engine.ts';
import type { DueEvent } from './refund-stream.ts';

/** The topic refund events are produced to: one the consumers read by default (KAFKA_TOPICS). */
export const REFUND_TOPIC = 'refund_created';

export type DeliveryOutcome = { ok: true } | { ok: false; error: string };

export interface RefundEventSink {
  readonly via: 'engine' | 'kafka';
  /**
   * One outcome per event: delivered (a duplicate counts: it is in the stream), or refused for
   * good. Throws when none could be delivered now (the relay tries them again later).
   */
  deliver(events: readonly DueEvent[]): Promise<DeliveryOutcome[]>;
  close(): Promise<void>;
}

export function engineSink(engine: Engine): RefundEventSink {
  return {
    via: 'engine',
    async deliver(events) {
      const results = await engine.submit({ source: 'merchant-refunds', items: events.map((e) => e.event) });
      return results.map((r) => (r.status === 'rejected' ? { ok: false, error: `${r.code}: ${r.message}` } : { ok: true }));
    },
    async close() {},
  };
}

/**
 * An idempotent producer (a retried produce request is written once), keyed by merchant so one
 * merchant's refunds stay in order on one partition. Made at first use, made again after a
 * failed send, closed by close().
 */
export function kafkaSink(o: { brokers: string[]; clientId: string; topic?: string }): RefundEventSink {
  let producer: Producer<string, string, string, string> | null = null;
  const drop = async () => {
    const p = producer;
    producer = null;
    await p?.close().catch(() => undefined);
  };
  return {
    via: 'kafka',
    async deliver(events) {
      producer ??= new Producer({
        clientId: o.clientId, bootstrapBrokers: o.brokers, serializers: stringSerializers, partitioner: compatibilityPartitioner,
        idempotent: true, retries: 2, retryDelay: 500,
      });
      try {
        await producer.send({
          messages: events.map((e) => ({
            topic: o.topic ?? REFUND_TOPIC, key: e.merchant_id, value: JSON.stringify(e.event),
            headers: { 'x-event-type': 'refund_created', 'x-event-id': e.event.event_id },
          })),
        });
      } catch (err) {
        await drop();
        throw err;
      }
      return events.map(() => ({ ok: true }) as const);
    },
    close: drop,
  };
}
