// A backfill's position kept in a file (against a running server, whose store this process does
// not hold): written whole to a temporary file, then renamed, after each acknowledged page.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PositionStore } from './run-backfill.ts';

export function positionFile(path: string): PositionStore {
  return {
    async load() {
      try {
        return readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async save(position) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(`${path}.tmp`, position);
      renameSync(`${path}.tmp`, path);
    },
  };
}
