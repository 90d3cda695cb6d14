// deploy/prometheus/ and the Grafana dashboard, checked with Prometheus' own promtool (Debian's
// `prometheus` package; .ci/run installs it): the alert rules parse and pass their unit tests
// (each alert fires past its threshold and after its `for`, and stays quiet below), the scrape
// config is valid, every alert links a runbook section that exists, and every PromQL expression
// of the dashboard and of prometheus-adapter's rule parses. Without promtool these tests skip,
// except in CI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config.ts';
import { envOf, headingAnchors, promqlMetricNames, readText, readYaml, repoPath } from './deploy-files.ts';

const installed = spawnSync('promtool', ['--version']).error === undefined;
const skip = !installed && !process.env.CI && 'promtool is not installed';

function promtool(...args: string[]): string {
  assert.ok(installed, 'promtool is not installed (apt-get install prometheus); CI requires it');
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd: repoPath('deploy/prometheus') });
  assert.equal(r.status, 0, `promtool ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Checks PromQL expressions by handing them to promtool as recording rules. */
function checkExpressions(exprs: Array<{ name: string; expr: string }>): void {
  const dir = mkdtempSync(join(tmpdir(), 'molam-promql-'));
  try {
    const file = join(dir, 'expressions.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'expressions', rules: exprs.map((e, i) => ({ record: `check:expr_${i}`, expr: e.expr })) }] }));
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}\n${exprs.map((e, i) => `expr_${i}: ${e.name}`).join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rules = readYaml('deploy/prometheus/alert-rules.yml').groups.flatMap((g: any) => g.rules) as Array<{ alert: string; expr: string; for?: string; annotations: Record<string, string> }>;

test('promtool check rules accepts the alert rules', { skip }, () => {
  assert.match(promtool('check', 'rules', 'alert-rules.yml'), new RegExp(`SUCCESS: ${rules.length} rules found`));
});

test('promtool test rules: every alert fires past its threshold and stays quiet below it', { skip }, () => {
  promtool('test', 'rules', 'alert-rules.test.yml');
  const tested = new Set(readYaml('deploy/prometheus/alert-rules.test.yml').tests.flatMap((t: any) => t.alert_rule_test
    .filter((a: any) => a.exp_alerts.length > 0).map((a: any) => a.alertname)));
  assert.deepEqual([...tested].sort(), rules.map((r) => r.alert).sort(), 'each alert has a test where it fires');
});

test('the runbook\'s alerts are there: consumer lag > 10,000 for 5m, batch commit P95 > 2 s, API P95 > 500 ms, WebSocket refusals', () => {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const lag = byName.get('AnalyticsConsumerLagHigh')!;
  assert.match(lag.expr, /analytics_kafka_consumer_lag\) > 10000$/);
  assert.equal(lag.for, '5m');
  assert.match(byName.get('AnalyticsBatchCommitSlow')!.expr, /histogram_quantile\(0\.95, .*analytics_ingest_batch_commit_duration_seconds_bucket.*\) > 2$/);
  assert.match(byName.get('AnalyticsApiSlow')!.expr, /histogram_quantile\(0\.95, .*analytics_api_request_duration_seconds_bucket.*\) > 0\.5$/);
  assert.match(byName.get('AnalyticsWebSocketRefusals')!.expr, /rate\(analytics_ws_connections_total\{status="refused"\}\[5m\]\)\) > 1$/);
});

test('the routing mesh\'s alerts: confidence < 0.5 for 30m, decision P95 > 2 ms, > 3 failovers an hour, no prediction for 3 intervals', () => {
  const byName = new Map(rules.map((r) => [r.alert, r]));
  const confidence = byName.get('MeshPredictionConfidenceLow')!;
  assert.match(confidence.expr, /^max by \(namespace, provider, region\) \(molam_mesh_prediction_confidence\) < 0\.5$/);
  assert.equal(confidence.for, '30m');
  assert.match(byName.get('MeshRoutingSlow')!.expr, /histogram_quantile\(0\.95, .*molam_mesh_routing_latency_seconds_bucket.*\) > 0\.002$/);
  assert.match(byName.get('MeshFailoverFlapping')!.expr, /^sum by \(namespace, region, currency\) \(increase\(molam_mesh_failover_applied_total\[1h\]\)\) > 3$/);
  // Stale after 3 runs of the interval the deployment sets, when the predictions it made have expired too.
  const stale = /^time\(\) - max by \(namespace\) \(molam_mesh_prediction_last_made_timestamp_seconds\) > (\d+)$/.exec(byName.get('MeshPredictionsStale')!.expr);
  assert.ok(stale, byName.get('MeshPredictionsStale')!.expr);
  const deployed = {
    compose: envOf(readYaml('deploy/docker-compose.yml').services.evaluator.environment),
    kubernetes: envOf(readYaml('deploy/kubernetes/configmap.yaml').data),
  };
  for (const [where, env] of Object.entries(deployed)) {
    const config = loadConfig(env);
    assert.equal(Number(stale[1]), 3 * config.MESH_PREDICTION_INTERVAL_SECONDS, `${where}: 3 × MESH_PREDICTION_INTERVAL_SECONDS`);
    assert.ok(config.MESH_PREDICTION_TTL_SECONDS <= Number(stale[1]), `${where}: every prediction has expired when it fires`);
  }
});

test('the dashboard\'s "Routing mesh" row uses every mesh metric of the registry', () => {
  const dashboard = JSON.parse(readText('deploy/grafana/molam-analytics.json'));
  const start = dashboard.panels.findIndex((p: any) => p.type === 'row' && p.title === 'Routing mesh');
  assert.ok(start >= 0, 'a "Routing mesh" row');
  const end = dashboard.panels.findIndex((p: any, i: number) => i > start && p.type === 'row');
  const panels = dashboard.panels.slice(start + 1, end < 0 ? undefined : end);
  const used = new Set(panels.flatMap((p: any) => p.targets.flatMap((t: any) => promqlMetricNames(t.expr)))
    .map((n: string) => n.replace(/_(bucket|count|sum)$/, '')));
  const registry = [...readText('src/observability/metrics-registry.ts').matchAll(/name: '(molam_mesh_\w+)'/g)].map((m) => m[1]);
  assert.ok(registry.length >= 5);
  assert.deepEqual([...used].sort(), registry.sort());
  const latency = panels.find((p: any) => p.title === 'Routing decision latency');
  assert.deepEqual(latency.targets.map((t: any) => /^histogram_quantile\((0\.\d+), /.exec(t.expr)?.[1]), ['0.5', '0.95', '0.99']);
});

test('every alert has a summary, a description and a runbook_url to a section of docs/operations.md', () => {
  const anchors = headingAnchors(readText('docs/operations.md'));
  for (const r of rules) {
    assert.ok(r.annotations.summary && r.annotations.description, r.alert);
    const [file, anchor] = r.annotations.runbook_url.split('#');
    assert.equal(file, 'docs/operations.md', r.alert);
    assert.ok(anchors.has(anchor), `${r.alert}: docs/operations.md has no section #${anchor}`);
  }
});

test('promtool check config accepts the scrape config, which scrapes /metrics with no credentials', { skip }, () => {
  promtool('check', 'config', 'prometheus.yml');
  const config = readYaml('deploy/prometheus/prometheus.yml');
  for (const job of config.scrape_configs) {
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
    assert.equal(job.authorization ?? job.basic_auth ?? job.bearer_token, undefined, '/metrics is public: no token');
    for (const sd of job.dns_sd_configs ?? []) assert.equal(sd.port, 8080, 'the app\'s PORT');
  }
});

test('every PromQL expression of the Grafana dashboard and of prometheus-adapter\'s rule parses', { skip }, () => {
  const dashboard = JSON.parse(readText('deploy/grafana/molam-analytics.json'));
  const exprs = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => ({ name: `${p.title}/${t.refId}`, expr: t.expr as string })));
  // Grafana's variables, as Grafana fills them in.
  const filled = exprs.map((e: { name: string; expr: string }) => ({ ...e, expr: e.expr.replaceAll('$__rate_interval', '1m').replaceAll('$job', '.+') }));
  const adapter = readYaml('deploy/kubernetes/prometheus-adapter-values.yaml').rules.external.map((r: any) => ({
    name: 'prometheus-adapter', expr: r.metricsQuery.replace('<<.Series>>', r.seriesQuery.replace(/\{.*\}$/, '')).replace('<<.LabelMatchers>>', 'namespace="molam-analytics"').replace('<<.GroupBy>>', 'namespace'),
  }));
  assert.ok(filled.length >= 15);
  checkExpressions([...filled, ...adapter]);
});
