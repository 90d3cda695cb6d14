// Test helpers that read export files back with code of their own (not the writers'): a ZIP
// reader over the central directory (each entry inflated and its CRC checked), the cells of a
// SpreadsheetML worksheet, and the text strings of a PDF's content streams.

import assert from 'node:assert/strict';
import { crc32, inflateRawSync } from 'node:zlib';

export function unzip(zip: Buffer): Map<string, Buffer> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(eocd >= 0, 'an end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const out = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    assert.equal(zip.readUInt32LE(at), 0x02014b50, 'a central directory header');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    assert.equal(zip.readUInt32LE(local), 0x04034b50, `${name}: a local header`);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + compressed);
    const data = method === 8 ? inflateRawSync(raw) : Buffer.from(raw);
    assert.equal(data.length, size, `${name}: size`);
    assert.equal(crc32(data), crc, `${name}: CRC-32`);
    out.set(name, data);
    at += 46 + nameLength + extra + comment;
  }
  return out;
}

const unescapeXml = (s: string) => s.replace(/&#13;/g, '\r').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export interface SheetCell { ref: string; style: string | null; type: string | null; value: string }

/** A worksheet's rows of cells (text of inline strings, or the number's text). */
export function sheetRows(xml: string): SheetCell[][] {
  assert.ok(!/<f[ >]/.test(xml), 'no formula anywhere');
  const rows: SheetCell[][] = [];
  for (const [, body] of xml.matchAll(/<row r="\d+">(.*?)<\/row>/gs)) {
    const cells: SheetCell[] = [];
    for (const [, attrs, inner] of body.matchAll(/<c ([^>]*)>(.*?)<\/c>/gs)) {
      const attr = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(attrs)?.[1] ?? null;
      const text = /<t[^>]*>(.*?)<\/t>/s.exec(inner)?.[1] ?? /<v>(.*?)<\/v>/s.exec(inner)?.[1] ?? '';
      cells.push({ ref: attr('r')!, style: attr('s'), type: attr('t'), value: unescapeXml(text) });
    }
    rows.push(cells);
  }
  return rows;
}

/** The strings shown by a PDF (the literal strings of Tj operators), in order, after checking its cross-reference offsets. */
export function pdfTexts(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  assert.ok(text.startsWith('%PDF-1.'), 'a PDF header');
  assert.ok(text.trimEnd().endsWith('%%EOF'), 'an end marker');
  const xrefAt = Number(/startxref\n(\d+)\n/.exec(text)![1]);
  assert.ok(text.startsWith('xref', xrefAt), 'startxref points at the table');
  const [, first, n] = /xref\n(\d+) (\d+)\n/.exec(text.slice(xrefAt))!;
  assert.equal(first, '0');
  const entries = text.slice(xrefAt).split('\n').slice(2, 2 + Number(n));
  entries.slice(1).forEach((e, i) => {
    const offset = Number(e.slice(0, 10));
    assert.ok(text.startsWith(`${i + 1} 0 obj`, offset), `object ${i + 1} is where the table says`);
  });
  const out: string[] = [];
  for (const [, s] of text.matchAll(/\(((?:\\.|[^\\)])*)\) Tj/g)) {
    out.push(s.replace(/\\([0-7]{3}|.)/g, (_, e: string) => (e.length === 3 ? String.fromCharCode(parseInt(e, 8)) : e)));
  }
  return out.map((s) => Buffer.from(s, 'latin1').toString('latin1').replace(/\x97/g, '—'));
}
