// Dev logs are readable (issue 16): LOG_FORMAT=auto is pretty in dev mode and JSON otherwise; a
// pretty app writes one compact line per request ("GET /healthz 200 ms=…"), where the JSON one
// writes Fastify's two JSON lines (production is unchanged).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.ts';
import { createLogger, logFormatOf, prettyLine } from '../../src/log.ts';
import { openTempApp } from '../support/temp-app.ts';
import { buildApp } from '../../src/app.ts';

test('auto is pretty in dev mode only; a setting wins', () => {
  assert.equal(logFormatOf(loadConfig({}, { DEV_MODE: true })), 'pretty');
  assert.equal(logFormatOf(loadConfig({})), 'json');
  assert.equal(logFormatOf(loadConfig({ LOG_FORMAT: 'json' }, { DEV_MODE: true })), 'json');
});

test('a pretty line is one line: time, level, message, fields', () => {
  const line = prettyLine(JSON.stringify({ level: 30, time: '2026-03-11T12:00:01.234Z', msg: 'GET /x 200', reqId: 'abc', ms: 3 }));
  assert.equal(line, '12:00:01.234 INFO  GET /x 200 reqId=abc ms=3\n');
});

for (const format of ['pretty', 'json'] as const) {
  test(`${format}: lines per request`, async () => {
    const t = await openTempApp();
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _e, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
    const log = createLogger('info', sink, format);
    const app = await buildApp({
      config: loadConfig({ ...process.env, DATA_DIR: t.config.DATA_DIR, LOG_FORMAT: format }), engine: t.platform.engine, store: t.platform.store,
      state: t.platform.state, regions: t.platform.regions, log,
    });
    try {
      lines.length = 0;
      assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
      const about = lines.filter((l) => l.includes('/healthz') || l.includes('request completed'));
      if (format === 'pretty') {
        assert.equal(about.length, 1, lines.join('\n'));
        assert.match(about[0], /^\d\d:\d\d:\d\d\.\d{3} INFO  GET \/healthz 200 .*ms=\d+/);
      } else {
        assert.equal(lines.length, 2, 'incoming request + request completed');
        for (const l of lines) JSON.parse(l);
      }
    } finally {
      await app.close();
      await t.close();
    }
  });
}
