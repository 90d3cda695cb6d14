// The sketches' rows merged by a real SQL engine (PGlite, PostgreSQL's dialect) with nothing but
// `GROUP BY bin → sum(count)` and `GROUP BY register → max(rank)`: the answers equal the sketch of
// the union, and stay within their bounds of the exact ones. The analytics store's own queries
// (DuckDB, ClickHouse) come with the rollup tables; this pins that the row form needs no more.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrng } from '../../src/generator/prng.ts';
import { DistinctSketch, estimateDistinct, HLL_STANDARD_ERROR } from '../../src/sketch/distinct-sketch.ts';
import { QuantileSketch, quantilesFromBins, RELATIVE_ACCURACY } from '../../src/sketch/quantile-sketch.ts';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';

let dir: string;
let db: StateStore;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'molam-sketch-sql-'));
  db = await openStateStore({ databaseUrl: '', dataDir: dir });
});
after(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

test('300 buckets of P&L sketches and trader sketches, merged by GROUP BY in SQL', async () => {
  const rng = createPrng('sql-merge');
  const buckets = 300;
  const values: number[] = [];
  const users = new Set<string>();
  const q = Array.from({ length: buckets }, () => new QuantileSketch());
  const d = Array.from({ length: buckets }, () => new DistinctSketch());
  const whole = new QuantileSketch();
  const wholeUsers = new DistinctSketch();
  for (let i = 0; i < 60_000; i++) {
    const b = rng.int(0, buckets - 1);
    // Signed and heavy-tailed: P&L in minor units.
    const v = rng.chance(0.1) ? 0 : (rng.chance(0.4) ? -1 : 1) * Math.round(100 / Math.pow(1 - rng.float(), 1 / 1.3));
    const user = `trader-${rng.int(0, 19_999)}`;
    values.push(v);
    users.add(user);
    q[b].add(v);
    d[b].add(user);
    whole.add(v);
    wholeUsers.add(user);
  }
  await db.query('CREATE TEMP TABLE t_bins (bucket integer, bin integer, count bigint)');
  await db.query('CREATE TEMP TABLE t_registers (bucket integer, register integer, rank smallint)');
  const bins = q.flatMap((s, bucket) => s.rows().map((r) => [bucket, r.bin, r.count]));
  const regs = d.flatMap((s, bucket) => s.rows().map((r) => [bucket, r.register, r.rank]));
  await db.query('INSERT INTO t_bins SELECT * FROM unnest($1::integer[], $2::integer[], $3::bigint[])', [bins.map((r) => r[0]), bins.map((r) => r[1]), bins.map((r) => r[2])]);
  await db.query('INSERT INTO t_registers SELECT * FROM unnest($1::integer[], $2::integer[], $3::smallint[])', [regs.map((r) => r[0]), regs.map((r) => r[1]), regs.map((r) => r[2])]);

  // TRICKY: PostgreSQL's sum(bigint) is numeric (a string from the drivers): cast it back.
  const merged = await db.query<{ bin: number; count: number }>('SELECT bin, sum(count)::bigint AS count FROM t_bins GROUP BY bin');
  const mergedRegs = await db.query<{ register: number; rank: number }>('SELECT register, max(rank)::integer AS rank FROM t_registers GROUP BY register');

  assert.deepEqual([...merged].sort((a, b) => a.bin - b.bin).map((r) => ({ bin: r.bin, count: Number(r.count) })), whole.rows());
  const qs = [0.5, 0.95, 0.99];
  const got = quantilesFromBins(merged, qs);
  const sorted = Float64Array.from(values).sort();
  qs.forEach((p, i) => {
    const exact = sorted[Math.floor(p * (sorted.length - 1))];
    assert.ok(Math.abs(got[i]! - exact) <= RELATIVE_ACCURACY * (1 + 1e-9) * Math.abs(exact), `p${p * 100}: ${got[i]} vs ${exact}`);
  });

  assert.equal(estimateDistinct(mergedRegs), wholeUsers.estimate());
  const est = estimateDistinct(mergedRegs);
  assert.ok(Math.abs(est - users.size) <= 3 * HLL_STANDARD_ERROR * users.size, `${est} vs ${users.size}`);
});
