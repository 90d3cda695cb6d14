// Bench child: how fast the dashboard's overview becomes usable. bench/web-run.ts DATA_DIR [--runs R]
//
// Starts the real server (src/main.ts) on DATA_DIR with the result cache off (CACHE_TTL=0: every
// load computes its answers), then opens the overview in Debian's Chromium (playwright-core) R
// times per range, each in a fresh browser context (no HTTP cache, the token already in
// sessionStorage). "Interactive" is the moment, from navigation start, when the KPI cards show the
// overview's values (the first answer rendered, aria-busy false); "chart" when the series chart
// is drawn; "map" when the map's countries are drawn (a lazily loaded chunk). Times come from
// performance.now() inside the page, recorded by a MutationObserver installed before any script.
// One JSON line on stdout; progress on stderr. Run by bench/main.ts (`--only web`).

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { freePort, mint, quantile, r1, waitForHealth } from './bench-support.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '5' } } });
const dataDir = positionals[0];
if (!dataDir || !existsSync(dataDir)) throw new Error(`usage: bench/web-run.ts DATA_DIR (${dataDir} missing)`);
const runs = Number(values.runs);
const RANGES = ['24h', '7d', '30d', '90d'] as const;

declare global {
  interface Window { __marks?: Record<string, number> }
}

const secret = randomBytes(32).toString('hex');
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const t0 = performance.now();
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  env: {
    ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: secret, JWT_JWKS_URL: '',
    JWT_ISSUER: '', JWT_AUDIENCE: '', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', RAW_RETENTION_DAYS: '400',
    CACHE_TTL: '0', DEV_MODE: 'false', DEMO: 'false', CONFIG_FILE: '', REDIS_URL: '',
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let output = '';
child.stdout!.on('data', (d) => { output = (output + d).slice(-8000); });
child.stderr!.on('data', (d) => { output = (output + d).slice(-8000); });
const exited = new Promise<void>((r) => child.once('exit', () => r()));

try {
  await waitForHealth(child, url, t0, 300_000, () => output);
  const token = await mint(secret, { roles: ['analytics:ops'] }, 'bench-web');
  const health = await (await fetch(`${url}/health`)).json() as { as_of?: string | null };
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const results: Record<string, { interactive: { p50: number; max: number }; chart: { p50: number; max: number }; map: { p50: number; max: number }; samples: number[] }> = {};
  try {
    for (const range of RANGES) {
      const interactive: number[] = [];
      const chart: number[] = [];
      const map: number[] = [];
      for (let i = 0; i < runs + 1; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
        // A string, not a function: tsx would wrap inner functions in a helper the page lacks.
        await context.addInitScript(`
          sessionStorage.setItem('molam.analytics.token', ${JSON.stringify(token)});
          window.__marks = {};
          const marks = window.__marks;
          new MutationObserver(() => {
            if (marks.interactive === undefined && document.querySelector('[data-kpis][aria-busy="false"] [data-kpi="tx_count"] [data-field="value"]')) marks.interactive = performance.now();
            if (marks.chart === undefined && document.querySelector('[data-chart="series"] svg')) marks.chart = performance.now();
            if (marks.map === undefined && document.querySelector('[data-chart="map"] path')) marks.map = performance.now();
          }).observe(document, { childList: true, subtree: true, attributes: true });
        `);
        const page = await context.newPage();
        await page.goto(`${url}/?range=${range}&tz=UTC`);
        try {
          await page.waitForFunction(() => {
            const m = window.__marks ?? {};
            return m.interactive !== undefined && m.chart !== undefined && m.map !== undefined;
          }, null, { timeout: 60_000 });
        } catch (err) {
          await page.screenshot({ path: '.bench/web-timeout.png', fullPage: true });
          throw new Error(`${range}: the overview did not finish within 60 s (.bench/web-timeout.png); marks ${JSON.stringify(await page.evaluate(() => window.__marks))}`, { cause: err });
        }
        const marks = await page.evaluate(() => window.__marks!);
        await context.close();
        if (i === 0) continue; // the first load warms the server's process (JIT, DuckDB buffers); not counted
        interactive.push(marks.interactive!);
        chart.push(marks.chart!);
        map.push(marks.map!);
        console.error(`${range} #${i}: interactive ${r1(marks.interactive!)} ms, chart ${r1(marks.chart!)} ms, map ${r1(marks.map!)} ms`);
      }
      const stat = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return { p50: r1(quantile(s, 0.5)), max: r1(s[s.length - 1]!) }; };
      results[range] = { interactive: stat(interactive), chart: stat(chart), map: stat(map), samples: interactive.map(r1) };
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ as_of: health.as_of ?? null, runs, cache: 'off', ranges: results }));
} finally {
  child.kill('SIGTERM');
  await exited;
}
