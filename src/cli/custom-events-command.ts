// `custom-events load [FILE] [--url URL] [--token T]`: defines every custom event of a
// definitions file (default: the seed's trading events, reference/trading-events.json). With
// --url, through a running server's POST /api/v1/custom-events (the token needs events:define);
// without, straight into the state store of the configuration (DATABASE_URL or DATA_DIR/state —
// an embedded store only while the server is stopped). Idempotent: an unchanged definition adds
// no version, so loading the same file twice changes nothing. Prints {created, unchanged}.

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { loadCustomEvents } from '../custom-events/custom-event-definitions.ts';
import { parseDefinitionsFile } from '../custom-events/definitions-file.ts';
import { openStateStore } from '../state-store/open-state-store.ts';

export const CUSTOM_EVENTS_USAGE = 'usage: custom-events load [FILE] [--url URL] [--token T]   (FILE: default reference/trading-events.json)';
export const DEFAULT_DEFINITIONS_FILE = 'reference/trading-events.json';

export async function runCustomEvents(args: string[], headers: (token: string | undefined) => Record<string, string>): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, token: { type: 'string' } } });
  if (positionals[0] !== 'load' || positionals.length > 2) {
    console.error(CUSTOM_EVENTS_USAGE);
    return 2;
  }
  const inputs = parseDefinitionsFile(readFileSync(positionals[1] ?? DEFAULT_DEFINITIONS_FILE, 'utf8'));
  if (values.url) {
    const created: string[] = [];
    const unchanged: string[] = [];
    for (const input of inputs) {
      const res = await fetch(new URL('/api/v1/custom-events', values.url), {
        method: 'POST', headers: { 'content-type': 'application/json', ...headers(values.token) }, body: JSON.stringify(input),
      });
      const body = await res.json() as { name: string; version: number; detail?: string; code?: string };
      if (!res.ok) {
        console.error(`${input.name}: ${res.status} ${body.code ?? ''} ${body.detail ?? ''}`);
        console.log(JSON.stringify({ created, unchanged }));
        return 1;
      }
      (res.status === 201 ? created : unchanged).push(`${body.name}@${body.version}`);
    }
    console.log(JSON.stringify({ created, unchanged }));
    return 0;
  }
  const config = loadConfig();
  const state = await openStateStore({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, dataDir: config.DATA_DIR });
  try {
    console.log(JSON.stringify(await loadCustomEvents({ state, now: Date.now }, inputs, 'cli')));
  } finally {
    await state.close();
  }
  return 0;
}
