// Download headers (src/files/download-headers.ts): every hostile file name becomes a safe one,
// the headers go through a real Node HTTP server unchanged (it refuses CR/LF and non-Latin-1 in
// a header, so a name that slipped through would fail here), and the Content-Disposition a
// client receives decodes back to the cleaned name.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { downloadHeaders, safeFilename } from '../../src/files/download-headers.ts';

const PDF = 'application/pdf';

test('the headers: an attachment, nosniff, CSP sandbox, not cached by others; only our three types are served as such', () => {
  const h = downloadHeaders({ filename: 'receipt.pdf', contentType: PDF, size: 1234 });
  assert.equal(h['content-disposition'], 'attachment; filename="receipt.pdf"; filename*=UTF-8\'\'receipt.pdf');
  assert.equal(h['content-type'], PDF);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.match(h['content-security-policy'], /^sandbox(;|$)/);
  assert.equal(h['cache-control'], 'private, no-store');
  assert.equal(h['content-length'], '1234');
  assert.equal(downloadHeaders({ filename: 'x.jpeg', contentType: 'image/jpeg' })['content-type'], 'image/jpeg');
  for (const type of ['text/html', 'image/svg+xml', 'application/octet-stream', 'application/pdf; charset=x']) {
    const other = downloadHeaders({ filename: 'page.html', contentType: type });
    assert.equal(other['content-type'], 'application/octet-stream', type);
    assert.match(other['content-disposition'], /^attachment;/);
  }
});

test('file names: path separators, quotes, CR/LF, controls, bidi overrides, forbidden characters, dots, device names, length', () => {
  const cases: Array<[string, string]> = [
    ['../../etc/passwd', 'passwd.pdf'],
    ['C:\\Users\\awa\\Desktop\\reçu.pdf', 'reçu.pdf'],
    ['/tmp/', 'tmp.pdf'],
    ['dir/sub\\', 'sub.pdf'],
    ['my "evidence".pdf', 'my _evidence_.pdf'],
    ['a\r\nSet-Cookie: session=1.pdf', 'aSet-Cookie_ session=1.pdf'],
    ['tab\there\u0000nul\u0085.pdf', 'tabherenul.pdf'],
    ['invoice\u202Efdp.exe', 'invoicefdp.exe.pdf'],
    ['zero\u200Bwidth\uFEFF.pdf', 'zerowidth.pdf'],
    ['a<b>c:d|e?f*g.pdf', 'a_b_c_d_e_f_g.pdf'],
    ['report.html', 'report.html.pdf'],
    ['scan.PDF', 'scan.PDF'],
    ['noextension', 'noextension.pdf'],
    ['...', 'file.pdf'],
    ['', 'file.pdf'],
    ['  .hidden.pdf  ', 'hidden.pdf'],
    ['trailing dots...', 'trailing dots.pdf'],
    ['CON.pdf', '_CON.pdf'],
    ['nul', '_nul.pdf'],
    ['Reçu n°42 — Dakar 🧾.pdf', 'Reçu n°42 — Dakar 🧾.pdf'],
    ['Cafe\u0301.pdf', 'Café.pdf'], // NFC: one é
    ['multi   space\u3000name.pdf', 'multi space name.pdf'],
  ];
  for (const [input, expected] of cases) assert.equal(safeFilename(input, PDF), expected, JSON.stringify(input));
  assert.equal(safeFilename('photo.jpg', 'image/jpeg'), 'photo.jpg');
  assert.equal(safeFilename('photo.jpeg', 'image/jpeg'), 'photo.jpeg');
  assert.equal(safeFilename('photo.png', 'image/jpeg'), 'photo.png.jpg');
  assert.equal(safeFilename('page.html', 'application/octet-stream'), 'page.html', 'no extension to force for another type');

  const long = safeFilename(`${'é'.repeat(300)}.pdf`, PDF);
  assert.equal([...long].length, 120);
  assert.ok(long.endsWith('é.pdf'));
  assert.equal([...safeFilename('🧾'.repeat(200), PDF)].length, 120, 'counted in characters, never cutting one in half');
  assert.ok(safeFilename('🧾'.repeat(200), PDF).endsWith('.pdf'));
});

/** Content-Disposition as a client reads it: `filename*` (RFC 5987) when present, else `filename`. */
function parseDisposition(value: string): { type: string; filename: string; fallback: string } {
  const type = value.split(';')[0].trim();
  const star = /filename\*=UTF-8''([^;\s]+)/.exec(value);
  const fallback = /filename="([^"]*)"/.exec(value)?.[1] ?? '';
  return { type, filename: star ? decodeURIComponent(star[1]) : fallback, fallback };
}

let server: Server;
let base: string;
const names = [
  'my "evidence".pdf', 'a\r\nSet-Cookie: x=1.pdf', 'Reçu n°42 — Dakar 🧾.pdf', '../../etc/passwd', 'C:\\x\\y.pdf',
  "it's (final) copy*.pdf", 'percent%20name.pdf', 'invoice\u202Efdp.exe', 'back\\slash"quote.pdf', '\u0000',
];
before(async () => {
  server = createServer((req, res) => {
    const name = names[Number(new URL(req.url!, 'http://x').searchParams.get('i'))];
    for (const [k, v] of Object.entries(downloadHeaders({ filename: name, contentType: PDF, size: 4 }))) res.setHeader(k, v);
    res.end('%PDF');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('through a real HTTP server: printable ASCII headers, one Content-Disposition that decodes to the cleaned name', async () => {
  for (let i = 0; i < names.length; i++) {
    const res = await fetch(`${base}/?i=${i}`);
    assert.equal(res.status, 200, JSON.stringify(names[i]));
    assert.equal(await res.text(), '%PDF');
    assert.equal(res.headers.get('set-cookie'), null, 'no header smuggled in');
    const disposition = res.headers.get('content-disposition')!;
    assert.match(disposition, /^[\x20-\x7e]+$/, 'printable ASCII only');
    const parsed = parseDisposition(disposition);
    assert.equal(parsed.type, 'attachment');
    assert.equal(parsed.filename, safeFilename(names[i], PDF), JSON.stringify(names[i]));
    assert.doesNotMatch(parsed.fallback, /["\\%/]/);
    assert.ok(parsed.fallback.endsWith('.pdf'));
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.match(res.headers.get('content-security-policy')!, /sandbox/);
  }
  const accented = parseDisposition((await fetch(`${base}/?i=2`)).headers.get('content-disposition')!);
  assert.equal(accented.fallback, 'Recu n_42 _ Dakar _.pdf', 'the ASCII fallback drops accents, replaces the rest');
});
