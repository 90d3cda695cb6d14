// Reads events from CSV: a header row of contract field names, one event per row, empty cell =
// absent, metadata as JSON text. Rows become the same plain objects JSON producers send.

import { parse } from 'csv-parse';
import type { Readable } from 'node:stream';

export function csvRecordToEvent(rec: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  for (const key of Object.keys(rec)) {
    const v = rec[key];
    if (v === '' || v === undefined) continue;
    if (key === 'metadata') {
      try {
        out.metadata = JSON.parse(v);
      } catch {
        out.metadata = v; // the parser rejects it as invalid_field
      }
    } else out[key] = v;
  }
  return out;
}

export async function* readCsvBatches(input: Readable, batchSize: number): AsyncGenerator<{ events: unknown[]; rows: number }> {
  const parser = input.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }));
  let events: unknown[] = [];
  let rows = 0;
  for await (const rec of parser as AsyncIterable<Record<string, string>>) {
    events.push(csvRecordToEvent(rec));
    rows++;
    if (events.length >= batchSize) {
      yield { events, rows };
      events = [];
    }
  }
  if (events.length > 0) yield { events, rows };
}
