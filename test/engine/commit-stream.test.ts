// The in-process stream of committed batches (what live updates and alerts will consume): each
// commit publishes its minute deltas after it is durable, and the deltas received add up to
// exactly the minute rollups in the store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempPlatform } from '../support/temp-platform.ts';
import { randomStream } from '../support/random-stream.ts';
import { readRollup } from '../support/read-rollups.ts';
import { countryCode } from '../../src/reference/countries.ts';
import { currencyCode } from '../../src/reference/currencies.ts';
import { valueOf, DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER } from '../../src/ingest/indexes/dimensions.ts';
import type { CommittedBatch } from '../../src/ingest/engine.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
const NOW = START + 12 * 86_400_000;

test('committed minute deltas, summed, equal the minute rollups; published only after commit', async () => {
  const p = await openTempPlatform({ now: () => NOW });
  try {
    const received: CommittedBatch[] = [];
    const durable: Array<Promise<number>> = [];
    const unsubscribe = p.engine.onCommit((b) => {
      received.push(b);
      // Durable already: the batch is visible to a fresh read when the listener runs.
      durable.push(p.store.loadMeta().then((meta) => (meta.lastBatchId >= b.batchId ? 1 : 0)));
    });
    const { events } = randomStream({ seed: 9, txns: 300, start: START, spanMs: 10 * 86_400_000 });
    for (let i = 0; i < events.length; i += 80) await p.engine.submit({ source: 't', items: events.slice(i, i + 80) });
    unsubscribe();
    assert.equal(received.length, Math.ceil(events.length / 80));
    assert.deepEqual(await Promise.all(durable), received.map(() => 1));

    const dict = p.engine.state.dict;
    const sums = new Map<string, { cnt: number; amount: bigint; fee: bigint }>();
    for (const b of received) {
      const d = b.minuteDeltas;
      for (let i = 0; i < d.minute.length; i++) {
        const key = [d.minute[i], valueOf(dict, DIM_MERCHANT, d.merchantKey[i]) ?? '', countryCode(d.countryKey[i]),
          valueOf(dict, DIM_CITY, d.cityKey[i]) ?? '', currencyCode(d.currencyKey[i]), valueOf(dict, DIM_METHOD, d.methodKey[i]) ?? '',
          valueOf(dict, DIM_PROVIDER, d.providerKey[i]) ?? '', d.kind[i]].join('|');
        const s = sums.get(key) ?? { cnt: 0, amount: 0n, fee: 0n };
        s.cnt += d.cnt[i];
        s.amount += d.amountMinor[i];
        s.fee += d.feeMinor[i];
        sums.set(key, s);
      }
    }
    const fromStream = new Map([...sums].filter(([, v]) => v.cnt !== 0 || v.amount !== 0n || v.fee !== 0n)
      .map(([k, v]) => [k, `${v.cnt}/${v.amount}/${v.fee}`]));
    assert.deepEqual(fromStream, await readRollup(p.store, 'minute'));
  } finally {
    await p.close();
  }
});
