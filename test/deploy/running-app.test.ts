// The deployment files against the real program (src/main.ts in a child process): every probe
// and health-check path they name answers 200, the image's HEALTHCHECK and compose's health
// checks succeed against it (and fail once it is gone), and every metric the alert rules, the
// Grafana dashboard and the consumer autoscaler use is one /metrics exports.
//
// Gap: the process runs with the default ROLE (all). Once the roles are split, each role's
// process should be started here with its manifest's settings and probed the same way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { get as httpGet } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import {
  execForm, exports, metricFamilies, parseDockerfile, promqlMetricNames, readText, readYaml, readYamlDocs,
} from './deploy-files.ts';

let server: ServerProcess;
let dir: string;
let port: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'molam-deploy-'));
  server = await startServer({ DATA_DIR: dir });
  port = Number(new URL(server.url).port);
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const compose = readYaml('deploy/docker-compose.yml');
const appServices = Object.entries(compose.services as Record<string, any>).filter(([, s]) => s.build);
const kubernetes = ['api.yaml', 'consumer.yaml', 'evaluator.yaml'].flatMap((f) => readYamlDocs(`deploy/kubernetes/${f}`)) as any[];
const containers = kubernetes.filter((o) => o.kind === 'Deployment').map((d) => ({ name: d.metadata.name, annotations: d.spec.template.metadata.annotations, c: d.spec.template.spec.containers[0] }));
const healthcheck = parseDockerfile(readText('Dockerfile')).at(-1)!.instructions.find((i) => i.keyword === 'HEALTHCHECK')!;

/**
 * GET on a connection of its own, as a probe or a scraper makes it: no idle keep-alive socket from
 * an earlier test is reused (the spawnSync calls block this process while the server's timers run).
 * A failure says what became of the server.
 */
function probe(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpGet(`${server.url}${path}`, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', (err) => reject(new Error(`GET ${path}: ${err.message}; ${server.state()}`)));
  });
}

/** Runs a health-check command (exec form, `CMD` first) with the app on this test's port; its exit code. */
function runCheck(test: string[], env: Record<string, string> = {}): number | null {
  const [kind, ...argv] = test;
  assert.equal(kind, 'CMD');
  const r = spawnSync(argv[0], argv.slice(1).map((a) => a.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`)), { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
  return r.status;
}

test('every probe and health-check path of the manifests, compose and the scrape configs answers 200', async () => {
  const paths = new Set<string>([
    ...containers.flatMap(({ c, annotations }) => [c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, annotations['prometheus.io/path']]),
    readYaml('deploy/kubernetes/podmonitor.yaml').spec.podMetricsEndpoints[0].path,
    ...readYaml('deploy/prometheus/prometheus.yml').scrape_configs.map((j: any) => j.metrics_path ?? '/metrics'),
    ...Object.values(compose.services as Record<string, any>).flatMap((s) => (s.healthcheck?.test ?? []).join(' ').match(/http:\/\/127\.0\.0\.1:\d+(\/\w*)/)?.[1] ?? []),
  ]);
  assert.deepEqual([...paths].sort(), ['/healthz', '/metrics', '/ready']);
  for (const path of paths) {
    const res = await probe(path);
    assert.equal(res.status, 200, `${path}: ${res.body}`);
  }
});

test('the image\'s HEALTHCHECK and compose\'s app health checks pass against the app, on PORT 8080', () => {
  assert.equal(runCheck(['CMD', ...execForm(healthcheck.args.slice(healthcheck.args.indexOf('CMD')))], { PORT: String(port) }), 0);
  for (const [name, s] of appServices) {
    const url = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(s.healthcheck.test.join(' '));
    assert.equal(url?.[1], String(s.environment.PORT), `${name}: the health check asks the service's PORT`);
    assert.equal(runCheck(s.healthcheck.test), 0, name);
  }
});

test('every metric the alert rules, the dashboard and the autoscaler use is exported by /metrics', async () => {
  const families = metricFamilies((await probe('/metrics')).body);
  const dashboard = JSON.parse(readText('deploy/grafana/molam-analytics.json'));
  const used = new Map<string, string>(); // metric → where
  const use = (names: string[], where: string) => { assert.ok(names.length > 0, `${where} selects no metric`); for (const n of names) used.set(n, where); };
  for (const g of readYaml('deploy/prometheus/alert-rules.yml').groups) for (const r of g.rules) use(promqlMetricNames(r.expr), `alert ${r.alert}`);
  for (const p of dashboard.panels) for (const t of p.targets ?? []) use(promqlMetricNames(t.expr), `panel "${p.title}"`);
  for (const v of dashboard.templating.list) if (v.type === 'query') use([/label_values\((\w+)/.exec(v.query.query)![1]], `variable ${v.name}`);
  for (const r of readYaml('deploy/kubernetes/prometheus-adapter-values.yaml').rules.external) use(promqlMetricNames(r.seriesQuery), 'prometheus-adapter');
  for (const o of kubernetes.filter((k) => k.kind === 'HorizontalPodAutoscaler')) {
    for (const m of o.spec.metrics) if (m.type === 'External') use([m.external.metric.name], `HPA ${o.metadata.name}`);
  }
  const missing = [...used].filter(([name]) => !exports(families, name)).map(([name, where]) => `${name} (${where})`);
  assert.deepEqual(missing, []);
  assert.ok(used.size >= 15, `${used.size} metrics used`);
});

test('the HEALTHCHECK fails once the app is gone', async () => {
  await server.stop();
  assert.notEqual(runCheck(['CMD', ...execForm(healthcheck.args.slice(healthcheck.args.indexOf('CMD')))], { PORT: String(port) }), 0);
});
