// docs/events.md's examples stay usable whatever the date: re-dated as the docs say (yesterday,
// same time and offset), every JSON example is accepted by the real ingest route with the
// default settings (retention, skew) as of today; and the copy-paste `curl` command, whose
// timestamp is `date`'s, is accepted too. Nothing here is pinned to a date, so it cannot rot.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openTempApp, type TempApp } from '../support/temp-app.ts';

const DAY = 86_400_000;
const md = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
const examples = [...md.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);

let t: TempApp;
before(async () => { t = await openTempApp(); }); // default RAW_RETENTION_DAYS and MAX_FUTURE_SKEW_SECONDS
after(async () => { await t.close(); });

/** Shifts an RFC 3339 local date by whole days (the offset is fixed, so the instant moves by as much). */
function shiftDate(occurredAt: string, days: number): string {
  const date = new Date(Date.parse(`${occurredAt.slice(0, 10)}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
  return date + occurredAt.slice(10);
}

test('every JSON example, re-dated to yesterday as the docs say, is accepted today with the default settings', async () => {
  assert.ok(examples.length >= 8);
  const latest = Math.max(...examples.map((e) => Date.parse(String(e.occurred_at))));
  // Whole days that bring the latest example into the day before now.
  const days = Math.floor((Date.now() - DAY - latest) / DAY);
  const redated = examples.map((e) => ({ ...e, occurred_at: shiftDate(String(e.occurred_at), days) }));
  for (const e of redated) {
    const at = Date.parse(String(e.occurred_at));
    assert.ok(at <= Date.now() - DAY + 60_000 && at > Date.now() - 30 * DAY, String(e.occurred_at));
  }
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: redated });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().results, [], 'every example accepted');
  assert.equal(res.json().accepted, examples.length);
});

test('the copy-paste curl command sends an event the server accepts', async () => {
  const block = /```sh\n(curl[\s\S]*?)```/.exec(md.slice(md.indexOf('## Examples')));
  assert.ok(block, 'a curl command under Examples');
  const data = /-d '([\s\S]*)'\s*$/.exec(block[1].trim());
  assert.ok(data, 'the command sends a -d body');
  // What the shell makes of the body: the quoted substitutions replaced by `date`'s output.
  const now = new Date();
  const body = data[1]
    .replaceAll(`'"$(date +%s)"'`, String(Math.floor(now.getTime() / 1000)))
    .replaceAll(`'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'`, now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  assert.doesNotMatch(body, /\$\(/, 'every substitution is understood by the test');
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload: body });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().accepted, 1, res.body);
});
