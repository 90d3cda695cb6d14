// The only place that starts things: config → logger → stores and engine → HTTP app → jobs.
// `--demo` (or DEMO=true) adds a synthetic live stream. SIGINT/SIGTERM shut down gracefully:
// stop taking requests, commit what is queued, checkpoint the store.

import { loadConfig, ConfigError } from './config.ts';
import { createLogger } from './log.ts';
import { openPlatform } from './platform.ts';
import { buildApp } from './app.ts';
import { runRetention } from './retention/run-retention.ts';
import { startDemo } from './demo/run-demo.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, process.argv.includes('--demo') ? { DEMO: true } : {});
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  const platform = await openPlatform(config, log);
  const { store, engine, regions } = platform;
  const app = await buildApp({ config, engine, store, regions, log });

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
    ? await startDemo({ engine, store, log, ratePerSecond: config.DEMO_EVENTS_PER_SECOND })
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
