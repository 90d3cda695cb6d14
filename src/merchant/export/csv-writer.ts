// CSV (RFC 4180): a header row of column names, then one record per row; fields separated by
// commas, records by CRLF; a field holding a comma, a quote, CR or LF is quoted, its quotes
// doubled. UTF-8 with a byte-order mark, so that Excel (the tool most merchants open it with)
// reads accents right; RFC 4180 parsers that do not expect it take the BOM as part of the first
// header name, which is why it is documented (docs/merchant.md#exports). Written a page at a
// time: memory holds one page, whatever the export's length.

import type { Column, Row } from './export-kind.ts';
import { cellText } from './cell-text.ts';

const BOM = '\ufeff';
const NEEDS_QUOTES = /[",\r\n]/;

function field(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function* csvChunks(columns: readonly Column[], pages: AsyncIterable<Row[]>): AsyncGenerator<Buffer> {
  yield Buffer.from(`${BOM}${columns.map((c) => field(c.name)).join(',')}\r\n`, 'utf8');
  for await (const rows of pages) {
    let out = '';
    for (const row of rows) out += `${row.map((cell) => field(cellText(cell))).join(',')}\r\n`;
    yield Buffer.from(out, 'utf8');
  }
}
