// Merchant exports over HTTP on the real app (DuckDB, PGlite, the disk file store): CSV parsed
// back, XLSX unzipped and its XML read, the PDF statement's totals in English and French;
// formula injection neutralised in CSV and XLSX (from the analytics stream and from refunds'
// reasons) while numbers stay numbers; a large export in the background → its status → a signed
// link → the download; expired and tampered links refused; another merchant's export 404 byte
// for byte like a missing one; the permission; the audit entries.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { disputeEvent, payoutEvent, txnEvents } from './merchant-events.ts';
import { pdfTexts, sheetRows, unzip } from './export-files.ts';
import { payoutPages } from '../../src/merchant/payouts.ts';

const NOW = Date.parse('2026-03-25T12:00:00Z');
let clock = NOW;
const FORMULAS = ['=HYPERLINK("http://evil")', '+1+2', '-3+4', '@SUM(A1)', '\tTAB', '\rCR'];

const EVENTS = [
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a1', at: '2026-03-01T10:00:00Z', status: 'succeeded', amount: '5000', fee: '50', customer: FORMULAS[0] }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a2', at: '2026-03-02T10:00:00Z', status: 'succeeded', amount: '7000', fee: '70', customer: '@SUM(A1)' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a3', at: '2026-03-03T10:00:00Z', status: 'failed', amount: '1000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a4', at: '2026-03-04T10:00:00Z', status: 'pending', amount: '2000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a5', at: '2026-03-05T10:00:00Z', status: 'succeeded', amount: '1234567' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_u1', at: '2026-03-06T10:00:00Z', status: 'succeeded', amount: '12.50', fee: '0.40', currency: 'USD' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_u2', at: '2026-03-07T10:00:00Z', status: 'succeeded', amount: '1000.05', currency: 'USD' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a6', at: '2026-03-20T10:00:00Z', status: 'succeeded', amount: '300' }),
  ...txnEvents({ merchant: 'm_b', txn: 'tx_b1', at: '2026-03-02T10:00:00Z', status: 'succeeded', amount: '900' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_a1', at: '2026-03-09T13:00:00Z', amount: '4000' }),
  payoutEvent({ merchant: 'm_a', payout: 'po_a0', at: '2026-02-27T18:00:00Z', amount: '100' }), // before March
  payoutEvent({ merchant: 'm_a', payout: 'po_a1', at: '2026-03-10T18:00:00Z', amount: '5000' }),
  payoutEvent({ merchant: 'm_a', payout: 'po_a1', at: '2026-03-11T08:00:00Z', amount: '5000', settled: true }),
  payoutEvent({ merchant: 'm_a', payout: 'po_a2', at: '2026-03-21T18:00:00Z', amount: '300' }),
  payoutEvent({ merchant: 'm_a', payout: 'po_u1', at: '2026-03-12T18:00:00Z', amount: '12.10', currency: 'USD' }),
  payoutEvent({ merchant: 'm_b', payout: 'po_b1', at: '2026-03-12T18:00:00Z', amount: '900' }),
];

let t: TempApp;
let admin: string;
let accountant: string;
let support: string;
let otherAdmin: string;

/** A CSV export's records by column name (the BOM taken off, as RFC 4180 parsers expecting it do). */
const csvRows = (bytes: Buffer): Array<Record<string, string>> => parse(bytes, { bom: true, columns: true });
const exportUrl = (q: string) => `/api/merchant/export?${q}`;
const MARCH = 'from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z';
const EARLY_MARCH = 'from=2026-03-01T00:00:00Z&to=2026-03-06T00:00:00Z';

async function get(url: string, token = admin, headers: Record<string, string> = {}) {
  return t.app.inject({ url, headers: { ...bearer(token), ...headers } });
}

/** Runs a background export to its end; its status. */
async function finished(id: string, token = admin) {
  await t.app.exportRunner.idle();
  const res = await get(`/api/merchant/exports/${id}`, token);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

describe('merchant exports', () => {
  before(async () => {
    t = await openTempApp({ now: () => clock, env: { EXPORT_SYNC_MAX_ROWS: '6', EXPORT_URL_TTL_SECONDS: '600' } });
    const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
    assert.equal(res.json().accepted, EVENTS.length, res.body);
    admin = await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' });
    accountant = await mintToken({ sub: 'acc@m_a', roles: ['merchant_accountant'], merchantId: 'm_a' });
    support = await mintToken({ sub: 'sam@m_a', roles: ['merchant_support'], merchantId: 'm_a' });
    otherAdmin = await mintToken({ sub: 'bob@m_b', roles: ['merchant_admin'], merchantId: 'm_b' });
    // Refunds whose reasons are formulas (free text kept in the state store).
    for (const [i, reason] of FORMULAS.entries()) {
      const r = await t.app.inject({
        method: 'POST', url: '/api/merchant/refunds', payload: { transaction_id: 'tx_a2', amount: 100 + i, currency: 'XOF', reason },
        headers: { ...bearer(admin), 'idempotency-key': `k-${i}` },
      });
      assert.equal(r.statusCode, 201, r.body);
    }
  });
  after(async () => t.close());

  test('CSV: RFC 4180 with a BOM, parsed back; amounts exact in each currency\'s exponent; formulas neutralised', async () => {
    const res = await get(exportUrl(`kind=transactions&format=csv&${EARLY_MARCH}`), accountant);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="transactions_m_a_2026-03-01_2026-03-06\.csv"/);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.rawPayload.subarray(0, 3).toString('hex'), 'efbbbf', 'UTF-8 BOM');
    assert.ok(res.body.includes('\r\n') && !/[^\r]\n/.test(res.body), 'CRLF records');
    const rows: Array<Record<string, string>> = csvRows(res.rawPayload);
    assert.deepEqual(rows.map((r) => r.txn_id), ['tx_a1', 'tx_a2', 'tx_a3', 'tx_a4', 'tx_a5']);
    assert.deepEqual(rows[0], {
      txn_id: 'tx_a1', created_at: '2026-03-01T10:00:00.000Z', updated_at: '2026-03-01T10:00:30.000Z', status: 'succeeded',
      amount: '5000', fee: '50', currency: 'XOF', country: 'SN', city: '', payment_method: 'wallet', provider: 'wave',
      customer_id: `'${FORMULAS[0]}`, failure_reason: '', event_count: '2',
    });
    assert.equal(rows[1].customer_id, "'@SUM(A1)");
    assert.equal(rows[4].amount, '1234567');
    const usd = csvRows((await get(exportUrl('kind=transactions&format=csv&from=2026-03-06T00:00:00Z&to=2026-03-08T00:00:00Z'))).rawPayload);
    assert.deepEqual(usd.map((r: Record<string, string>) => [r.amount, r.fee]), [['12.50', '0.40'], ['1000.05', '0.00']]);
  });

  test('formula injection: every OWASP start character neutralised in CSV and XLSX; numbers stay numbers', async () => {
    const csv = await get(exportUrl(`kind=refunds&format=csv&${MARCH}`));
    assert.equal(csv.statusCode, 200, csv.body);
    const rows: Array<Record<string, string>> = csvRows(csv.rawPayload);
    assert.deepEqual(rows.map((r) => r.reason), FORMULAS.map((f) => `'${f}`));
    assert.deepEqual(rows.map((r) => r.amount), ['100', '101', '102', '103', '104', '105'], 'amounts untouched');
    assert.ok(rows.every((r) => r.status === 'approved' && r.transaction_id === 'tx_a2'));

    const xlsx = await get(exportUrl(`kind=refunds&format=xlsx&${MARCH}`));
    assert.equal(xlsx.statusCode, 200, xlsx.body);
    assert.equal(xlsx.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const sheet = sheetRows(unzip(xlsx.rawPayload).get('xl/worksheets/sheet1.xml')!.toString('utf8'));
    const reasons = sheet.slice(1).map((r) => r.find((c) => c.ref.startsWith('G'))!);
    assert.deepEqual(reasons.map((c) => c.value), FORMULAS.map((f) => `'${f}`));
    assert.ok(reasons.every((c) => c.type === 'inlineStr'));
    const amounts = sheet.slice(1).map((r) => r.find((c) => c.ref.startsWith('E'))!);
    assert.deepEqual(amounts.map((c) => [c.type, c.style, c.value]), [0, 1, 2, 3, 4, 5].map((i) => [null, '1', String(100 + i)]), 'numeric cells, XOF format');
  });

  test('XLSX: a valid package, unzipped (CRC checked) and its XML read: header, text, numbers in the currency\'s format', async () => {
    const res = await get(exportUrl('kind=transactions&format=xlsx&from=2026-03-05T00:00:00Z&to=2026-03-08T00:00:00Z&lang=fr'));
    assert.equal(res.statusCode, 200, res.body);
    const files = unzip(res.rawPayload);
    assert.deepEqual([...files.keys()].sort(), ['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    assert.match(files.get('xl/workbook.xml')!.toString(), /<sheet name="Transactions" sheetId="1" r:id="rId1"\/>/);
    assert.match(files.get('xl/styles.xml')!.toString(), /<numFmt numFmtId="166" formatCode="#,##0.00"\/>/);
    const rows = sheetRows(files.get('xl/worksheets/sheet1.xml')!.toString('utf8'));
    assert.deepEqual(rows[0].map((c) => c.value), ['txn_id', 'created_at', 'updated_at', 'status', 'amount', 'fee', 'currency', 'country', 'city',
      'payment_method', 'provider', 'customer_id', 'failure_reason', 'event_count']);
    assert.deepEqual(rows.slice(1).map((r) => r[0].value), ['tx_a5', 'tx_u1', 'tx_u2']);
    const cell = (row: number, col: string) => rows[row].find((c) => c.ref === `${col}${row + 1}`)!;
    assert.deepEqual([cell(1, 'E').value, cell(1, 'E').style], ['1234567', '1']);
    assert.deepEqual([cell(2, 'E').value, cell(2, 'E').style, cell(2, 'F').value], ['12.50', '3', '0.40']);
    assert.deepEqual([cell(3, 'E').value, cell(3, 'N').value, cell(3, 'N').type], ['1000.05', '2', null]);
    assert.equal(rows[1].find((c) => c.ref === 'I2'), undefined, 'a null city is no cell');
  });

  test('PDF statement: the period\'s totals per currency, in English and in French', async () => {
    const en = await get(exportUrl(`kind=transactions&format=pdf&${EARLY_MARCH}&lang=en`));
    assert.equal(en.statusCode, 200, en.body);
    assert.equal(en.headers['content-type'], 'application/pdf');
    assert.match(String(en.headers['content-disposition']), /^attachment;/);
    const texts = pdfTexts(en.rawPayload);
    assert.ok(texts.includes('Statement — Transactions'), texts.join(' | '));
    assert.ok(texts.includes('Rows in the period: 5'), texts.join(' | '));
    const after = (label: string) => texts[texts.indexOf(label) + 1];
    assert.equal(after('Sales (succeeded transactions)'), '1,246,567 XOF');
    assert.equal(after('Fees'), '120 XOF');
    assert.equal(after('Net (sales - fees)'), '1,246,447 XOF');
    assert.equal(after('Failed transactions'), '1');

    // 7 rows: in the background, its language kept with the job.
    const job = await get(exportUrl(`kind=transactions&format=pdf&from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00Z`), admin, { 'accept-language': 'fr-SN,fr;q=0.9' });
    assert.equal(job.statusCode, 202, job.body);
    assert.equal(job.json().lang, 'fr');
    const fr = await t.app.inject({ url: (await finished(job.json().id)).download_url });
    assert.equal(fr.statusCode, 200, fr.body);
    const frTexts = pdfTexts(fr.rawPayload);
    assert.ok(frTexts.includes('Relevé — Transactions'), frTexts.join(' | '));
    assert.ok(frTexts.indexOf('Devise: USD') < frTexts.indexOf('Devise: XOF'), 'currencies in code order');
    const xofBlock = frTexts.slice(frTexts.indexOf('Devise: XOF'));
    assert.equal(xofBlock[xofBlock.indexOf('Ventes (transactions réussies)') + 1], '1 246 567 XOF');
    const usdBlock = frTexts.slice(frTexts.indexOf('Devise: USD'));
    assert.equal(usdBlock[usdBlock.indexOf('Ventes (transactions réussies)') + 1], '1 012,55 USD');
    assert.equal(usdBlock[usdBlock.indexOf('Net (ventes - frais)') + 1], '1 012,15 USD');
  });

  test('disputes export', async () => {
    const res = await get(exportUrl(`kind=disputes&format=csv&${MARCH}`));
    const rows: Array<Record<string, string>> = csvRows(res.rawPayload);
    assert.deepEqual(rows.map((r) => [r.dispute_id, r.txn_id, r.amount, r.currency, r.status, r.due_by]),
      [['dp_a1', 'tx_a1', '4000', 'XOF', 'expired', '2026-03-16T13:00:00.000Z']]);
  });

  test('a large export runs in the background: 202, status, a signed link, the download — audited', async () => {
    const res = await get(exportUrl(`kind=transactions&format=csv&${MARCH}`));
    assert.equal(res.statusCode, 202, res.body);
    const job = res.json();
    assert.match(job.id, /^ex_[0-9a-f]{32}$/);
    assert.equal(job.download_url, null);
    const done = await finished(job.id);
    assert.equal(done.status, 'ready', JSON.stringify(done));
    assert.equal(done.rows, 8);
    assert.match(done.download_url, new RegExp(`^/downloads/exports/${job.id}\\?expires=\\d+&signature=[0-9a-f]{64}$`));
    assert.equal(Date.parse(done.download_expires_at), Math.floor(clock / 1000) * 1000 + 600_000);
    const file = await t.app.inject({ url: done.download_url }); // no bearer token: the link is the credential
    assert.equal(file.statusCode, 200, file.body);
    assert.match(String(file.headers['content-disposition']), /^attachment; filename="transactions_m_a_2026-03-01_2026-04-01\.csv"/);
    assert.equal(file.headers['cache-control'], 'private, no-store');
    assert.equal(Number(file.headers['content-length']), done.bytes);
    const rows: Array<Record<string, string>> = csvRows(file.rawPayload);
    assert.deepEqual(rows.map((r) => r.txn_id), ['tx_a1', 'tx_a2', 'tx_a3', 'tx_a4', 'tx_a5', 'tx_u1', 'tx_u2', 'tx_a6']);

    const xlsx = await get(exportUrl(`kind=transactions&format=xlsx&${MARCH}`), accountant);
    assert.equal(xlsx.statusCode, 202);
    const xdone = await finished(xlsx.json().id, accountant);
    const sheet = sheetRows(unzip((await t.app.inject({ url: xdone.download_url })).rawPayload).get('xl/worksheets/sheet1.xml')!.toString());
    assert.equal(sheet.length, 9);

    const audit = (await get('/api/merchant/audit?action=export.requested')).json().items;
    const entry = audit.find((a: { object_id: string | null }) => a.object_id === job.id);
    assert.deepEqual(entry.detail, { kind: 'transactions', format: 'csv', lang: 'en', from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z', mode: 'background', export_id: job.id });
    assert.equal(entry.actor, 'ana@m_a');
    assert.ok(audit.some((a: { detail: { mode: string; rows?: number } }) => a.detail.mode === 'direct' && a.detail.rows === 5));
  });

  test('signed links: tampered or expired links are refused', async () => {
    const job = (await get(exportUrl(`kind=transactions&format=pdf&${MARCH}`))).json();
    const done = await finished(job.id);
    assert.equal(done.status, 'ready');
    const url = new URL(done.download_url, 'http://x');
    const sig = url.searchParams.get('signature')!;
    const expires = url.searchParams.get('expires')!;
    const tampered = [
      `/downloads/exports/${job.id}?expires=${expires}&signature=${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`,
      `/downloads/exports/${job.id}?expires=${Number(expires) + 3600}&signature=${sig}`,
      `/downloads/exports/ex_${'0'.repeat(32)}?expires=${expires}&signature=${sig}`,
      `/downloads/exports/${job.id}?expires=${expires}&signature=nothex`,
    ];
    for (const u of tampered) {
      const res = await t.app.inject({ url: u });
      assert.equal(res.statusCode, 403, u);
      assert.equal(res.json().code, 'download_link_invalid');
    }
    const pdf = await t.app.inject({ url: done.download_url });
    assert.equal(pdf.statusCode, 200);
    assert.ok(pdfTexts(pdf.rawPayload).includes('Rows in the period: 8'));
    clock += 601_000;
    try {
      const res = await t.app.inject({ url: done.download_url });
      assert.equal(res.statusCode, 410, res.body);
      assert.equal(res.json().code, 'download_link_expired');
      const fresh = (await get(`/api/merchant/exports/${job.id}`)).json();
      assert.equal((await t.app.inject({ url: fresh.download_url })).statusCode, 200, 'a fresh link works');
    } finally {
      clock = NOW;
    }
  });

  test('another merchant\'s export is 404 byte for byte like a missing one; the permission', async () => {
    const job = (await get(exportUrl(`kind=transactions&format=csv&${MARCH}`))).json();
    await finished(job.id);
    const theirs = await get(`/api/merchant/exports/${job.id}`, otherAdmin);
    const missing = await get(`/api/merchant/exports/ex_${'0'.repeat(32)}`, otherAdmin);
    assert.equal(theirs.statusCode, 404);
    assert.equal(theirs.body, missing.body);
    assert.equal(theirs.headers['content-type'], missing.headers['content-type']);
    assert.equal(theirs.headers['content-length'], missing.headers['content-length']);
    // m_b's own export holds only m_b's rows.
    const own = csvRows((await get(exportUrl(`kind=transactions&format=csv&${MARCH}`), otherAdmin)).rawPayload);
    assert.deepEqual(own.map((r: Record<string, string>) => r.txn_id), ['tx_b1']);
    assert.equal((await get(exportUrl(`kind=transactions&format=csv&${MARCH}`), support)).statusCode, 403);
    // An operator acts for a merchant by naming it.
    const ops = await t.inject({ url: exportUrl(`kind=disputes&format=csv&${MARCH}`), headers: { 'x-merchant-id': 'm_a' } });
    assert.equal(ops.statusCode, 200, ops.body);
  });

  test('payouts: those created in the period, newest first, settled or pending; the statement\'s totals per currency', async () => {
    const res = await get(exportUrl(`kind=payouts&format=csv&${MARCH}`), accountant);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(csvRows(res.rawPayload), [
      { payout_id: 'po_a2', created_at: '2026-03-21T18:00:00.000Z', status: 'pending', settled_at: '', amount: '300', currency: 'XOF', event_count: '1' },
      { payout_id: 'po_u1', created_at: '2026-03-12T18:00:00.000Z', status: 'pending', settled_at: '', amount: '12.10', currency: 'USD', event_count: '1' },
      { payout_id: 'po_a1', created_at: '2026-03-10T18:00:00.000Z', status: 'settled', settled_at: '2026-03-11T08:00:00.000Z', amount: '5000', currency: 'XOF', event_count: '2' },
    ]);
    const own = csvRows((await get(exportUrl(`kind=payouts&format=csv&${MARCH}`), otherAdmin)).rawPayload);
    assert.deepEqual(own.map((r: Record<string, string>) => r.payout_id), ['po_b1']);
    const toA2 = csvRows((await get(exportUrl('kind=payouts&format=csv&from=2026-03-01T00:00:00Z&to=2026-03-21T18:00:00Z'))).rawPayload);
    assert.deepEqual(toA2.map((r: Record<string, string>) => r.payout_id), ['po_u1', 'po_a1'], 'a payout created at `to` is out');
    const texts = pdfTexts((await get(exportUrl(`kind=payouts&format=pdf&${MARCH}&lang=en`))).rawPayload);
    const xof = texts.slice(texts.indexOf('Currency: XOF'));
    assert.equal(xof[xof.indexOf('Paid out') + 1], '5,300 XOF', texts.join(' | '));
    assert.equal(xof[xof.indexOf('Payouts settled') + 1], '1');
    assert.equal(xof[xof.indexOf('Payouts pending') + 1], '1');
  });

  test('payout pages of one row: each payout of the range once, in order, whatever the page size', async () => {
    const { store, state, engine, regions } = t.platform;
    const deps = { store, state, now: () => clock, dims: { regions, get dict() { return engine.state.dict; } } };
    const range = { from: Date.parse('2026-03-01T00:00:00Z'), to: Date.parse('2026-04-01T00:00:00Z') };
    for (const size of [1, 2, 3, 50]) {
      const ids: string[] = [];
      for await (const page of payoutPages(deps, 'm_a', range, size)) ids.push(...page.map((p) => p.payout.payout_id));
      assert.deepEqual(ids, ['po_a2', 'po_u1', 'po_a1'], `pages of ${size}`);
    }
  });

  test('refused: unknown kind or format, missing or reversed range', async () => {
    for (const q of ['kind=ledger&format=csv&' + MARCH, 'kind=transactions&format=json&' + MARCH, 'kind=transactions&format=csv',
      'kind=transactions&format=csv&from=2026-04-01T00:00:00Z&to=2026-03-01T00:00:00Z']) {
      const res = await get(exportUrl(q));
      assert.equal(res.statusCode, 400, `${q}: ${res.body}`);
    }
  });
});
