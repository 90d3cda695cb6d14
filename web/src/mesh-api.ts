// The routing screen's side of the mesh API (/api/mesh/*, docs/mesh.md): reads with the bearer
// token, and the governed changes (approve, reject, roll back) each carrying the Idempotency-Key
// of the user's action — the same key when that action is retried after no answer, so a retry
// never applies a proposal twice. The server checks every permission and every rule.

import { ApiError, failure } from './api.ts';

export async function meshGet<T>(token: string, path: string, params: Record<string, string | undefined> = {}): Promise<T> {
  const qs = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  const res = await fetch(`/api/mesh${path}${qs ? `?${qs}` : ''}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export async function meshPost<T>(token: string, path: string, body: unknown, idempotencyKey?: string): Promise<T> {
  const res = await fetch(`/api/mesh${path}`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json',
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A fresh key for one user action (crypto.randomUUID; 128 random bits in hex where the page is not a secure context). */
export function actionKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether an error is a definite answer (the same key would only replay it): then the next
 * attempt is a new action with a new key. No answer (network), a 5xx, or the key still in use
 * (the first request still running) keep the key for the retry.
 */
export const answered = (err: unknown): boolean => err instanceof ApiError && err.status < 500 && err.code !== 'idempotency_key_in_use';

// ---- Shapes (src/http/mesh-schemas.ts) ----

export interface Route { method: string; min_amount: number; max_amount: number | null; providers: string[] }

export interface TableVersion {
  region: string; currency: string; version: number; kind: 'static' | 'proposal' | 'rollback'; routes: Route[];
  proposal_id: string | null; restored_version: number | null; created_at: string; created_by: string;
}
export interface TableHistory { current: TableVersion; versions: TableVersion[]; next_before: number | null }

export interface Region {
  region: string; name: { en: string; fr: string };
  members: { active: number; pending_approval: number; suspended: number };
}

export type ProposalStatus = 'pending_approval' | 'canary' | 'applied' | 'rejected' | 'rolled_back' | 'superseded';

export interface Proposal {
  id: string; region: string; currency: string; base_version: number; routes: Route[];
  rationale: Array<{ method: string; min_amount: number; max_amount: number | null; prediction_ids: string[]; note: string }>;
  confidence: number; status: ProposalStatus; simulation: Record<string, unknown> | null;
  canary_percent: number | null; canary_alert_rule_id: number | null; applied_version: number | null;
  created_at: string; created_by: string; decided_at: string | null; decided_by: string | null;
}

export interface MeshAction { id: string; at: string; actor: string; action: string; target: string; result: Record<string, unknown> }

export interface Page<T> { items: T[]; next_cursor: string | null }

/** Two routes cover the same segment: one method, one band (what a proposal's route replaces). */
export const sameBand = (a: Route, b: Route): boolean => a.method === b.method && a.min_amount === b.min_amount && a.max_amount === b.max_amount;

export async function meshDelete<T>(token: string, path: string): Promise<T> {
  const res = await fetch(`/api/mesh${path}`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** One verified prediction of GET /predictions: a provider's health in one segment. */
export interface Prediction {
  id: string; provider: string; region: string; currency: string; method: string;
  score: number; confidence: number; features: Record<string, number | string | null>;
  window_from: string; window_to: string; generated_at: string; expires_at: string; kid: string;
}
export interface Predictions { items: Prediction[]; refused: Array<{ id: string; code: string; message: string }> }
export interface Generated { window_from: string; window_to: string; items: Prediction[]; too_few_attempts: number }

/** POST /proposals/generate: a proposal made, or none and why. */
export type GeneratedProposal =
  | { proposal: Proposal; policy: { outcome: string; reason: string } }
  | { proposal: null; reason: string; unchanged: Route[] };

export interface KillSwitch { region: string; currency: string; engaged_at: string; engaged_by: string; reason: string; static_version: number | null }
