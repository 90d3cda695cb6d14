// The metric registry: what it derives from the definitions (kinds, a ratio's parts, volumes,
// local sums, empty values) holds for every metric; and the SQL rendering of the base measures
// and metrics, run by a real DuckDB over rollup rows, gives what the in-memory evaluation (the
// live window's) gives over the same rows.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { BASE_MEASURES, getBaseMeasure, measureUnit, type BaseMeasure } from '../../src/metrics/base-measures.ts';
import { evaluateMetric, type Term } from '../../src/metrics/define-metric.ts';
import { getMetric, KPI_METRICS, METRICS, type Metric, type MetricPart } from '../../src/metrics/registry.ts';
import { LIVE_METRICS } from '../../src/live/live-window.ts';
import { localSql, measureSql, metricSql } from '../../src/query/build-sql.ts';

const measuresOf = (terms: readonly Term[]) => terms.map((t) => getBaseMeasure(t.measure)!);

describe('registry facts', () => {
  test('every measure a metric names exists, and its unit fits the measures', () => {
    for (const m of METRICS) {
      const units = new Set(measuresOf(m.num).map(measureUnit));
      if (m.unit === 'count') assert.deepEqual([...units], ['count'], m.name);
      if (m.unit === 'usd') assert.deepEqual([...units], ['usd'], m.name);
      if (m.unit === 'ratio') assert.ok(m.den, `${m.name}: a ratio has a denominator`);
      if (m.den) assert.equal(m.empty, null, m.name);
      else assert.equal(m.empty, 0, m.name);
    }
  });

  test('every ratio is made of additive metrics that exist, and rebuilding it from them gives the ratio', () => {
    const ratios = METRICS.filter((m) => m.kind === 'ratio');
    assert.deepEqual(ratios.map((m) => m.name).sort(), ['chargeback_rate', 'refund_rate', 'success_rate']);
    for (const m of ratios) {
      for (const p of [...m.parts!.num, ...m.parts!.den]) {
        assert.equal(getMetric(p.metric)?.kind, 'additive', `${m.name}: part ${p.metric}`);
      }
    }
    // The alerts sum each part over buckets, then divide: that must be the metric over the whole.
    fc.assert(fc.property(fc.array(fc.dictionary(fc.constantFrom(...BASE_MEASURES.map((b) => b.name)), fc.integer({ min: 0, max: 1000 })), { minLength: 1, maxLength: 5 }), (buckets) => {
      const total = (name: string) => buckets.reduce((s, b) => s + (b[name] ?? 0), 0);
      for (const m of ratios) {
        const sumParts = (parts: MetricPart[]) => parts.reduce((s, p) => s + p.sign * buckets.reduce(
          (t, b) => t + evaluateMetric(getMetric(p.metric)!, (n) => b[n] ?? 0)!, 0), 0);
        const den = sumParts(m.parts!.den);
        assert.equal(den === 0 ? null : sumParts(m.parts!.num) / den, evaluateMetric(m, total), m.name);
      }
    }));
  });

  test('a metric is opaque when its denominator names no metric (avg_ticket_usd)', () => {
    assert.deepEqual(METRICS.filter((m) => m.kind === 'opaque').map((m) => m.name), ['avg_ticket_usd']);
    assert.equal(getMetric('avg_ticket_usd')!.parts, null);
  });

  test('every volume is an additive count metric; a count is its own volume', () => {
    for (const m of METRICS) {
      const v = getMetric(m.volume);
      assert.ok(v && v.kind === 'additive' && v.unit === 'count', `${m.name}: volume ${m.volume}`);
      if (m.kind === 'additive' && m.unit === 'count') assert.equal(m.volume, m.name);
    }
    assert.equal(getMetric('refund_volume_usd')!.volume, 'refund_count');
    assert.equal(getMetric('gross_volume_usd')!.volume, 'tx_count');
  });

  test('every additive USD metric has an exact local sum over the same rows in minor units, and nothing else has', () => {
    const withLocal = METRICS.filter((m) => m.local).map((m) => m.name).sort();
    assert.deepEqual(withLocal, METRICS.filter((m) => m.kind === 'additive' && m.unit === 'usd').map((m) => m.name).sort());
    for (const m of METRICS.filter((x) => x.local)) {
      assert.equal(m.local!.length, m.num.length);
      m.local!.forEach((t, i) => {
        const usd = getBaseMeasure(m.num[i].measure)!;
        const minor = getBaseMeasure(t.measure)!;
        assert.deepEqual([minor.fx, minor.value, minor.kinds, t.sign], ['none', usd.value, usd.kinds, m.num[i].sign ?? 1], m.name);
      });
    }
  });

  test('KPIs and live figures are metrics; every metric has a label in each language', () => {
    for (const k of [...KPI_METRICS, ...LIVE_METRICS]) assert.ok(getMetric(k), k);
    for (const m of METRICS) assert.ok(m.label.en && m.label.fr, m.name);
    assert.equal(new Set(METRICS.map((m) => m.label.en)).size, METRICS.length, 'labels tell metrics apart');
  });
});

test('docs/metrics.md lists every metric with its unit, and every base measure', () => {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const section = (title: string) => doc.slice(doc.indexOf(`## ${title}`), doc.indexOf('\n## ', doc.indexOf(`## ${title}`) + 3));
  const rows = [...section('Metrics').matchAll(/^\| `([a-z_]+)` \| (count|USD|ratio) \|/gm)].map((r) => [r[1], r[2].toLowerCase()]);
  assert.deepEqual(rows, METRICS.map((m) => [m.name, m.unit]));
  const measures = section('Base measures');
  for (const b of BASE_MEASURES) {
    assert.ok(measures.includes(`\`${b.name}\``) || (b.fx === 'usd' && measures.includes('`*_usd`')), `${b.name} in docs/metrics.md`);
  }
});

describe('rendering', () => {
  interface RollupRow { g: number; kind: number; cnt: number; amount: number; fee: number; rate: number | null }

  /** A base measure over rows, as its definition says (the reference the SQL must match). */
  function measure(b: BaseMeasure, rows: RollupRow[]): number {
    let s = 0;
    for (const r of rows) {
      if (!b.kinds.includes(r.kind) || (b.fx !== 'none' && r.rate === null)) continue;
      const v = b.value === 'cnt' ? r.cnt : b.value === 'amount_minor' ? r.amount : r.fee;
      s += b.fx === 'usd' ? v * r.rate! : v;
    }
    return s;
  }

  test('a real DuckDB computes every measure and metric as the in-memory evaluation does', async () => {
    // Groups: random rows (signed deltas, some without a rate); refunds only (every ratio's
    // denominator is 0); no rate at all (USD sums 0, avg_ticket_usd null).
    const rows: RollupRow[] = [];
    let seed = 7;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let i = 0; i < 400; i++) {
      rows.push({ g: 0, kind: 1 + rnd(7), cnt: rnd(5) - 1, amount: rnd(100_000), fee: rnd(900), rate: rnd(4) === 0 ? null : [0.0016, 0.00062, 0.01][rnd(3)] });
    }
    rows.push({ g: 1, kind: 4, cnt: 2, amount: 5000, fee: 0, rate: 0.01 });
    rows.push({ g: 2, kind: 2, cnt: 3, amount: 7000, fee: 70, rate: null }, { g: 2, kind: 3, cnt: 1, amount: 100, fee: 0, rate: null });

    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    try {
      await conn.run(`CREATE TABLE r (g INTEGER, kind UTINYINT, cnt INTEGER, amount_minor BIGINT, fee_minor BIGINT, rate DOUBLE)`);
      await conn.run(`INSERT INTO r VALUES ${rows.map((x) => `(${x.g}, ${x.kind}, ${x.cnt}, ${x.amount}, ${x.fee}, ${x.rate ?? 'NULL'})`).join(', ')}`);
      const metricCols = METRICS.flatMap((m: Metric) => [`${metricSql(m)} AS m_${m.name}`, ...(m.local ? [`${localSql(m)} AS l_${m.name}`] : [])]);
      const reader = await conn.runAndReadAll(
        `SELECT g, ${metricCols.join(', ')} FROM (SELECT g, ${BASE_MEASURES.map((b) => `${measureSql(b)} AS ${b.name}`).join(', ')} FROM r GROUP BY g) ORDER BY g`);
      const got = reader.getRowObjectsJS();
      assert.equal(got.length, 3);
      for (const row of got) {
        const mine = rows.filter((x) => x.g === row.g);
        const value = (name: string) => measure(getBaseMeasure(name)!, mine);
        for (const m of METRICS) {
          const want = evaluateMetric(m, value);
          const sql = row[`m_${m.name}`] === null ? null : Number(row[`m_${m.name}`]);
          if (want === null || sql === null) assert.equal(sql, want, `group ${row.g} ${m.name}`);
          // USD sums add floating products in another order: equal to the last few bits.
          else assert.ok(Math.abs(sql - want) <= 1e-9 * Math.max(1, Math.abs(want)), `group ${row.g} ${m.name}: ${sql} vs ${want}`);
          if (m.local) assert.equal(BigInt(row[`l_${m.name}`] as bigint), BigInt(evaluateMetric({ num: m.local }, value)!), `${m.name} local`);
        }
      }
      assert.equal(got[1].m_success_rate, null, 'a zero denominator gives null');
      assert.equal(got[2].m_avg_ticket_usd, null, 'no converted transaction: no average');
      assert.equal(Number(got[2].m_gross_volume_usd), 0);
    } finally {
      conn.closeSync();
    }
  });
});
