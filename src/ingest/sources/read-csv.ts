// Reads events from a CSV file: a header row of contract field names, one event per row, empty
// cell = absent, metadata as JSON text. Rows become the JSON text a JSON producer would send, as
// POST /api/v1/events does with text/csv (frame-events.ts).

import { parse } from 'csv-parse';
import { csvRecordToJson } from '../frame-events.ts';
import type { Readable } from 'node:stream';

export async function* readCsvBatches(input: Readable, batchSize: number): AsyncGenerator<{ events: string[]; rows: number }> {
  const parser = input.pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }));
  let events: string[] = [];
  let rows = 0;
  for await (const rec of parser as AsyncIterable<Record<string, string>>) {
    events.push(csvRecordToJson(rec));
    rows++;
    if (events.length >= batchSize) {
      yield { events, rows };
      events = [];
    }
  }
  if (events.length > 0) yield { events, rows };
}
