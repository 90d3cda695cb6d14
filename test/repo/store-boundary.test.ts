// The analytics store is a port of named operations: nothing outside src/store writes SQL for
// it or reaches its insides (a backend, a query module, a literal). These tests read the source
// tree and fail on any file that does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const STORE = join(ROOT, 'src/store');
/** What the rest of the platform may import from the store. */
const PUBLIC = new Set(['analytics-store.ts', 'query-shapes.ts', 'open-analytics-store.ts'].map((f) => join(STORE, f)));
/** Tests of the store itself, and the ClickHouse test server, may look inside. */
const INSIDE = [STORE, join(ROOT, 'test/store'), join(ROOT, 'test/support/clickhouse-server.ts')];
const TABLES = [
  'raw_events', 'rollup_minute', 'rollup_hour', 'rollup_day', 'dim_values', 'dead_letters', 'dead_letter_replays',
  'ingest_batches', 'source_positions', 'fx_rates', 'fx_effective', 'schema_migrations', 'store_identity', 'currencies',
  'write_probe', 'merchant_transactions', 'custom_events', 'custom_rollup_stats', 'custom_rollup_bins', 'custom_rollup_users',
];
const SQL_NEAR_TABLE = new RegExp(
  `\\b(select|insert\\s+into|delete\\s+from|update|create\\s+(or\\s+replace\\s+)?(temp\\s+)?table|alter\\s+table|drop\\s+table|join)\\b[\\s\\S]*\\b(${TABLES.join('|')})\\b`, 'i');
// SQL fragments over rollup columns, as metric or dimension expressions used to be.
const SQL_FRAGMENT = /\b(sum|count)\s*\(\s*(CASE\s+WHEN|cnt|amount_minor|fee_minor)|\bNULLIF\s*\(|\bCASE\s+WHEN\s+\w+\s+(IN|<|=)/i;

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) files(path, out);
    else if (/\.(ts|tsx|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

const outside = ['src', 'test', 'bench', 'scripts', 'web/src']
  .flatMap((d) => files(join(ROOT, d)))
  .filter((f) => !INSIDE.some((p) => f === p || f.startsWith(p + '/')))
  .filter((f) => f !== import.meta.filename);

/** The contents of string literals and template texts, comments left out. */
function strings(source: string): string[] {
  const out: string[] = [];
  const re = /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`/g;
  for (const m of source.matchAll(re)) if (!m[0].startsWith('/')) out.push(m[0].slice(1, -1));
  return out;
}

test('no file outside src/store imports the store\'s insides', () => {
  const offenders: string[] = [];
  for (const f of outside) {
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
      const target = resolve(dirname(f), m[1]);
      if (target.startsWith(STORE + '/') && !PUBLIC.has(target)) offenders.push(`${relative(ROOT, f)} → ${relative(ROOT, target)}`);
    }
  }
  assert.deepEqual(offenders, [], 'import the port (analytics-store.ts, query-shapes.ts, open-analytics-store.ts) instead');
});

test('no file outside src/store writes SQL for the analytics store', () => {
  const offenders: string[] = [];
  for (const f of outside) {
    for (const s of strings(readFileSync(f, 'utf8'))) {
      if (SQL_NEAR_TABLE.test(s) || SQL_FRAGMENT.test(s)) offenders.push(`${relative(ROOT, f)}: ${s.replace(/\s+/g, ' ').slice(0, 100)}`);
    }
  }
  assert.deepEqual(offenders, [], 'add a named query under src/store/queries instead');
});

test('the checks see SQL where it is', () => {
  assert.ok(SQL_NEAR_TABLE.test('SELECT count(*) FROM raw_events'));
  assert.ok(SQL_NEAR_TABLE.test('DELETE FROM fx_effective'));
  assert.ok(SQL_FRAGMENT.test('sum(CASE WHEN kind = 2 THEN cnt ELSE 0 END)'));
  assert.ok(SQL_FRAGMENT.test('succeeded_count / NULLIF(failed_count, 0)'));
  assert.ok(!SQL_NEAR_TABLE.test('the raw_events of a batch'));
  assert.deepEqual(strings("const a = 'x'; // 'y'\nconst b = `z ${1}`;"), ['x', 'z ${1}']);
});
