// A reading replica's live window after commits it never heard of: the writer's message for one
// batch is lost (as when a consumer is killed between its commit and its message), the replica
// notices the gap at the next message, seeds its window again from the store and applies what
// came after the seed — every transaction of the last hour counted once. In one process, with
// the real pieces: the engine writing to ClickHouse, the commit feed on Redis, a reader app.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { randomStream } from '../support/random-stream.ts';
import { contributions } from '../support/reference-rollups.ts';
import { TEST_SECRET } from '../support/tokens.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { openAnalytics, openReaderPlatform } from '../../src/platform.ts';
import { buildApp } from '../../src/app.ts';
import { startParts } from '../../src/start-parts.ts';
import { publishCommits } from '../../src/cluster/commit-feed.ts';
import type { IngestView } from '../../src/ingest/ingest-view.ts';
import { WINDOW_MINUTES } from '../../src/live/live-window.ts';

let ch: ClickHouseServer;
const dirs: string[] = [];
before(async () => { ch = await startClickHouse(); }, { timeout: 120_000 });
after(async () => {
  await ch?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

test('a lost commit message: the reader seeds its live window again, and counts every transaction once', { timeout: 180_000 }, async () => {
  const log = createLogger('silent');
  const database = await ch.createDatabase('remote_live');
  const settings = (role: string) => {
    const dir = mkdtempSync(join(tmpdir(), `molam-${role}-`));
    dirs.push(dir);
    return loadConfig({
      ROLE: role, DATA_DIR: dir, LOG_LEVEL: 'silent', JWT_SECRET: TEST_SECRET,
      ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: ch.url, CLICKHOUSE_DATABASE: database,
      REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `remote-live-${randomUUID().slice(0, 8)}`, CACHE_TTL: '0',
    });
  };
  const writerConfig = settings('consumer');
  const writer = await openAnalytics(writerConfig, log);
  // The writer's feed, losing the message of its second commit.
  let commits = 0;
  const engine = writer.engine;
  const lossy: IngestView = {
    asOf: () => engine.asOf(),
    onCommit: (l) => engine.onCommit((b) => { if (++commits !== 2) l(b); }),
    get dict() { return engine.dict; },
    stats: null,
  };
  const publisher = await publishCommits({
    ingest: lossy, storeId: (await writer.store.loadMeta()).storeId, url: writerConfig.REDIS_URL, prefix: writerConfig.REDIS_PREFIX, log,
  });
  const readerConfig = { ...settings('api'), REDIS_PREFIX: writerConfig.REDIS_PREFIX };
  const reader = await openReaderPlatform(readerConfig, log);
  const app = await buildApp({
    config: readerConfig, engine: null, ingest: reader.ingest, store: reader.store, state: reader.state, regions: reader.regions, log,
  });
  try {
    await startParts(app, ['live-feed']);
    const t0 = Date.now();
    const seen = new Set<string>();
    const evs = randomStream({ seed: 7, txns: 400, start: t0 - 30 * 60_000, spanMs: 20 * 60_000 }).events
      .filter((e) => Date.parse(e.occurred_at as string) < t0 - 60_000)
      .filter((e) => !seen.has(e.event_id as string) && seen.add(e.event_id as string));
    const txCount = (part: typeof evs) => contributions(part).filter((c) => c.kind <= 3).length;
    const liveTxCount = () => {
      const now = Math.floor(Date.now() / 60_000);
      return app.liveFeed.window.answer('global', now - WINDOW_MINUTES + 1, now + 1).totals.tx_count;
    };
    const third = Math.floor(evs.length / 3);
    const parts = [evs.slice(0, third), evs.slice(third, 2 * third), evs.slice(2 * third)];

    await engine.submit({ source: 'test', items: parts[0].map((e) => JSON.stringify(e)) });
    await until(() => liveTxCount() === txCount(parts[0]));
    // The second commit's message is lost: the reader cannot know of it yet.
    await engine.submit({ source: 'test', items: parts[1].map((e) => JSON.stringify(e)) });
    assert.equal(commits, 2);
    // The third arrives after a gap in batch ids: the window is seeded again from the store.
    await engine.submit({ source: 'test', items: parts[2].map((e) => JSON.stringify(e)) });
    await until(() => liveTxCount() === txCount(evs));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(liveTxCount(), txCount(evs), 'and nothing is counted twice');
  } finally {
    await app.close();
    await publisher.stop();
    await reader.close();
    await writer.close();
  }
});
