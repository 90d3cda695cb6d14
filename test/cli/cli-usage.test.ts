// The command line's manners, as a child process: --help (-h) for the CLI and each command (exit 0),
// an unknown role named in one line (exit 2), generate's summary on stderr, and `token` reading
// the server's configuration — a dev-mode server over the same DATA_DIR (from the environment or
// CONFIG_FILE) accepts its token; a token minted for another DATA_DIR is refused with a hint.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer } from '../support/tokens.ts';

const run = promisify(execFile);
let dir: string;
let server: TempApp;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'molam-cli-usage-'));
  // A development-mode server whose secret is generated into its DATA_DIR (no JWT_SECRET).
  server = await openTempApp({ env: { DEV_MODE: 'true', JWT_SECRET: '' } });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI; `env` adds variables, or removes them with undefined. */
async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { JWT_SECRET: _s, DATA_DIR: _d, CONFIG_FILE: _c, ...inherited } = process.env;
  const all: Record<string, string | undefined> = { ...inherited, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', ...env };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: all });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

test('--help and -h print the usage and exit 0, for the CLI and each command', async () => {
  for (const args of [['--help'], ['-h']]) {
    const r = await cli(args);
    assert.equal(r.code, 0, r.stderr);
    for (const command of ['ingest', 'generate', 'fx load', 'token', 'custom-events load', 'merchants import']) assert.match(r.stdout, new RegExp(`\\b${command}\\b`), command);
  }
  for (const command of ['ingest', 'generate', 'fx', 'token', 'custom-events', 'merchants']) {
    const r = await cli([command, '--help']);
    assert.equal(r.code, 0, `${command}: ${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^usage: ${command}\\b`), command);
  }
  const unknown = await cli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
});

test('token --role with an unknown role names it and the valid roles in one line, exit 2', async () => {
  const r = await cli(['token', '--role', 'bogus']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /unknown role "bogus"; valid roles: .*analytics:ops.*merchant_admin/);
  const none = await cli(['token']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--role is required/);
});

test('generate says what it wrote on stderr: events, file, size', async () => {
  const file = join(dir, 'g.ndjson');
  const r = await cli(['generate', '--count', '25', '--seed', '3', '--end', '2026-11-01T00:00:00Z', '--days', '1', '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const size = statSync(file).size;
  assert.match(r.stderr, new RegExp(`^generated 25 events \\(ndjson\\) to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, ${size.toLocaleString('en-US')} bytes, occurred_at in \\[2026-10-31T00:00Z, 2026-11-01T00:00Z\\)\\n$`));
  const toStdout = await cli(['generate', '--count', '3', '--end', '2026-11-01T00:00:00Z']);
  assert.equal(toStdout.stdout.trim().split('\n').length, 3, 'the events alone on stdout');
  assert.match(toStdout.stderr, /^generated 3 events \(ndjson\) to stdout/);
});

test('token reads the server\'s configuration: DATA_DIR from the environment or CONFIG_FILE', async () => {
  const me = (token: string) => server.app.inject({ url: '/api/v1/me', headers: bearer(token) });
  const viaEnv = await cli(['token', '--role', 'analytics:ops'], { DATA_DIR: server.config.DATA_DIR });
  assert.equal(viaEnv.code, 0, viaEnv.stderr);
  assert.match(viaEnv.stderr, new RegExp(`signed with the dev secret in ${join(server.config.DATA_DIR, 'dev-jwt-secret')}`));
  assert.equal((await me(viaEnv.stdout.trim())).statusCode, 200);

  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ DATA_DIR: server.config.DATA_DIR }));
  const viaFile = await cli(['token', '--role', 'analytics:ops'], { CONFIG_FILE: configFile, DATA_DIR: undefined });
  assert.equal(viaFile.code, 0, viaFile.stderr);
  assert.equal((await me(viaFile.stdout.trim())).statusCode, 200);

  // Minted for another DATA_DIR: refused, and the answer says which secret this server takes.
  const elsewhere = await cli(['token', '--role', 'analytics:ops']);
  const refused = await me(elsewhere.stdout.trim());
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.json().code, 'invalid_token');
  assert.ok(refused.json().detail.includes(join(server.config.DATA_DIR, 'dev-jwt-secret')), refused.json().detail);
  assert.match(refused.json().detail, /npm run token/);
});

test('token sets auth_time: now by default, --auth-age seconds ago; a bad value is exit 2', async () => {
  const authTime = (stdout: string) => JSON.parse(Buffer.from(stdout.trim().split('.')[1], 'base64url').toString('utf8')).auth_time as number;
  const now = await cli(['token', '--role', 'merchant_admin', '--merchant', 'm_1']);
  assert.equal(now.code, 0, now.stderr);
  assert.ok(Math.abs(authTime(now.stdout) - Date.now() / 1000) < 60);
  const older = await cli(['token', '--role', 'merchant_admin', '--merchant', 'm_1', '--auth-age', '600']);
  assert.equal(older.code, 0, older.stderr);
  assert.ok(Math.abs(authTime(older.stdout) - (Date.now() / 1000 - 600)) < 60);
  const bad = await cli(['token', '--role', 'merchant_admin', '--auth-age', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--auth-age must be/);
});
