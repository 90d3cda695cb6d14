// An export's bytes, in the format asked: the kind's pages of rows through the format's writer,
// pulled as the reader reads (a slow reader slows the store reads; nothing is read ahead past a
// page and the writer's own buffer). The PDF statement reads every row for its totals, then
// writes a few KB.

import { Readable } from 'node:stream';
import type { ExportFormat, ExportKind, ExportLang, ExportRange, Row } from './export-kind.ts';
import { csvChunks } from './csv-writer.ts';
import { statementPdf } from './pdf-statement.ts';
import { xlsxChunks } from './xlsx-writer.ts';

export const FORMAT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

export interface BodyRequest {
  kind: ExportKind;
  format: ExportFormat;
  lang: ExportLang;
  merchantId: string;
  range: ExportRange;
  timeZone: string;
  now: () => number;
}

/** The file name of an export: kind, merchant, period (UTC dates). */
export function exportFilename(kind: string, format: ExportFormat, merchantId: string, range: ExportRange): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const merchant = merchantId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return `${kind}_${merchant}_${day(range.from)}_${day(range.to)}.${format}`;
}

/** Counts the rows that pass. */
export async function* counted(pages: AsyncIterable<Row[]>, onPage: (rows: Row[]) => void): AsyncGenerator<Row[]> {
  for await (const page of pages) {
    onPage(page);
    yield page;
  }
}

/** The export's bytes from these pages (the kind's, or a replay of pages already read). */
export function exportChunks(r: BodyRequest, pages: AsyncIterable<Row[]>): AsyncIterable<Buffer> {
  switch (r.format) {
    case 'csv': return csvChunks(r.kind.columns, pages);
    case 'xlsx': return xlsxChunks(r.kind.columns, pages, r.kind.title[r.lang], new Date(r.now()));
    case 'pdf': return pdfChunks(r, pages);
  }
}

async function* pdfChunks(r: BodyRequest, pages: AsyncIterable<Row[]>): AsyncGenerator<Buffer> {
  const totals = r.kind.totals();
  let rows = 0;
  for await (const page of pages) {
    for (const row of page) totals.add(row);
    rows += page.length;
  }
  yield statementPdf({
    title: r.kind.title, merchantId: r.merchantId, from: r.range.from, to: r.range.to, timeZone: r.timeZone, rows, generatedAt: r.now(),
  }, totals.blocks(), r.lang);
}

/** A Node stream of the bytes: read on demand (backpressure from whoever reads it). */
export function exportStream(r: BodyRequest, pages: AsyncIterable<Row[]>): Readable {
  return Readable.from(exportChunks(r, pages), { objectMode: false, highWaterMark: 64 * 1024 });
}

/**
 * Reads pages until more than `max` rows or the end. `small`: every page (the whole export, at
 * most `max` rows, in memory); otherwise the source is closed and nothing is kept.
 */
export async function peekRows(pages: AsyncIterable<Row[]>, max: number): Promise<{ small: true; pages: Row[][] } | { small: false }> {
  const it = pages[Symbol.asyncIterator]();
  const held: Row[][] = [];
  let rows = 0;
  for (;;) {
    const next = await it.next();
    if (next.done) return { small: true, pages: held };
    rows += next.value.length;
    if (rows > max) {
      await it.return?.();
      return { small: false };
    }
    held.push(next.value);
  }
}

export async function* replay(pages: Row[][]): AsyncGenerator<Row[]> {
  yield* pages;
}
