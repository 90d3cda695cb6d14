// The merchant's disputes and their evidence over HTTP, on the disk file store: the list and its
// filters and pages, due_by in the merchant's zone; uploads judged from their bytes (an
// executable renamed .pdf, polyglots), limits per file and per dispute, path traversal in the
// file name; nothing kept of a refused upload; downloads as attachments; draft → submitted and
// locked; every change audited; another merchant's dispute and evidence 404 byte for byte like
// missing ones — with the state store on PGlite and on the real PostgreSQL. (The store query is tested on DuckDB and ClickHouse in test/store/merchant-disputes;
// the S3 backend by the file-store tests.)

import { describe, test, before, after } from 'node:test';
import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { disputeEvent, txnEvents } from './merchant-events.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');
const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', env: {} as Record<string, string> },
  { name: 'postgres', env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

const NOW = Date.parse('2026-03-10T14:20:00Z');
const fixture = (name: string) => readFileSync(new URL(`../files/fixtures/${name}`, import.meta.url));
const PDF = fixture('receipt.pdf');
const PNG = fixture('receipt.png');
const JPEG = fixture('receipt.jpg');
/** The smallest ZIP: its end-of-central-directory record alone. */
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]);
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1'), Buffer.alloc(300), Buffer.from('This program cannot be run in DOS mode.')]);

const EVENTS = [
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a1', at: '2026-03-01T10:00:00Z', status: 'succeeded', amount: '5000' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_open', at: '2026-03-09T13:00:00Z', amount: '4000' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_empty', at: '2026-03-09T13:00:00Z', amount: '100' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_late', at: '2026-02-20T08:00:00Z', amount: '900' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_other', at: '2026-03-05T08:00:00Z', amount: '50' }),
  disputeEvent({ merchant: 'm_b', txn: 'tx_b1', dispute: 'dp_b', at: '2026-03-09T13:00:00Z', amount: '700' }),
];

let t: TempApp;
let admin: string;
let support: string;
let otherAdmin: string;
interface Part { name: string; value?: string; filename?: string; content?: Buffer }

function multipart(parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----molam-test-boundary-7d1';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = p.content ? `form-data; name="${p.name}"; filename="${p.filename ?? ''}"` : `form-data; name="${p.name}"`;
    const type = p.content ? '\r\nContent-Type: application/pdf' : '';
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`), p.content ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

function upload(token: string, dispute: string, parts: Part[]) {
  const body = multipart(parts);
  return t.app.inject({ method: 'POST', url: `/api/merchant/disputes/${dispute}/evidence`, payload: body.payload, headers: { ...bearer(token), ...body.headers } });
}

const file = (content: Buffer, filename = 'receipt.pdf'): Part => ({ name: 'file', filename, content });

/** Every file the disk file store holds, its temp files included. */
function storedFiles(dir = join(t.config.DATA_DIR, 'files')): string[] {
  let out: string[] = [];
  let names: string[];
  try { names = readdirSync(dir); } catch { return []; }
  for (const name of names) {
    const path = join(dir, name);
    out = statSync(path).isDirectory() ? [...out, ...storedFiles(path)] : [...out, path];
  }
  return out;
}

async function detail(id: string, token = admin) {
  const res = await t.app.inject({ url: `/api/merchant/disputes/${id}`, headers: bearer(token) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

for (const backend of backends) {
  describe(`disputes, state store on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    before(async () => {
      t = await openTempApp({
        now: () => NOW,
        env: { ...backend.env, DISPUTE_EVIDENCE_MAX_FILE_BYTES: '9000', DISPUTE_EVIDENCE_MAX_TOTAL_BYTES: '14000', DISPUTE_EVIDENCE_MAX_FILES: '5' },
      });
      const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
      assert.equal(res.json().accepted, EVENTS.length, res.body);
      admin = await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' });
      support = await mintToken({ sub: 'sam@m_a', roles: ['merchant_support'], merchantId: 'm_a' });
      otherAdmin = await mintToken({ sub: 'bob@m_b', roles: ['merchant_admin'], merchantId: 'm_b' });
      const tz = await t.app.inject({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'America/New_York' }, headers: bearer(admin) });
      assert.equal(tz.statusCode, 200, tz.body);
    });
    after(async () => {
      await t.close();
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    test('the list: newest first, statuses from due_by and submission, filters, cursor pages', async () => {
      const res = await t.app.inject({ url: '/api/merchant/disputes', headers: bearer(support) });
      assert.equal(res.statusCode, 200, res.body);
      const items = res.json().items;
      assert.deepEqual(items.map((d: { dispute_id: string }) => d.dispute_id), ['dp_open', 'dp_empty', 'dp_other', 'dp_late']);
      const open = items[0];
      assert.deepEqual(open, {
        dispute_id: 'dp_open', txn_id: 'tx_a1', status: 'needs_response', reason: 'fraud', amount: '4000', currency: 'XOF',
        created_at: '2026-03-09T13:00:00.000Z', due_by: '2026-03-16T13:00:00.000Z', due_by_local: '2026-03-16T09:00:00.000-04:00',
        time_zone: 'America/New_York', submitted_at: null, submitted_by: null, evidence_count: 0, evidence_bytes: 0,
      });
      assert.equal(items[3].status, 'expired');
      const ids = async (q: string) => (await t.app.inject({ url: `/api/merchant/disputes?${q}`, headers: bearer(admin) })).json().items.map((d: { dispute_id: string }) => d.dispute_id);
      assert.deepEqual(await ids('status=expired'), ['dp_late']);
      assert.deepEqual(await ids('status=needs_response'), ['dp_open', 'dp_empty', 'dp_other']);
      assert.deepEqual(await ids('from=2026-03-05T08:00:00Z&to=2026-03-09T13:00:00Z'), ['dp_other']);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ dispute_id: string }>; next_cursor: string | null } = (await t.app.inject({ url: `/api/merchant/disputes?limit=1${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(admin) })).json();
        seen.push(...page.items.map((d: { dispute_id: string }) => d.dispute_id));
        cursor = page.next_cursor;
      } while (cursor && seen.length < 10);
      assert.deepEqual(seen, ['dp_open', 'dp_empty', 'dp_other', 'dp_late']);
      for (const q of ['status=won', 'cursor=zz', 'limit=0', 'from=yesterday', 'misspelt=1']) {
        assert.equal((await t.app.inject({ url: `/api/merchant/disputes?${q}`, headers: bearer(admin) })).statusCode, 400, q);
      }
    });

    test('refused uploads: an executable renamed .pdf, polyglots, an oversize file — 4xx and nothing kept', async () => {
      const polyglotPdf = Buffer.concat([PDF.subarray(0, PDF.lastIndexOf('%%EOF')), EMPTY_ZIP, Buffer.from('\n%%EOF\n')]);
      const cases: Array<[string, Buffer, number, string, string?]> = [
        ['an executable renamed .pdf', EXE, 422, 'file_refused', 'unknown_type'],
        ['a JPEG with a ZIP appended', Buffer.concat([JPEG, EMPTY_ZIP]), 422, 'file_refused'],
        ['a PDF with a ZIP inside', polyglotPdf, 422, 'file_refused', 'embedded_archive'],
        ['a PNG with a script after it', Buffer.concat([PNG, Buffer.from('<script>alert(1)</script>')]), 422, 'file_refused'],
        ['an empty file', Buffer.alloc(0), 422, 'file_refused', 'empty'],
        ['an oversize PDF', Buffer.concat([PDF, Buffer.alloc(1000, 0x20)]), 413, 'file_too_large'],
      ];
      for (const [what, bytes, status, code, reason] of cases) {
        const res = await upload(admin, 'dp_open', [file(bytes)]);
        assert.equal(res.statusCode, status, `${what}: ${res.body}`);
        assert.equal(res.json().code, code, what);
        if (reason) assert.equal(res.json().details?.reason ?? res.json().reason, reason, `${what}: ${res.body}`);
        // Refused before the body's end: the connection closes rather than read the rest.
        if (status === 413) assert.equal(res.headers.connection, 'close', what);
      }
      assert.deepEqual(storedFiles(), [], 'no file (nor temp file) left');
      assert.deepEqual((await detail('dp_open')).evidence, []);
    });

    test('refused requests: no file, two files, unknown or too long fields, not multipart', async () => {
      const cases: Array<[string, Part[]]> = [
        ['no file', [{ name: 'description', value: 'x' }]],
        ['two files', [file(PDF), file(PNG, 'b.png')]],
        ['an unknown field', [{ name: 'note', value: 'x' }, file(PDF)]],
        ['a field after the file', [file(PDF), { name: 'description', value: 'x' }]],
        ['a description too long', [{ name: 'description', value: 'é'.repeat(1001) }, file(PDF)]],
        ['a file in another part', [{ name: 'upload', filename: 'a.pdf', content: PDF }]],
      ];
      for (const [what, parts] of cases) {
        const res = await upload(admin, 'dp_open', parts);
        assert.equal(res.statusCode, 400, `${what}: ${res.body}`);
      }
      const json = await t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_open/evidence', payload: { file: 'x' }, headers: bearer(admin) });
      assert.equal(json.statusCode, 415, json.body);
      // The multipart parser serves evidence uploads only: elsewhere a multipart body is still 415.
      const elsewhere = multipart([{ name: 'time_zone', value: 'UTC' }]);
      const settings = await t.app.inject({ method: 'PUT', url: '/api/merchant/settings', payload: elsewhere.payload, headers: { ...bearer(admin), ...elsewhere.headers } });
      assert.equal(settings.statusCode, 415, settings.body);
      assert.deepEqual(storedFiles(), []);
      assert.deepEqual((await detail('dp_open')).evidence, []);
    });

    test('evidence: server keys, cleaned names, limits per dispute, download as attachment, delete, submit and locked; all audited', async () => {
      const pdf = await upload(support, 'dp_open', [{ name: 'description', value: 'Signed delivery receipt' }, file(PDF, '../../../etc/passwd.pdf')]);
      assert.equal(pdf.statusCode, 201, pdf.body);
      const item = pdf.json();
      assert.match(item.id, /^ev_[0-9a-f]{32}$/);
      assert.equal(item.filename, 'passwd.pdf');
      assert.equal(item.content_type, 'application/pdf');
      assert.equal(item.size, PDF.length);
      assert.equal(item.description, 'Signed delivery receipt');
      assert.equal(item.state, 'draft');
      assert.equal(item.uploaded_by, 'sam@m_a');
      const png = await upload(admin, 'dp_open', [file(PNG, '..\\..\\windows\\receipt\u202Egnp.exe')]);
      assert.equal(png.statusCode, 201, png.body);
      assert.equal(png.json().content_type, 'image/png');
      assert.ok(!png.json().filename.includes('\\') && !png.json().filename.includes('\u202E') && png.json().filename.endsWith('.png'), png.json().filename);
      // Files lie under the store's root, named by hashes: nothing from the client's names.
      const files = storedFiles();
      assert.equal(files.length, 2);
      for (const f of files) assert.ok(f.startsWith(join(t.config.DATA_DIR, 'files')) && !/passwd|etc|windows|receipt/.test(f.slice(t.config.DATA_DIR.length)), f);

      // The per-dispute total: 8514 + 4147 held, a 1915-byte JPEG passes 14000.
      const over = await upload(admin, 'dp_open', [file(JPEG, 'more.jpg')]);
      assert.equal(over.statusCode, 413, over.body);
      assert.equal(over.json().code, 'evidence_limit_exceeded');
      assert.equal(storedFiles().length, 2);

      const download = await t.app.inject({ url: `/api/merchant/disputes/dp_open/evidence/${item.id}`, headers: bearer(support) });
      assert.equal(download.statusCode, 200);
      assert.deepEqual(download.rawPayload, PDF);
      assert.equal(download.headers['content-type'], 'application/pdf');
      assert.equal(download.headers['content-disposition'], 'attachment; filename="passwd.pdf"; filename*=UTF-8\'\'passwd.pdf');
      assert.equal(download.headers['x-content-type-options'], 'nosniff');
      assert.match(String(download.headers['content-security-policy']), /^sandbox/);
      assert.equal(download.headers['cache-control'], 'private, no-store');

      const removed = await t.app.inject({ method: 'DELETE', url: `/api/merchant/disputes/dp_open/evidence/${png.json().id}`, headers: bearer(admin) });
      assert.equal(removed.statusCode, 204, removed.body);
      assert.equal(storedFiles().length, 1);
      assert.equal((await t.app.inject({ url: `/api/merchant/disputes/dp_open/evidence/${png.json().id}`, headers: bearer(admin) })).statusCode, 404);
      const jpeg = await upload(admin, 'dp_open', [file(JPEG, 'photo.jpeg')]);
      assert.equal(jpeg.statusCode, 201, jpeg.body);
      let d = await detail('dp_open');
      assert.equal(d.evidence_count, 2);
      assert.equal(d.evidence_bytes, PDF.length + JPEG.length);
      assert.deepEqual(d.evidence.map((e: { id: string }) => e.id), [item.id, jpeg.json().id]);

      const submitted = await t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_open/submit', headers: bearer(support) });
      assert.equal(submitted.statusCode, 200, submitted.body);
      assert.equal(submitted.json().submitted_at, new Date(NOW).toISOString());
      d = await detail('dp_open');
      assert.equal(d.status, 'under_review');
      assert.equal(d.submitted_by, 'sam@m_a');
      assert.deepEqual(d.evidence.map((e: { state: string }) => e.state), ['submitted', 'submitted']);
      // Locked: no upload, no delete, no second submission — each a coded 409.
      const locked = [
        await upload(admin, 'dp_open', [file(JPEG, 'late.jpg')]),
        await t.app.inject({ method: 'DELETE', url: `/api/merchant/disputes/dp_open/evidence/${item.id}`, headers: bearer(admin) }),
        await t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_open/submit', headers: bearer(admin) }),
      ];
      for (const res of locked) {
        assert.equal(res.statusCode, 409, res.body);
        assert.equal(res.json().code, 'dispute_submitted');
      }
      assert.equal(storedFiles().length, 2);
      const listed = (await t.app.inject({ url: '/api/merchant/disputes?status=under_review', headers: bearer(admin) })).json().items;
      assert.deepEqual(listed.map((x: { dispute_id: string }) => x.dispute_id), ['dp_open']);

      const audit = (await t.app.inject({ url: '/api/merchant/audit?limit=50', headers: bearer(admin) })).json().items
        .filter((e: { object_type: string }) => e.object_type === 'dispute').map((e: { action: string; actor: string; detail: { evidence_id?: string } }) => [e.action, e.actor, e.detail.evidence_id ?? null]);
      assert.deepEqual(audit, [
        ['dispute.submitted', 'sam@m_a', null],
        ['dispute.evidence_uploaded', 'ana@m_a', jpeg.json().id],
        ['dispute.evidence_deleted', 'ana@m_a', png.json().id],
        ['dispute.evidence_uploaded', 'ana@m_a', png.json().id],
        ['dispute.evidence_uploaded', 'sam@m_a', item.id],
      ]);
    });

    test('past due_by: no evidence, no submission; a submission needs evidence', async () => {
      const late = await upload(admin, 'dp_late', [file(PDF)]);
      assert.equal(late.statusCode, 409, late.body);
      assert.equal(late.json().code, 'dispute_expired');
      const lateSubmit = await t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_late/submit', headers: bearer(admin) });
      assert.equal(lateSubmit.json().code, 'dispute_expired');
      const empty = await t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_empty/submit', headers: bearer(admin) });
      assert.equal(empty.statusCode, 422, empty.body);
      assert.equal(empty.json().code, 'evidence_required');
    });

    test('uploads at once share one dispute\'s room: exactly one of four 8.5 KB PDFs fits in 14 KB, the others leave nothing', async () => {
      const before = storedFiles().length;
      const answers = await Promise.all([1, 2, 3, 4].map((i) => upload(admin, 'dp_empty', [file(PDF, `copy${i}.pdf`)])));
      assert.deepEqual(answers.map((r) => r.statusCode).sort(), [201, 413, 413, 413], answers.map((r) => r.body).join('\n'));
      for (const r of answers.filter((x) => x.statusCode === 413)) assert.equal(r.json().code, 'evidence_limit_exceeded');
      assert.equal(storedFiles().length, before + 1);
      assert.equal((await detail('dp_empty')).evidence_bytes, PDF.length);
    });

    test('another merchant\'s dispute and evidence: 404 byte for byte like missing ones, on every route', async () => {
      const up = await upload(admin, 'dp_other', [file(PNG, 'x.png')]);
      assert.equal(up.statusCode, 201, up.body);
      const evidence = up.json().id;
      const missingEvidence = 'ev_' + '0'.repeat(32);
      const pairs: Array<[string, () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>, () => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>]> = [
        ['detail', () => t.app.inject({ url: '/api/merchant/disputes/dp_other', headers: bearer(otherAdmin) }),
          () => t.app.inject({ url: '/api/merchant/disputes/dp_nope', headers: bearer(otherAdmin) })],
        ['upload', () => upload(admin, 'dp_b', [file(PDF)]), () => upload(admin, 'dp_nope', [file(PDF)])],
        ['submit', () => t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_b/submit', headers: bearer(admin) }),
          () => t.app.inject({ method: 'POST', url: '/api/merchant/disputes/dp_nope/submit', headers: bearer(admin) })],
        ['download', () => t.app.inject({ url: `/api/merchant/disputes/dp_other/evidence/${evidence}`, headers: bearer(otherAdmin) }),
          () => t.app.inject({ url: `/api/merchant/disputes/dp_other/evidence/${missingEvidence}`, headers: bearer(otherAdmin) })],
        ['download under its own id elsewhere', () => t.app.inject({ url: `/api/merchant/disputes/dp_b/evidence/${evidence}`, headers: bearer(otherAdmin) }),
          () => t.app.inject({ url: `/api/merchant/disputes/dp_b/evidence/${missingEvidence}`, headers: bearer(otherAdmin) })],
        ['delete', () => t.app.inject({ method: 'DELETE', url: `/api/merchant/disputes/dp_other/evidence/${evidence}`, headers: bearer(otherAdmin) }),
          () => t.app.inject({ method: 'DELETE', url: `/api/merchant/disputes/dp_other/evidence/${missingEvidence}`, headers: bearer(otherAdmin) })],
      ];
      for (const [what, theirs, missing] of pairs) {
        const [a, b] = [await theirs(), await missing()];
        assert.equal(a.statusCode, 404, `${what}: ${a.body}`);
        assert.equal(a.body, b.body, what);
        assert.equal(a.headers['content-type'], b.headers['content-type'], what);
        assert.equal(a.headers['content-length'], b.headers['content-length'], what);
      }
      const list = (await t.app.inject({ url: '/api/merchant/disputes', headers: bearer(otherAdmin) })).json().items;
      assert.deepEqual(list.map((d: { dispute_id: string }) => d.dispute_id), ['dp_b']);
      assert.equal((await detail('dp_other')).evidence.length, 1, 'still there');
    });
  });
}
