// The source port: every way events enter — HTTP, a file, the demo stream, Kafka — is a Source
// with one lifecycle. A source is built unstarted; start() begins taking input; stop() stops
// taking it and resolves once everything it handed the engine has been answered (committed, or
// refused and left for the source to send again). A source that has a position (a file's byte
// offset, a Kafka partition's next offset) submits it with the events it read, and the store
// commits the two together (PreparedBatch.positions): on a restart the store, not the source,
// says where to resume.
//
// Sources run as parts of the app (src/start-parts.ts): which ones a process starts is its
// role's business (main.ts), and they start after, and stop before, everything else.

export interface Source {
  /** Names the source in logs, dead letters and positions (`http`, `demo`, `kafka`, `file:/path`). */
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Ingest on this process is not taking events (not started, or stopping): 503, retry elsewhere or later. */
export class SourceStoppedError extends Error {
  readonly code = 'ingest_stopped';
}

/** Counts the submissions a source has in flight, so that stop() can wait for them. */
export function createInflight(): { track<T>(p: Promise<T>): Promise<T>; idle(): Promise<void>; readonly count: number } {
  const pending = new Set<Promise<void>>();
  return {
    track(p) {
      // Its own settled promise (never rejecting): the caller handles p's outcome.
      const settled: Promise<void> = p.then(() => undefined, () => undefined).then(() => { pending.delete(settled); });
      pending.add(settled);
      return p;
    },
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    get count() { return pending.size; },
  };
}
