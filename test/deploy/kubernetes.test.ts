// deploy/kubernetes/, checked offline (no cluster here): every object valid against the
// Kubernetes schemas with no unknown field, the kustomization complete, and the objects agreeing
// with each other and with the program — a Deployment per role with the settings it reads, probes
// on its port, sized resources, a locked-down security context; Services, autoscalers,
// disruption budgets and the Ingress pointing at what exists.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { CONFIG_SPEC, loadConfig } from '../../src/config.ts';
import { READ_BY_NODE, promqlMetricNames, readYaml, readYamlDocs, repoPath } from './deploy-files.ts';
import { schemaErrors, typeErrors } from './kubernetes-schema.ts';

const DIR = 'deploy/kubernetes';
/** Beside the kustomization, applied on their own: they need software the cluster may not have. */
const OUTSIDE_KUSTOMIZATION = { 'podmonitor.yaml': 'the Prometheus Operator', 'prometheus-adapter-values.yaml': 'prometheus-adapter (Helm values, not an object)' };

const kustomization = readYaml(`${DIR}/kustomization.yaml`);
const loaded = (kustomization.resources as string[]).flatMap((file) => readYamlDocs(`${DIR}/${file}`).map((obj: any, i) => ({ label: `${file}#${i} ${obj.kind}`, obj })));
const podMonitor = readYaml(`${DIR}/podmonitor.yaml`);
const objects = loaded.map((o) => o.obj);
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const deployments = ofKind('Deployment');
const container = (d: any) => { assert.equal(d.spec.template.spec.containers.length, 1, d.metadata.name); return d.spec.template.spec.containers[0]; };
const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const roleOf = (d: any) => container(d).env.find((e: any) => e.name === 'ROLE')?.value;
const configMap = ofKind('ConfigMap')[0];
const secret = ofKind('Secret')[0];

/** A Kubernetes quantity in base units (cores, bytes). */
function quantity(q: string | number): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G)?$/.exec(String(q));
  assert.ok(m, `quantity ${q}`);
  const unit = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9 }[m[2] as string] ?? 1;
  return Number(m[1]) * unit;
}

/** The environment a Deployment's container gets: its envFrom sources in order, then env. */
function environmentOf(d: any): Record<string, string> {
  const c = container(d);
  const env: Record<string, string> = {};
  for (const from of c.envFrom ?? []) {
    const source = from.configMapRef ? named('ConfigMap', from.configMapRef.name) : named('Secret', from.secretRef.name);
    assert.ok(source, `${d.metadata.name}: envFrom ${JSON.stringify(from)} names no object of the kustomization`);
    Object.assign(env, source.data ?? {}, source.stringData ?? {});
  }
  for (const e of c.env ?? []) env[e.name] = e.value;
  return env;
}

test('the kustomization lists every manifest of the folder, and they exist', () => {
  const files = readdirSync(repoPath(DIR)).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
  assert.deepEqual(files.sort(), [...kustomization.resources, ...Object.keys(OUTSIDE_KUSTOMIZATION)].sort());
  assert.equal(kustomization.namespace, ofKind('Namespace')[0]?.metadata.name);
  for (const d of deployments) assert.ok(kustomization.images.some((i: any) => i.name === container(d).image), `${d.metadata.name}: its image is set by the kustomization`);
});

test('every object is valid against the Kubernetes schemas', async () => {
  for (const { label, obj } of [...loaded, { label: 'podmonitor.yaml', obj: podMonitor }]) {
    assert.deepEqual(await schemaErrors(obj), [], label);
  }
});

test('no object has a field the Kubernetes API does not know (strict field validation)', () => {
  assert.deepEqual(typeErrors([...loaded, { label: 'podmonitor.yaml', obj: podMonitor }]), []);
});

test('a Deployment per role, each with settings the program reads and accepts', () => {
  assert.deepEqual(deployments.map(roleOf).sort(), ['api', 'consumer', 'evaluator']);
  for (const key of [...Object.keys(configMap.data), ...Object.keys(secret.stringData)]) {
    assert.ok(key in CONFIG_SPEC, `${key} (ConfigMap/Secret) is not a setting of src/config.ts`);
  }
  for (const d of deployments) {
    for (const e of container(d).env) assert.ok(e.name in CONFIG_SPEC || READ_BY_NODE.has(e.name), `${d.metadata.name}: ${e.name} is not a setting`);
    const config = loadConfig(environmentOf(d));
    assert.equal(config.ROLE, roleOf(d));
    assert.equal(config.ANALYTICS_STORE, 'clickhouse');
    assert.equal(config.HOST, '0.0.0.0');
    assert.ok(config.DATABASE_URL && config.REDIS_URL && config.KAFKA_BROKERS && config.JWT_JWKS_URL, `${d.metadata.name}: the cluster settings`);
  }
  assert.equal(named('Deployment', 'analytics-evaluator').spec.replicas, 1);
});

test('probes: liveness on /healthz and readiness on /ready, on the container port, which is PORT', () => {
  for (const d of deployments) {
    const c = container(d);
    const port = (ref: string | number) => (typeof ref === 'number' ? ref : c.ports.find((p: any) => p.name === ref)?.containerPort);
    const { PORT } = loadConfig(environmentOf(d));
    assert.deepEqual(c.ports.map((p: any) => p.containerPort), [PORT]);
    assert.equal(c.livenessProbe.httpGet.path, '/healthz');
    assert.equal(c.readinessProbe.httpGet.path, '/ready');
    assert.equal(port(c.livenessProbe.httpGet.port), PORT);
    assert.equal(port(c.readinessProbe.httpGet.port), PORT);
    const annotations = d.spec.template.metadata.annotations;
    assert.equal(Number(annotations['prometheus.io/port']), PORT);
    assert.equal(annotations['prometheus.io/path'], '/metrics');
  }
});

test('resources: requests and limits for CPU and memory, the V8 heap well inside the memory limit', () => {
  for (const d of deployments) {
    const { requests, limits } = container(d).resources;
    for (const r of ['cpu', 'memory']) assert.ok(quantity(requests[r]) <= quantity(limits[r]), `${d.metadata.name}: ${r} request ≤ limit`);
    const heapMb = Number(/--max-old-space-size=(\d+)/.exec(environmentOf(d).NODE_OPTIONS ?? '')?.[1]);
    assert.ok(heapMb > 0, `${d.metadata.name}: NODE_OPTIONS sets the heap limit (docs/operations.md, "The memory bound")`);
    // The fixed part (~0.9 GB measured) comes on top of the heap.
    assert.ok(heapMb * 2 ** 20 + 0.4 * 2 ** 30 <= quantity(limits.memory), `${d.metadata.name}: heap ${heapMb} MB leaves room under ${limits.memory}`);
  }
});

test('security: non-root, read-only root filesystem, no privilege escalation, writable /tmp and DATA_DIR on emptyDirs', () => {
  for (const d of deployments) {
    const pod = d.spec.template.spec;
    const c = container(d);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    assert.ok(pod.securityContext.runAsUser > 0);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.deepEqual([c.securityContext.readOnlyRootFilesystem, c.securityContext.allowPrivilegeEscalation, c.securityContext.capabilities.drop], [true, false, ['ALL']]);
    const { DATA_DIR } = environmentOf(d);
    for (const path of ['/tmp', DATA_DIR]) {
      const mount = c.volumeMounts.find((m: any) => m.mountPath === path);
      assert.ok(mount, `${d.metadata.name}: ${path} is mounted`);
      assert.ok(pod.volumes.find((v: any) => v.name === mount.name)?.emptyDir, `${d.metadata.name}: ${path} is an emptyDir`);
    }
  }
});

test('selectors: each Deployment selects its own pods; Services, budgets and the PodMonitor select what exists', () => {
  for (const d of deployments) assert.ok(matches(d.spec.selector.matchLabels, d.spec.template.metadata.labels), d.metadata.name);
  const selected = (selector: Record<string, string>) => deployments.filter((d) => matches(selector, d.spec.template.metadata.labels)).map(roleOf);
  const api = named('Service', 'analytics-api');
  assert.deepEqual(selected(api.spec.selector), ['api']);
  assert.ok(container(named('Deployment', 'analytics-api')).ports.some((p: any) => p.name === api.spec.ports[0].targetPort), 'the Service\'s targetPort is a port of the pods');
  assert.deepEqual(ofKind('PodDisruptionBudget').map((p) => selected(p.spec.selector.matchLabels)).sort(), [['api'], ['consumer']]);
  assert.deepEqual(selected(podMonitor.spec.selector.matchLabels).sort(), ['api', 'consumer', 'evaluator']);
  for (const d of deployments) assert.ok(container(d).ports.some((p: any) => p.name === podMonitor.spec.podMetricsEndpoints[0].port));
  assert.equal(podMonitor.spec.podMetricsEndpoints[0].path, '/metrics');
});

test('sticky sessions for Socket.IO long-polling: ClientIP on the Service, cookie affinity on the Ingress', () => {
  const api = named('Service', 'analytics-api');
  assert.equal(api.spec.sessionAffinity, 'ClientIP');
  const ingress = ofKind('Ingress')[0];
  assert.equal(ingress.metadata.annotations['nginx.ingress.kubernetes.io/affinity'], 'cookie');
  for (const rule of ingress.spec.rules) {
    for (const path of rule.http.paths) {
      const service = named('Service', path.backend.service.name);
      assert.ok(service, `the Ingress sends to ${path.backend.service.name}`);
      assert.ok(service.spec.ports.some((p: any) => p.name === path.backend.service.port.name), 'to a port of that Service');
    }
  }
});

test('autoscaling: api 2–10 at 60% CPU; the consumer by its lag, an External metric prometheus-adapter serves', () => {
  const hpa = (name: string) => {
    const h = named('HorizontalPodAutoscaler', name);
    assert.ok(named('Deployment', h.spec.scaleTargetRef.name), `${name} scales a Deployment of the kustomization`);
    return h;
  };
  const api = hpa('analytics-api');
  assert.equal(api.apiVersion, 'autoscaling/v2');
  assert.deepEqual([api.spec.minReplicas, api.spec.maxReplicas], [2, 10]);
  assert.deepEqual(api.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);
  const consumer = hpa('analytics-consumer');
  assert.equal(roleOf(named('Deployment', consumer.spec.scaleTargetRef.name)), 'consumer');
  const [metric] = consumer.spec.metrics;
  assert.equal(metric.type, 'External');
  assert.equal(metric.external.metric.name, 'analytics_kafka_consumer_lag');
  const adapter = readYaml(`${DIR}/prometheus-adapter-values.yaml`);
  const rule = adapter.rules.external.find((r: any) => r.name.as === metric.external.metric.name);
  assert.ok(rule, 'prometheus-adapter serves the metric the HPA asks for');
  assert.deepEqual(promqlMetricNames(rule.seriesQuery), ['analytics_kafka_consumer_lag']);
  assert.ok(new RegExp(rule.name.matches).test('analytics_kafka_consumer_lag'));
});
