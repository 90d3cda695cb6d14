// The demo stream is a source like the others: built unstarted (nothing is written), started it
// loads its history into the empty store and feeds the live stream, and stopped it waits for what
// it sent, after which nothing more arrives. Bounded by the test's timeout, never by a clock.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { startParts } from '../../src/start-parts.ts';

test('the demo source: nothing until started; history and stream once started; nothing after stop', { timeout: 120_000 }, async () => {
  // A day at 1 event/s: 86,400 history events (about 1 % are duplicates the store drops).
  const t = await openTempApp({ env: { DEMO_EVENTS_PER_SECOND: '1', DEMO_HISTORY_DAYS: '1' } });
  try {
    const stored = async () => (await t.platform.store.loadMeta()).rawEvents;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await stored(), 0, 'built, the demo writes nothing');
    const stop = await startParts(t.app, ['demo']);
    // The history, then more: the live stream feeds too.
    while ((await stored()) < 84_000) await new Promise((r) => setTimeout(r, 100));
    const history = await stored();
    while ((await stored()) <= history) await new Promise((r) => setTimeout(r, 100));
    await stop();
    await t.platform.engine.flush();
    const after = await stored();
    assert.equal(after, t.platform.engine.stats.accepted, 'every event it sent and was answered is stored');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await stored(), after, 'stopped, it sends nothing more');
  } finally {
    await t.close();
  }
});
