// A child process for the ClickHouse SIGKILL test: ingests the seeded test stream into the
// ClickHouse backend through the real engine, and can die mid-commit by SIGKILL (from inside the
// fault hook, after the KILL_AT-th write of step KILL_STEP). TRANSIENT_STEP + TRANSIENT_AT make
// the TRANSIENT_AT-th write of that step fail as on a reset socket after it went through (the
// commit is then retried). With RESEND it submits input by input, retrying until each is taken,
// and reports "done". It prints one line per committed batch, so the parent can also kill it at
// a moment of its own choosing.
//
// Environment: CH_URL, CH_DATABASE, SEED, TXNS, CHUNK, and KILL_STEP + KILL_AT (and
// TRANSIENT_STEP + TRANSIENT_AT), or RESEND=1.

import { openClickHouseBackend } from '../../../src/store/clickhouse/open-clickhouse-backend.ts';
import { openEngine, submitRetrying, testStream } from './clickhouse-ingest.ts';

const env = process.env;
const killStep = env.KILL_STEP;
const killAt = Number(env.KILL_AT ?? 0);
let seen = 0;
let transientSeen = 0;
const backend = await openClickHouseBackend({
  url: env.CH_URL!, database: env.CH_DATABASE!,
  // The previous child was killed holding the lease: a short one lapses before this one starts.
  leaseMs: 300,
  faults: {
    afterWrite(step) {
      if (step === killStep && ++seen === killAt) process.kill(process.pid, 'SIGKILL');
      if (step === env.TRANSIENT_STEP && ++transientSeen === Number(env.TRANSIENT_AT)) {
        throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      }
    },
  },
  commitRetry: { baseDelayMs: 10 },
});
const { inputs } = testStream(Number(env.SEED), Number(env.TXNS), Number(env.CHUNK));
const engine = await openEngine(backend);
engine.onCommit((b) => console.log(`committed ${b.batchId}`));
if (env.RESEND === '1') {
  for (const input of inputs) await submitRetrying(engine, input);
} else {
  await Promise.allSettled(inputs.map((input) => engine.submit(input)));
}
await engine.flush();
await engine.close();
await backend.close();
console.log('done');
