// The only place that starts things: config → the HTTP port → stores and engine → HTTP app (built,
// nothing started) → its parts started (live feed and WebSocket server, FX reload, alert scheduler,
// retention: src/start-parts.ts) → served. The port is bound first, before anything heavy is even
// loaded: a port in use stops the start in one line with no store opened, and /healthz answers
// from then on (serveWhileStarting) while the stores open. The state store opens in the
// background (a first PGlite start takes seconds). `--demo` (or DEMO=true) adds a synthetic live
// stream. SIGINT/SIGTERM shut down gracefully: stop taking requests, stop the parts, commit what
// is queued, checkpoint.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { loadConfig, ConfigError, type Config } from './config.ts';
import { createLogger, logFormatOf } from './log.ts';
import { serveWhileStarting } from './http/while-starting.ts';
import type { Platform, ReaderPlatform } from './platform.ts';

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.LOG_LEVEL, undefined, logFormatOf(config));
  const server = createServer();
  await bindOrExit(server, config);
  const starting = serveWhileStarting(server);
  const url = `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${(server.address() as { port: number }).port}`;
  log.info({ url }, 'listening; starting');
  announceAuth(config, log);

  // Loaded only now: the port check above must not wait for them. The analytics store opens as
  // soon as its modules are in, while the app's modules load; the state store waits until the app
  // serves (opening PGlite is main-thread work that would only delay the analytics side).
  let served!: () => void;
  const serving = new Promise<void>((resolve) => { served = resolve; });
  const options = { stateInBackground: true, stateAfter: serving };
  // A cluster's api and evaluator replicas read the store another process writes; the others ingest.
  const reads = config.ROLE === 'api' || config.ROLE === 'evaluator';
  const opening = import('./platform.ts').then((m): Promise<Platform | ReaderPlatform> => (reads
    ? whenStoreReadable(log, () => m.openReaderPlatform(config, log, Date.now, options))
    : whenWriterLeaseFree(config, log, () => m.openPlatform(config, log, Date.now, options))));
  const [{ buildApp }, { partsFor, startParts }, { loadSampleFxRates, wantsSampleFxRates }, { publishCommits }] = await Promise.all([
    import('./app.ts'), import('./start-parts.ts'), import('./demo/run-demo.ts'), import('./cluster/commit-feed.ts'),
  ]);
  const platform = await opening;
  // Handled from now on (a failure while the app is built must not go unhandled); acted on below.
  const stateOutcome = platform.stateOpened.then(() => null, (err: unknown) => err);
  const { store, engine, regions } = platform;
  // Demo, and dev without FX_FILE: the shipped sample rates when the store has none (else every USD figure is $0.00).
  const sampleFx = wantsSampleFxRates(config);
  if (sampleFx && engine) await loadSampleFxRates(store, log, sampleFx);
  // The ingesting process of a cluster publishes its commits for the replicas that only read.
  const publisher = engine && config.REDIS_URL
    ? await publishCommits({ ingest: engine, storeId: (await store.loadMeta()).storeId, url: config.REDIS_URL, prefix: config.REDIS_PREFIX, log })
    : null;
  let appHandler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const app = await buildApp({
    config, engine, ingest: platform.engine === null ? platform.ingest : platform.engine, store, state: platform.state, regions, log,
    publishFxChange: publisher?.fxChanged,
    serverFactory: (handler) => { appHandler = handler; return server; },
  });
  // Every part, before the app serves: the live window holds the last hour before an ingest
  // request can commit. Retention's first run is not awaited (it can take a while on a large store).
  // The sources (HTTP ingest, the demo stream) start last and stop first.
  await startParts(app, partsFor(config));
  starting.handOver(appHandler!);
  served();
  log.info({ url }, 'serving; the state store may still be opening');

  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // The app does not own the server (it did not bind it): stop taking connections here.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await app.close(); // stops the parts first (a retention run in flight is waited for)
    await publisher?.stop();
    await closed;
    await platform.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const stateError = await stateOutcome;
  if (stateError) {
    log.fatal({ err: stateError }, 'the state store could not be opened');
    await shutdown('state store failure', 1);
    return;
  }
  log.info({ url, dataDir: config.DATA_DIR, demo: config.DEMO }, 'molam-analytics ready');
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const STANDBY_RETRY_MS = 5_000;

/**
 * A reading replica may start before any writer created the database's tables (a cluster starting
 * at once): it waits, serving /healthz (and /ready 503 starting), and tries again.
 */
async function whenStoreReadable<T>(log: Logger, open: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open();
    } catch (err) {
      if (attempt % 12 === 0) log.warn({ err: (err as Error).message }, 'the analytics store (or Redis) cannot be read yet; trying again every 5 s');
      await new Promise((r) => setTimeout(r, STANDBY_RETRY_MS));
    }
  }
}

/**
 * On ClickHouse one process writes (the writer lease). A consumer started while another holds it
 * is a standby: it waits, serving /healthz (and /ready 503 starting), and takes over once the
 * holder is gone and its lease has lapsed — then rebuilds its state from the store and resumes
 * from the stored positions. Other processes that ingest (ROLE=all) stop with the reason.
 */
async function whenWriterLeaseFree<T>(config: Config, log: Logger, open: () => Promise<T>): Promise<T> {
  for (let waited = false; ; waited = true) {
    try {
      const opened = await open();
      if (waited) log.info('writer lease taken: this consumer now ingests');
      return opened;
    } catch (err) {
      const inUse = /in use by another writing process/.test(String((err as Error).message));
      if (config.ROLE !== 'consumer' || !inUse) throw err;
      if (!waited) log.warn({ reason: (err as Error).message }, 'standby: another consumer writes; waiting for its lease');
      await new Promise((r) => setTimeout(r, STANDBY_RETRY_MS));
    }
  }
}

function configOrExit(): Config {
  try {
    const config = loadConfig(process.env, {
      ...(process.argv.includes('--demo') ? { DEMO: true } : {}),
      ...(process.argv.includes('--dev') ? { DEV_MODE: true } : {}),
    });
    if ((config.ROLE === 'api' || config.ROLE === 'evaluator') && (config.ANALYTICS_STORE !== 'clickhouse' || !config.REDIS_URL)) {
      throw new ConfigError(`ROLE=${config.ROLE} reads a store another process writes and follows its commits: it needs ANALYTICS_STORE=clickhouse and REDIS_URL (embedded DuckDB belongs to one process: run ROLE=all)`);
    }
    if (config.DEV_MODE && !LOOPBACK.has(config.HOST)) {
      throw new ConfigError(`DEV_MODE serves development tokens to anyone who asks; it only listens on loopback (HOST=${config.HOST})`);
    }
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

/** Binds the port, or exits with one line saying why (nothing has been opened yet). */
async function bindOrExit(server: Server, config: Config): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const where = `port ${config.PORT} on ${config.HOST}`;
    console.error(code === 'EADDRINUSE' ? `${where} is in use (another molam-analytics?); set PORT`
      : code === 'EACCES' ? `${where} needs privileges this process does not have; set PORT (1024 or above)`
        : code === 'EADDRNOTAVAIL' ? `${config.HOST} is not an address of this machine; set HOST`
          : `cannot listen on ${where}: ${(err as Error).message}`);
    process.exit(1);
  }
}

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
