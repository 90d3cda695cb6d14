// Signed provider-health predictions (docs/mesh.md "Predictions and their signatures"): the health
// of every segment over the last MESH_HEALTH_WINDOW_MINUTES (provider-health.ts), scored
// (health-score.ts) when it has at least MESH_PREDICTION_MIN_ATTEMPTS payments, signed and stored
// (predictions-store.ts, valid MESH_PREDICTION_TTL_SECONDS) and published in the same transaction
// through the outbox (mesh.prediction.generated: to the mesh.predictions topic when Kafka is
// configured, else to the ops-wide webhooks). On demand (POST /api/mesh/predictions/generate) and
// on a schedule: the `mesh-predictions` part, run by the evaluator, on the one replica holding
// its advisory lock at a time.

import type { Logger } from 'pino';
import { enqueue } from '../alerts/outbox.ts';
import type { EventTopics } from '../alerts/topics/event-topics.ts';
import type { DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { isStateUnavailable } from '../state-store/state-unavailable.ts';
import { periodicPart, type Part } from '../start-parts.ts';
import { scoreHealth } from './health-score.ts';
import type { MeshRegion, Prediction } from './model.ts';
import { savePrediction } from './predictions-store.ts';
import { segmentHealth } from './provider-health.ts';
import type { KeyRing } from './signing-keys.ts';

export const PREDICTION_EVENT = 'mesh.prediction.generated';
/** The advisory lock of the scheduled run (the alert scheduler's is 7231002). */
export const MESH_PREDICTIONS_LOCK = 7231014;
const MINUTE_MS = 60_000;

export interface PredictionDeps {
  store: AnalyticsStore;
  state: StateStore;
  dims: DimContext;
  ring: KeyRing;
  now: () => number;
  /** The Kafka topic of each kind of event; null = no Kafka (webhooks only). */
  eventTopics: EventTopics | null;
  windowMinutes: number;
  ttlSeconds: number;
  minAttempts: number;
  /** Each prediction made (the confidence gauge). */
  onPrediction?: (p: Prediction) => void;
}

export interface GenerateFilter {
  region?: MeshRegion;
  currency?: string;
  method?: string;
  provider?: string;
}

export interface GenerateResult {
  windowFrom: number;
  windowTo: number;
  predictions: Prediction[];
  /** Segments of the window with fewer payments than the minimum: not predicted. */
  tooFewAttempts: number;
}

/** One run: every segment matching the filter, over the window ending at the current minute. */
export async function generatePredictions(deps: PredictionDeps, filter: GenerateFilter = {}): Promise<GenerateResult> {
  const now = deps.now();
  const windowTo = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const windowFrom = windowTo - deps.windowMinutes * MINUTE_MS;
  const segments = (await segmentHealth(deps, windowFrom, windowTo)).filter((s) => (!filter.region || s.region === filter.region)
    && (!filter.currency || s.currency === filter.currency) && (!filter.method || s.method === filter.method)
    && (!filter.provider || s.provider === filter.provider));
  const predictions: Prediction[] = [];
  let tooFewAttempts = 0;
  for (const seg of segments) {
    if (seg.halves[0].attempted + seg.halves[1].attempted < deps.minAttempts) {
      tooFewAttempts++;
      continue;
    }
    const { score, confidence, features } = scoreHealth(seg);
    const draft = { provider: seg.provider, region: seg.region, currency: seg.currency, method: seg.method, score, confidence, features, windowFrom, windowTo };
    const p = await deps.state.transaction(async (q) => {
      const saved = await savePrediction(q, deps.ring, draft, now, deps.ttlSeconds * 1000);
      await enqueue(q, {
        kind: 'mesh_prediction', type: PREDICTION_EVENT, dedupeKey: `mesh_prediction:${saved.id}`, merchantId: null, opsOnly: true, at: now,
        payload: predictionJson(saved),
      }, deps.eventTopics);
      return saved;
    });
    predictions.push(p);
    deps.onPrediction?.(p);
  }
  return { windowFrom, windowTo, predictions, tooFewAttempts };
}

/** A prediction as the API and the events show it. */
export function predictionJson(p: Prediction) {
  return {
    id: p.id, provider: p.provider, region: p.region, currency: p.currency, method: p.method, score: p.score, confidence: p.confidence,
    features: p.features, window_from: new Date(p.windowFrom).toISOString(), window_to: new Date(p.windowTo).toISOString(),
    generated_at: new Date(p.generatedAt).toISOString(), expires_at: new Date(p.expiresAt).toISOString(), kid: p.kid, jws: p.jws,
  };
}

export interface MeshPredictions extends Part {
  /** One scheduled run now, if this replica holds the lock: how many predictions it made (null: another replica holds it). */
  runNow(): Promise<number | null>;
}

/** The scheduled run (part `mesh-predictions`): every `everyMs`, and once at start. */
export function createMeshPredictions(deps: PredictionDeps & { everyMs: number; log: Logger }): MeshPredictions {
  let holder = false;
  const lead = async () => {
    if (holder && !(await deps.state.holdsLock(MESH_PREDICTIONS_LOCK))) holder = false;
    if (!holder) holder = await deps.state.tryLock(MESH_PREDICTIONS_LOCK);
    return holder;
  };
  const runNow = async () => {
    if (!(await lead())) return null;
    const r = await generatePredictions(deps);
    if (r.predictions.length) deps.log.info({ predictions: r.predictions.length, tooFewAttempts: r.tooFewAttempts }, 'mesh predictions made');
    return r.predictions.length;
  };
  const part = periodicPart({ what: 'mesh predictions', everyMs: deps.everyMs, atStart: true, log: deps.log }, async () => {
    try {
      await runNow();
    } catch (err) {
      if (!isStateUnavailable(err)) throw err;
      deps.log.warn({ reason: (err as Error).message }, 'mesh predictions skipped: the state store is unavailable');
    }
  });
  return {
    ...part,
    runNow,
    async stop() {
      await part.stop();
      if (holder) await deps.state.unlock(MESH_PREDICTIONS_LOCK).catch(() => undefined);
      holder = false;
    },
  };
}
