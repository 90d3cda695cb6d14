// `restore SRC`: a backup (backup-embedded.ts) into a fresh DATA_DIR, for a server to start on.
// Only into a directory that does not exist or is empty: a restore never mixes with, nor
// replaces, a store. Atomic: everything is unpacked and checked in a temporary directory beside
// DATA_DIR, then renamed into place — a restore killed at any point leaves DATA_DIR as it was
// (absent or empty), and a leftover temporary directory (.NAME.restoring-…) that the next restore
// of the same DATA_DIR removes.
//
// The restored server rebuilds its ingest state from the raw events at its first start. Events
// sent after the backup's last batch are then resent from the source positions in the manifest
// (or all of them again: dedupe keeps each event once).

import { existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { restorePgliteArchive } from '../state-store/pglite-archive.ts';
import { checkAnalytics, checkFiles, isEmptyDir, readManifest, tempBeside, type Manifest, type Step } from './backup-embedded.ts';

export class RestoreRefused extends Error {}

/** Checks a backup and the target without writing anything (dry run, and the first half of a restore). */
export async function planRestore(src: string, dataDir: string): Promise<Manifest> {
  const m = await readManifest(src);
  const problems = await checkFiles(src, m);
  if (problems.length) throw new RestoreRefused(`the backup in ${src} is damaged: ${problems.join('; ')}`);
  if (!isEmptyDir(dataDir)) throw new RestoreRefused(`${dataDir} is not empty: restore only into a new or empty DATA_DIR (move the old one aside first)`);
  return m;
}

export async function restoreBackup(src: string, dataDir: string, o: { step?: Step } = {}): Promise<Manifest> {
  const step = o.step ?? (() => undefined);
  step('check backup');
  const m = await planRestore(src, dataDir);
  await removeLeftovers(dataDir);
  const tmp = tempBeside(dataDir, 'restoring');
  await mkdir(tmp, { recursive: true });
  try {
    step('analytics store');
    await copyFile(join(src, m.analytics.file), join(tmp, 'analytics.duckdb'));
    await checkAnalytics(join(tmp, 'analytics.duckdb'), m);
    if (m.state) {
      step('state store');
      const facts = await restorePgliteArchive(join(tmp, 'state'), await readFile(join(src, m.state.file)));
      if (facts.schemaVersion !== m.state.schema_version) {
        throw new Error(`the restored state store is at schema version ${facts.schemaVersion}, the manifest says ${m.state.schema_version}`);
      }
    }
    step('files');
    for (const f of m.files) {
      await mkdir(dirname(join(tmp, f.path)), { recursive: true });
      await cp(join(src, f.path), join(tmp, f.path));
    }
    step('move into place');
    if (!isEmptyDir(dataDir)) throw new RestoreRefused(`${dataDir} was written to during the restore: nothing moved into it`);
    if (existsSync(dataDir)) await rm(dataDir, { recursive: true }); // empty: rename wants it gone
    await rename(tmp, dataDir);
    return m;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Temporary directories of earlier restores of this DATA_DIR that were killed. */
async function removeLeftovers(dataDir: string): Promise<void> {
  const parent = dirname(dataDir);
  if (!existsSync(parent)) return;
  const prefix = `.${basename(dataDir)}.restoring-`;
  for (const name of await readdir(parent)) {
    if (name.startsWith(prefix)) await rm(join(parent, name), { recursive: true, force: true });
  }
}
