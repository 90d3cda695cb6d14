// In a cluster only the consumer holding the writer lease can write to the analytics store; an
// api replica refuses writes (503). So the deployment's front doors — the Kubernetes Ingress and
// compose's nginx — must send every route the app marks `writer` to the consumer, and nothing
// else: the list comes from the built app's route table, not from this file.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { readText, readYaml, readYamlDocs } from './deploy-files.ts';

let t: TempApp;
before(async () => { t = await openTempApp(); });
after(async () => { await t?.close(); });

const writerPaths = () => [...new Set(t.app.routeTable.filter((r) => r.writer).map((r) => r.url))].sort();

test('the app marks its writing routes: ingest, custom event tracking, FX rates, dead-letter replays', () => {
  const routes = t.app.routeTable.filter((r) => r.writer).map((r) => `${r.method} ${r.url}`).sort();
  assert.deepEqual(routes, ['POST /api/v1/dead-letters/replay', 'POST /api/v1/events', 'POST /api/v1/track', 'PUT /api/v1/fx-rates']);
});

test('the Ingress sends exactly the writing routes to the consumer\'s Service, which selects the consumer pods', () => {
  const ingress = readYaml('deploy/kubernetes/ingress.yaml');
  const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths) as any[];
  const toIngest = paths.filter((p) => p.backend.service.name === 'analytics-ingest');
  for (const p of toIngest) assert.equal(p.pathType, 'Exact', `${p.path}: exact, so the paths below it stay on the api replicas`);
  assert.deepEqual(toIngest.map((p) => p.path).sort(), writerPaths());
  const service = readYamlDocs('deploy/kubernetes/consumer.yaml').find((o: any) => o.kind === 'Service') as any;
  assert.equal(service.metadata.name, 'analytics-ingest');
  const consumer = readYamlDocs('deploy/kubernetes/consumer.yaml').find((o: any) => o.kind === 'Deployment') as any;
  const labels = consumer.spec.template.metadata.labels;
  assert.ok(Object.entries(service.spec.selector).every(([k, v]) => labels[k] === v), 'it selects the consumer pods');
  assert.ok(paths.some((p) => p.path === '/' && p.backend.service.name === 'analytics-api'), 'everything else goes to the api replicas');
});

test('compose\'s proxy sends exactly the writing routes to the consumer', () => {
  const nginx = readText('deploy/compose/nginx.conf');
  const upstream = /upstream molam_ingest \{\s*server (\w+):(\d+);\s*\}/.exec(nginx);
  assert.ok(upstream, 'an upstream for the consumer');
  assert.equal(upstream[1], 'consumer');
  const compose = readYaml('deploy/docker-compose.yml');
  assert.equal(compose.services.consumer.environment.ROLE, 'consumer');
  const exact = [...nginx.matchAll(/location = (\S+) \{\s*proxy_pass http:\/\/(\w+);/g)];
  assert.deepEqual(exact.filter((m) => m[2] === 'molam_ingest').map((m) => m[1]).sort(), writerPaths());
});

/** The Ingress path that takes `url` (ingress-nginx: an Exact path first, else the longest Prefix whose path elements lead it). */
function ingressBackend(paths: any[], url: string): string | undefined {
  const exact = paths.find((p) => p.pathType === 'Exact' && p.path === url);
  if (exact) return exact.backend.service.name;
  const prefixes = paths.filter((p) => p.pathType === 'Prefix' && (p.path === '/' || url === p.path || url.startsWith(`${p.path.replace(/\/$/, '')}/`)));
  return prefixes.sort((a, b) => b.path.length - a.path.length)[0]?.backend.service.name;
}

/** The nginx upstream that takes `url`: an exact `location =` first, else the longest prefix location. */
function nginxUpstream(nginx: string, url: string): string | undefined {
  const locations = [...nginx.matchAll(/location (=\s+)?(\S+) \{([^}]*)\}/g)].map((m) => ({ exact: !!m[1], path: m[2], upstream: /proxy_pass http:\/\/(\w+);/.exec(m[3])?.[1] }));
  const exact = locations.find((l) => l.exact && l.path === url);
  if (exact) return exact.upstream;
  return locations.filter((l) => !l.exact && url.startsWith(l.path)).sort((a, b) => b.path.length - a.path.length)[0]?.upstream;
}

test('the routing mesh\'s routes, POST /api/mesh/route first, go to the api replicas (only they run its decision snapshot), never to the consumer', () => {
  const mesh = [...new Set(t.app.routeTable.filter((r) => r.url.startsWith('/api/mesh/')).map((r) => r.url))];
  assert.ok(mesh.includes('/api/mesh/route'), 'the decision API is a route of the app');
  assert.ok(mesh.length >= 20, `${mesh.length} mesh routes`);
  assert.ok(t.app.routeTable.filter((r) => r.url.startsWith('/api/mesh/')).every((r) => !r.writer), 'no mesh route writes to the analytics store');
  const paths = readYaml('deploy/kubernetes/ingress.yaml').spec.rules.flatMap((r: any) => r.http.paths) as any[];
  const nginx = readText('deploy/compose/nginx.conf');
  for (const url of mesh) {
    // Path parameters as a client fills them in.
    const concrete = url.replace(/:(\w+)/g, (_, name: string) => `${name}-1`);
    assert.equal(ingressBackend(paths, concrete), 'analytics-api', `Ingress: ${url}`);
    assert.equal(nginxUpstream(nginx, concrete), 'molam_api', `nginx: ${url}`);
  }
  // The matchers themselves: a writing route goes to the consumer.
  assert.equal(ingressBackend(paths, '/api/v1/events'), 'analytics-ingest');
  assert.equal(nginxUpstream(nginx, '/api/v1/events'), 'molam_ingest');
});
