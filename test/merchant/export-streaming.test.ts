// The export writers stream: a reader that stops reading stops the row source (a page or two
// ahead at most, whatever the export's length), so a slow client never makes the server hold a
// whole export; XLSX spills past a sheet's row limit onto further sheets; the ZIP is read back
// whole. The source is a generator of rows in the refunds kind's shape (the store plays no part
// in what is tested here; the HTTP tests read the real kinds).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportStream } from '../../src/merchant/export/export-body.ts';
import { money, type ExportFormat, type Row } from '../../src/merchant/export/export-kind.ts';
import { refundsExport } from '../../src/merchant/export/kinds/refunds.ts';
import { neutraliseFormula } from '../../src/merchant/export/cell-text.ts';
import { xlsxChunks } from '../../src/merchant/export/xlsx-writer.ts';
import { sheetRows, unzip } from './export-files.ts';

const PAGE = 1000;

function rows(pages: number, seen: { pulled: number; closed: boolean }): AsyncGenerator<Row[]> {
  return (async function* () {
    try {
      for (let p = 0; p < pages; p++) {
        seen.pulled++;
        yield Array.from({ length: PAGE }, (_, i): Row => {
          const n = p * PAGE + i;
          return [`rf_${n}`, `tx_${n}`, '2026-03-01T00:00:00.000Z', 'approved', money(BigInt(n), 2), 'USD', `reason ${n}, "quoted"`, 'ana@m_a', null, null, null];
        });
      }
    } finally {
      seen.closed = true;
    }
  })();
}

function streamOf(format: ExportFormat, source: AsyncIterable<Row[]>): Readable {
  return exportStream({
    kind: refundsExport, format, lang: 'en', merchantId: 'm_a', range: { from: 0, to: 1 }, timeZone: 'UTC', now: () => 0,
  }, source);
}

for (const format of ['csv', 'xlsx'] as const) {
  test(`${format}: a reader that stops reading stops the source (1M rows asked, a few pages read)`, async () => {
    const seen = { pulled: 0, closed: false };
    const stream = streamOf(format, rows(1000, seen));
    await once(stream, 'readable');
    assert.ok(stream.read(1) !== null, 'a first byte');
    await sleep(300); // room to run ahead, were it to
    // Bounded by the pipeline's buffers (for XLSX deflated bytes, ten rows' text each), never by
    // the export's length: CSV reads 1-3 pages of the 1,000, XLSX a few more.
    assert.ok(seen.pulled <= (format === 'csv' ? 4 : 40), `${seen.pulled} pages read for a reader that took 1 byte`);
    assert.ok(stream.readableLength <= 2 * 1024 * 1024, `${stream.readableLength} bytes held`);
    stream.destroy();
    await once(stream, 'close');
    await sleep(10);
    assert.ok(seen.closed, 'the source is closed when the reader goes');
  });
}

test('csv: read to the end, every row once (200k rows)', async () => {
  const seen = { pulled: 0, closed: false };
  let lines = 0;
  let last = '';
  for await (const chunk of streamOf('csv', rows(200, seen))) {
    const text = (chunk as Buffer).toString('utf8');
    lines += text.split('\r\n').length - 1;
    last = text;
  }
  assert.equal(lines, 200_001);
  assert.ok(last.endsWith('rf_199999,tx_199999,2026-03-01T00:00:00.000Z,approved,1999.99,USD,"reason 199999, ""quoted""",ana@m_a,,,\r\n'));
});

test('xlsx: past the sheet row limit the rows go on to further sheets, each with its header', async () => {
  const seen = { pulled: 0, closed: false };
  const chunks: Buffer[] = [];
  // 2 pages of 1,000 rows, sheets of 801 rows (header + 800).
  for await (const c of xlsxChunks(refundsExport.columns, rows(2, seen), 'Refunds', new Date(0), 801)) chunks.push(c);
  const files = unzip(Buffer.concat(chunks));
  const sheets = [1, 2, 3].map((i) => sheetRows(files.get(`xl/worksheets/sheet${i}.xml`)!.toString()));
  assert.deepEqual(sheets.map((s) => s.length), [801, 801, 401]);
  assert.ok(sheets.every((s) => s[0][0].value === 'refund_id'));
  assert.deepEqual([sheets[0][1][0].value, sheets[1][1][0].value, sheets[2][400][0].value], ['rf_0', 'rf_800', 'rf_1999']);
  assert.match(files.get('xl/workbook.xml')!.toString(), /<sheet name="Refunds 1" sheetId="1" r:id="rId1"\/><sheet name="Refunds 2".*<sheet name="Refunds 3" sheetId="3" r:id="rId3"\/>/);
  assert.equal((files.get('[Content_Types].xml')!.toString().match(/worksheets\/sheet\d\.xml/g) ?? []).length, 3);
});

test('formula injection: the OWASP start characters, and nothing else', () => {
  for (const s of ['=1+1', '+1', '-1', '@A1', '\t=1', '\r=1', '=cmd|\' /C calc\'!A0']) assert.equal(neutraliseFormula(s), `'${s}`, JSON.stringify(s));
  for (const s of ['', 'abc', '1+1', ' =1', '\'=1', 'tx_=1', '2026-03-01T00:00:00.000Z']) assert.equal(neutraliseFormula(s), s, JSON.stringify(s));
});
