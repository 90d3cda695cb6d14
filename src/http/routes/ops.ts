// Operations endpoints (docs/operations.md), for the CLI's `--url` mode: the running server does
// what another process cannot while it holds the stores. Ops-only: analytics:ops, never a
// merchant's token (deny by default in the central check).
// - POST /api/ops/backup: a consistent backup of the embedded stores into BACKUP_DIR/NAME while
//   ingest goes on (embedded stores live in a single ROLE=all process; a cluster answers
//   backup_unsupported: its servers have their own tools);
// - POST /api/ops/cache/clear: empties this process's query result cache;
// - GET /api/ops/verify: rollups against raw events over a range.

import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { AppError } from '../../errors.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import { planBackup, writeBackup } from '../../ops/backup-embedded.ts';
import { verifyRollups, type VerifyPolicy } from '../../ops/verify-rollups.ts';
import { problem } from '../openapi.ts';

export interface OpsDeps {
  store: AnalyticsStore;
  state: StateStore;
  dataDir: string;
  backupDir: string;
  verifyPolicy: VerifyPolicy;
  now: () => number;
  /** Empties the query result cache; what it held. */
  clearCache: () => { entries: number; bytes: number };
}

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$';
const obj = { type: 'object', additionalProperties: true };

export function opsRoutes(app: FastifyInstance, deps: OpsDeps) {
  // One backup at a time: two would only compete for the disk.
  let backingUp = false;
  app.post<{ Body: { name: string; dry_run?: boolean } }>('/api/ops/backup', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['ops'],
      summary: 'Back up the embedded stores (analytics DuckDB, PGlite state, local files) into BACKUP_DIR/NAME while ingest goes on',
      body: {
        type: 'object', additionalProperties: false, required: ['name'],
        properties: {
          name: { type: 'string', pattern: NAME, description: 'the backup\'s directory under BACKUP_DIR (new)' },
          dry_run: { type: 'boolean', description: 'check and describe what would be copied; write nothing' },
        },
      },
      response: {
        200: {
          type: 'object', required: ['path', 'dry_run'],
          properties: { path: { type: 'string' }, dry_run: { type: 'boolean' }, plan: obj, manifest: obj },
        },
        409: problem('backup_exists', 'backup_unsupported'),
      },
    },
  }, async (req) => {
    const dest = join(deps.backupDir, req.body.name);
    const sources = { store: deps.store, state: deps.state.dumpDataDir ? deps.state : null, dataDir: deps.dataDir };
    if (req.body.dry_run) return { path: dest, dry_run: true, plan: await planBackup(sources, dest) };
    if (backingUp) throw new AppError('backup_exists', 'a backup is being written now: wait for it to finish');
    backingUp = true;
    try {
      const manifest = await writeBackup(sources, dest, { now: deps.now() });
      req.log.info({ path: dest, lastBatchId: manifest.analytics.last_batch_id }, 'backup written');
      return { path: dest, dry_run: false, manifest };
    } finally {
      backingUp = false;
    }
  });

  app.post('/api/ops/cache/clear', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['ops'],
      summary: 'Empty this process\'s query result cache (every replica has its own)',
      response: {
        200: {
          type: 'object', required: ['cleared_entries', 'cleared_bytes'],
          properties: { cleared_entries: { type: 'integer' }, cleared_bytes: { type: 'integer', description: 'estimated' } },
        },
      },
    },
  }, async (req) => {
    const { entries, bytes } = deps.clearCache();
    req.log.info({ entries, bytes }, 'query cache cleared');
    return { cleared_entries: entries, cleared_bytes: bytes };
  });

  app.get<{ Querystring: { from: string; to: string; table?: 'minute' | 'hour' | 'day' } }>('/api/ops/verify', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['ops'],
      summary: 'Reconcile the rollups with the raw events over [from, to): every cell that differs, per table and bucket',
      querystring: {
        type: 'object', additionalProperties: false, required: ['from', 'to'],
        properties: {
          from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' },
          table: { type: 'string', enum: ['minute', 'hour', 'day'] },
        },
      },
      response: {
        200: {
          type: 'object', required: ['ok', 'tables', 'differences'],
          properties: { ok: { type: 'boolean' }, tables: { type: 'array', items: obj }, differences: { type: 'array', items: obj } },
        },
        400: problem('invalid_range'),
      },
    },
  }, async (req) => {
    const fromMs = Date.parse(req.query.from);
    const toMs = Date.parse(req.query.to);
    if (!(fromMs < toMs)) throw new AppError('invalid_range', '`from` must be before `to`');
    return verifyRollups(deps.store, {
      fromMs, toMs, policy: deps.verifyPolicy, now: deps.now(), ...(req.query.table ? { tables: [req.query.table] } : {}),
    });
  });
}
