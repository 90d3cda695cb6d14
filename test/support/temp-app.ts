// Test helper: the real HTTP app over a real temp platform, driven with app.inject. Like every
// built app it starts nothing by itself: a test names the parts it needs (`parts`), started the
// way main.ts starts them; HTTP ingest (the part `ingest-http`) is always started.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { openPlatform, type Platform } from '../../src/platform.ts';
import { startParts, type PartName } from '../../src/start-parts.ts';
import { TEST_SECRET, bearer, mintToken } from './tokens.ts';

export interface TempApp {
  app: FastifyInstance;
  platform: Platform;
  config: Config;
  /** A token with every non-merchant grant (ops + ingest). */
  adminToken: string;
  /** app.inject with the admin token unless the request carries its own Authorization header. */
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function openTempApp(opts: {
  now?: () => number; env?: Record<string, string>; parts?: PartName[];
  /** Runs on the built app before its parts start (once started, Fastify takes no more hooks). */
  beforeStart?: (app: FastifyInstance) => void;
} = {}): Promise<TempApp> {
  const dir = mkdtempSync(join(tmpdir(), 'molam-app-'));
  const config = loadConfig({
    DATA_DIR: dir, LOG_LEVEL: 'silent', DUCKDB_MEMORY_LIMIT: '512MB', JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0', ...opts.env,
  });
  const log = createLogger('silent');
  const platform = await openPlatform(config, log, opts.now);
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log, now: opts.now });
  opts.beforeStart?.(app);
  // HTTP ingest always: nearly every test sends events.
  await startParts(app, [...new Set([...(opts.parts ?? []), 'ingest-http' as const])]);
  const adminToken = await mintToken({ sub: 'test-admin', roles: ['analytics:ops', 'events:write'] });
  return {
    app, platform, config, adminToken,
    inject: (o) => app.inject({ ...o, headers: { ...bearer(adminToken), ...(o.headers ?? {}) } }),
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
