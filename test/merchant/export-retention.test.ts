// Background exports after they are ready, on the real app (DuckDB, PGlite, the disk file store):
// each download by signed link is written to the merchant's audit log (a signed link, its export,
// the requesting address; a refused link writes nothing); EXPORT_RETENTION_HOURS after an export is
// ready the retention part deletes its file from the file store and marks it expired — its status
// says so, with no link, and its old link answers 410 export_expired — while a younger export is
// kept; a second run finds nothing more to do.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { txnEvents } from './merchant-events.ts';
import { openFileStore } from '../../src/files/open-file-store.ts';
import type { FileStore } from '../../src/files/file-store.ts';
import { purgeExpiredExports } from '../../src/merchant/export/export-retention.ts';

const NOW = Date.parse('2026-04-10T09:00:00Z');
const HOUR = 3_600_000;
let clock = NOW;
const EVENTS = [
  ...txnEvents({ merchant: 'm_a', txn: 'tx_1', at: '2026-04-01T10:00:00Z', status: 'succeeded', amount: '5000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_2', at: '2026-04-02T10:00:00Z', status: 'failed', amount: '700' }),
  ...txnEvents({ merchant: 'm_b', txn: 'tx_3', at: '2026-04-03T10:00:00Z', status: 'succeeded', amount: '900' }),
];
const APRIL = 'from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z';

let t: TempApp;
let files: FileStore;
const tokens: Record<string, Record<string, string>> = {};

const get = (url: string, who: string) => t.app.inject({ url, headers: tokens[who] });

/** A background export of the merchant's April, run to its end; its status. */
async function readyExport(who: string) {
  const res = await get(`/api/merchant/export?kind=transactions&format=csv&${APRIL}`, who);
  assert.equal(res.statusCode, 202, res.body);
  await t.app.exportRunner.idle();
  const done = (await get(`/api/merchant/exports/${res.json().id}`, who)).json();
  assert.equal(done.status, 'ready', JSON.stringify(done));
  return done as { id: string; download_url: string };
}

describe('export downloads audited, export files expired', () => {
  before(async () => {
    // Every export in the background; links valid a week, so an old link still reaches the export.
    t = await openTempApp({ now: () => clock, env: { EXPORT_SYNC_MAX_ROWS: '0', EXPORT_URL_TTL_SECONDS: '604800', EXPORT_RETENTION_HOURS: '24' } });
    assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS })).json().accepted, EVENTS.length);
    tokens.ana = bearer(await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' }));
    tokens.bea = bearer(await mintToken({ sub: 'bea@m_b', roles: ['merchant_admin'], merchantId: 'm_b' }));
    files = await openFileStore(t.config); // the same disk store (DATA_DIR/files) the app writes to
  });
  after(async () => {
    await files.close();
    await t.close();
  });

  test('a download by signed link is audited: the link, its export, the requesting address; a refused link writes nothing', async () => {
    const done = await readyExport('ana');
    const file = await t.app.inject({ url: done.download_url, remoteAddress: '203.0.113.7', headers: { 'user-agent': 'curl/8.5' } });
    assert.equal(file.statusCode, 200, file.body);
    // The signature's first character changed (to another one: a signature may start with '0').
    const tampered = done.download_url.replace(/signature=(.)/, (_, c: string) => `signature=${c === '0' ? '1' : '0'}`);
    assert.notEqual(tampered, done.download_url);
    const bad = await t.app.inject({ url: tampered, remoteAddress: '198.51.100.1' });
    assert.equal(bad.statusCode, 403);

    const entries = (await get('/api/merchant/audit?action=export.downloaded', 'ana')).json().items;
    assert.equal(entries.length, 1, JSON.stringify(entries));
    const [entry] = entries;
    assert.deepEqual(
      [entry.actor, entry.actor_kind, entry.object_type, entry.object_id, entry.ip, entry.user_agent],
      ['signed_link', 'link', 'export', done.id, '203.0.113.7', 'curl/8.5'],
    );
    const expiresAt = new Date(Number(new URL(done.download_url, 'http://x').searchParams.get('expires')) * 1000).toISOString();
    assert.deepEqual(entry.detail, { via: 'signed_link', export_id: done.id, link_expires_at: expiresAt, bytes: Number(file.headers['content-length']), requested_by: 'ana@m_a' });
    assert.equal(entry.at, new Date(clock).toISOString());
    // The merchant's entry only: the other merchant's log has none.
    assert.deepEqual((await get('/api/merchant/audit?action=export.downloaded', 'bea')).json().items, []);
  });

  test('EXPORT_RETENTION_HOURS after it is ready, the retention part deletes the file and the export is expired (410 export_expired)', async () => {
    const old = await readyExport('ana');
    clock += 2 * HOUR;
    const young = await readyExport('bea');
    const fileKey = (id: string) => `exports/${id}`;
    assert.ok(await files.stat(fileKey(old.id)), 'the file is stored');

    // 23 hours after the first was ready: nothing is due yet.
    clock = NOW + 23 * HOUR;
    assert.deepEqual(await purgeExpiredExports({ state: t.platform.state, files: async () => files, retentionHours: 24, now: () => clock }), { expired: 0, removed: 0 });
    assert.equal((await t.app.inject({ url: old.download_url })).statusCode, 200);

    // Past 24 hours: one run of the retention part (at its start; stopping it waits for the run).
    clock = NOW + 24 * HOUR + 60_000;
    const stop = await t.app.parts.start(['retention']);
    await stop();

    const status = (await get(`/api/merchant/exports/${old.id}`, 'ana')).json();
    assert.deepEqual([status.status, status.download_url, status.download_expires_at], ['expired', null, null]);
    assert.equal(await files.stat(fileKey(old.id)), null, 'the file is gone from the file store');
    const [row] = await t.platform.state.query<{ file_key: string | null }>('SELECT file_key FROM merchant_exports WHERE id = $1', [old.id]);
    assert.equal(row.file_key, null);
    const gone = await t.app.inject({ url: old.download_url });
    assert.equal(gone.statusCode, 410, gone.body);
    assert.equal(gone.json().code, 'export_expired');

    // The export ready two hours later is kept, and still downloads.
    assert.equal((await get(`/api/merchant/exports/${young.id}`, 'bea')).json().status, 'ready');
    assert.ok(await files.stat(fileKey(young.id)));
    assert.equal((await t.app.inject({ url: young.download_url })).statusCode, 200);

    // Nothing left to do: a second run changes nothing.
    assert.deepEqual(await purgeExpiredExports({ state: t.platform.state, files: async () => files, retentionHours: 24, now: () => clock }), { expired: 0, removed: 0 });
  });

  test('an expired export whose file could not be removed yet keeps its key until a run removes it', async () => {
    const done = await readyExport('ana');
    // As a run that marked it expired and then lost the file store would leave it.
    await t.platform.state.query(`UPDATE merchant_exports SET status = 'expired' WHERE id = $1`, [done.id]);
    assert.ok(await files.stat(`exports/${done.id}`));
    assert.deepEqual(await purgeExpiredExports({ state: t.platform.state, files: async () => files, retentionHours: 24, now: () => clock }), { expired: 0, removed: 1 });
    assert.equal(await files.stat(`exports/${done.id}`), null);
  });
});
