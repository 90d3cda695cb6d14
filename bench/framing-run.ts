// Bench child: the CPU cost of turning an ingest body into parsed columns, per event, in one
// process and side by side (the variants take turns, so drift of the machine hits them alike):
// - json, decoded whole: JSON.parse of the whole array body, then parsing the decoded values (how
//   POST /api/v1/events read a JSON array until bodies were framed; no bound on nesting);
// - json, framed: frameJson (cut the array without decoding) then each event's text bounded and
//   decoded on its own — the current path;
// - ndjson, framed: frameNdjson then the same per-event decoding.
// Prints one JSON line: µs per event (median of the rounds) for each variant.

import { readFileSync } from 'node:fs';
import { frameJson, frameNdjson } from '../src/ingest/frame-events.ts';
import { parseToColumns } from '../src/ingest/parsed-batch.ts';
import type { ParseContext } from '../src/events/contract.ts';

const [file, countArg = '50000', roundsArg = '15'] = process.argv.slice(2);
const count = Number(countArg);
const rounds = Number(roundsArg);
const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').slice(0, count);
const ndjson = Buffer.from(lines.join('\n'));
const array = Buffer.from(`[${lines.join(',')}]`);
const ctx: ParseContext = { now: Date.now(), maxFutureMs: 300_000, minOccurredAt: -Infinity };

const variants: Record<string, () => number> = {
  'json, decoded whole (before)': () => parseToColumns(JSON.parse(array.toString('utf8')) as unknown[], ctx).n,
  'json, framed (now)': () => {
    const f = frameJson(array);
    return parseToColumns(f.items, ctx, f.refused).n;
  },
  'ndjson, framed (now)': () => {
    const f = frameNdjson(ndjson);
    return parseToColumns(f.items, ctx, f.refused).n;
  },
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < rounds + 2; r++) {
  for (const [name, run] of Object.entries(variants)) {
    const t0 = performance.now();
    const n = run();
    const ms = performance.now() - t0;
    if (n !== lines.length) throw new Error(`${name}: ${n} events, expected ${lines.length}`);
    if (r >= 2) times[name].push((ms * 1000) / n); // the first two rounds warm the JIT up
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({
  events: lines.length, bytesPerEvent: Math.round(ndjson.length / lines.length), rounds,
  usPerEvent: Object.fromEntries(Object.entries(times).map(([k, xs]) => [k, Math.round(median(xs) * 100) / 100])),
}));
