// `backup DEST`: a consistent copy of the embedded stores of DATA_DIR, taken while the server
// ingests, with a manifest, checked as it is written. What it holds:
// - analytics.duckdb: the analytics store as of one commit (AnalyticsStore.backupTo: one read
//   transaction, ingest never waits), with that commit's last batch id and source positions;
// - state.tar: the PGlite state store's data directory (PGlite runs one statement at a time);
// - files/: the local file store (dispute evidence, exports), copied after the state store, so
//   every file a backed-up row names is there;
// - dev-jwt-secret, when DATA_DIR holds one.
// The ingest snapshot (ingest-state.snapshot) is not copied: it is derived from the raw events,
// and a restored server rebuilds it at its first start.
//
// The backup is written under a temporary name beside DEST and renamed into place once checked:
// DEST exists only whole. The two stores are copied one after the other, not in one instant:
// alerts or audit rows written between the two copies are in the state copy only.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import type { AnalyticsStore, StoreSnapshot } from '../store/analytics-store.ts';
import { inspectDuckDbFile } from '../store/open-analytics-store.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { inspectPgliteArchive } from '../state-store/pglite-archive.ts';
import { LATEST_STATE_VERSION } from '../state-store/state-migrations.ts';
import { AppError } from '../errors.ts';

export const MANIFEST = 'manifest.json';
export const FORMAT = 'molam-analytics-backup/1';

export interface FileEntry { path: string; bytes: number; sha256: string }

export interface Manifest {
  format: string;
  created_at: string;
  versions: { app: string; node: string; duckdb_node_api: string; pglite: string };
  analytics: {
    file: string; bytes: number; sha256: string;
    store_id: string; schema_version: number; last_batch_id: number;
    source_positions: Array<{ source: string; position: string }>;
    rows: Record<string, number>;
  };
  state: { file: string; bytes: number; sha256: string; schema_version: number } | null;
  /** Other files of DATA_DIR (the local file store, the dev secret), relative to the backup. */
  files: FileEntry[];
}

export type Step = (label: string) => void;

export interface BackupSources {
  store: AnalyticsStore;
  /** Null when the state store is a PostgreSQL server (pg_dump, docs/operations.md). */
  state: StateStore | null;
  dataDir: string;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

async function fileEntry(root: string, path: string): Promise<FileEntry> {
  const data = await readFile(path);
  return { path: relative(root, path), bytes: data.length, sha256: sha256(data) };
}

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath, e.name));
  }
  return out.sort();
}

function packageVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
    return String(JSON.parse(readFileSyncText(join(dir, 'package.json'))).version);
  } catch {
    return 'unknown';
  }
}
const readFileSyncText = (path: string) => readFileSync(path, 'utf8');

export function versions(): Manifest['versions'] {
  const app = String(JSON.parse(readFileSyncText(new URL('../../package.json', import.meta.url).pathname)).version);
  return { app, node: process.version, duckdb_node_api: packageVersion('@duckdb/node-api'), pglite: packageVersion('@electric-sql/pglite') };
}

/** A directory that does not exist or holds nothing. */
export const isEmptyDir = (dir: string) => !existsSync(dir) || (statSync(dir).isDirectory() && readdirSync(dir).length === 0);

export const tempBeside = (target: string, what: string) =>
  join(dirname(target), `.${basename(target)}.${what}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);

/** What a backup would copy now (dry run): the files and their sizes, nothing written. */
export async function planBackup(s: BackupSources, dest: string): Promise<{ dest: string; analytics_bytes: number; state: boolean; files: number }> {
  if (!s.store.backupTo) throw new AppError('backup_unsupported', 'the analytics store is on ClickHouse: back it up with ClickHouse\'s tools (docs/operations.md#backup-and-restore)');
  if (!isEmptyDir(dest)) throw new AppError('backup_exists', `${dest} exists and is not empty: choose a new destination`);
  return { dest, analytics_bytes: await s.store.diskBytes(), state: Boolean(s.state?.dumpDataDir), files: (await listFiles(join(s.dataDir, 'files'))).length };
}

/** Writes a checked backup to `dest` (new or empty); its manifest. */
export async function writeBackup(s: BackupSources, dest: string, o: { now: number; step?: Step }): Promise<Manifest> {
  const step = o.step ?? (() => undefined);
  await planBackup(s, dest);
  const tmp = tempBeside(dest, 'partial');
  await mkdir(tmp, { recursive: true });
  try {
    step('analytics store');
    const analyticsPath = join(tmp, 'analytics.duckdb');
    const snap = await s.store.backupTo!(analyticsPath);
    const analyticsEntry = await fileEntry(tmp, analyticsPath);
    let state: Manifest['state'] = null;
    if (s.state?.dumpDataDir) {
      step('state store');
      const tar = await s.state.dumpDataDir();
      await writeFile(join(tmp, 'state.tar'), tar);
      const facts = await inspectPgliteArchive(tar);
      state = { file: 'state.tar', bytes: tar.length, sha256: sha256(tar), schema_version: facts.schemaVersion };
    }
    step('files');
    const files: FileEntry[] = [];
    if (existsSync(join(s.dataDir, 'files'))) await cp(join(s.dataDir, 'files'), join(tmp, 'files'), { recursive: true });
    if (existsSync(join(s.dataDir, 'dev-jwt-secret'))) await copyFile(join(s.dataDir, 'dev-jwt-secret'), join(tmp, 'dev-jwt-secret'));
    for (const f of await listFiles(tmp)) {
      if (!['analytics.duckdb', 'state.tar'].includes(relative(tmp, f))) files.push(await fileEntry(tmp, f));
    }
    const manifest: Manifest = {
      format: FORMAT,
      created_at: new Date(o.now).toISOString(),
      versions: versions(),
      analytics: {
        file: 'analytics.duckdb', bytes: analyticsEntry.bytes, sha256: analyticsEntry.sha256,
        store_id: snap.storeId, schema_version: snap.schemaVersion, last_batch_id: snap.lastBatchId,
        source_positions: snap.positions, rows: snap.rows,
      },
      state,
      files,
    };
    step('check');
    await checkAnalytics(analyticsPath, manifest);
    if (state && state.schema_version !== LATEST_STATE_VERSION) {
      throw new Error(`the state copy is at schema version ${state.schema_version}, this server at ${LATEST_STATE_VERSION}`);
    }
    await writeFile(join(tmp, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
    if (existsSync(dest)) await rm(dest, { recursive: true }); // empty (checked): rename wants it gone
    await mkdir(dirname(dest), { recursive: true });
    await rename(tmp, dest);
    return manifest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The DuckDB file at `path` holds what the manifest says (opened read-only). */
export async function checkAnalytics(path: string, m: Manifest): Promise<StoreSnapshot> {
  const got = await inspectDuckDbFile(path);
  const want = m.analytics;
  const same = got.storeId === want.store_id && got.lastBatchId === want.last_batch_id && got.schemaVersion === want.schema_version
    && JSON.stringify(got.rows) === JSON.stringify(want.rows) && JSON.stringify(got.positions) === JSON.stringify(want.source_positions);
  if (!same) throw new Error(`the analytics copy does not hold what was copied: ${JSON.stringify({ got, want })}`);
  return got;
}

export async function readManifest(src: string): Promise<Manifest> {
  let m: Manifest;
  try {
    m = JSON.parse(await readFile(join(src, MANIFEST), 'utf8')) as Manifest;
  } catch (err) {
    throw new Error(`${src} is not a backup: ${join(src, MANIFEST)} cannot be read (${(err as Error).message})`);
  }
  if (m.format !== FORMAT) throw new Error(`${src}: unknown backup format ${JSON.stringify(m.format)} (this version reads ${FORMAT})`);
  return m;
}

/** Every file of the backup is there with the bytes the manifest recorded; the problems found. */
export async function checkFiles(src: string, m: Manifest): Promise<string[]> {
  const entries: FileEntry[] = [
    { path: m.analytics.file, bytes: m.analytics.bytes, sha256: m.analytics.sha256 },
    ...(m.state ? [{ path: m.state.file, bytes: m.state.bytes, sha256: m.state.sha256 }] : []),
    ...m.files,
  ];
  const problems: string[] = [];
  for (const e of entries) {
    const path = join(src, e.path);
    if (!existsSync(path)) { problems.push(`${e.path}: missing`); continue; }
    if ((await stat(path)).size !== e.bytes) { problems.push(`${e.path}: ${(await stat(path)).size} bytes, the manifest says ${e.bytes}`); continue; }
    if (sha256(await readFile(path)) !== e.sha256) problems.push(`${e.path}: checksum differs from the manifest`);
  }
  return problems;
}
