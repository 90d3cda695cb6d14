// What the read side needs of ingest: how far committed data reaches, each commit as it lands
// (the live window, cache invalidation, metrics), and the dimension dictionary that turns stored
// keys into values. The engine is one (a process that ingests); a process that only reads the
// store — an api or evaluator replica of a cluster — has a remote one (src/cluster/remote-ingest.ts)
// fed by the writer's commit feed.

import type { CommittedBatch, EngineStats } from './engine.ts';
import type { Dictionary } from './indexes/dimensions.ts';

export type StaleReason = 'gap' | 'fx';

export interface IngestView {
  /** Event time up to which committed data reaches (capped at now), null with no data. */
  asOf(): number | null;
  /** Hears each committed batch; the function it returns stops listening. */
  onCommit(listener: (b: CommittedBatch) => void): () => void;
  /** Stored dimension keys ↔ values, as of the latest commit seen. */
  readonly dict: Dictionary;
  /** This process's ingest counters, null where it does not ingest. */
  readonly stats: EngineStats | null;
  /**
   * Hears when what was derived from commits may be stale: `gap`, the view reloaded from the
   * store after missing commits; `fx`, FX rates changed in another process.
   */
  onStale?(listener: (why: StaleReason) => void): void;
}
