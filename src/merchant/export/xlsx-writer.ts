// XLSX (Office Open XML SpreadsheetML), streamed: the rows become worksheet XML a page at a time,
// deflated into the ZIP as they come (zip-writer.ts); text cells are inline strings (no shared
// string table to hold in memory), amounts are numbers with a number format of their currency's
// exponent, counts are numbers. Text is neutralised against formulas like the CSV's
// (cell-text.ts), and characters XML 1.0 cannot carry are dropped. A sheet holds at most
// 1,048,576 rows (Excel's limit): past it the rows go on to Sheet2, Sheet3… each with the header.

import { cellText } from './cell-text.ts';
import { isMoney, type Column, type Row } from './export-kind.ts';
import { zipChunks, type ZipEntry } from './zip-writer.ts';

export const SHEET_MAX_ROWS = 1_048_576;
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
/** Number formats of amounts by exponent 0–4: style index = 1 + exponent. */
const MONEY_FORMATS = ['#,##0', '#,##0.0', '#,##0.00', '#,##0.000', '#,##0.0000'];
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function xmlText(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

function columnLetters(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

function inlineString(ref: string, text: string): string {
  return `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${xmlText(text)}</t></is></c>`;
}

function rowXml(r: number, row: Row, letters: string[]): string {
  let out = `<row r="${r}">`;
  for (let i = 0; i < row.length; i++) {
    const cell = row[i];
    if (cell === null) continue;
    const ref = `${letters[i]}${r}`;
    if (isMoney(cell)) out += `<c r="${ref}" s="${1 + Math.min(Math.max(cell.exponent, 0), 4)}"><v>${cellText(cell)}</v></c>`;
    else if (typeof cell === 'number') out += `<c r="${ref}"><v>${cell}</v></c>`;
    else out += inlineString(ref, cellText(cell));
  }
  return `${out}</row>`;
}

/** Pulls rows one at a time out of pages, with a look-ahead: whether any is left. */
function rowCursor(pages: AsyncIterable<Row[]>) {
  const it = pages[Symbol.asyncIterator]();
  let page: Row[] = [];
  let at = 0;
  let ended = false;
  return {
    async hasMore(): Promise<boolean> {
      while (at >= page.length && !ended) {
        const next = await it.next();
        if (next.done) ended = true;
        else { page = next.value; at = 0; }
      }
      return at < page.length;
    },
    /** Closes the source (a reader that went away). */
    async close(): Promise<void> {
      if (!ended) await it.return?.();
    },
    /** The rest of the current page, at most `max` rows (call after hasMore). */
    take(max: number): Row[] {
      const rows = page.slice(at, at + max);
      at += rows.length;
      return rows;
    },
  };
}

export async function* xlsxChunks(
  columns: readonly Column[], pages: AsyncIterable<Row[]>, sheetName = 'Export', at = new Date(), sheetMaxRows = SHEET_MAX_ROWS,
): AsyncGenerator<Buffer> {
  const letters = columns.map((_, i) => columnLetters(i));
  const header = `<row r="1">${columns.map((c, i) => inlineString(`${letters[i]}1`, c.name)).join('')}</row>`;
  const cursor = rowCursor(pages);
  let sheets = 0;
  async function* sheet(): AsyncGenerator<Buffer> {
    const cols = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.type === 'text' ? 22 : c.type === 'time' ? 25 : 14}" customWidth="1"/>`).join('');
    yield Buffer.from(`${XML_HEAD}<worksheet xmlns="${MAIN_NS}"><cols>${cols}</cols><sheetData>${header}`, 'utf8');
    let r = 1;
    while (r < sheetMaxRows && await cursor.hasMore()) {
      let out = '';
      for (const row of cursor.take(sheetMaxRows - r)) out += rowXml(++r, row, letters);
      yield Buffer.from(out, 'utf8');
    }
    yield Buffer.from('</sheetData></worksheet>', 'utf8');
  }
  async function* entries(): AsyncGenerator<ZipEntry> {
    do {
      sheets++;
      yield { name: `xl/worksheets/sheet${sheets}.xml`, data: sheet() };
    } while (await cursor.hasMore());
    yield* packageParts(sheets, sheetName);
  }
  try {
    yield* zipChunks(entries(), at);
  } finally {
    await cursor.close();
  }
}

function packageParts(sheets: number, sheetName: string): ZipEntry[] {
  const ids = Array.from({ length: sheets }, (_, i) => i + 1);
  const name = (i: number) => xmlText(`${sheetName}${sheets > 1 ? ` ${i}` : ''}`.slice(0, 31));
  const part = (name: string, xml: string): ZipEntry => ({ name, data: [Buffer.from(XML_HEAD + xml, 'utf8')] });
  const formats = MONEY_FORMATS.map((f, i) => `<numFmt numFmtId="${164 + i}" formatCode="${f}"/>`).join('');
  const xfs = MONEY_FORMATS.map((_, i) => `<xf numFmtId="${164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`).join('');
  return [
    part('xl/workbook.xml', `<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>${ids.map((i) => `<sheet name="${name(i)}" sheetId="${i}" r:id="rId${i}"/>`).join('')}</sheets></workbook>`),
    part('xl/_rels/workbook.xml.rels', `<Relationships xmlns="${PKG_REL_NS}">${ids.map((i) => `<Relationship Id="rId${i}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i}.xml"/>`).join('')}<Relationship Id="rId${sheets + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`),
    part('xl/styles.xml', `<styleSheet xmlns="${MAIN_NS}"><numFmts count="${MONEY_FORMATS.length}">${formats}</numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="${1 + MONEY_FORMATS.length}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>${xfs}</cellXfs></styleSheet>`),
    part('_rels/.rels', `<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
    part('[Content_Types].xml', `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${ids.map((i) => `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`),
  ];
}
