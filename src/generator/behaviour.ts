// How payments behave once started: the mix of lifecycle shapes, how long an outcome takes per
// method, why payments fail, fee and dispute rates per method, success by local hour, and the
// delays of refunds, disputes, payouts and late deliveries (a batch and a live profile).

import type { PaymentMethod } from './geo.ts';
import { CdfSampler, type Prng } from './prng.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Lifecycle shapes, in the order of SHAPE_WEIGHTS. */
export const SHAPES = ['lifecycle', 'single', 'invoice', 'stuck'] as const;
export type Shape = (typeof SHAPES)[number];
/** created(pending) → outcome 84%; one created with its outcome 10%; invoice.paid 4%; never resolved 2%. */
export const SHAPE_WEIGHTS = [0.84, 0.1, 0.04, 0.02] as const;

interface MethodBehaviour {
  /** Median seconds from created to outcome, and log-normal spread. */
  outcomeMedianS: number;
  outcomeSigma: number;
  feeRate: number;
  disputeRate: number;
  failures: readonly (readonly [reason: string, weight: number])[];
}

const FAILURE_SAMPLERS = new Map<PaymentMethod, CdfSampler>();

/** A failure reason for `method`, by its weight. */
export function failureReason(rng: Prng, method: PaymentMethod): string {
  const failures = METHOD_BEHAVIOUR[method].failures;
  let sampler = FAILURE_SAMPLERS.get(method);
  if (sampler === undefined) {
    sampler = new CdfSampler(failures.map((f) => f[1]));
    FAILURE_SAMPLERS.set(method, sampler);
  }
  return failures[sampler.sample(rng)][0];
}

export const METHOD_BEHAVIOUR: Readonly<Record<PaymentMethod, MethodBehaviour>> = {
  wallet: {
    outcomeMedianS: 15, outcomeSigma: 0.7, feeRate: 0.015, disputeRate: 0.0012,
    failures: [['insufficient_funds', 35], ['user_cancelled', 20], ['timeout', 15], ['invalid_pin', 12],
      ['limit_exceeded', 8], ['provider_unavailable', 10]],
  },
  card: {
    outcomeMedianS: 3, outcomeSigma: 0.6, feeRate: 0.029, disputeRate: 0.009,
    failures: [['do_not_honor', 30], ['insufficient_funds', 25], ['authentication_failed', 15],
      ['expired_card', 8], ['suspected_fraud', 10], ['issuer_unavailable', 12]],
  },
  bank_transfer: {
    outcomeMedianS: 60, outcomeSigma: 0.9, feeRate: 0.008, disputeRate: 0.0005,
    failures: [['insufficient_funds', 30], ['invalid_account', 25], ['timeout', 20], ['bank_unavailable', 25]],
  },
  ussd: {
    outcomeMedianS: 30, outcomeSigma: 0.6, feeRate: 0.015, disputeRate: 0.001,
    failures: [['session_timeout', 40], ['invalid_pin', 25], ['insufficient_funds', 35]],
  },
  qr: {
    outcomeMedianS: 8, outcomeSigma: 0.6, feeRate: 0.01, disputeRate: 0.001,
    failures: [['insufficient_funds', 40], ['expired_qr', 25], ['user_cancelled', 20], ['timeout', 15]],
  },
};

/** Timeouts resolve only when the provider gives up: 2–5 minutes. */
export function outcomeDelayMs(rng: Prng, method: PaymentMethod, reason: string | null): number {
  if (reason === 'timeout' || reason === 'session_timeout') return rng.int(120 * SECOND, 300 * SECOND);
  const b = METHOD_BEHAVIOUR[method];
  const s = b.outcomeMedianS * Math.exp(b.outcomeSigma * rng.normal());
  return Math.round(Math.min(15 * MINUTE, Math.max(0.5 * SECOND, s * SECOND)));
}

/** Night-time maintenance windows and risk rules cost a few points; peak congestion a little. */
export function hourSuccessAdjust(localHour: number): number {
  if (localHour < 5) return -0.05;
  if ((localHour >= 11 && localHour <= 13) || (localHour >= 18 && localHour <= 20)) return -0.015;
  return 0;
}

export interface Timing {
  refundMedianMs: number;
  refundSigma: number;
  refundMaxMs: number;
  disputeMedianMs: number;
  disputeSigma: number;
  disputeMaxMs: number;
  settleMedianMs: number;
  /** Payout cadences a merchant chooses from (index = Merchant.payoutCadence). */
  payoutIntervalsMs: readonly number[];
  lateMinMs: number;
  lateMaxMs: number;
}

/** Historical streams: refunds within hours to weeks, disputes days to weeks. */
export const BATCH_TIMING: Timing = {
  refundMedianMs: 20 * HOUR, refundSigma: 1.2, refundMaxMs: 30 * DAY,
  disputeMedianMs: 4 * DAY, disputeSigma: 0.8, disputeMaxMs: 45 * DAY,
  settleMedianMs: 3 * HOUR,
  payoutIntervalsMs: [6 * HOUR, 8 * HOUR, 12 * HOUR, 24 * HOUR],
  lateMinMs: 1 * HOUR, lateMaxMs: 4 * DAY,
};

/** Demo mode compresses the slow parts so they show up while someone watches. */
export const LIVE_TIMING: Timing = {
  refundMedianMs: 10 * MINUTE, refundSigma: 0.8, refundMaxMs: 2 * HOUR,
  disputeMedianMs: 30 * MINUTE, disputeSigma: 0.8, disputeMaxMs: 4 * HOUR,
  settleMedianMs: 5 * MINUTE,
  payoutIntervalsMs: [5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE],
  lateMinMs: 2 * MINUTE, lateMaxMs: 20 * MINUTE,
};

export function logNormalMs(rng: Prng, median: number, sigma: number, max: number): number {
  return Math.round(Math.min(max, median * Math.exp(sigma * rng.normal())));
}

/** Log-uniform between lo and hi: as many "1–2 h late" as "1–2 days late" per doubling. */
export function logUniform(rng: Prng, lo: number, hi: number): number {
  return Math.round(lo * Math.pow(hi / lo, rng.float()));
}

/** Duplicate deliveries: mostly quick retries, some replays hours later. */
export function duplicateDelayMs(rng: Prng): number {
  const r = rng.float();
  if (r < 0.6) return rng.int(0, 2 * SECOND);
  if (r < 0.9) return rng.int(2 * SECOND, 5 * MINUTE);
  return rng.int(5 * MINUTE, 6 * HOUR);
}

export const DISPUTE_REASONS = [
  'fraudulent', 'product_not_received', 'duplicate', 'unrecognized', 'credit_not_processed',
  'product_unacceptable', 'subscription_canceled',
] as const;
