// /ready over a store whose migrations are behind what the code expects: 503
// migrations_pending, naming both versions. (Below the port: the store is given one more
// expected migration than its file has.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../../src/store/duckdb/migrations.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { analyticsStore } from '../../src/store/open-analytics-store.ts';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/log.ts';
import { openTempApp } from '../support/temp-app.ts';

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

test('/ready is 503 migrations_pending when the store\'s schema is behind the code', async () => {
  // A real store whose code expects one migration more than its file has applied.
  const t = await openTempApp();
  const dir = mkdtempSync(join(tmpdir(), 'molam-behind-'));
  const backend = await openDuckDbBackend({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
  const behind = analyticsStore({ ...backend, latestSchemaVersion: LATEST + 1 });
  const app = await buildApp({
    config: t.config, engine: t.platform.engine, store: behind, state: t.platform.state, regions: t.platform.regions, log: createLogger('silent'),
  });
  try {
    const res = await app.inject({ url: '/ready' });
    assert.equal(res.statusCode, 503);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, 'migrations_pending');
    assert.equal(res.json().schema_version, LATEST);
    assert.equal(res.json().expected_schema_version, LATEST + 1);
  } finally {
    await app.close();
    await behind.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
