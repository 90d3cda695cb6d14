// A fresh PGlite data directory, made fast. initdb is the slowest step of starting on an empty
// DATA_DIR (about 10 s of WebAssembly on a 2-core machine, and it blocks the event loop for
// seconds at a time), and its output is the same for every directory of a PGlite version. So it
// runs once per installation, in a worker thread, into a template under node_modules/.cache; a
// new store is a copy of the template (PostgreSQL data directories are relocatable). Where the
// cache cannot be written, initdb runs (in the worker) for that one directory. Either way the
// directory is made under a temporary name and renamed into place: an interrupted first start
// leaves no half-made store.

import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { cp, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** node_modules/@electric-sql/pglite (its package.json is not exported: found from the entry point, dist/…). */
const PGLITE_ROOT = packageRoot(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
const PGLITE_VERSION = (JSON.parse(readFileSync(join(PGLITE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** node_modules/.cache/molam-analytics, where build tools keep their caches. */
const CACHE_DIR = join(PGLITE_ROOT, '..', '..', '.cache', 'molam-analytics');
export const TEMPLATE_DIR = join(CACHE_DIR, `pglite-${PGLITE_VERSION}`);

function packageRoot(file: string): string {
  let dir = dirname(file);
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
    dir = dirname(dir);
  }
  return dir;
}

const isDataDir = (dir: string) => existsSync(join(dir, 'PG_VERSION')) && existsSync(join(dir, 'global', 'pg_control'));
const unique = () => `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

/** Makes `dir` a fresh PGlite data directory unless it already holds something. */
export async function createDataDirIfMissing(dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) return; // an existing store (or not ours: PGlite says so)
  const tmp = `${dir}.creating-${unique()}`;
  try {
    const template = await ensureTemplate();
    if (template) await cp(template, tmp, { recursive: true });
    else await initdb(tmp);
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above): rename wants it gone
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

let building: Promise<string | null> | null = null;

/** The template's path, built on first use; null if the cache cannot be written. */
function ensureTemplate(): Promise<string | null> {
  if (isDataDir(TEMPLATE_DIR)) return Promise.resolve(TEMPLATE_DIR);
  building ??= (async () => {
    const tmp = `${TEMPLATE_DIR}.building-${unique()}`;
    try {
      await mkdir(tmp, { recursive: true });
      await initdb(tmp);
      if (isDataDir(TEMPLATE_DIR)) return TEMPLATE_DIR; // another process built it meanwhile (and others may be copying it)
      await rm(TEMPLATE_DIR, { recursive: true, force: true }); // a damaged one, if any
      await rename(tmp, TEMPLATE_DIR).catch((err) => {
        if (!isDataDir(TEMPLATE_DIR)) throw err; // else another process built it first: use that one
      });
      return TEMPLATE_DIR;
    } catch {
      return null; // a read-only install: each new store runs initdb itself
    } finally {
      await rm(tmp, { recursive: true, force: true });
      building = null;
    }
  })();
  return building;
}

/** initdb in a worker thread, into `dir` (created). */
async function initdb(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    // execArgv: [] — plain JavaScript, no need for the TypeScript loader the main thread runs with.
    const worker = new Worker(new URL('./pglite-initdb-worker.mjs', import.meta.url), { workerData: { dir }, execArgv: [] });
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`PGlite initdb worker exited with ${code}`)));
  });
}
