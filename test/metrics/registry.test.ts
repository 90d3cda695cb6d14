// The metric registry: what it derives from the definitions (kinds, a ratio's parts, volumes,
// local sums, empty values) holds for every metric. (That each store backend computes the
// measures and metrics as the in-memory evaluation does: test/store/rollup-aggregate.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { BASE_MEASURES, getBaseMeasure, measureUnit } from '../../src/metrics/base-measures.ts';
import { evaluateMetric, type Term } from '../../src/metrics/define-metric.ts';
import { getMetric, KPI_METRICS, METRICS, type MetricPart } from '../../src/metrics/registry.ts';
import { LIVE_METRICS } from '../../src/live/live-window.ts';

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

  test('every USD metric has an exact local sum over the same rows in minor units, and nothing else has', () => {
    const withLocal = METRICS.filter((m) => m.local).map((m) => m.name).sort();
    assert.deepEqual(withLocal, METRICS.filter((m) => m.unit === 'usd').map((m) => m.name).sort());
    // A sum has no local denominator; the average ticket's is every succeeded transaction (its USD
    // form's are those with a rate).
    assert.deepEqual(METRICS.filter((m) => m.localDen).map((m) => m.name), ['avg_ticket_usd']);
    assert.deepEqual(getMetric('avg_ticket_usd')!.localDen, [{ measure: 'succeeded_count', sign: 1 }]);
    for (const m of METRICS.filter((x) => x.localDen)) {
      m.localDen!.forEach((t, i) => {
        const rated = getBaseMeasure(m.den![i].measure)!;
        const all = getBaseMeasure(t.measure)!;
        assert.deepEqual([all.fx, all.value, all.kinds], ['none', rated.value, rated.kinds], m.name);
      });
    }
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

