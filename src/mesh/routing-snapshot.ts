// The decision API's view of the mesh, in memory (decide-route.ts reads it, never the database):
// every table's current and last static version, kill switches, live canaries, and the newest
// verified prediction score of each segment. Loaded from the state store when the part
// 'mesh-routing' starts, read again after every change made in this process (`changed()`: mesh
// code calls it once its transaction committed) and every MESH_SNAPSHOT_REFRESH_MS, so changes made
// by other replicas arrive too. A failed reload keeps the previous snapshot (routing goes on
// through a state-store outage) and is logged.
//
// Predictions are verified when read (their signature is slow to check: never per decision), a
// verified one is kept by id and verified again after VERIFY_AGAIN_MS (its key may have been
// retired meanwhile); one past its expiry is dropped at the next reload.

import type { Logger } from 'pino';
import type { Queryable } from '../state-store/state-store.ts';
import type { Part } from '../start-parts.ts';
import type { KeyRing } from './signing-keys.ts';
import { latestPredictionRows, verifyPrediction } from './predictions-store.ts';
import type { Route } from './model.ts';
import { scoreKey, tableKey, type RoutingSnapshotData, type TableState } from './decide-route.ts';

const VERIFY_AGAIN_MS = 60_000;

export interface RoutingSnapshot extends Part {
  /** The last snapshot read; null until the first read succeeded. */
  current(): RoutingSnapshotData | null;
  /** Reads the snapshot again now (a read in flight is followed by a new one, never merged into it). */
  refresh(): Promise<void>;
  /**
   * The change notifier: mesh code calls it after committing a change to routing tables, kill
   * switches, canaries or predictions. Reads again at once when the part runs; a no-op otherwise.
   * Never throws: a failed read is logged, and the timer's next read sees the change.
   */
  changed(): Promise<void>;
}

interface VersionRow { region: string; currency: string; version: number; routes: Route[] }
interface CanaryRow { id: string; region: string; currency: string; base_version: number; canary_percent: number; routes: Route[] }
interface KillRow { region: string; currency: string; engaged_at: Date; engaged_by: string; reason: string }

/** The table with a proposal's routes applied: each replaces the route of the same method and band, or is added. */
export function withProposal(table: readonly Route[], proposed: readonly Route[]): Route[] {
  const same = (a: Route, b: Route) => a.method === b.method && a.minAmount === b.minAmount && a.maxAmount === b.maxAmount;
  return [...table.filter((r) => !proposed.some((p) => same(p, r))), ...proposed];
}

/** Reads the tables' part of a snapshot (everything but the predictions). */
export async function loadTables(q: Queryable): Promise<Map<string, TableState>> {
  const [current, statics, kills, canaries] = [
    await q.query<VersionRow>(`SELECT DISTINCT ON (region, currency) region, currency, version, routes FROM mesh_routing_versions
       ORDER BY region, currency, version DESC`),
    await q.query<VersionRow>(`SELECT DISTINCT ON (region, currency) region, currency, version, routes FROM mesh_routing_versions
       WHERE kind = 'static' ORDER BY region, currency, version DESC`),
    await q.query<KillRow>('SELECT region, currency, engaged_at, engaged_by, reason FROM mesh_kill_switches'),
    await q.query<CanaryRow>(`SELECT id, region, currency, base_version, canary_percent, routes FROM mesh_proposals WHERE status = 'canary'`),
  ];
  const tables = new Map<string, TableState>();
  for (const v of current) tables.set(tableKey(v.region, v.currency), { version: v.version, routes: v.routes, staticVersion: null, killSwitch: null, canary: null });
  for (const s of statics) {
    const t = tables.get(tableKey(s.region, s.currency));
    if (t) t.staticVersion = { version: s.version, routes: s.routes };
  }
  for (const k of kills) {
    const t = tables.get(tableKey(k.region, k.currency));
    if (t) t.killSwitch = { engagedAt: k.engaged_at.getTime(), engagedBy: k.engaged_by, reason: k.reason };
  }
  for (const c of canaries) {
    const t = tables.get(tableKey(c.region, c.currency));
    // A canary over a version that is no longer the table's is not routed by (it is superseded: canary.ts).
    if (t && Number(c.base_version) === t.version) t.canary = { proposalId: c.id, percent: Number(c.canary_percent), routes: withProposal(t.routes, c.routes) };
  }
  return tables;
}

export function createRoutingSnapshot(o: { state: Queryable; ring: KeyRing; now: () => number; refreshMs: number; log: Logger }): RoutingSnapshot {
  let snap: RoutingSnapshotData | null = null;
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> | null = null;
  let again: Promise<void> | null = null;
  let failing = false;
  /** Predictions read, by id: verified ({ score… }) or refused (null score), and when that was decided. */
  const checked = new Map<string, { key: string; score: number | null; expiresAt: number; at: number }>();

  async function loadScores(now: number): Promise<Map<string, number>> {
    const rows = await latestPredictionRows(o.state, {});
    const scores = new Map<string, number>();
    const seen = new Set<string>();
    for (const row of rows) {
      seen.add(row.id);
      let v = checked.get(row.id);
      if (!v || now - v.at >= VERIFY_AGAIN_MS) {
        const r = await verifyPrediction(o.state, o.ring, row, now);
        if (r.ok) {
          const pr = r.prediction;
          v = { key: scoreKey(pr.provider, pr.region, pr.currency, pr.method), score: pr.score, expiresAt: pr.expiresAt, at: now };
        } else {
          // Refused: not used, and said once per VERIFY_AGAIN_MS, not at every read.
          if (r.code !== 'prediction_stale') o.log.warn({ prediction: row.id, code: r.code, reason: r.message }, 'mesh routing: a prediction was refused');
          v = { key: '', score: null, expiresAt: 0, at: now };
        }
        checked.set(row.id, v);
      }
      if (v.score === null || v.expiresAt <= now) continue; // refused, or stale: dropped
      scores.set(v.key, v.score);
    }
    for (const id of checked.keys()) if (!seen.has(id)) checked.delete(id);
    return scores;
  }

  async function load(): Promise<void> {
    const now = o.now();
    const tables = await loadTables(o.state);
    const scores = await loadScores(now);
    snap = { tables, scores, loadedAt: now };
  }

  /** One read at a time; a refresh asked during a read waits for it, then reads again (the change may have missed it). */
  function refresh(): Promise<void> {
    if (!inFlight) {
      inFlight = load().finally(() => { inFlight = null; });
      return inFlight;
    }
    again ??= inFlight.catch(() => undefined).then(() => {
      again = null;
      return refresh();
    });
    return again;
  }

  const tick = () => {
    refresh().then(() => {
      if (failing) o.log.info('mesh routing: the snapshot is read again');
      failing = false;
    }, (err: unknown) => {
      if (!failing) o.log.error({ err }, 'mesh routing: reading the snapshot failed; deciding with the previous one');
      failing = true;
    });
  };

  return {
    current: () => snap,
    refresh,
    async changed() {
      // The change is committed already: a failed read must not fail it (the timer reads again).
      if (running) await refresh().catch((err: unknown) => o.log.error({ err }, 'mesh routing: reading the snapshot after a change failed; the next read will see it'));
    },
    async start() {
      running = true;
      // The first read is awaited when it can be; if the state store is not there yet, the
      // route answers 503 starting until a tick succeeds.
      await refresh().catch((err: unknown) => {
        failing = true;
        o.log.error({ err }, 'mesh routing: the first read of the snapshot failed; retrying');
      });
      timer = setInterval(tick, o.refreshMs);
      timer.unref();
    },
    async stop() {
      running = false;
      if (timer) clearInterval(timer);
      timer = null;
      await Promise.allSettled([inFlight, again]);
    },
  };
}
