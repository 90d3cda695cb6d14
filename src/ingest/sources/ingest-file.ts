// Ingests an NDJSON or CSV file through any submitter (the in-process engine, or a running
// server over HTTP), keeping two batches in flight so reading overlaps committing.

import { openInput, readLineBatches } from './read-lines.ts';
import { readCsvBatches } from './read-csv.ts';
import type { ItemResult } from '../prepare-batch.ts';
import { frameNdjson, type Framed } from '../frame-events.ts';
import type { Engine } from '../engine.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import type { Source } from './source.ts';

export interface IngestTotals {
  received: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  bytes: number;
}

/** One batch of a file: its events, and for NDJSON the bytes they were cut from. */
export interface FileBatch extends Framed {
  position: string | null;
  /** The batch's bytes as read (NDJSON): what an HTTP submitter sends. */
  bytes?: Buffer;
}

export type Submitter = (batch: FileBatch) => Promise<ItemResult[]>;

/** A submitter into an in-process engine. */
export function engineSubmitter(engine: Engine, source: string): Submitter {
  return ({ items, refused, position }) => engine.submit({ source, positions: position === null ? [] : [{ source, position }], items, refused });
}

export async function ingestFile(opts: {
  path: string;
  format: 'ndjson' | 'csv';
  batchSize: number;
  submit: Submitter;
  startOffset?: number;
  onProgress?: (t: IngestTotals) => void;
  /** Stops reading: what was submitted is still waited for. */
  signal?: AbortSignal;
}): Promise<IngestTotals> {
  const totals: IngestTotals = { received: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, bytes: 0 };
  const inflight: Array<Promise<void>> = [];
  const add = (results: ItemResult[]) => {
    for (const r of results) {
      totals.received++;
      if (r.status === 'accepted') totals.accepted++;
      else if (r.status === 'duplicate') totals.duplicates++;
      else {
        totals.rejected++;
        totals.rejectedByCode[r.code] = (totals.rejectedByCode[r.code] ?? 0) + 1;
      }
    }
    opts.onProgress?.(totals);
  };
  const enqueue = async (batch: FileBatch, bytes: number) => {
    if (batch.items.length === 0) return;
    if (inflight.length >= 2) await inflight.shift();
    inflight.push(opts.submit(batch).then((r) => { totals.bytes = Math.max(totals.bytes, bytes); add(r); }));
  };
  if (opts.format === 'csv') {
    for await (const b of readCsvBatches(openInput(opts.path), opts.batchSize)) {
      if (opts.signal?.aborted) break;
      await enqueue({ items: b.events, refused: [], position: null }, 0);
    }
  } else {
    const start = opts.startOffset ?? 0;
    for await (const b of readLineBatches(openInput(opts.path, start), opts.batchSize, start)) {
      if (opts.signal?.aborted) break;
      await enqueue({ ...frameNdjson(b.bytes), bytes: b.bytes, position: String(b.endOffset) }, b.endOffset);
    }
  }
  await Promise.all(inflight);
  return totals;
}

/** A submitter that POSTs NDJSON to a running server. */
export function httpSubmitter(baseUrl: string, headers: Record<string, string> = {}): Submitter {
  return async ({ items, bytes }) => {
    // NDJSON goes as read, so the server frames the same bytes into the same events.
    const body = bytes ? new Uint8Array(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.length) : items.join('\n');
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(new URL('/api/v1/events', baseUrl), {
        method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...headers }, body,
      });
      if (res.status === 503 && attempt < 5) {
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
        continue;
      }
      const json = (await res.json()) as { results?: Array<{ index: number } & ItemResult>; detail?: string };
      if (res.status !== 200 && res.status !== 422) throw new Error(`server answered ${res.status}: ${json.detail ?? ''}`);
      const results: ItemResult[] = items.map(() => ({ status: 'accepted' }));
      for (const r of json.results ?? []) {
        const { index, ...rest } = r;
        results[index] = rest as ItemResult;
      }
      return results;
    }
  };
}

export interface FileSource extends Source {
  /** Resolves with the totals once the whole file is read and committed (or the source stopped). */
  readonly finished: Promise<IngestTotals>;
}

/**
 * A file into the in-process engine, as a source: `file:<absolute path>` (or `stdin`), its byte
 * offset committed with each NDJSON batch; with `resume`, it starts from the offset the store holds.
 */
export function createFileSource(o: {
  path: string; source: string; format: 'ndjson' | 'csv'; batchSize: number; engine: Engine; store: AnalyticsStore;
  resume: boolean; onProgress?: (t: IngestTotals) => void;
}): FileSource {
  const abort = new AbortController();
  let settle!: { resolve: (t: IngestTotals) => void; reject: (e: unknown) => void };
  const finished = new Promise<IngestTotals>((resolve, reject) => { settle = { resolve, reject }; });
  return {
    name: o.source,
    finished,
    async start() {
      const startOffset = o.resume && o.format === 'ndjson' ? Number((await o.store.sourcePosition(o.source)) ?? 0) : 0;
      ingestFile({
        path: o.path, format: o.format, batchSize: o.batchSize, startOffset, submit: engineSubmitter(o.engine, o.source),
        onProgress: o.onProgress, signal: abort.signal,
      }).then(settle.resolve, settle.reject);
    },
    async stop() {
      abort.abort();
      await finished.catch(() => undefined);
    },
  };
}
