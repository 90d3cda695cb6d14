// The admission gate alone: places, the bounded queue in arrival order, refusal past it, a
// waiter that gives up, and a release that counts once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAdmissionGate } from '../../src/query/admission-gate.ts';
import { AppError } from '../../src/errors.ts';

const settled = async <T>(p: Promise<T>) => {
  let state: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(() => { state = 'resolved'; }, () => { state = 'rejected'; });
  await new Promise((r) => setImmediate(r));
  return state;
};

test('N run, Q wait in arrival order, the next is refused at once with too_many_queries', async () => {
  const gate = createAdmissionGate({ maxRunning: 2, maxWaiting: 2, retryAfterSeconds: 1 });
  const a = await gate.enter();
  const b = await gate.enter();
  assert.deepEqual([gate.running, gate.waiting], [2, 0]);
  const order: string[] = [];
  const c = gate.enter().then((leave) => { order.push('c'); return leave; });
  const d = gate.enter().then((leave) => { order.push('d'); return leave; });
  assert.equal(await settled(c), 'pending');
  assert.deepEqual([gate.running, gate.waiting], [2, 2]);
  await assert.rejects(gate.enter(), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'too_many_queries');
    assert.equal(err.status, 429);
    assert.deepEqual(err.details, { max_concurrency: 2, queue_length: 2, retry_after: 1 });
    return true;
  });
  a();
  a(); // a second release of the same place changes nothing
  const leaveC = await c;
  assert.deepEqual(order, ['c']);
  assert.deepEqual([gate.running, gate.waiting], [2, 1]);
  b();
  const leaveD = await d;
  assert.deepEqual(order, ['c', 'd']);
  leaveC();
  leaveD();
  assert.deepEqual([gate.running, gate.waiting], [0, 0]);
});

test('a waiter that gives up leaves the queue and never takes a place', async () => {
  const gate = createAdmissionGate({ maxRunning: 1, maxWaiting: 1, retryAfterSeconds: 1 });
  const a = await gate.enter();
  const gone = new AbortController();
  const waiting = gate.enter(gone.signal);
  assert.equal(gate.waiting, 1);
  gone.abort(new Error('client left'));
  await assert.rejects(waiting, /client left/);
  assert.equal(gate.waiting, 0);
  const next = gate.enter();
  a();
  (await next)();
  assert.deepEqual([gate.running, gate.waiting], [0, 0]);
  await assert.rejects(gate.enter(gone.signal), /client left/, 'an aborted caller does not enter');
  assert.equal(gate.running, 0);
});

test('with no queue, the place after the last is refused', async () => {
  const gate = createAdmissionGate({ maxRunning: 3, maxWaiting: 0, retryAfterSeconds: 2 });
  const held = [await gate.enter(), await gate.enter(), await gate.enter()];
  await assert.rejects(gate.enter(), { code: 'too_many_queries' });
  held[1]();
  const again = await gate.enter();
  assert.equal(gate.running, 3);
  [held[0], held[2], again].forEach((leave) => leave());
  assert.equal(gate.running, 0);
});
