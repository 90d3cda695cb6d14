// The error catalogue: every code the source can send (AppError, sendProblem, live acks) is in
// the one table with the status it is sent with; GET /docs/errors serves it as HTML (an anchor
// per code) or JSON by Accept; the `type` of real error answers links to an anchor that exists;
// and the ingest rejection codes are listed there and in docs/events.md alike; so are the codes
// POST /api/v1/track refuses an event with (docs/custom-events.md) and those of the custom-event
// definition and statistics routes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { ERROR_DOCS, ERROR_STATUS } from '../../src/errors.ts';
import { REJECTION_CODES } from '../../src/events/contract.ts';
import { prefersHtml } from '../../src/http/routes/docs.ts';
import { TRACK_CODE_DOCS } from '../../src/custom-events/tracked-event.ts';

let t: TempApp;
before(async () => { t = await openTempApp(); });
after(async () => { await t.close(); });

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

test('every code the source sends is in the table, with the status it is sent with', () => {
  const sent = new Map<string, string>(); // code → where
  const statusMismatch: string[] = [];
  for (const file of sources('src')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/new AppError\(\s*'([a-z_]+)'/g)) sent.set(m[1], file);
    for (const m of text.matchAll(/sendProblem\(\s*\w+,\s*(\d{3}),\s*'([a-z_]+)'/g)) {
      sent.set(m[2], file);
      if (ERROR_STATUS[m[2] as keyof typeof ERROR_STATUS] !== Number(m[1])) statusMismatch.push(`${file}: ${m[2]} sent with ${m[1]}`);
    }
    // Tables of codes (Fastify's client errors by status).
    for (const m of text.matchAll(/ErrorCode> = \{([^}]*)\}/g)) for (const c of m[1].matchAll(/'([a-z_]+)'/g)) sent.set(c[1], file);
    // Live (WebSocket) refusals and notices carry a code too.
    if (file.includes('/live/')) for (const m of text.matchAll(/code: '([a-z_]+)'/g)) sent.set(m[1], file);
    // Codes chosen from a list at run time: every alternative of the list.
    for (const m of text.matchAll(/new AppError\(m\[1\] as '[a-z_]+'/g)) {
      const list = /\/\^\(([a-z_|]+)\)/.exec(text.slice(Math.max(0, m.index - 300), m.index));
      assert.ok(list, `${file}: the codes of a computed AppError are listed beside it`);
      for (const code of list[1].split('|')) sent.set(code, file);
    }
  }
  assert.ok(sent.size >= 20, `found ${sent.size} codes`);
  const missing = [...sent].filter(([code]) => !Object.hasOwn(ERROR_STATUS, code)).map(([code, file]) => `${code} (${file})`);
  assert.deepEqual(missing, [], 'codes sent but not in src/errors.ts');
  assert.deepEqual(statusMismatch, []);
  for (const code of ['internal', 'invalid_json', 'bad_request', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'migrations_pending', 'not_subscribed']) {
    assert.ok(sent.has(code), `the scan sees ${code}`);
  }
});

test('every code has a meaning and an action', () => {
  for (const [code, doc] of Object.entries(ERROR_DOCS)) {
    assert.ok(doc.meaning.length > 10 && doc.action.length > 5, code);
  }
  assert.deepEqual(Object.keys(ERROR_DOCS).sort(), Object.keys(ERROR_STATUS).sort());
});

test('GET /docs/errors: JSON by default, HTML for a browser, both public and complete', async () => {
  const json = await t.app.inject({ url: '/docs/errors' });
  assert.equal(json.statusCode, 200);
  assert.match(String(json.headers['content-type']), /^application\/json/);
  assert.match(String(json.headers.vary), /accept/i);
  const catalogue = json.json();
  assert.deepEqual(
    Object.fromEntries(catalogue.errors.map((e: { code: string; status: number }) => [e.code, e.status])),
    ERROR_STATUS,
  );
  assert.deepEqual(catalogue.event_rejections.map((r: { code: string }) => r.code), [...REJECTION_CODES]);
  assert.deepEqual(catalogue.track_rejections.map((r: { code: string }) => r.code), Object.keys(TRACK_CODE_DOCS));

  const html = await t.app.inject({ url: '/docs/errors', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  assert.equal(html.statusCode, 200);
  assert.match(String(html.headers['content-type']), /^text\/html/);
  for (const code of Object.keys(ERROR_STATUS)) assert.match(html.body, new RegExp(`<tr id="${code}">`), code);
  for (const code of REJECTION_CODES) assert.match(html.body, new RegExp(`<tr id="event-${code}">`), code);
  for (const code of Object.keys(TRACK_CODE_DOCS)) assert.match(html.body, new RegExp(`<tr id="track-${code}">`), code);
});

test('every code of the track ingest and the custom-event routes is in the catalogue and in docs/custom-events.md', async () => {
  const catalogue = (await t.app.inject({ url: '/docs/errors' })).json();
  const tracked = new Set(catalogue.track_rejections.map((r: { code: string }) => r.code));
  const errors = new Set(catalogue.errors.map((e: { code: string }) => e.code));
  // Per-event codes: those src/custom-events refuses an event with, and those of the framing and
  // JSON decoding it shares with payment ingest.
  const perEvent = new Map<string, string>();
  const request = new Map<string, string>();
  const files = [...sources('src/custom-events'), 'src/events/event-text.ts', 'src/ingest/frame-events.ts'];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const re of [/\brefuse\(\s*\w+,\s*'([a-z_]+)'/g, /\breject\(\s*'([a-z_]+)'/g, /\bletter\(\s*\w+,\s*'([a-z_]+)'/g, /\bok: false, code: '([a-z_]+)'/g]) {
      for (const m of text.matchAll(re)) perEvent.set(m[1], file);
    }
    for (const m of text.matchAll(/\bcode: '([a-z_]+)'/g)) if (file.startsWith('src/ingest/')) perEvent.set(m[1], file);
    for (const m of text.matchAll(/new AppError\(\s*'([a-z_]+)'/g)) request.set(m[1], file);
  }
  // The CSV framer's code, while the track route takes no CSV.
  if (!readFileSync('src/http/routes/track.ts', 'utf8').includes('text/csv')) perEvent.delete('invalid_csv');
  // The routes' declared answers.
  for (const file of ['src/http/routes/custom-events.ts', 'src/http/routes/track.ts']) {
    for (const m of readFileSync(file, 'utf8').matchAll(/problem\(([^)]*)\)/g)) for (const c of m[1].matchAll(/'([a-z_]+)'/g)) request.set(c[1], file);
  }
  for (const code of ['duplicate_conflict', 'measure_not_integer', 'property_type_mismatch', 'missing_field', 'invalid_json', 'invalid_encoding', 'event_too_large']) {
    assert.ok(perEvent.has(code), `the scan sees ${code}`);
  }
  for (const code of ['invalid_definition', 'property_type_changed', 'unknown_metric', 'range_too_large', 'payload_too_large']) assert.ok(request.has(code), `the scan sees ${code}`);
  const missing = (codes: Map<string, string>, have: Set<unknown>) => [...codes].filter(([c]) => !have.has(c)).map(([c, f]) => `${c} (${f})`);
  assert.deepEqual(missing(perEvent, tracked), [], 'per-event codes of the track ingest missing from the catalogue\'s track_rejections');
  assert.deepEqual(missing(request, errors), [], 'request codes of the custom-event routes missing from the catalogue');
  const md = readFileSync(new URL('../../docs/custom-events.md', import.meta.url), 'utf8');
  const undocumented = [...tracked].filter((c) => !md.includes(`\`${String(c)}\``));
  assert.deepEqual(undocumented, [], 'track codes not in docs/custom-events.md');
});

test('real error answers link to an anchor of the catalogue, Fastify\'s own errors included', async () => {
  const page = (await t.app.inject({ url: '/docs/errors', headers: { accept: 'text/html' } })).body;
  const answers = await Promise.all([
    t.app.inject({ url: '/api/v1/me' }), // 401
    t.inject({ url: '/api/nowhere' }), // 404
    t.inject({ url: '/api/analytics/summary?nope=1' }), // 400 from validation
    t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload: '[{}] x' }), // not a JSON array
    t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }), // 415
    t.inject({ url: '/api/v1/%zz' }), // a URL Fastify cannot decode
  ]);
  for (const res of answers) {
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/, res.body);
    const body = res.json();
    assert.equal(body.status, res.statusCode);
    assert.equal(ERROR_STATUS[body.code as keyof typeof ERROR_STATUS], res.statusCode, body.code);
    const [path, anchor] = body.type.split('#');
    assert.equal(path, '/docs/errors');
    assert.match(page, new RegExp(`id="${anchor}"`), body.type);
  }
  assert.deepEqual(answers.map((r) => r.json().code),
    ['unauthorized', 'not_found', 'invalid_parameter', 'invalid_json', 'unsupported_media_type', 'invalid_parameter']);
});

test('content negotiation: HTML only when Accept prefers it', () => {
  assert.equal(prefersHtml(undefined), false);
  assert.equal(prefersHtml('*/*'), false);
  assert.equal(prefersHtml('application/json'), false);
  assert.equal(prefersHtml('text/html'), true);
  assert.equal(prefersHtml('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), true);
  assert.equal(prefersHtml('application/json, text/html;q=0.5'), false);
  assert.equal(prefersHtml('text/*;q=0.9, application/json;q=0.5'), true);
});

test('docs/events.md lists exactly the rejection codes', () => {
  const md = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
  const section = md.slice(md.indexOf('## Rejection codes'), md.indexOf('## Examples'));
  const listed = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(listed, [...REJECTION_CODES]);
});
