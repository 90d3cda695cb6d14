// The mesh's two store queries (store/queries/provider-health.ts, provider-replay.ts) on both
// backends: the same events sent to an embedded DuckDB store and to a real ClickHouse server give
// exactly the counts, failure reasons, volumes and settle times folded here from the events —
// payments created outside the window left out, a provider named only on the creation event kept,
// the two halves split at the window's middle — and the same answer on both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBothStores, type BothStores, type StoreSide } from '../support/both-stores.ts';
import type { ProviderHealthRow } from '../../src/store/analytics-store.ts';
import { DIM_METHOD, DIM_PROVIDER, valueOf, lookupKey } from '../../src/ingest/indexes/dimensions.ts';
import { currencyCode, currencyKey } from '../../src/reference/currencies.ts';
import { countryCode, countryKey } from '../../src/reference/countries.ts';
import { createPrng } from '../../src/generator/prng.ts';
import { assertSame } from '../support/same-answer.ts';

const MIN = 60_000;
const FROM = Date.parse('2026-11-02T10:00:00Z');
const TO = FROM + 60 * MIN;
const NOW = TO + 30 * MIN;

let both: BothStores;
const sides: StoreSide[] = [];
const events: Array<Record<string, string>> = [];
/** What each payment is, as made here (the expected answer is folded from these). */
interface Made { provider: string; country: string; currency: string; method: string; created: number; status: 'pending' | 'succeeded' | 'failed'; reason: string | null; amount: bigint; fee: bigint; settledAt: number | null }
const made: Made[] = [];

function makeEvents(): void {
  const prng = createPrng(1403);
  let n = 0;
  const ev = (o: Record<string, string | undefined>) => {
    events.push({ event_id: `h${String(++n).padStart(5, '0')}`, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string> });
  };
  for (let i = 0; i < 400; i++) {
    const txn = `p${i}`;
    const [country, currency] = prng.pick([['SN', 'XOF'], ['CI', 'XOF'], ['CM', 'XAF']] as const);
    const method = prng.pick(['wallet', 'card']);
    const provider = prng.pick(['wave', 'orange_money', 'mtn_momo']);
    // Mostly inside the window, some before it and some after it (left out).
    const created = FROM - 10 * MIN + Math.floor(prng.float() * 80 * MIN);
    const amount = BigInt(100 + Math.floor(prng.float() * 50) * 100);
    const base = { txn_id: txn, merchant_id: prng.pick(['m_a', 'm_b']), currency, country };
    ev({ ...base, type: 'wallet_txn_created', occurred_at: iso(created), status: 'pending', amount: String(amount), payment_method: method, provider });
    const r = prng.float();
    const later = created + Math.floor(prng.float() * 5 * MIN);
    if (r < 0.6) {
      const fee = amount / 50n;
      // The succeeded event names no provider a third of the time: the creation event's counts.
      ev({ ...base, type: prng.float() < 0.2 ? 'invoice.paid' : 'wallet_txn_succeeded', occurred_at: iso(later), amount: String(amount), fee: String(fee),
        provider: prng.float() < 0.33 ? undefined : provider });
      made.push({ provider, country, currency, method, created, status: 'succeeded', reason: null, amount, fee, settledAt: later });
    } else if (r < 0.9) {
      const reason = prng.pick(['timeout', 'insufficient_funds', 'provider_unavailable']);
      ev({ ...base, type: 'wallet_txn_failed', occurred_at: iso(later), amount: String(amount), failure_reason: reason });
      made.push({ provider, country, currency, method, created, status: 'failed', reason, amount, fee: 0n, settledAt: null });
    } else {
      made.push({ provider, country, currency, method, created, status: 'pending', reason: null, amount, fee: 0n, settledAt: null });
    }
  }
  // A payment without a provider: never counted.
  ev({ txn_id: 'np', merchant_id: 'm_a', currency: 'XOF', country: 'SN', type: 'wallet_txn_created', occurred_at: iso(FROM + MIN), status: 'pending', amount: '500', payment_method: 'wallet' });
}

const iso = (ms: number) => new Date(ms).toISOString();

before(async () => {
  makeEvents();
  both = await openBothStores({ name: 'mesh_health', now: NOW, events, chunk: 150 });
  sides.push(...both.sides);
});
after(async () => { await both?.close(); });

/** The answer, with keys decoded, as a map segment → halves; folded here from `made`. */
function expected(): Map<string, ProviderHealthRow['halves']> {
  const mid = Math.floor((FROM + TO) / 2);
  const out = new Map<string, ProviderHealthRow['halves']>();
  for (const m of made) {
    if (m.created < FROM || m.created >= TO) continue;
    const id = `${m.provider}/${m.country}/${m.currency}/${m.method}`;
    if (!out.has(id)) out.set(id, [0, 1].map(() => ({ attempted: 0, succeeded: 0, failed: 0, failureReasons: {}, volumeMinor: 0n, settleMsSum: 0 })) as ProviderHealthRow['halves']);
    const h = out.get(id)![m.created < mid ? 0 : 1];
    h.attempted++;
    h.volumeMinor += m.amount;
    if (m.status === 'succeeded') {
      h.succeeded++;
      h.settleMsSum += m.settledAt! - m.created;
    }
    if (m.status === 'failed') {
      h.failed++;
      h.failureReasons[m.reason!] = (h.failureReasons[m.reason!] ?? 0) + 1;
    }
  }
  return out;
}

function decoded(s: StoreSide, rows: ProviderHealthRow[]): Map<string, ProviderHealthRow['halves']> {
  return new Map(rows.map((r) => [
    `${valueOf(s.engine.dict, DIM_PROVIDER, r.providerKey)}/${countryCode(r.countryKey)}/${currencyCode(r.currencyKey)}/${valueOf(s.engine.dict, DIM_METHOD, r.methodKey)}`,
    r.halves,
  ]));
}

test('the events make the cases the query must handle', () => {
  assert.ok(made.some((m) => m.created < FROM) && made.some((m) => m.created >= TO), 'payments outside the window');
  assert.ok(made.filter((m) => m.status === 'pending').length > 10);
  assert.equal(new Set(made.map((m) => m.reason)).size, 4);
});

test('provider health: exact counts, reasons, volume and settle time per segment and half, on both backends', async () => {
  const want = expected();
  const answers: ProviderHealthRow[][] = [];
  for (const s of sides) {
    const rows = await s.store.providerHealth({ from: FROM, to: TO });
    const got = decoded(s, rows);
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), s.name);
    for (const [id, halves] of want) assert.deepEqual(got.get(id), halves, `${s.name} ${id}`);
    answers.push(rows);
  }
  const total = [...want.values()].reduce((n, h) => n + h[0].attempted + h[1].attempted, 0);
  assert.ok(total > 250 && total < 400, `${total} payments in the window`);
  assertSame(answers[1], answers[0], 'duckdb and clickhouse');
});

test('provider replay: per method, provider and amount band, one currency and its countries, on both backends', async () => {
  const boundaries = [1000n, 3000n];
  const bandOf = (a: bigint) => boundaries.filter((b) => a >= b).length;
  const want = new Map<string, { attempted: number; succeeded: number; failed: number; volumeMinor: bigint; succeededVolumeMinor: bigint; feeMinor: bigint }>();
  for (const m of made) {
    if (m.created < FROM || m.created >= TO || m.currency !== 'XOF' || m.country !== 'SN') continue;
    const id = `${m.method}/${m.provider}/${bandOf(m.amount)}`;
    const w = want.get(id) ?? want.set(id, { attempted: 0, succeeded: 0, failed: 0, volumeMinor: 0n, succeededVolumeMinor: 0n, feeMinor: 0n }).get(id)!;
    w.attempted++;
    w.volumeMinor += m.amount;
    if (m.status === 'succeeded') {
      w.succeeded++;
      w.succeededVolumeMinor += m.amount;
      w.feeMinor += m.fee;
    }
    if (m.status === 'failed') w.failed++;
  }
  const answers: unknown[] = [];
  for (const s of sides) {
    const rows = await s.store.providerReplay({ from: FROM, to: TO, currencyKey: currencyKey('XOF'), countryKeys: [countryKey('SN')], boundaries });
    const got = new Map(rows.map(({ methodKey, providerKey, band, ...rest }) => [
      `${valueOf(s.engine.dict, DIM_METHOD, methodKey)}/${valueOf(s.engine.dict, DIM_PROVIDER, providerKey)}/${band}`, rest]));
    assert.deepEqual(got, want, s.name);
    assert.deepEqual(await s.store.providerReplay({ from: FROM, to: TO, currencyKey: currencyKey('XOF'), countryKeys: [], boundaries }), []);
    answers.push(rows);
    assert.ok(lookupKey(s.engine.dict, DIM_PROVIDER, 'wave'));
  }
  assert.ok(want.size >= 10);
  assertSame(answers[1], answers[0], 'duckdb and clickhouse');
});
