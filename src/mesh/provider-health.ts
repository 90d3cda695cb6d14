// Provider health per mesh segment (provider, region, currency, method) over a window: the
// analytics store's counts per country (store/queries/provider-health.ts), their keys translated
// through the dictionary and the reference tables, the countries folded into their mesh region
// (meshRegionOf of the country's economic region, reference/regions.csv).

import { DIM_METHOD, DIM_PROVIDER, valueOf } from '../ingest/indexes/dimensions.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode } from '../reference/currencies.ts';
import type { DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore, HealthHalf } from '../store/analytics-store.ts';
import { meshRegionOf, type HealthSegment } from './model.ts';

export interface SegmentHealth extends HealthSegment {
  halves: [HealthHalf, HealthHalf];
}

const emptyHalf = (): HealthHalf => ({ attempted: 0, succeeded: 0, failed: 0, failureReasons: {}, volumeMinor: 0n, settleMsSum: 0 });

function addHalf(to: HealthHalf, h: HealthHalf): void {
  to.attempted += h.attempted;
  to.succeeded += h.succeeded;
  to.failed += h.failed;
  to.volumeMinor += h.volumeMinor;
  to.settleMsSum += h.settleMsSum;
  for (const [reason, n] of Object.entries(h.failureReasons)) to.failureReasons[reason] = (to.failureReasons[reason] ?? 0) + n;
}

/** Every segment with payments created in [from, to), ordered by region, currency, method, provider. */
export async function segmentHealth(deps: { store: AnalyticsStore; dims: DimContext }, from: number, to: number): Promise<SegmentHealth[]> {
  const out = new Map<string, SegmentHealth>();
  for (const row of await deps.store.providerHealth({ from, to })) {
    const provider = valueOf(deps.dims.dict, DIM_PROVIDER, row.providerKey);
    const method = valueOf(deps.dims.dict, DIM_METHOD, row.methodKey);
    if (provider === null || method === null) continue;
    const region = meshRegionOf(deps.dims.regions.get(countryCode(row.countryKey)));
    const currency = currencyCode(row.currencyKey);
    const id = `${region}/${currency}/${method}/${provider}`;
    let seg = out.get(id);
    if (!seg) out.set(id, seg = { provider, region, currency, method, halves: [emptyHalf(), emptyHalf()] });
    addHalf(seg.halves[0], row.halves[0]);
    addHalf(seg.halves[1], row.halves[1]);
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}
