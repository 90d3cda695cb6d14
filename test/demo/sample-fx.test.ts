// A first `npm run dev` shows USD figures (issue 16): with FX_FILE unset and a store that has no
// rates, dev (and demo) start loads the shipped sample rates and says so; a store with rates, or
// a set FX_FILE, is left alone; production start never loads them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { openTempApp } from '../support/temp-app.ts';
import { createLogger } from '../../src/log.ts';
import { loadConfig } from '../../src/config.ts';
import { loadSampleFxRates, wantsSampleFxRates } from '../../src/demo/run-demo.ts';

test('which starts load the sample FX rates', () => {
  assert.equal(wantsSampleFxRates(loadConfig({}, { DEV_MODE: true })), 'dev');
  assert.equal(wantsSampleFxRates(loadConfig({}, { DEMO: true, DEV_MODE: true })), 'demo');
  assert.equal(wantsSampleFxRates(loadConfig({ FX_FILE: '/some/rates.csv' }, { DEV_MODE: true })), null, 'FX_FILE set: that file, not the sample');
  assert.equal(wantsSampleFxRates(loadConfig({})), null, 'production start: never');
});

test('dev start loads the sample rates into a store that has none, says so, and only once', async () => {
  const t = await openTempApp();
  try {
    const lines: string[] = [];
    const log = createLogger('info', new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    assert.equal(await t.platform.store.fxRateCount(), 0);
    const loaded = await loadSampleFxRates(t.platform.store, log, 'dev');
    assert.ok(loaded > 0);
    assert.equal(await t.platform.store.fxRateCount(), loaded);
    assert.match(lines.join(''), /dev: the store had no FX rates and FX_FILE is not set/);
    assert.equal(await loadSampleFxRates(t.platform.store, log, 'dev'), 0, 'a store with rates is left alone');
  } finally {
    await t.close();
  }
});
