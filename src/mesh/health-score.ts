// A provider's health in one segment, scored (docs/mesh.md "Provider health"): pure, from the
// figures the analytics store counted over a window split in two halves. Score 0–100 (100 =
// healthy), confidence 0–1 (how much the score can be trusted: it grows with the number of
// payments that ended, and falls when the two halves disagree).
//
//   n      = succeeded + failed (payments that ended; pending ones say nothing yet)
//   sr     = (succeeded + 1) / (n + 2)                     — success rate, smoothed toward ½
//   tech   = technical failures / n (timeouts, provider, bank or issuer unavailable: the
//            provider's doing; a customer's insufficient funds or wrong PIN is not)
//   trend  = (sr₂ − sr₁) × m / (m + 20), m = min(n₁, n₂)   — second half against the first,
//            each half's rate smoothed as sr, damped when either half is small
//   settle = 1 / (1 + mean settle seconds / 600)            — 1 when instant, ½ at 10 minutes
//   score  = 100 × clamp(sr − 0.5·tech + 0.5·trend, 0, 1) × (0.9 + 0.1·settle)
//   confidence = n / (n + 30) × (1 − min(½, |sr₂ − sr₁|))
//
// A provider traffic left (it failed, routing moved away) keeps only the exploration traffic:
// its next window has few payments, so its confidence is low, and their outcomes alone make its
// score — when they succeed, the score comes back up.

/** Failure reasons that are the provider's doing (the generator's, src/generator/behaviour.ts, and the usual names). */
export const TECHNICAL_FAILURES: ReadonlySet<string> = new Set([
  'timeout', 'session_timeout', 'provider_unavailable', 'bank_unavailable', 'issuer_unavailable', 'provider_error',
  'network_error', 'system_error', 'gateway_timeout',
]);

/** What the score is computed from: one segment over one window. */
export interface HealthFigures {
  halves: ReadonlyArray<{
    attempted: number;
    succeeded: number;
    failed: number;
    failureReasons: Readonly<Record<string, number>>;
    volumeMinor: bigint;
    settleMsSum: number;
  }>;
}

export interface HealthScore {
  score: number;
  confidence: number;
  /** The terms of the formula, signed with the prediction (its `features`). */
  features: Record<string, number | string | null>;
}

const PRIOR_N = 30;
const TREND_DAMPING = 20;
const SETTLE_REF_S = 600;
const TECH_WEIGHT = 0.5;
const TREND_WEIGHT = 0.5;
const SETTLE_WEIGHT = 0.1;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
const smoothed = (ok: number, n: number) => (ok + 1) / (n + 2);
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export function scoreHealth(f: HealthFigures): HealthScore {
  const sum = (pick: (h: HealthFigures['halves'][number]) => number) => f.halves.reduce((t, h) => t + pick(h), 0);
  const succeeded = sum((h) => h.succeeded);
  const failed = sum((h) => h.failed);
  const n = succeeded + failed;
  let technical = 0;
  for (const h of f.halves) for (const [reason, count] of Object.entries(h.failureReasons)) if (TECHNICAL_FAILURES.has(reason)) technical += count;
  const sr = smoothed(succeeded, n);
  const tech = n === 0 ? 0 : technical / n;
  const [h1, h2] = f.halves;
  const n1 = h1 ? h1.succeeded + h1.failed : 0;
  const n2 = h2 ? h2.succeeded + h2.failed : 0;
  const swing = h1 && h2 ? smoothed(h2.succeeded, n2) - smoothed(h1.succeeded, n1) : 0;
  const m = Math.min(n1, n2);
  const trend = swing * (m / (m + TREND_DAMPING));
  const settleS = succeeded === 0 ? null : sum((h) => h.settleMsSum) / succeeded / 1000;
  const settle = settleS === null ? 1 : 1 / (1 + settleS / SETTLE_REF_S);
  const score = 100 * clamp01(sr - TECH_WEIGHT * tech + TREND_WEIGHT * trend) * (1 - SETTLE_WEIGHT + SETTLE_WEIGHT * settle);
  const confidence = (n / (n + PRIOR_N)) * (1 - Math.min(0.5, Math.abs(swing)));
  return {
    score: round(score, 1),
    confidence: round(confidence, 3),
    features: {
      attempts: sum((h) => h.attempted), ended: n, succeeded, failed, technical_failures: technical,
      success_rate: round(sr, 4), technical_share: round(tech, 4), trend: round(trend, 4), swing: round(swing, 4),
      settle_mean_s: settleS === null ? null : round(settleS, 1),
      // Text: a volume in minor units can pass 2^53.
      volume_minor: String(f.halves.reduce((t, h) => t + h.volumeMinor, 0n)),
    },
  };
}
