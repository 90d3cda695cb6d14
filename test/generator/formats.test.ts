// The generator's output forms: CSV rows (RFC 4180), the sample FX rates and their CSV, and the
// `generate` command writing NDJSON or CSV to a stream or a file.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { CSV_COLUMNS, CSV_HEADER, eventToCsvRow } from '../../src/generator/csv.ts';
import { FX_SAMPLE_CURRENCIES, rateText, sampleFxRates, toFxCsv } from '../../src/generator/fx-sample.ts';
import { runGenerate } from '../../src/cli/generate-command.ts';

test('CSV rows follow the contract columns, quote what needs quoting and round-trip', () => {
  assert.equal(CSV_HEADER.split(',').length, 20);
  const event = {
    event_id: 'evt_1', type: 'dispute_created', occurred_at: '2025-05-01T09:30:00+01:00', dispute_id: 'dp_1',
    txn_id: 'txn_1', merchant_id: 'mer_1', amount: 1500.5, currency: 'NGN', country: 'NG',
    reason: 'said "no", twice\nthen left', metadata: { channel: 'web', note: 'a,b' },
  };
  const row = eventToCsvRow(event);
  const [parsed] = parse(`${CSV_HEADER}\n${row}\n`, { columns: true }) as Record<string, string>[];
  assert.deepEqual(Object.keys(parsed), [...CSV_COLUMNS]);
  assert.equal(parsed.reason, event.reason);
  assert.equal(parsed.amount, '1500.5');
  assert.deepEqual(JSON.parse(parsed.metadata), event.metadata);
  assert.equal(parsed.fee, '');
  assert.equal(parsed.refund_id, '');
});

test('FX sample: every day × currency, USD is 1, realistic levels, valid decimals, deterministic', () => {
  const rows = sampleFxRates({ seed: 'fx', from: '2025-01-01', to: '2025-03-31' });
  assert.equal(rows.length, 90 * FX_SAMPLE_CURRENCIES.length);
  assert.ok(!FX_SAMPLE_CURRENCIES.includes('XOF') && !FX_SAMPLE_CURRENCIES.includes('XAF'));
  assert.ok(FX_SAMPLE_CURRENCIES.includes('USD') && FX_SAMPLE_CURRENCIES.includes('EUR'));
  for (const r of rows) {
    assert.match(r.usd_per_unit, /^(?:0|[1-9]\d{0,11})(?:\.\d{1,18})?$/);
    assert.ok(r.usd_per_unit.replace(/^0\.0*|\./g, '').length <= 12, r.usd_per_unit);
  }
  assert.ok(rows.filter((r) => r.currency === 'USD').every((r) => r.usd_per_unit === '1'));
  const ngn = rows.filter((r) => r.currency === 'NGN').map((r) => 1 / Number(r.usd_per_unit));
  assert.ok(ngn.every((v) => v > 1300 && v < 1800), 'NGN per USD stays near 1550');
  const eur = rows.filter((r) => r.currency === 'EUR').map((r) => Number(r.usd_per_unit));
  assert.ok(eur.every((v) => v > 0.95 && v < 1.2));
  // Weekends repeat Friday's rate.
  const eurOn = (d: string) => rows.find((r) => r.currency === 'EUR' && r.date === d)?.usd_per_unit;
  assert.equal(eurOn('2025-01-04'), eurOn('2025-01-03'));
  assert.deepEqual(sampleFxRates({ seed: 'fx', from: '2025-01-01', to: '2025-03-31' }), rows);
  const csv = toFxCsv(rows.slice(0, 2)).split('\n');
  assert.equal(csv[0], 'date,currency,usd_per_unit');
  assert.equal(csv[1], `${rows[0].date},${rows[0].currency},${rows[0].usd_per_unit}`);
  assert.throws(() => sampleFxRates({ seed: 1, from: '2025-02-30', to: '2025-03-01' }), RangeError);
  assert.equal(rateText(1 / 1550), '0.000645161290323');
  assert.equal(rateText(1.08), '1.08');
});

test('the shipped FX sample covers 2025–2026 and matches the generator', () => {
  const text = readFileSync(new URL('../../reference/fx-rates.sample.csv', import.meta.url), 'utf8');
  const expected = toFxCsv(sampleFxRates({ seed: 'molam-fx-v1', from: '2025-01-01', to: '2026-12-31' }));
  assert.equal(text, expected);
});

async function collect(args: string[]): Promise<string> {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  await runGenerate(args, out, Date.UTC(2025, 5, 1, 12, 34));
  return chunks.join('');
}

test('generate writes NDJSON by default over [end - days, end)', async () => {
  const text = await collect(['--count', '2000', '--seed', '5', '--days', '2']);
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2000);
  const end = Date.UTC(2025, 5, 1, 12); // now rounded down to the hour
  for (const line of lines) {
    const t = Date.parse(JSON.parse(line).occurred_at);
    assert.ok(t >= end - 2 * 86_400_000 && t < end);
  }
  assert.equal(await collect(['--count', '2000', '--seed', '5', '--days', '2']), text);
});

test('generate writes CSV, and to a file with --out', async () => {
  const text = await collect(['--count', '500', '--format', 'csv', '--end', '2025-03-01T00:00:00Z']);
  const rows = parse(text, { columns: true }) as Record<string, string>[];
  assert.equal(rows.length, 500);
  assert.ok(rows.every((r) => r.event_id.startsWith('evt_') && Date.parse(r.occurred_at) < Date.UTC(2025, 2, 1)));
  const dir = mkdtempSync(join(tmpdir(), 'molam-gen-'));
  try {
    const file = join(dir, 'events.ndjson');
    const summary = await runGenerate(['--count', '70000', '--out', file], new PassThrough());
    assert.equal(summary.events, 70_000);
    assert.equal(readFileSync(file, 'utf8').trimEnd().split('\n').length, 70_000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('generate rejects bad arguments with the usage', async () => {
  await assert.rejects(collect(['--format', 'xml']), /usage: generate/);
  await assert.rejects(collect(['--count', '-1']), /--count/);
  await assert.rejects(collect(['--bogus']), /usage: generate/);
  await assert.rejects(collect(['--end', 'yesterday']), /--end/);
});
