// Reprocess from Kafka offsets: the store is the truth of where each partition stands (a message
// below its stored position is skipped, whatever the group's offsets say: docs/kafka.md), so
// reading a partition again from an offset means moving its stored position back first — one
// batch with only positions, through the engine — and then the consumer group's offsets
// (kafka-consumer-groups --reset-offsets). Messages read again that the store holds are
// duplicates by event_id (within RAW_RETENTION_DAYS); only what is missing is added.

import { partitionSource } from '../ingest/sources/kafka-source.ts';
import type { Engine } from '../ingest/engine.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';

export interface PartitionOffset { topic: string; partition: number; offset: bigint }

export interface RewindReport {
  partitions: Array<{ source: string; stored: string | null; from: string }>;
  batchId: number | null;
}

/** `topic/partition=offset[,…]`, e.g. `wallet_txn_created/0=1200,wallet_txn_created/1=980`. */
export function parsePartitionOffsets(spec: string): PartitionOffset[] | null {
  const out: PartitionOffset[] = [];
  for (const part of spec.split(',')) {
    const m = /^([A-Za-z0-9._-]{1,249})\/(\d{1,9})=(\d{1,19})$/.exec(part.trim());
    if (!m) return null;
    out.push({ topic: m[1], partition: Number(m[2]), offset: BigInt(m[3]) });
  }
  return out.length > 0 ? out : null;
}

/** Moves the stored positions of these partitions to these offsets (dryRun: only shows them). */
export async function rewindKafka(store: AnalyticsStore, engine: Engine, offsets: readonly PartitionOffset[], dryRun: boolean): Promise<RewindReport> {
  const partitions = [];
  for (const o of offsets) {
    const source = partitionSource(o.topic, o.partition);
    partitions.push({ source, stored: await store.sourcePosition(source), from: String(o.offset) });
  }
  const batchId = dryRun ? null : await engine.commitPositions('reprocess', partitions.map((p) => ({ source: p.source, position: p.from })));
  return { partitions, batchId };
}
