// Backfill: rows of a wallet transactions table, in a time range, mapped to payment events
// (wallet-transaction-mapping.ts) and sent through the normal ingest path a page at a time —
// the in-process engine, or a running server's POST /api/v1/events. Idempotent (event ids derive
// from row ids: a row sent twice is a duplicate), resumable (the position after each page is
// recorded: committed with the page's batch by the engine, like a file source's offset, or in a
// file after the server acknowledged it), and paced (`ratePerSecond` events per second at most,
// so live ingest keeps its latency). A dry run reads and maps, and sends nothing.

import type { ItemResult } from '../ingest/prepare-batch.ts';
import { mapWalletTransaction } from './wallet-transaction-mapping.ts';
import type { RowReader } from './wallet-transaction-reader.ts';

/** Sends one page's events (JSON text each) with the position after it; answers per event. */
export type PageSubmitter = (events: string[], position: string) => Promise<ItemResult[]>;

/** Where the position of this backfill is kept between runs. */
export interface PositionStore {
  load(): Promise<string | null>;
  /** After a page is acknowledged (a no-op where the engine commits it with the page). */
  save(position: string): Promise<void>;
}

export interface BackfillOptions {
  reader: RowReader;
  /** null: a dry run. */
  submit: PageSubmitter | null;
  positions: PositionStore;
  /** Ignore the recorded position and start at the range's beginning (safe: duplicates). */
  restart?: boolean;
  /** Events per second at most (0 = unpaced). */
  ratePerSecond?: number;
  /** Stop after about this many rows (whole pages) in this run. */
  limitRows?: number;
  /** Events shown by a dry run. */
  sampleSize?: number;
  onProgress?: (rows: number, events: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export interface BackfillSummary {
  resumedFrom: string | null;
  position: string | null;
  rows: number;
  events: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** Rows that map to no event, by reason (missing_id, invalid_occurred_at, unknown_status). */
  skipped: number;
  skippedByReason: Record<string, number>;
  /** Dry run: the first events that would be sent. */
  sample: Array<Record<string, unknown>>;
}

export async function runBackfill(o: BackfillOptions): Promise<BackfillSummary> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const resumedFrom = o.restart ? null : await o.positions.load();
  const s: BackfillSummary = {
    resumedFrom, position: resumedFrom, rows: 0, events: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {},
    skipped: 0, skippedByReason: {}, sample: [],
  };
  const started = now();
  for await (const page of o.reader.pages(resumedFrom)) {
    const events: Array<Record<string, unknown>> = [];
    for (const row of page.rows) {
      const m = mapWalletTransaction(row);
      if ('skip' in m) {
        s.skipped++;
        s.skippedByReason[m.skip] = (s.skippedByReason[m.skip] ?? 0) + 1;
      } else {
        events.push(...m.events);
      }
    }
    s.rows += page.rows.length;
    s.events += events.length;
    if (o.submit === null) {
      for (const e of events) if (s.sample.length < (o.sampleSize ?? 5)) s.sample.push(e);
    } else {
      for (const r of await o.submit(events.map((e) => JSON.stringify(e)), page.position)) {
        if (r.status === 'accepted') s.accepted++;
        else if (r.status === 'duplicate') s.duplicates++;
        else {
          s.rejected++;
          s.rejectedByCode[r.code] = (s.rejectedByCode[r.code] ?? 0) + 1;
        }
      }
      await o.positions.save(page.position);
      s.position = page.position;
    }
    o.onProgress?.(s.rows, s.events);
    if (o.limitRows !== undefined && s.rows >= o.limitRows) break;
    const rate = o.ratePerSecond ?? 0;
    if (rate > 0 && o.submit !== null) {
      const ahead = (s.events / rate) * 1000 - (now() - started);
      if (ahead > 0) await sleep(ahead);
    }
  }
  return s;
}
