// Property: whatever text the string fields hold (all of Unicode, lone surrogates, NUL, BOM,
// combining marks), ingest → SIGKILL → restart (the state rebuilt from the store, no snapshot) →
// resend everything leaves every total unchanged: what was accepted is a duplicate, never accepted
// again nor a conflict; what was refused is refused again with the same code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { startServer } from '../support/server-process.ts';
import { openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const ingestToken = mintToken({ roles: ['events:write'] });

/** One UTF-16 code unit of any value (lone surrogates included), or a whole code point, or a troublemaker. */
const piece = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)),
  fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff).map((c) => String.fromCodePoint(c)),
  fc.constantFrom('\0', '\ufeff', '\u0301', 'e\u0301', '\ud800', '\udfff', '\ud83d\ude00', ' ', '\r\n', '"', '\\'),
);
const text = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
/** Mostly plain, sometimes strange: so a fair share of events is accepted. */
const field = fc.oneof({ weight: 2, arbitrary: fc.constantFrom('a', 'Dakar', 'Lomé', 'x_1') }, { weight: 3, arbitrary: text });

type Result = { status: string; code?: string };

async function send(url: string, events: object[]): Promise<Result[]> {
  const out: Result[] = [];
  for (let i = 0; i < events.length; i += 100) {
    const chunk = events.slice(i, i + 100);
    const res = await fetch(new URL('/api/v1/events', url), {
      method: 'POST', headers: { 'content-type': 'application/json', ...bearer(await ingestToken) }, body: JSON.stringify(chunk),
    });
    assert.ok(res.status === 200 || res.status === 422, `status ${res.status}`);
    const body = (await res.json()) as { results: Array<{ index: number } & Result> };
    const results: Result[] = chunk.map(() => ({ status: 'accepted' }));
    for (const r of body.results) results[r.index] = r.code === undefined ? { status: r.status } : { status: r.status, code: r.code };
    out.push(...results);
  }
  return out;
}

test('property: any text through ingest → SIGKILL → restart → resend leaves totals unchanged', { timeout: 240_000 }, async () => {
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const events = fc.sample(fc.record({
    id: field, txn: field, merchant: field, city: field, provider: field, failure: field, customer: field, meta: field,
  }), { seed: 20261205, numRuns: 600 }).map((f, i) => ({
    event_id: `e${i}_${f.id}`, type: 'wallet_txn_created', status: i % 3 === 0 ? 'failed' : 'succeeded',
    occurred_at: at, txn_id: `t${i}_${f.txn}`, merchant_id: `m_${f.merchant}`, amount: String(i + 1),
    currency: 'XOF', country: 'SN', city: f.city, provider: f.provider, failure_reason: f.failure,
    customer_id: f.customer, metadata: { [f.meta]: f.meta },
  }));
  const dir = mkdtempSync(join(tmpdir(), 'molam-text-'));
  // No snapshot before the kill: the restart rebuilds the dedupe and transaction state from the store.
  const env = { DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '256MB', STATE_SNAPSHOT_INTERVAL_SECONDS: '0' };
  try {
    const s1 = await startServer(env);
    const first = await send(s1.url, events);
    await s1.stop('SIGKILL');
    const accepted = first.filter((r) => r.status === 'accepted').length;
    assert.ok(accepted > 100 && accepted < events.length - 100, `a mix of accepted (${accepted}) and refused`);

    const s2 = await startServer(env);
    const second = await send(s2.url, events);
    await s2.stop('SIGTERM');
    second.forEach((r, i) => {
      const want = first[i].status === 'accepted' ? { status: 'duplicate' } : first[i];
      assert.deepEqual(r, want, `event ${i}: ${JSON.stringify(events[i])}`);
    });

    const store = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
    try {
      const counts = await store.counts();
      const kept = events.filter((_, i) => first[i].status === 'accepted');
      assert.equal(counts.rawEvents, kept.length);
      assert.equal(counts.rawAmountMinor, BigInt(kept.reduce((s, e) => s + Number(e.amount), 0)));
      const cells = await store.rollupCells('day');
      assert.equal(cells.reduce((n, c) => n + Number(c.cnt), 0), kept.length);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
