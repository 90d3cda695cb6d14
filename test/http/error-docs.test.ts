// The error catalogue: every code the source can send (AppError, sendProblem, live acks) is in
// the one table with the status it is sent with; GET /docs/errors serves it as HTML (an anchor
// per code) or JSON by Accept; the `type` of real error answers links to an anchor that exists;
// and the ingest rejection codes are listed there and in docs/events.md alike.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { ERROR_DOCS, ERROR_STATUS } from '../../src/errors.ts';
import { REJECTION_CODES } from '../../src/events/contract.ts';
import { prefersHtml } from '../../src/http/routes/docs.ts';

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

  const html = await t.app.inject({ url: '/docs/errors', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  assert.equal(html.statusCode, 200);
  assert.match(String(html.headers['content-type']), /^text\/html/);
  for (const code of Object.keys(ERROR_STATUS)) assert.match(html.body, new RegExp(`<tr id="${code}">`), code);
  for (const code of REJECTION_CODES) assert.match(html.body, new RegExp(`<tr id="event-${code}">`), code);
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
