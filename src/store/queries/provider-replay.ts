// The traffic of one routing table (a currency, the countries of a region) over a window, for
// the simulation of a proposal (src/mesh/simulate-proposal.ts, docs/mesh.md "Simulation"): the
// payments created in [from, to), folded as provider-health.ts folds them, counted per method ×
// provider × amount band. Bands are given as ascending boundaries b1 < b2 < …: band i holds the
// amounts with exactly i boundaries ≤ amount (band 0: below b1). Succeeded volume and fees are
// summed over succeeded payments only (what a provider charges is a share of what it captured).

import type { StoreBackend, BackendKind, Row } from '../backend.ts';
import { STATUS_CODE } from '../../events/rollup-kinds.ts';
import { sqlInt } from '../sql-literal.ts';
import { FOLD_DIALECT, foldedPaymentsSql } from './provider-health.ts';

export interface ProviderReplayQuery {
  from: number;
  to: number;
  currencyKey: number;
  /** The countries of the table's region; empty = none (the answer is empty). */
  countryKeys: number[];
  /** Ascending amount boundaries (minor units) splitting the traffic into bands. */
  boundaries: bigint[];
}

export interface ProviderReplayRow {
  methodKey: number;
  providerKey: number;
  band: number;
  attempted: number;
  succeeded: number;
  failed: number;
  volumeMinor: bigint;
  succeededVolumeMinor: bigint;
  feeMinor: bigint;
}

function replaySql(kind: BackendKind, q: ProviderReplayQuery): string {
  const d = FOLD_DIALECT[kind];
  const ok = `p_status = ${STATUS_CODE.succeeded}`;
  const band = q.boundaries.length === 0 ? '0'
    : q.boundaries.map((b) => `(CASE WHEN p_amount >= ${sqlInt(b)} THEN 1 ELSE 0 END)`).join(' + ');
  const currency = `currency_key = ${sqlInt(q.currencyKey)}`;
  return `SELECT p_method AS r_method, p_provider AS r_provider, ${band} AS r_band,
      ${d.count} AS r_attempted, ${d.countIf(ok)} AS r_succeeded, ${d.countIf(`p_status = ${STATUS_CODE.failed}`)} AS r_failed,
      ${d.sum('p_amount')} AS r_volume, ${d.sumIf('p_amount', ok)} AS r_ok_volume, ${d.sumIf('p_fee', ok)} AS r_fee
    FROM (${foldedPaymentsSql(kind, q.from, q.to, currency)})${kind === 'duckdb' ? ' AS r' : ''}
    WHERE p_currency = ${sqlInt(q.currencyKey)} AND p_country IN (${q.countryKeys.map(sqlInt).join(', ')})
    GROUP BY r_method, r_provider, r_band`;
}

const big = (v: unknown) => BigInt(String(v ?? 0));

export async function providerReplay(b: StoreBackend, q: ProviderReplayQuery): Promise<ProviderReplayRow[]> {
  if (q.countryKeys.length === 0) return [];
  const rows = (await b.select(replaySql(b.kind, q)) as Row[]).map((r) => ({
    methodKey: Number(r.r_method), providerKey: Number(r.r_provider), band: Number(r.r_band),
    attempted: Number(r.r_attempted), succeeded: Number(r.r_succeeded), failed: Number(r.r_failed),
    volumeMinor: big(r.r_volume), succeededVolumeMinor: big(r.r_ok_volume), feeMinor: big(r.r_fee),
  }));
  return rows.sort((a, b) => a.methodKey - b.methodKey || a.providerKey - b.providerKey || a.band - b.band);
}
