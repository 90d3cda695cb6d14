// The parse worker and in-thread parsing give identical columns, rejections included.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createParsePool } from '../../src/ingest/parse-pool.ts';
import { parseToColumns, concatParsed } from '../../src/ingest/parsed-batch.ts';
import { generateEvents } from '../../src/generator/generate.ts';
import { createLogger } from '../../src/log.ts';

const END = Date.parse('2026-11-20T00:00:00Z');
const CTX = { now: END, maxFutureMs: 300_000, minOccurredAt: END - 90 * 86_400_000 };

function lines(): string[] {
  const out = [...generateEvents({ seed: 3, count: 3000, start: END - 3 * 86_400_000, end: END })].map((e) => JSON.stringify(e));
  out.splice(10, 0, '{"broken', '[]', JSON.stringify({ event_id: 'x', type: 'nope', occurred_at: '2026-11-19T00:00:00Z' }));
  return out;
}

test('a parse worker returns exactly what in-thread parsing returns', async () => {
  const pool = createParsePool(1, createLogger('silent'));
  try {
    const items = lines();
    const viaWorker = await pool.parse(items, CTX);
    const inThread = parseToColumns(items, CTX);
    assert.deepEqual(viaWorker, inThread);
    assert.equal(viaWorker.rejections.length, 3);
    assert.deepEqual(viaWorker.rejections.map((r) => r.code), ['invalid_json', 'invalid_event', 'unknown_type']);
    assert.equal(pool.workersAlive(), 1, 'the worker served the batch (no fallback)');
  } finally {
    await pool.close();
  }
});

test('concatenated parses equal one parse of the concatenated inputs', () => {
  const items = lines();
  const whole = parseToColumns(items, CTX);
  const parts = concatParsed([parseToColumns(items.slice(0, 7), CTX), parseToColumns(items.slice(7, 1000), CTX), parseToColumns(items.slice(1000), CTX)]);
  assert.deepEqual(parts, whole);
});
