// A fresh state store directory for PGlite, made fast. initdb is the slowest step of starting on
// an empty DATA_DIR (about 10 s of WebAssembly on a 2-core machine, blocking the event loop for
// seconds at a time) and the migrations come next; both produce the same files for every new
// store of a given PGlite version and schema. So they run once per installation, in a worker
// thread, into a template under node_modules/.cache (where build tools keep their caches; safe to
// delete), and a new store is a copy of it (PostgreSQL data directories are relocatable). Where
// the cache cannot be written, the worker makes each new store itself. Either way the directory
// is made under a temporary name and renamed into place: an interrupted first start leaves no
// half-made store.

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

/** The template for `key` (the schema version: a template holds the migrations too). */
export const templateDir = (key: string) => join(CACHE_DIR, `pglite-${PGLITE_VERSION}-${key}`);

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

/** Makes `dir` a new, migrated state store (of schema `key`) unless it already holds something. */
export async function createDataDirIfMissing(dir: string, key: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) return; // an existing store (or not ours: PGlite says so)
  const tmp = `${dir}.creating-${unique()}`;
  try {
    const template = await ensureTemplate(key);
    if (template) await cp(template, tmp, { recursive: true });
    else await makeInWorker(tmp);
    if (existsSync(dir)) rmdirSync(dir); // empty (checked above): rename wants it gone
    await rename(tmp, dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const building = new Map<string, Promise<string | null>>();

/** The template's path, built on first use; null if the cache cannot be written. */
function ensureTemplate(key: string): Promise<string | null> {
  const target = templateDir(key);
  if (isDataDir(target)) return Promise.resolve(target);
  let b = building.get(target);
  if (!b) {
    b = (async () => {
      const tmp = `${target}.building-${unique()}`;
      try {
        await makeInWorker(tmp);
        if (isDataDir(target)) return target; // another process built it meanwhile (and others may be copying it)
        await rm(target, { recursive: true, force: true }); // a damaged one, if any
        await rename(tmp, target).catch((err) => {
          if (!isDataDir(target)) throw err; // else another process built it first: use that one
        });
        return target;
      } catch {
        return null; // a read-only install: each new store gets its own initdb
      } finally {
        await rm(tmp, { recursive: true, force: true });
        building.delete(target);
      }
    })();
    building.set(target, b);
  }
  return b;
}

/** A new, migrated store in `dir` (created), made by a worker thread (make-state-template.ts). */
async function makeInWorker(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(new URL('./pglite-template-worker.mjs', import.meta.url), { workerData: { dir } });
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the state store worker exited with ${code}`)));
  });
}
