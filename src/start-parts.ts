// The parts of the server that run in the background: the live window's feed, the live WebSocket
// server, the live window's FX reload, the alert scheduler, the dispute deadline reminders, the
// routing mesh's predictions, reconciliation, decision snapshot and canary watch, the retention
// job, the sources and the refund relay (approved refunds into the stream). buildApp builds each
// one unstarted (no timer, no socket, no subscription); startParts starts the ones a process runs
// — main.ts all of them, a cluster role some — and closing the app stops whatever was started,
// last started first, before Fastify waits for its connections (an open WebSocket would hold that
// wait forever).

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

/** In the order they start; they stop in the reverse order. */
/** Sources (src/ingest/sources/source.ts) come last: they start once everything that follows their commits runs, and stop first. */
export const PART_NAMES = ['live-feed', 'live', 'fx-reload', 'alerts', 'dispute-deadlines', 'mesh-predictions', 'mesh-reconcile', 'mesh-routing', 'mesh-canary-watch', 'state-retention', 'retention', 'ingest-http', 'ingest-kafka', 'refund-relay', 'demo'] as const;
export type PartName = (typeof PART_NAMES)[number];

/** Does nothing until started; stop undoes start and waits for the work in flight. */
export interface Part {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a part works from: started with it, or before it. */
const NEEDS: { readonly [P in PartName]?: readonly PartName[] } = {
  live: ['live-feed'],
  'fx-reload': ['live-feed'],
};

export interface Parts {
  /** Starts `names` (in PART_NAMES order); the function stops those again. */
  start(names: readonly PartName[]): Promise<() => Promise<void>>;
  /** Stops every started part, last started first. */
  stopAll(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's background parts, built unstarted (start them with startParts). */
    parts: Parts;
  }
}

/**
 * What each cluster role runs (ROLE=all: every part). The refund relay runs where refund events
 * can be delivered: with the engine (consumer), or to Kafka (api, when brokers are set).
 */
const ROLE_PARTS: Readonly<Record<string, readonly PartName[]>> = {
  // mesh-routing: the routing decision API's snapshot (src/mesh/routing-snapshot.ts).
  api: ['live-feed', 'live', 'fx-reload', 'refund-relay', 'mesh-routing'],
  consumer: ['retention', 'ingest-http', 'ingest-kafka', 'refund-relay'],
  // The schedulers: alert evaluation and delivery, the dispute deadline reminders (whose
  // webhooks the alert scheduler delivers), the routing mesh's predictions (likewise), the
  // reconciliation of its routing changes, and the rollback of canaries whose alert fired.
  // State retention (resolved alerts, audit, finished outbox messages, expired idempotency keys)
  // runs here: the state store is the schedulers' domain, and the consumer runs the analytics one.
  evaluator: ['alerts', 'dispute-deadlines', 'mesh-predictions', 'mesh-reconcile', 'mesh-canary-watch', 'state-retention'],
};

/** The parts a process runs, by its settings: its role's, Kafka when brokers are set, the demo stream when asked for. */
export function partsFor(config: { ROLE?: string; DEMO: boolean; KAFKA_BROKERS: string }): PartName[] {
  const role = ROLE_PARTS[config.ROLE ?? 'all'] ?? PART_NAMES;
  const kafka = config.KAFKA_BROKERS.trim() !== '';
  return PART_NAMES.filter((name) => role.includes(name)
    && (name !== 'demo' || config.DEMO) && (name !== 'ingest-kafka' || kafka)
    && (name !== 'refund-relay' || config.ROLE !== 'api' || kafka));
}

/** Starts these parts of a built app; the function it returns stops them (closing the app does too). */
export async function startParts(app: FastifyInstance, names: readonly PartName[]): Promise<() => Promise<void>> {
  // From ready on the hooks are fixed: the close hook that stops the parts is in place.
  await app.ready();
  return app.parts.start(names);
}

export function createParts(parts: Readonly<Record<PartName, Part>>): Parts {
  const started: PartName[] = [];
  const ever = new Set<PartName>();
  const stop = async (names: readonly PartName[]) => {
    let failure: unknown = null;
    for (const name of [...names].reverse()) {
      if (!started.includes(name)) continue;
      started.splice(started.indexOf(name), 1);
      try {
        await parts[name].stop();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure) throw failure;
  };
  return {
    async start(names) {
      for (const name of names) {
        if (!PART_NAMES.includes(name)) throw new Error(`no part named ${JSON.stringify(name)} (parts: ${PART_NAMES.join(', ')})`);
        if (ever.has(name)) throw new Error(`the part ${name} was started already`);
        const missing = (NEEDS[name] ?? []).filter((n) => !names.includes(n) && !started.includes(n));
        if (missing.length) throw new Error(`the part ${name} needs ${missing.join(', ')} started too`);
      }
      const mine = PART_NAMES.filter((n) => names.includes(n));
      for (const name of mine) {
        ever.add(name);
        try {
          await parts[name].start();
        } catch (err) {
          await stop(mine).catch(() => undefined); // the failure to start is the one to report
          throw err;
        }
        started.push(name);
      }
      return () => stop(mine);
    },
    stopAll: () => stop([...started]),
  };
}

/**
 * A part that runs `run` every `everyMs` (and once at start with `atStart`). Runs never overlap
 * (a tick during a run is skipped); a failed run is logged and the next tick tries again.
 */
export function periodicPart(o: { what: string; everyMs: number; atStart?: boolean; log: Logger }, run: () => Promise<void>): Part {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const tick = () => {
    running ??= run()
      .catch((err: unknown) => o.log.error({ err }, `${o.what} failed`))
      .finally(() => { running = null; });
  };
  return {
    async start() {
      if (o.atStart) tick();
      timer = setInterval(tick, o.everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
