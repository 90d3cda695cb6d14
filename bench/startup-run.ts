// node --import tsx bench/startup-run.ts [--runs 5] [--root DIR] [--vs DIR] [--cold]
// Start-up on an empty data directory: starts src/main.ts (of the checkout at --root, default
// this one) on a fresh temp DATA_DIR and a free loopback port, and measures the ms from spawn to
// the first 200 of /healthz (alive), /health (the full app serves) and /ready (every part ready),
// polling every 20 ms, plus when each start-up log line appeared, and the CPU time the server
// had used by then (all its threads: less sensitive than wall time to a busy machine). With --vs, the two checkouts
// run in turn (A B A B …) so a machine whose load drifts affects both alike. --cold deletes the
// PGlite template cache (node_modules/.cache/molam-analytics) before each run: the first start
// of an installation. Prints a table to
// stderr and JSON on the last stdout line (bench/main.ts reads it).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CLK_TCK, freePort, procTicks } from './bench-support.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, root: { type: 'string', default: '.' }, vs: { type: 'string' }, cold: { type: 'boolean', default: false } },
});
const runs = Number(values.runs);
const roots = [resolve(values.root!), ...(values.vs ? [resolve(values.vs)] : [])];
/** Log lines worth a time (those a checkout does not print are absent from its figures). */
const STEPS = ['listening; starting', 'ingest state rebuilt', 'serving; the state store may still be opening', 'retention applied', 'molam-analytics ready'];
const SECRET = 'startup-bench-secret-of-at-least-32-chars';

interface Run { healthz: number; health: number; ready: number; cpu: { healthz: number; health: number; ready: number }; steps: Record<string, number> }

async function once(root: string): Promise<Run> {
  if (values.cold) rmSync(join(root, 'node_modules', '.cache', 'molam-analytics'), { recursive: true, force: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'molam-startup-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: {
      ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: SECRET, LOG_LEVEL: 'info',
      DEMO: 'false', DEV_MODE: 'false', CONFIG_FILE: '', DATABASE_URL: '', REDIS_URL: '', FX_FILE: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const steps: Record<string, number> = {};
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const m = JSON.parse(line) as { msg?: string; time?: number | string };
      const at = typeof m.time === 'string' ? Date.parse(m.time) : m.time ?? Date.now();
      if (m.msg && STEPS.includes(m.msg) && !(m.msg in steps)) steps[m.msg] = at - t0;
    } catch { /* not JSON */ }
  });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const cpuMs = () => Math.round((procTicks(child.pid!) * 1000) / CLK_TCK);
  const cpu = { healthz: 0, health: 0, ready: 0 };
  const until = async (path: '/healthz' | '/health' | '/ready'): Promise<number> => {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}: ${stderr}`);
      if (Date.now() - t0 > 300_000) throw new Error(`no 200 from ${path} within 300 s`);
      try {
        if ((await fetch(base + path)).status === 200) {
          cpu[path.slice(1) as keyof typeof cpu] = cpuMs();
          return Date.now() - t0;
        }
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    const healthz = await until('/healthz');
    const health = await until('/health');
    const ready = await until('/ready');
    // Its log line may trail the answer a little.
    for (let i = 0; i < 100 && steps['molam-analytics ready'] === undefined; i++) await new Promise((r) => setTimeout(r, 50));
    return { healthz, health, ready, cpu, steps };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const byRoot = new Map<string, Run[]>(roots.map((r) => [r, []]));
for (let i = 0; i < runs; i++) {
  for (const root of roots) {
    const r = await once(root);
    byRoot.get(root)!.push(r);
    console.error(`${root} run ${i + 1}: /healthz ${r.healthz} ms, /health ${r.health} ms, /ready ${r.ready} ms (server CPU ${r.cpu.ready} ms)`);
  }
}

const stat = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)], min: s[0], max: s[s.length - 1] };
};
const result = Object.fromEntries([...byRoot].map(([root, rs]) => [root, {
  runs: rs.length,
  healthz: stat(rs.map((r) => r.healthz)),
  health: stat(rs.map((r) => r.health)),
  ready: stat(rs.map((r) => r.ready)),
  cpu: { healthz: stat(rs.map((r) => r.cpu.healthz)), health: stat(rs.map((r) => r.cpu.health)), ready: stat(rs.map((r) => r.cpu.ready)) },
  steps: Object.fromEntries(STEPS.filter((s) => rs.every((r) => s in r.steps)).map((s) => [s, stat(rs.map((r) => r.steps[s]))])),
}]));
for (const [root, r] of Object.entries(result)) {
  console.error(`\n${root} — ms from spawn, median (min–max) of ${r.runs}`);
  for (const [name, v] of [
    ['/healthz 200', r.healthz], ['/health 200', r.health], ['/ready 200', r.ready],
    ['server CPU ms by /healthz 200', r.cpu.healthz], ['server CPU ms by /health 200', r.cpu.health], ['server CPU ms by /ready 200', r.cpu.ready],
    ...Object.entries(r.steps).map(([k, v]) => [`log: ${k}`, v]),
  ] as Array<[string, ReturnType<typeof stat>]>) {
    console.error(`  ${name.padEnd(58)} ${String(v.median).padStart(6)} (${v.min}–${v.max})`);
  }
}
console.log(JSON.stringify(result));
