// Events out to Kafka, the sending side: one pass over kafka_outbox, run by the alert scheduler's
// delivery loop (on the replica holding the evaluator lock).
//
// At most once. A row is claimed (status 'sending', committed) before its message is sent, and a
// claimed row is never sent again. A send that fails after the claim, or a process that stops
// between the claim and the confirmation, leaves the row 'unconfirmed': the message may or may
// not be in the topic, and it is not sent again (counted as outcome `unconfirmed`; a claim with
// no confirmation after IN_DOUBT_AFTER_MS is marked so by the next pass). At most one row per
// failure is in that state: rows are claimed one at a time, and a failed send ends the pass.
//
// Retries happen before the claim only. Each pass probes a topic before claiming any of its rows
// (its metadata, a connection to its partitions' leaders, the producer's id): a probe that fails
// (broker unreachable, topic missing) leaves the rows pending for the webhooks' retry schedule
// (backoff with jitter, up to 24 h, then 'dead': never sent). Counted as `deferred` and `dead`.
//
// Order: a topic's rows go out in the order they were queued; while its oldest pending row waits
// for its next attempt, the rows queued after it wait too.
//
// The producer is idempotent (a retry of a produce request the broker already wrote is dropped by
// the broker, not written twice), acks=all, with Java's partitioner (a key lands on the partition
// Java clients choose). Made at first use — no connection before — made again after a failed send
// (its sequence numbers are then unknown), and closed by close().

import { Producer, compatibilityPartitioner, stringSerializers } from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { StateStore } from '../../state-store/state-store.ts';
import { nextAttemptAt } from '../webhooks/retry-schedule.ts';

export type TopicOutcome = 'delivered' | 'deferred' | 'dead' | 'unconfirmed';

/** A claim this old is not in flight any more (a send gives up long before): its process stopped. */
export const IN_DOUBT_AFTER_MS = 10 * 60_000;
const BATCH = 200;

export interface TopicPublisherOptions {
  state: StateStore;
  brokers: string[];
  clientId: string;
  now: () => number;
  log: Logger;
  /** Most rows one pass looks at (default 200). */
  batch?: number;
  onOutcome?: (topic: string, outcome: TopicOutcome) => void;
}

export interface TopicPublisher {
  /** One pass: sends what is due, at most once each; returns how many messages were sent. */
  publishDue(): Promise<number>;
  /** Closes the producer, if one was made. */
  close(): Promise<void>;
}

interface Row {
  id: number;
  msg_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  payload: Record<string, unknown>;
  occurred_at: Date;
  attempts: number;
  next_attempt_at: Date;
  first_attempt_at: Date | null;
}

type StringProducer = Producer<string, string, string, string>;

export function createTopicPublisher(o: TopicPublisherOptions): TopicPublisher {
  let producer: StringProducer | null = null;
  const client = () => producer ??= new Producer({
    clientId: o.clientId, bootstrapBrokers: o.brokers, serializers: stringSerializers, partitioner: compatibilityPartitioner,
    idempotent: true, retries: 2, retryDelay: 500,
  });
  const drop = async () => {
    const p = producer;
    producer = null;
    await p?.close().catch(() => undefined);
  };
  return {
    async publishDue() {
      await markInDoubt(o);
      const rows = await o.state.query<Row>(
        `SELECT id, msg_id, topic, message_key, event_type, payload, occurred_at, attempts, next_attempt_at, first_attempt_at
         FROM kafka_outbox WHERE status = 'pending' ORDER BY id LIMIT $1`, [o.batch ?? BATCH]);
      const byTopic = new Map<string, Row[]>();
      for (const r of rows) {
        const queue = byTopic.get(r.topic);
        if (queue) queue.push(r);
        else byTopic.set(r.topic, [r]);
      }
      let sent = 0;
      for (const [topic, queue] of byTopic) {
        const now = o.now();
        if (queue[0].next_attempt_at.getTime() > now) continue;
        const problem = await probe(client(), topic);
        if (problem !== null) {
          await defer(o, queue, problem, now);
          continue;
        }
        for (const row of queue) {
          const r = await sendOne(o, client(), row);
          if (r === 'failed') {
            await drop();
            return sent;
          }
          if (r === 'sent') sent++;
        }
      }
      return sent;
    },
    close: drop,
  };
}

/** Whether the topic can take messages now: null if so, else why not. */
async function probe(p: StringProducer, topic: string): Promise<string | null> {
  try {
    const metadata = await p.metadata({ topics: [topic], forceUpdate: true });
    const partitions = metadata.topics.get(topic)?.partitions ?? [];
    if (partitions.length === 0) return `topic ${topic} unknown`;
    const leaders = [...new Set(partitions.map((x) => x.leader))];
    if (leaders.some((l) => l < 0)) return `a partition of ${topic} has no leader`;
    await p.connectToBrokers(leaders);
    if (p.producerId === undefined) await p.initIdempotentProducer({});
    return null;
  } catch (err) {
    return describe(err);
  }
}

/** Claims the row, then sends it: 'sent', 'skipped' (another pass claimed it) or 'failed' (now unconfirmed). */
async function sendOne(o: TopicPublisherOptions, p: StringProducer, row: Row): Promise<'sent' | 'skipped' | 'failed'> {
  const claimed = await o.state.query(
    `UPDATE kafka_outbox SET status = 'sending', claimed_at = $2, attempts = attempts + 1 WHERE id = $1 AND status = 'pending' RETURNING id`,
    [row.id, new Date(o.now())]);
  if (claimed.length === 0) return 'skipped';
  let offset: { partition: number; offset: bigint } | undefined;
  try {
    const result = await p.send({
      messages: [{
        topic: row.topic, key: row.message_key, value: JSON.stringify({ id: row.msg_id, ...row.payload }),
        headers: { 'x-event-type': row.event_type, 'x-message-id': row.msg_id, 'x-occurred-at': row.occurred_at.toISOString() },
      }],
    });
    offset = result.offsets?.[0];
  } catch (err) {
    // Never sent again: it may have reached the topic (at most once).
    await o.state.query(`UPDATE kafka_outbox SET status = 'unconfirmed', last_error = $2 WHERE id = $1`, [row.id, describe(err)]);
    o.onOutcome?.(row.topic, 'unconfirmed');
    o.log.warn({ topic: row.topic, msgId: row.msg_id, err: describe(err) }, 'kafka: an event send failed after its claim; it is not sent again');
    return 'failed';
  }
  await o.state.query(
    `UPDATE kafka_outbox SET status = 'delivered', delivered_at = $2, kafka_partition = $3, kafka_offset = $4 WHERE id = $1`,
    [row.id, new Date(o.now()), offset?.partition ?? null, offset === undefined ? null : String(offset.offset)]);
  o.onOutcome?.(row.topic, 'delivered');
  return 'sent';
}

/** The topic could not take messages: its rows wait for their next attempt, or give up after 24 h. */
async function defer(o: TopicPublisherOptions, rows: Row[], problem: string, now: number): Promise<void> {
  for (const row of rows) {
    const first = row.first_attempt_at?.getTime() ?? now;
    const next = nextAttemptAt(row.attempts + 1, now, first);
    await o.state.query(
      `UPDATE kafka_outbox SET status = $2, attempts = attempts + 1, first_attempt_at = $3, next_attempt_at = $4, last_error = $5
       WHERE id = $1 AND status = 'pending'`,
      [row.id, next === null ? 'dead' : 'pending', new Date(first), new Date(next ?? now), problem]);
    o.onOutcome?.(row.topic, next === null ? 'dead' : 'deferred');
  }
  o.log.warn({ topic: rows[0].topic, rows: rows.length, problem }, 'kafka: events held back, the topic cannot take messages now');
}

/** Claims left without a confirmation by a process that stopped: unconfirmed, never sent again. */
async function markInDoubt(o: TopicPublisherOptions): Promise<void> {
  const rows = await o.state.query<{ topic: string }>(
    `UPDATE kafka_outbox SET status = 'unconfirmed', last_error = 'claimed for sending, never confirmed (the process stopped)'
     WHERE status = 'sending' AND claimed_at < $1 RETURNING topic`, [new Date(o.now() - IN_DOUBT_AFTER_MS)]);
  for (const r of rows) o.onOutcome?.(r.topic, 'unconfirmed');
}

function describe(err: unknown): string {
  const e = err as Error & { errors?: Error[] };
  const cause = e.errors?.at(-1)?.message;
  return `${e.message}${cause && cause !== e.message ? `: ${cause}` : ''}`.slice(0, 300);
}
