// The documented backup of a state store on PostgreSQL (docs/operations.md, backup and restore):
// `pg_dump --schema` of the store's schema, in the custom format, and `pg_restore` of it, with the
// real server and the real tools. After the schema is dropped and restored, the server opens the
// store (its migrations already current) and finds what was written before the dump — and nothing
// written after it.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import { TEST_DATABASE_URL, dropSchemas } from '../support/state-backends.ts';

const run = promisify(execFile);
const schema = `ops_backup_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'molam-pgdump-'));

after(async () => {
  await dropSchemas([schema]);
  rmSync(dir, { recursive: true, force: true });
});

test('pg_dump of the state store\'s schema, then pg_restore, gives back the store as of the dump', async () => {
  const open = () => openStateStore({ databaseUrl: TEST_DATABASE_URL, schema, dataDir: dir });
  let store = await open();
  const name = (id: string, n: string) => store.query('INSERT INTO merchant_names VALUES ($1, $2, now(), $3)', [id, n, 'test']);
  await name('m_1', 'Before the dump');
  await store.close();

  const file = join(dir, 'state.dump');
  await run('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${file}`, TEST_DATABASE_URL]);
  store = await open();
  await name('m_2', 'After the dump');
  await store.close();

  // The restore: into a server without the schema (here: the same one, the schema dropped first).
  await dropSchemas([schema]);
  await run('pg_restore', ['--exit-on-error', `--dbname=${TEST_DATABASE_URL}`, file]);
  store = await open();
  try {
    assert.deepEqual(await store.query('SELECT merchant_id, name FROM merchant_names ORDER BY merchant_id'), [{ merchant_id: 'm_1', name: 'Before the dump' }]);
    const [v] = await store.query<{ v: number }>('SELECT max(version) AS v FROM state_migrations');
    assert.ok(v.v > 0);
  } finally {
    await store.close();
  }
});
