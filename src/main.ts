// The only place that starts things: config → logger → stores and engine → HTTP app → jobs.
// `--demo` (or DEMO=true) adds a synthetic live stream. SIGINT/SIGTERM shut down gracefully:
// stop taking requests, commit what is queued, checkpoint the store.

import type { Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createLogger } from './log.ts';
import { openPlatform } from './platform.ts';
import { buildApp } from './app.ts';
import { runRetention } from './retention/run-retention.ts';
import { loadDemoFxRates, startDemo } from './demo/run-demo.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, {
      ...(process.argv.includes('--demo') ? { DEMO: true } : {}),
      ...(process.argv.includes('--dev') ? { DEV_MODE: true } : {}),
    });
    if (config.DEV_MODE && !LOOPBACK.has(config.HOST)) {
      throw new ConfigError(`DEV_MODE serves development tokens to anyone who asks; it only listens on loopback (HOST=${config.HOST})`);
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  announceAuth(config, log);
  const platform = await openPlatform(config, log);
  const { store, engine, regions } = platform;
  if (config.DEMO) await loadDemoFxRates(store, log);
  const app = await buildApp({ config, engine, store, state: platform.state, regions, log });

  const retention = async () => {
    try {
      log.info(await runRetention(store, engine, {
        rawDays: config.RAW_RETENTION_DAYS, minuteDays: config.MINUTE_RETENTION_DAYS, hourDays: config.HOUR_RETENTION_DAYS,
      }, Date.now()), 'retention applied');
    } catch (err) {
      log.error({ err }, 'retention failed');
    }
  };
  await retention();
  const retentionTimer = setInterval(retention, config.RETENTION_INTERVAL_MINUTES * 60_000);
  retentionTimer.unref();

  const stopDemo = config.DEMO
    ? await startDemo({
      engine, store, log, ratePerSecond: config.DEMO_EVENTS_PER_SECOND,
      historyDays: config.DEMO_HISTORY_DAYS, historyEvents: config.DEMO_HISTORY_EVENTS,
    })
    : null;

  await app.listen({ port: config.PORT, host: config.HOST });
  log.info({ url: `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${(app.server.address() as { port: number }).port}`, dataDir: config.DATA_DIR, demo: config.DEMO }, 'molam-analytics ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    clearInterval(retentionTimer);
    await stopDemo?.();
    await app.close();
    await platform.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function announceAuth(config: Config, log: Logger): void {
  if (config.DEV_MODE) {
    log.warn('DEVELOPMENT MODE: tokens signed with the dev secret are accepted and POST /api/dev/token hands them out. '
      + 'Never run this way in production. Get a token with: npm run token -- --role analytics:ops');
  } else if (!config.JWT_JWKS_URL && !config.JWT_SECRET) {
    log.error('no identity provider configured (JWT_JWKS_URL or JWT_SECRET): every API request will be refused with 401. '
      + 'For local use start with `npm run dev`.');
  } else if (config.JWT_SECRET) {
    log.warn('HS256 tokens signed with the shared JWT_SECRET are accepted' + (config.JWT_JWKS_URL ? ' besides the JWKS keys' : '')
      + '; production should use JWT_JWKS_URL alone');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
