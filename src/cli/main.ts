// The command line: ingest a file, generate synthetic data, load FX rates, mint a dev token, load
// custom event definitions, operations (backfill, reprocess, retention, and the commands of ops-commands.ts; USAGE below). `--help` (or -h) prints the usage of the CLI or of a command and exits 0.
// With --url, the bearer token is --token or API_TOKEN.
// Without --url, ingest and fx open the store in DATA_DIR directly (the server must be stopped).
// Every command reads the server's configuration (loadConfig: the environment and CONFIG_FILE).

import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createLogger } from '../log.ts';
import { openAnalytics } from '../platform.ts';
import { createFileSource, httpSubmitter, ingestFile, type IngestTotals } from '../ingest/sources/ingest-file.ts';
import { loadFxRates, parseFxCsv } from '../fx/fx-rates.ts';
import { createProgress } from './progress.ts';
import { GENERATE_USAGE, formatSummary, runGenerate } from './generate-command.ts';
import { TOKEN_USAGE, runToken } from './token-command.ts';
import { CUSTOM_EVENTS_USAGE, runCustomEvents } from './custom-events-command.ts';
import { REPROCESS_USAGE, runReprocess } from './reprocess-command.ts';
import { UsageError } from './usage-error.ts';
import { RETENTION_USAGE, runRetentionCommand } from './retention-command.ts';
import { BACKFILL_USAGE, runBackfillCommand } from './backfill-command.ts';
import { OPS_USAGE, runOps } from './ops-commands.ts';

const COMMAND_USAGE: Record<string, string> = {
  ingest: 'usage: ingest FILE|- [--format ndjson|csv] [--url URL] [--token T] [--batch N] [--resume]',
  generate: GENERATE_USAGE,
  fx: 'usage: fx load FILE [--url URL] [--token T]',
  merchants: 'usage: merchants import FILE --url URL [--token T]   (CSV merchant_id,name, to a running server)',
  token: TOKEN_USAGE,
  'custom-events': CUSTOM_EVENTS_USAGE,
  reprocess: REPROCESS_USAGE,
  retention: RETENTION_USAGE,
  backfill: BACKFILL_USAGE,
  ...OPS_USAGE,
};
const USAGE = `usage: npm run cli -- COMMAND [options]   (COMMAND --help for its options)
${Object.values(COMMAND_USAGE).map((u) => `  ${u.replace(/^usage: /, '')}`).join('\n')}
Settings (DATA_DIR, JWT_SECRET, …) come from the environment or CONFIG_FILE, as for the server.`;

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

function authHeaders(token: string | undefined): Record<string, string> {
  const t = token ?? loadConfig().API_TOKEN;
  return t ? { authorization: `Bearer ${t}` } : {};
}

async function ingest(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      format: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' }, batch: { type: 'string' }, resume: { type: 'boolean' },
    },
  });
  const path = positionals[0];
  if (!path) throw new Error(COMMAND_USAGE.ingest);
  const format = (values.format ?? (path.endsWith('.csv') ? 'csv' : 'ndjson')) as 'ndjson' | 'csv';
  const batchSize = Number(values.batch ?? 50_000);
  const total = path === '-' ? null : statSync(path).size;
  const progress = createProgress(total);
  const onProgress = (t: IngestTotals) => progress.update(t.received, t.bytes);
  let totals: IngestTotals;
  if (values.url) {
    // A client of a running server: that server's HTTP source takes the events.
    totals = await ingestFile({ path, format, batchSize, submit: httpSubmitter(values.url, authHeaders(values.token)), onProgress });
  } else {
    const config = loadConfig();
    const platform = await openAnalytics(config, createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL));
    const file = createFileSource({
      path, source: path === '-' ? 'stdin' : `file:${resolve(path)}`, format, batchSize,
      engine: platform.engine, store: platform.store, resume: Boolean(values.resume) && path !== '-', onProgress,
    });
    await file.start();
    try {
      totals = await file.finished;
    } finally {
      await file.stop();
      await platform.close();
    }
  }
  const seconds = progress.done(totals.received, totals.bytes);
  console.log(JSON.stringify({ ...totals, seconds: Math.round(seconds * 100) / 100, events_per_second: Math.round(totals.received / seconds) }));
  return totals.rejected > 0 ? 1 : 0;
}

async function fx(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, token: { type: 'string' } } });
  if (positionals[0] !== 'load' || !positionals[1]) throw new Error(COMMAND_USAGE.fx);
  const text = readFileSync(positionals[1], 'utf8');
  if (values.url) {
    const res = await fetch(new URL('/api/v1/fx-rates', values.url), {
      method: 'PUT', headers: { 'content-type': 'text/csv', ...authHeaders(values.token) }, body: text,
    });
    console.log(await res.text());
    return res.ok ? 0 : 1;
  }
  const rates = parseFxCsv(text);
  const config = loadConfig();
  const platform = await openAnalytics(config, createLogger('warn'));
  const n = await loadFxRates(platform.store, rates, `file:${resolve(positionals[1])}`);
  await platform.close();
  console.log(JSON.stringify({ loaded: n }));
  return 0;
}

/** Merchant names go to a running server (PUT /api/v1/merchants): the state store is its own. */
async function merchants(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, token: { type: 'string' } } });
  if (positionals[0] !== 'import' || !positionals[1] || !values.url) throw new Error(COMMAND_USAGE.merchants);
  const res = await fetch(new URL('/api/v1/merchants', values.url), {
    method: 'PUT', headers: { 'content-type': 'text/csv', ...authHeaders(values.token) }, body: readFileSync(positionals[1], 'utf8'),
  });
  console.log(await res.text());
  return res.ok ? 0 : 1;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (isHelp(command) || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command !== undefined && Object.hasOwn(COMMAND_USAGE, command) && rest.some(isHelp)) {
    console.log(COMMAND_USAGE[command]);
    return 0;
  }
  switch (command) {
    case 'ingest': return ingest(rest);
    case 'generate': {
      // The events go to stdout (or --out); the summary to stderr, so it never mixes with them.
      const summary = await runGenerate(rest, process.stdout);
      console.error(formatSummary(summary));
      return 0;
    }
    case 'fx': return fx(rest);
    case 'merchants': return merchants(rest);
    case 'token': return runToken(rest);
    case 'custom-events': return runCustomEvents(rest, authHeaders);
    case 'reprocess': return runReprocess(rest);
    case 'retention': return runRetentionCommand(rest);
    case 'backfill': return runBackfillCommand(rest, authHeaders);
    default:
      if (command !== undefined && Object.hasOwn(OPS_USAGE, command)) return runOps(command, rest, authHeaders);
      console.error(command === undefined ? USAGE : `unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(err instanceof UsageError ? 2 : 1);
});
