// Events POSTed to /api/v1/events: a push source. Started, it hands each request's events to the
// engine; stopped (or never started: a process whose role does not ingest), it refuses them with
// 503 `ingest_stopped` and waits for the requests already handed over.

import type { Engine } from '../engine.ts';
import type { ItemResult } from '../prepare-batch.ts';
import type { Refusal } from '../parsed-batch.ts';
import type { TrackItem } from '../../custom-events/tracked-event.ts';
import { createInflight, SourceStoppedError, type Source } from './source.ts';

export interface HttpSource extends Source {
  submit(items: unknown[], refused: readonly Refusal[]): Promise<ItemResult[]>;
  /** Tracked custom events (POST /api/v1/track), checked already. */
  submitTracked(items: TrackItem[]): Promise<ItemResult[]>;
}

/** With no engine (a process that only reads the store), it never takes events. */
export function createHttpSource(engine: Engine | null): HttpSource {
  const inflight = createInflight();
  let taking = false;
  return {
    name: 'http',
    async start() { taking = true; },
    async stop() {
      taking = false;
      await inflight.idle();
    },
    submit(items, refused) {
      if (!taking || !engine) return Promise.reject(new SourceStoppedError('this process is not taking events now (stopping, or its role does not ingest); retry'));
      return inflight.track(engine.submit({ source: 'http', items, refused }));
    },
    submitTracked(items) {
      if (!taking || !engine) return Promise.reject(new SourceStoppedError('this process is not taking events now (stopping, or its role does not ingest); retry'));
      return inflight.track(engine.submitTracked(items));
    },
  };
}
