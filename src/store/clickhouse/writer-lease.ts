// One writing process per ClickHouse database, as DuckDB's file lock gives one per file. The
// commit protocol relies on it: recovery deletes the rows above the last commit, which would be
// the rows of another writer's batch in flight. A writer takes the lease at open (the latest row
// of writer_lease names the owner), renews it every LEASE_MS / 3, and releases it at close. A
// lease not renewed for LEASE_MS (a killed process) is free. ClickHouse has no compare-and-set,
// so the taker reads the lease back after writing it: of two processes opening at the same
// moment, the one whose row is not the latest gives up.

import { randomUUID } from 'node:crypto';
import type { ChConnection } from './connection.ts';
import { chString } from './clickhouse-literal.ts';

export const LEASE_MS = 30_000;

export class StoreInUseError extends Error {}

interface Holder { owner: string; heartbeat: number }

async function holder(ch: ChConnection): Promise<Holder> {
  const a = await ch.select('SELECT argMax(owner, heartbeat) AS holder, max(heartbeat) AS last_beat FROM writer_lease');
  return { owner: String(a.columns[0]?.[0] ?? ''), heartbeat: Number(a.columns[1]?.[0] ?? 0) };
}

export interface WriterLease {
  readonly owner: string;
  release(): Promise<void>;
}

export async function takeWriterLease(ch: ChConnection, opts: { leaseMs?: number; now?: () => number } = {}): Promise<WriterLease> {
  const leaseMs = opts.leaseMs ?? LEASE_MS;
  const now = opts.now ?? Date.now;
  const owner = randomUUID();
  const refuse = (h: Holder) => new StoreInUseError(
    `the ClickHouse database ${ch.database} is in use by another writing process (its lease was renewed `
    + `${Math.max(0, Math.round((now() - h.heartbeat) / 1000))} s ago; a lease not renewed for ${leaseMs / 1000} s is free)`);
  const current = await holder(ch);
  if (current.owner !== '' && now() - current.heartbeat < leaseMs) throw refuse(current);
  // Strictly after the current row, so that ours is the latest even on a clock behind.
  const beat = async () => ch.command(`INSERT INTO writer_lease VALUES (${chString(owner)}, ${Math.max(now(), current.heartbeat + 1)})`);
  await beat();
  await new Promise((r) => setTimeout(r, 50));
  const after = await holder(ch);
  if (after.owner !== owner) throw refuse(after);
  let stopped = false;
  const timer = setInterval(() => { if (!stopped) void beat().catch(() => undefined); }, Math.max(10, Math.floor(leaseMs / 3)));
  timer.unref();
  return {
    owner,
    async release() {
      stopped = true;
      clearInterval(timer);
      const h = await holder(ch).catch(() => null);
      if (h?.owner === owner) await ch.command(`INSERT INTO writer_lease VALUES ('', ${Math.max(now(), h.heartbeat + 1)})`).catch(() => undefined);
    },
  };
}
