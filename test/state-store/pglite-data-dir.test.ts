// A new PGlite store starts as a copy of the install's migrated template (initdb and migrations
// once per install): each copy is independent — what one store writes never reaches the template
// or another store.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import { templateDir } from '../../src/state-store/pglite-data-dir.ts';
import { STATE_SCHEMA_KEY } from '../../src/state-store/state-migrations.ts';

const TEMPLATE_DIR = templateDir(STATE_SCHEMA_KEY);

/** Every file of a directory with its size and modification time ({} if it does not exist: a read-only install). */
function listing(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = statSync(join(dir, name));
    if (st.isFile()) out[name] = `${st.size}@${st.mtimeMs}`;
  }
  return out;
}

test('stores made from the template are independent, migrated, and leave the template pristine', async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'molam-tpl-')), mkdtempSync(join(tmpdir(), 'molam-tpl-'))];
  try {
    const a = await openStateStore({ databaseUrl: '', dataDir: dirs[0] });
    const templateBefore = listing(TEMPLATE_DIR);
    await a.query('INSERT INTO webhook_endpoints (url, secrets, created_by) VALUES ($1, $2, $3)', ['https://a.example/x', ['whsec_a'], 'a']);
    await a.close();
    const b = await openStateStore({ databaseUrl: '', dataDir: dirs[1] });
    try {
      assert.deepEqual(await b.query('SELECT url FROM webhook_endpoints'), [], 'nothing of store a');
      assert.ok((await b.query('SELECT version FROM state_migrations')).length > 0, 'migrated');
    } finally {
      await b.close();
    }
    assert.deepEqual(listing(TEMPLATE_DIR), templateBefore, 'the template is never written to');
    const again = await openStateStore({ databaseUrl: '', dataDir: dirs[0] });
    assert.equal((await again.query('SELECT url FROM webhook_endpoints')).length, 1, 'a reopened store keeps its data');
    await again.close();
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
