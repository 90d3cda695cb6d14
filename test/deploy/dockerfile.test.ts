// The Dockerfile, read as Docker reads it (it is not built here: no daemon, no registry): a
// build stage that installs with `npm install` and builds the dashboard where the server looks
// for it, a runtime stage that runs `npm start`'s command as a non-root user with a health check
// on /healthz, and every COPY taking something that exists and that .dockerignore lets through.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { CONFIG_SPEC } from '../../src/config.ts';
import { WEB_BUILD_DIR } from '../../src/http/routes/web-app.ts';
import { ROOT, copyArguments, execForm, parseDockerfile, readText, repoPath } from './deploy-files.ts';

const stages = parseDockerfile(readText('Dockerfile'));
const runtime = stages[stages.length - 1];
const all = (keyword: string, stage = runtime) => stage.instructions.filter((i) => i.keyword === keyword);
const last = (keyword: string, stage = runtime) => all(keyword, stage).at(-1);
const pkg = JSON.parse(readText('package.json')) as { scripts: Record<string, string> };

/** .dockerignore's patterns as regular expressions over context paths (`*` within one segment). */
const ignored = readText('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
  .map((p) => new RegExp(`^${p.replace(/\/$/, '').replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`));

test('two stages or more, the last one the runtime, on one Node image', () => {
  assert.ok(stages.length >= 2, 'multi-stage');
  assert.ok(stages.every((s) => /^node:20[.-]/.test(s.image)), stages.map((s) => s.image).join(', '));
  assert.deepEqual(stages.slice(0, -1).map((s) => typeof s.name), stages.slice(0, -1).map(() => 'string'), 'earlier stages are named');
});

test('the build stage installs with npm install (not npm ci: .ci/run says why), builds the web app and keeps production dependencies only', () => {
  const build = stages[0];
  const runs = all('RUN', build).map((i) => i.args).join('\n');
  assert.match(runs, /\bnpm install\b/);
  assert.doesNotMatch(runs, /\bnpm ci\b/);
  assert.match(runs, /\bnpm run build:web\b/);
  assert.match(runs, /\bnpm prune --omit=dev\b/);
});

test('the runtime takes the built web app from where the server serves it, and node_modules from the build', () => {
  const fromBuild = all('COPY').map((i) => copyArguments(i.args)).filter((c) => c.flags.has('from'));
  const webDir = relative(ROOT, WEB_BUILD_DIR);
  assert.ok(fromBuild.some((c) => c.sources.includes(`/app/${webDir}`) && c.dest.replace(/^\.\//, '') === webDir), `COPY --from=… /app/${webDir} ./${webDir}`);
  assert.ok(fromBuild.some((c) => c.sources.includes('/app/node_modules')));
  for (const c of fromBuild) assert.ok(stages.slice(0, -1).some((s) => s.name === c.flags.get('from')), `--from=${c.flags.get('from')} names an earlier stage`);
});

test('every COPY from the build context names a path that exists and is not excluded by .dockerignore', () => {
  let checked = 0;
  for (const stage of stages) {
    for (const ins of all('COPY', stage)) {
      const c = copyArguments(ins.args);
      if (c.flags.has('from')) continue;
      for (const source of c.sources) {
        const path = source.replace(/^\.\//, '').replace(/\/$/, '');
        assert.ok(existsSync(repoPath(path)), `line ${ins.line}: COPY ${source}: no such path in the repository`);
        assert.ok(!ignored.some((re) => re.test(path)), `line ${ins.line}: COPY ${source}: excluded by .dockerignore`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 5, `${checked} sources checked`);
});

test('the runtime runs as a non-root user', () => {
  const user = last('USER');
  assert.ok(user, 'USER in the runtime stage');
  const [name] = user.args.split(':');
  assert.ok(!['root', '0'].includes(name), `USER ${user.args}`);
  assert.match(name, /^[1-9]\d*$/, 'numeric, so that Kubernetes runAsNonRoot can check it');
  const userAt = runtime.instructions.indexOf(user);
  assert.ok(runtime.instructions.slice(userAt).every((i) => i.keyword !== 'RUN'), 'nothing runs as root after USER… (nor needs to)');
});

test('the runtime listens on 0.0.0.0 at PORT, exposes that port, keeps DATA_DIR in a volume, and CMD is npm start\'s command', () => {
  const env = new Map(all('ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]] as const)));
  for (const name of env.keys()) assert.ok(name in CONFIG_SPEC, `ENV ${name} is not a setting of src/config.ts`);
  assert.equal(env.get('HOST'), '0.0.0.0');
  const port = env.get('PORT') ?? String(CONFIG_SPEC.PORT.default);
  assert.equal(last('EXPOSE')?.args, port);
  assert.equal(port, '8080');
  const volume = last('VOLUME');
  assert.ok(volume && execForm(volume.args).includes(env.get('DATA_DIR')!), 'VOLUME holds DATA_DIR');
  assert.deepEqual(execForm(last('CMD')!.args), pkg.scripts.start.split(' '));
});

test('HEALTHCHECK probes /healthz with node (no curl in a slim image) on PORT', () => {
  const hc = last('HEALTHCHECK');
  assert.ok(hc, 'HEALTHCHECK in the runtime stage');
  const cmd = execForm(hc.args.slice(hc.args.indexOf('CMD')));
  assert.equal(cmd[0], 'node');
  assert.match(cmd.join(' '), /process\.env\.PORT \|\| 8080\) \+ '\/healthz'/);
  assert.match(hc.args, /--interval=\d+s/);
});
