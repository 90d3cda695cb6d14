// Content checks of uploads (src/files/sniff.ts): the type from the bytes alone, and the rule
// against polyglots. Real files: test/files/fixtures holds a receipt rendered by Chromium
// (page.pdf(), and page.screenshot() as PNG and JPEG); the hostile files are built from them
// here — an executable renamed, archives appended or hidden inside, HTML and script, PDF active
// content, cut and padded files. Every verdict is the same whatever the chunks the bytes come in.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { createContentInspector, inspectBytes, refusedFileError, type Verdict } from '../../src/files/sniff.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const PDF = fixture('receipt.pdf');
const PNG = fixture('receipt.png');
const JPEG = fixture('receipt.jpg');
const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** A real ZIP (a JAR, as far as a JVM cares): one stored entry, its central directory, its end record. */
function zip(name = 'META-INF/MANIFEST.MF', content = 'Manifest-Version: 1.0\nMain-Class: Evil\n'): Buffer {
  const data = Buffer.from(content);
  const fileName = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(10, 4); local.writeUInt32LE(crc32(data), 14);
  local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(fileName.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(10, 6); central.writeUInt32LE(crc32(data), 16);
  central.writeUInt32LE(data.length, 20); central.writeUInt32LE(data.length, 24); central.writeUInt16LE(fileName.length, 28);
  const centralOffset = local.length + fileName.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(1, 8); end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + fileName.length, 12); end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** A PNG chunk (length, type, data, CRC). */
function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** The fixture PNG with a chunk slipped in before IEND (the last 12 bytes). */
function pngWith(chunk: Buffer): Buffer {
  return Buffer.concat([PNG.subarray(0, PNG.length - 12), chunk, PNG.subarray(PNG.length - 12)]);
}

/** A one-page PDF written here, with `extra` in its catalog (offsets kept right, for the honest ones). */
function pdfWith(extra: string, bodyExtra = ''): Buffer {
  const objects = [
    `<< /Type /Catalog /Pages 2 0 R ${extra} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>',
  ];
  let text = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => { offsets.push(text.length); text += `${i + 1} 0 obj\n${o}\nendobj\n`; });
  text += bodyExtra;
  const xref = text.length;
  text += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  text += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return latin1(text);
}

function expectVerdict(bytes: Buffer, expected: Partial<Verdict>, detail?: RegExp): Verdict {
  const verdict = inspectBytes(bytes);
  for (const [k, v] of Object.entries(expected)) assert.equal((verdict as Record<string, unknown>)[k], v, `${k}: ${JSON.stringify(verdict)}`);
  if (detail) assert.match((verdict as { detail: string }).detail, detail);
  return verdict;
}

test('each accepted type, from its bytes: PDF, PNG, JPEG — with its content type and extension', () => {
  assert.deepEqual(inspectBytes(PDF), { ok: true, type: 'pdf', contentType: 'application/pdf', extension: 'pdf', size: PDF.length });
  assert.deepEqual(inspectBytes(PNG), { ok: true, type: 'png', contentType: 'image/png', extension: 'png', size: PNG.length });
  assert.deepEqual(inspectBytes(JPEG), { ok: true, type: 'jpeg', contentType: 'image/jpeg', extension: 'jpg', size: JPEG.length });
  expectVerdict(pdfWith('/OpenAction [3 0 R /Fit]'), { ok: true, type: 'pdf' });
  expectVerdict(latin1('%PDF-2.0\n%%EOF'), { ok: true, type: 'pdf' }, undefined);
});

test('phone-camera JPEGs: a second image after the first (Multi-Picture Format), and zero padding, are accepted', () => {
  expectVerdict(Buffer.concat([JPEG, JPEG]), { ok: true, type: 'jpeg' });
  expectVerdict(Buffer.concat([JPEG, Buffer.alloc(64)]), { ok: true, type: 'jpeg' });
  expectVerdict(Buffer.concat([JPEG, Buffer.alloc(3), JPEG]), { ok: true, type: 'jpeg' });
});

test('anything else is refused whatever it is called: an executable renamed .pdf, an ELF, a ZIP, HTML, SVG, a GIF', () => {
  const exe = Buffer.concat([latin1('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00'), Buffer.alloc(200), latin1('This program cannot be run in DOS mode.')]);
  expectVerdict(exe, { ok: false, reason: 'unknown_type' }, /Windows executable/);
  expectVerdict(Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(64)]), { ok: false, reason: 'unknown_type' }, /ELF/);
  expectVerdict(zip(), { ok: false, reason: 'unknown_type' }, /ZIP archive/);
  expectVerdict(Buffer.from('<!doctype html><html><body><script>alert(1)</script></body></html>'), { ok: false, reason: 'unknown_type' });
  expectVerdict(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), { ok: false, reason: 'unknown_type' });
  expectVerdict(latin1('GIF89a\x01\x00\x01\x00\x00\x00\x00;'), { ok: false, reason: 'unknown_type' });
  expectVerdict(Buffer.concat([Buffer.from(' '), PDF]), { ok: false, reason: 'unknown_type' }, /not a PDF, PNG or JPEG signature/);
  expectVerdict(latin1('%PDF-9.9\n%%EOF\n'), { ok: false, reason: 'unknown_type' });
});

test('polyglots: an archive appended to, or hidden inside, a PDF, PNG or JPEG', () => {
  for (const image of [PDF, PNG, JPEG]) {
    expectVerdict(Buffer.concat([image, zip()]), { ok: false, reason: 'embedded_archive' }, /end-of-central-directory/);
  }
  // Inside: a private PNG chunk, a PDF stream before %%EOF, a JPEG comment segment — the file still ends where its format ends.
  expectVerdict(pngWith(pngChunk('ziPp', zip())), { ok: false, reason: 'embedded_archive' });
  const zipped = zip();
  expectVerdict(pdfWith('', `4 0 obj\n<< /Length ${zipped.length} >>\nstream\n${zipped.toString('latin1')}\nendstream\nendobj\n`), { ok: false, reason: 'embedded_archive' });
  const comment = Buffer.concat([Buffer.from([0xff, 0xfe, (zipped.length + 2) >> 8, (zipped.length + 2) & 0xff]), zipped]);
  expectVerdict(Buffer.concat([JPEG.subarray(0, 2), comment, JPEG.subarray(2)]), { ok: false, reason: 'embedded_archive' });
});

test('polyglots: HTML or script anywhere, in any case, is refused', () => {
  expectVerdict(Buffer.concat([JPEG, Buffer.from('<html><script>alert(document.cookie)</script>')]), { ok: false, reason: 'embedded_markup' }, /"<html"/);
  expectVerdict(pngWith(pngChunk('tEXt', Buffer.from('Comment\0<SCRIPT src=//evil.example/x.js></SCRIPT>'))), { ok: false, reason: 'embedded_markup' }, /SCRIPT/);
  expectVerdict(pdfWith('', '% <!DOCTYPE html>\n'), { ok: false, reason: 'embedded_markup' });
  expectVerdict(pdfWith('/OpenAction << /S /URI /URI (javascript:alert(1)) >>'), { ok: false, reason: 'embedded_markup' }, /javascript:/);
  expectVerdict(pngWith(pngChunk('iTXt', Buffer.from('XML\0\0\0\0\0<svg/onload=alert(1)>'))), { ok: false, reason: 'embedded_markup' });
  expectVerdict(Buffer.concat([JPEG.subarray(0, -2), Buffer.from('<?php system($_GET[c]); ?>'), JPEG.subarray(-2)]), { ok: false, reason: 'embedded_markup' });
  // XMP metadata, as cameras and PDF writers put it, is XML but no HTML.
  expectVerdict(pdfWith('', '% <?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>\n'), { ok: true });
});

test('PDF active content is refused, also spelt with #xx escapes; an ordinary /OpenAction or link is not', () => {
  expectVerdict(pdfWith('/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>'), { ok: false, reason: 'active_content' }, /\/JavaScript/);
  expectVerdict(pdfWith('/OpenAction << /S /J#61va#53cript /J#53 (x) >>'), { ok: false, reason: 'active_content' }, /\/JavaScript/);
  expectVerdict(pdfWith('/OpenAction << /S /Launch /F (cmd.exe) >>'), { ok: false, reason: 'active_content' }, /\/Launch/);
  expectVerdict(pdfWith('/Names << /EmbeddedFiles 5 0 R >>'), { ok: false, reason: 'active_content' });
  expectVerdict(pdfWith('/AcroForm << /XFA 6 0 R >>'), { ok: false, reason: 'active_content' });
  expectVerdict(pdfWith('/OpenAction << /S /URI /URI (https://molam.io/receipt/42) >> /JSON 1 /JSX 2 /Launcher 3'), { ok: true }); // names that only start like ones refused
});

test('bytes after the format\'s end are refused; so are empty, cut and broken files', () => {
  expectVerdict(Buffer.concat([PNG, Buffer.from('any payload')]), { ok: false, reason: 'trailing_data' }, /11 bytes follow the PNG's end/);
  expectVerdict(Buffer.concat([JPEG, Buffer.from('any payload')]), { ok: false, reason: 'trailing_data' });
  expectVerdict(Buffer.concat([PDF, Buffer.from('any payload')]), { ok: false, reason: 'trailing_data' });

  expectVerdict(Buffer.alloc(0), { ok: false, reason: 'empty' });
  expectVerdict(PDF.subarray(0, PDF.length - 10), { ok: false, reason: 'truncated' }, /%%EOF/);
  expectVerdict(PNG.subarray(0, PNG.length - 20), { ok: false, reason: 'truncated' }, /IEND/);
  expectVerdict(PNG.subarray(0, PNG.length - 1), { ok: false, reason: 'truncated' }, /cut 1 bytes short/);
  expectVerdict(JPEG.subarray(0, JPEG.length / 2), { ok: false, reason: 'truncated' }, /EOI/);
  expectVerdict(Buffer.concat([JPEG, JPEG.subarray(0, 100)]), { ok: false, reason: 'truncated' });
  for (const head of [latin1('%PD'), Buffer.from([0xff, 0xd8, 0xff]), PNG.subarray(0, 10)]) expectVerdict(head, { ok: false, reason: 'truncated' });
  expectVerdict(latin1('hello'), { ok: false, reason: 'unknown_type' });

  const badChunk = Buffer.from(PNG);
  badChunk.write('\x00\x01', 37, 'latin1'); // the second chunk's type (after IHDR's 25 bytes and the signature)
  expectVerdict(badChunk, { ok: false, reason: 'malformed' }, /not a PNG chunk/);
  expectVerdict(Buffer.concat([JPEG.subarray(0, 2), Buffer.from('xx'), JPEG.subarray(2)]), { ok: false, reason: 'unknown_type' });
  expectVerdict(Buffer.concat([JPEG.subarray(0, 4), Buffer.from([0x00, 0x01]), JPEG.subarray(6)]), { ok: false, reason: 'malformed' });
  // A PNG whose IDAT is honestly compressed data of any content is still a PNG.
  expectVerdict(pngWith(pngChunk('IDAT', deflateSync(Buffer.alloc(1000, 0x41)))), { ok: true });
});

test('streaming: the verdict is the same whatever the chunks; a certain refusal comes at once', () => {
  const samples = [
    PDF, PNG, JPEG, Buffer.concat([JPEG, JPEG]), Buffer.concat([PNG, zip()]), pdfWith('/OpenAction << /S /J#61vaScript >>'),
    pngWith(pngChunk('tEXt', Buffer.from('a<script>b'))), Buffer.concat([PDF, Buffer.from('x')]), PNG.subarray(0, 500), latin1('%PDF-1.4\n%%EOF'),
  ];
  fc.assert(fc.property(fc.integer({ min: 0, max: samples.length - 1 }), fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 40 }), (which, sizes) => {
    const bytes = samples[which];
    const inspector = createContentInspector();
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const n = sizes[i % sizes.length];
      inspector.update(bytes.subarray(at, at + n));
      at += n;
    }
    // `size` is what was read: a refusal may come before the end.
    const { size: _seen, ...verdict } = inspector.finish();
    const { size: _all, ...whole } = inspectBytes(bytes);
    assert.deepEqual(verdict, whole);
  }), { numRuns: 300, seed: 13 });

  const inspector = createContentInspector();
  const refusal = inspector.update(latin1('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 and the rest'));
  assert.equal(refusal?.reason, 'unknown_type', 'the caller can stop reading after the first chunk');
  const html = createContentInspector();
  assert.equal(html.update(PNG.subarray(0, 100)), null);
  assert.equal(html.update(Buffer.from('<iframe src=x>'))?.reason, 'embedded_markup');
});

test('a refusal is the coded error file_refused (422), with its reason', () => {
  const verdict = inspectBytes(Buffer.concat([PNG, zip()]));
  assert.equal(verdict.ok, false);
  if (verdict.ok) return;
  const err = refusedFileError(verdict);
  assert.equal(err.code, 'file_refused');
  assert.equal(err.status, 422);
  assert.deepEqual(err.details, { reason: 'embedded_archive' });
});
