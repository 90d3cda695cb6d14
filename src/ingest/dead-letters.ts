// The dead-letter store's read side and replay: rejected events wait here with their reason and
// payload until someone fixes the cause (an FX-independent bug, a producer fix, a wider
// retention) and replays them through the normal pipeline.

import { AppError } from '../errors.ts';
import { REJECTION_CODES } from '../events/contract.ts';
import { TRACK_CODE_DOCS } from '../custom-events/tracked-event.ts';
import { TRACK_SOURCE } from '../custom-events/prepare-track-batch.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { Engine } from './engine.ts';
import type { ItemResult } from './prepare-batch.ts';

export interface DeadLetterView {
  id: number;
  received_at: string;
  source: string;
  index: number;
  code: string;
  message: string;
  event_id: string | null;
  payload: string;
  payload_truncated: boolean;
  replayed_at: string | null;
  replay_result: string | null;
}

export interface DeadLetterFilter {
  code?: string;
  afterId?: number;
  limit?: number;
  pending?: boolean;
}

/** Payment events' codes and tracked custom events' (docs/custom-events.md). */
const KNOWN_CODES: ReadonlySet<string> = new Set([...REJECTION_CODES, ...Object.keys(TRACK_CODE_DOCS)]);

function checkCode(code: string | undefined): void {
  if (code !== undefined && !KNOWN_CODES.has(code)) {
    throw new AppError('invalid_parameter', `unknown rejection code ${JSON.stringify(code)}`);
  }
}

export async function listDeadLetters(store: AnalyticsStore, f: DeadLetterFilter): Promise<DeadLetterView[]> {
  checkCode(f.code);
  const limit = Math.min(Math.max(f.limit ?? 100, 1), 1000);
  const rows = await store.deadLetters({ code: f.code, afterId: f.afterId, pending: f.pending, limit });
  return rows.map((r) => ({
    id: r.id,
    received_at: new Date(r.receivedAt).toISOString(),
    source: r.source,
    index: r.batchIndex,
    code: r.code,
    message: r.message,
    event_id: r.eventId,
    payload: r.payload,
    payload_truncated: r.payloadTruncated,
    replayed_at: r.replayedAt === null ? null : new Date(r.replayedAt).toISOString(),
    replay_result: r.replayResult,
  }));
}

/** Replays pending dead letters (by ids, or all matching a code) through the engine. */
export async function replayDeadLetters(
  store: AnalyticsStore, engine: Engine, sel: { ids?: number[]; code?: string; limit?: number },
): Promise<{ replayed: number; results: Array<{ id: number } & ItemResult> }> {
  checkCode(sel.code);
  const ids = sel.ids?.map((id) => Math.trunc(Number(id))).filter((id) => Number.isFinite(id));
  if (ids && ids.length === 0) return { replayed: 0, results: [] };
  const limit = Math.min(Math.max(sel.limit ?? 10_000, 1), 50_000);
  // A tracked custom event's letter is not a payment event: it is fixed and resent to POST /api/v1/track.
  const rows = (await store.deadLetters({ code: sel.code, ids, pending: true, limit })).filter((r) => r.source !== TRACK_SOURCE);
  if (rows.length === 0) return { replayed: 0, results: [] };
  const results = await engine.submit({
    source: 'replay', items: rows.map((r) => r.payload), replayIds: rows.map((r) => r.id),
  });
  return { replayed: rows.length, results: results.map((r, i) => ({ id: rows[i].id, ...r })) };
}
