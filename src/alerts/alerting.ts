// Runs alerting in the background: every ALERT_EVAL_INTERVAL the replica holding the advisory
// lock evaluates every rule, and every couple of seconds it delivers the due outbox rows (to
// webhooks, and to Kafka topics when Kafka is configured). Other replicas keep asking for the lock
// and take over when its holder goes away. Built unstarted (the `alerts` part,
// src/start-parts.ts): no timer runs and no Kafka connection is made before start or evaluateNow;
// stop closes the Kafka producer.

import type { Logger } from 'pino';
import type { StateStore } from '../state-store/state-store.ts';
import type { RunQuery } from '../analytics/query-runner.ts';
import type { StoredRule } from './alert-rules-store.ts';
import type { DeliveryResult } from './webhooks/deliver-webhook.ts';
import { evaluateAll } from './evaluator.ts';
import { deliverDue } from './outbox.ts';
import { createTopicPublisher, type TopicOutcome } from './topics/publish-to-topics.ts';
import type { EventTopics } from './topics/event-topics.ts';
import { isStateUnavailable } from '../state-store/state-unavailable.ts';

export const EVALUATOR_LOCK = 7231002;
const DELIVERY_INTERVAL_MS = 2000;

export interface AlertingOptions {
  state: StateStore;
  run: RunQuery;
  now: () => number;
  log: Logger;
  evalIntervalMs: number;
  allowPrivate: boolean;
  webhookTimeoutMs: number;
  /** The Kafka topic of each kind of event; null = no Kafka. */
  eventTopics: EventTopics | null;
  /** The Kafka cluster the events go to (used when eventTopics is set). */
  kafka: { brokers: string[]; clientId: string };
  onAlertCreated?: (rule: StoredRule) => void;
  onAnomaly?: (rule: StoredRule) => void;
  onDelivery?: (r: DeliveryResult, eventType: string, merchantId: string | null) => void;
  onTopicOutcome?: (topic: string, outcome: TopicOutcome) => void;
}

export interface Alerting {
  /** Starts the evaluation and delivery loops. */
  start(): Promise<void>;
  /** Stops them, waits for a pass in flight and gives the lock up. */
  stop(): Promise<void>;
  /** One evaluation pass and one delivery pass, now (if this replica holds the lock). */
  evaluateNow(): Promise<void>;
}

export function createAlerting(o: AlertingOptions): Alerting {
  let holder = false;
  let stopped = false;
  /** Whether this replica holds (still) the evaluator lock; checked before every pass. */
  const lead = async () => {
    if (holder && !(await o.state.holdsLock(EVALUATOR_LOCK))) holder = false;
    if (!holder) holder = await o.state.tryLock(EVALUATOR_LOCK);
    return holder;
  };
  // Evaluation and delivery are separate loops; a tick that finds its loop still running is
  // skipped, never queued (a slow webhook cannot hold evaluation back).
  // While the state store is unavailable (starting, or an outage) a loop says so once, not every tick.
  const loop = (name: string, fn: () => Promise<unknown>) => {
    let running: Promise<void> | null = null;
    let paused = false;
    const run = () => {
      if (stopped) return Promise.resolve();
      running ??= (async () => {
        try {
          if (await lead()) await fn();
          if (paused) o.log.info(`alerting ${name} resumed`);
          paused = false;
        } catch (err) {
          if (!isStateUnavailable(err)) o.log.error({ err }, `alerting ${name} failed`);
          else if (!paused) o.log.warn({ reason: (err as Error).message }, `alerting ${name} paused: the state store is unavailable`);
          paused = paused || isStateUnavailable(err);
        } finally {
          running = null;
        }
      })();
      return running;
    };
    return { run, idle: () => running ?? Promise.resolve() };
  };
  const evaluation = loop('evaluation', () => evaluateAll(o));
  const topics = o.eventTopics === null ? null : createTopicPublisher({
    state: o.state, brokers: o.kafka.brokers, clientId: o.kafka.clientId, now: o.now, log: o.log, onOutcome: o.onTopicOutcome,
  });
  // Webhooks and topics side by side: a slow endpoint does not hold the topics back, nor the reverse.
  const delivery = loop('delivery', async () => {
    const passes = await Promise.allSettled([
      deliverDue(o.state, { now: o.now, allowPrivate: o.allowPrivate, timeoutMs: o.webhookTimeoutMs, onAttempt: o.onDelivery }),
      topics?.publishDue(),
    ]);
    for (const p of passes) if (p.status === 'rejected') throw p.reason;
  });
  const timers: NodeJS.Timeout[] = [];
  return {
    async start() {
      timers.push(setInterval(evaluation.run, o.evalIntervalMs), setInterval(delivery.run, DELIVERY_INTERVAL_MS));
      for (const t of timers) t.unref();
    },
    async stop() {
      stopped = true;
      for (const t of timers.splice(0)) clearInterval(t);
      await Promise.all([evaluation.idle(), delivery.idle()]);
      await topics?.close();
      if (holder) await o.state.unlock(EVALUATOR_LOCK).catch(() => undefined);
    },
    async evaluateNow() {
      await evaluation.idle();
      await evaluation.run();
      await delivery.idle();
      await delivery.run();
    },
  };
}
