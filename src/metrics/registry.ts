// The metric registry: every API, alert and screen discovers metrics here. Adding a metric is
// one file in definitions/ and one line below.

import type { MetricDef } from './define-metric.ts';
import { txCount } from './definitions/tx-count.ts';
import { succeededCount } from './definitions/succeeded-count.ts';
import { failedCount } from './definitions/failed-count.ts';
import { pendingCount } from './definitions/pending-count.ts';
import { successRate } from './definitions/success-rate.ts';
import { grossVolumeUsd } from './definitions/gross-volume-usd.ts';
import { avgTicketUsd } from './definitions/avg-ticket-usd.ts';
import { feesUsd } from './definitions/fees-usd.ts';
import { refundCount } from './definitions/refund-count.ts';
import { refundVolumeUsd } from './definitions/refund-volume-usd.ts';
import { refundRate } from './definitions/refund-rate.ts';
import { disputeCount } from './definitions/dispute-count.ts';
import { disputeVolumeUsd } from './definitions/dispute-volume-usd.ts';
import { chargebackRate } from './definitions/chargeback-rate.ts';
import { payoutCount } from './definitions/payout-count.ts';
import { payoutVolumeUsd } from './definitions/payout-volume-usd.ts';
import { payoutSettledCount } from './definitions/payout-settled-count.ts';
import { netVolumeUsd } from './definitions/net-volume-usd.ts';

export const METRICS: readonly MetricDef[] = [
  txCount,
  succeededCount,
  failedCount,
  pendingCount,
  successRate,
  grossVolumeUsd,
  avgTicketUsd,
  feesUsd,
  refundCount,
  refundVolumeUsd,
  refundRate,
  disputeCount,
  disputeVolumeUsd,
  chargebackRate,
  payoutCount,
  payoutVolumeUsd,
  payoutSettledCount,
  netVolumeUsd,
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

export function getMetric(name: string): MetricDef | undefined {
  return BY_NAME.get(name);
}
