// Parsing is stateless, so it runs ahead of the engine in worker threads: a batch of event texts
// is parsed while the previous one is folded into state and committed. Decoded values (from
// in-process sources) and small batches are parsed in the calling thread,
// where a round trip would cost more than it saves. A failed worker is replaced by in-thread
// parsing: the result is the same either way.

import { Worker } from 'node:worker_threads';
import { parseToColumns, type ParsedBatch, type Refusal } from './parsed-batch.ts';
import type { ParseContext } from '../events/contract.ts';
import type { Logger } from 'pino';

const MIN_WORKER_BATCH = 512;

export interface ParsePool {
  /** `refused`: items their source already refused (see parseToColumns). */
  parse(items: unknown[], ctx: ParseContext, refused?: readonly Refusal[]): Promise<ParsedBatch>;
  workersAlive(): number;
  close(): Promise<void>;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (b: ParsedBatch) => void; reject: (e: Error) => void }>;
  alive: boolean;
}

export function createParsePool(size: number, log: Logger): ParsePool {
  const slots: Slot[] = [];
  for (let i = 0; i < size; i++) slots.push(startSlot(log));
  let next = 0;
  let seq = 0;
  return {
    parse(items, ctx, refused = []) {
      const live = slots.filter((s) => s.alive);
      if (live.length === 0 || items.length < MIN_WORKER_BATCH || typeof items[0] !== 'string' ||
        !items.every((it) => typeof it === 'string')) {
        return Promise.resolve(parseToColumns(items, ctx, refused));
      }
      const slot = live[next++ % live.length];
      const id = ++seq;
      return new Promise<ParsedBatch>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, items, ctx, refused });
      }).catch(() => parseToColumns(items, ctx, refused));
    },
    workersAlive: () => slots.filter((s) => s.alive).length,
    async close() {
      for (const s of slots) s.alive = false;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

function startSlot(log: Logger): Slot {
  // The worker is TypeScript like the rest: it loads tsx's hooks itself (worker-entry.mjs).
  const worker = new Worker(new URL('./worker-entry.mjs', import.meta.url), {
    workerData: { module: new URL('./parse-worker.ts', import.meta.url).href },
  });
  worker.unref();
  const slot: Slot = { worker, pending: new Map(), alive: true };
  worker.on('message', (msg: { id: number; batch: ParsedBatch }) => {
    const p = slot.pending.get(msg.id);
    slot.pending.delete(msg.id);
    p?.resolve(msg.batch);
  });
  const fail = (err: Error) => {
    if (!slot.alive) return;
    slot.alive = false;
    log.error({ err }, 'parse worker failed; parsing in the engine thread');
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`parse worker exited with ${code}`)));
  return slot;
}
