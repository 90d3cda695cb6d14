// Test helper: the real HTTP app over a real temp platform, driven with app.inject.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { openPlatform, type Platform } from '../../src/platform.ts';

export interface TempApp {
  app: FastifyInstance;
  platform: Platform;
  config: Config;
  close(): Promise<void>;
}

export async function openTempApp(opts: { now?: () => number; env?: Record<string, string> } = {}): Promise<TempApp> {
  const dir = mkdtempSync(join(tmpdir(), 'molam-app-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', DUCKDB_MEMORY_LIMIT: '512MB', ...opts.env });
  const log = createLogger('silent');
  const platform = await openPlatform(config, log, opts.now);
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, regions: platform.regions, log, now: opts.now });
  return {
    app, platform, config,
    async close() {
      await app.close();
      await platform.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ndjson(events: unknown[]): string {
  return events.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))).join('\n');
}
