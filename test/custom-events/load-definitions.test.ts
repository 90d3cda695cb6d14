// The ready-made trading definitions (reference/trading-events.json) and `custom-events load`:
// every seed event type defined and valid; loading twice adds no version — straight into the state
// store of DATA_DIR (the CLI as a child process) and through a running server (--url) alike; a
// file with one bad definition writes none.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { normalizeDefinition } from '../../src/custom-events/definition.ts';
import { parseDefinitionsFile } from '../../src/custom-events/definitions-file.ts';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { mintToken } from '../support/tokens.ts';

const run = promisify(execFile);
const SEED_TYPES = [
  'balance.updated', 'market.data.update', 'order.canceled', 'order.filled', 'order.placed', 'order.rejected',
  'position.closed', 'position.opened', 'signal.generated', 'strategy.started', 'strategy.stopped',
];
let dir: string;
before(() => { dir = mkdtempSync(join(tmpdir(), 'molam-custom-events-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

async function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { JWT_SECRET: _s, CONFIG_FILE: _c, DATABASE_URL: _u, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'custom-events', ...args], { env: { ...inherited, DATA_DIR: dataDir, LOG_LEVEL: 'warn' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('the reference file defines every trading event type of the seed, each valid, with measures that have units', () => {
  const defs = parseDefinitionsFile(readFileSync('reference/trading-events.json', 'utf8'));
  assert.deepEqual(defs.map((d) => d.name).sort(), SEED_TYPES);
  for (const d of defs) {
    const c = normalizeDefinition(d);
    assert.ok(c.description.length > 0, d.name);
    assert.ok(c.properties.some((p) => p.role === 'measure'), `${d.name} has a measure`);
  }
});

test('custom-events load (the default file, into DATA_DIR): everything at version 1, then nothing on a second load', async () => {
  const data = join(dir, 'local');
  const first = await cli(['load'], data);
  assert.equal(first.code, 0, first.stderr);
  const r1 = JSON.parse(first.stdout);
  assert.deepEqual([...r1.created].sort(), SEED_TYPES.map((n) => `${n}@1`));
  assert.deepEqual(r1.unchanged, []);
  const second = await cli(['load', 'reference/trading-events.json'], data);
  assert.equal(second.code, 0, second.stderr);
  const r2 = JSON.parse(second.stdout);
  assert.deepEqual(r2.created, []);
  assert.equal(r2.unchanged.length, SEED_TYPES.length);

  // A file changing one definition adds one version; one with a bad definition writes nothing.
  const defs = parseDefinitionsFile(readFileSync('reference/trading-events.json', 'utf8'));
  defs[0] = { ...defs[0], description: 'changed' };
  writeFileSync(join(dir, 'changed.json'), JSON.stringify(defs));
  const third = JSON.parse((await cli(['load', join(dir, 'changed.json')], data)).stdout);
  assert.deepEqual(third.created, [`${defs[0].name}@2`]);
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ definitions: [{ name: 'new.one', properties: [] }, { name: 'bad.one', properties: [{ name: 'x', type: 'string', role: 'measure', unit: 'ms' }] }] }));
  const bad = await cli(['load', join(dir, 'bad.json')], data);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /a measure is a number/);
  const state = await openStateStore({ databaseUrl: '', dataDir: data });
  try {
    const rows = await state.query<{ name: string; n: number }>('SELECT name, count(*)::int AS n FROM custom_event_definitions GROUP BY name ORDER BY name');
    assert.deepEqual(rows.map((r) => r.name), SEED_TYPES, 'new.one was not written');
    assert.equal(rows.reduce((a, r) => a + r.n, 0), SEED_TYPES.length + 1);
  } finally {
    await state.close();
  }
  assert.equal((await cli(['unload'], data)).code, 2);
});

test('custom-events load --url: through the server, idempotent too', async () => {
  let t: TempApp | undefined;
  try {
    t = await openTempApp();
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const token = await mintToken({ sub: 'loader', roles: ['events:define'] });
    const first = await cli(['load', '--url', url, '--token', token], join(dir, 'unused'));
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).created.length, SEED_TYPES.length);
    const second = JSON.parse((await cli(['load', '--url', url, '--token', token], join(dir, 'unused'))).stdout);
    assert.deepEqual(second.created, []);
    assert.equal(second.unchanged.length, SEED_TYPES.length);
    const listed = await t.inject({ method: 'GET', url: '/api/v1/custom-events' });
    assert.deepEqual(listed.json().items.map((d: { name: string; version: number; created_by: string }) => `${d.name}@${d.version}:${d.created_by}`), SEED_TYPES.map((n) => `${n}@1:loader`));
    const denied = await cli(['load', '--url', url, '--token', await mintToken({ roles: ['analytics:view'] })], join(dir, 'unused'));
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /403 forbidden/);
  } finally {
    await t?.close();
  }
});
