// Every package the lockfile installs supports the Node versions package.json declares, so
// `npm install` on the oldest supported Node prints no EBADENGINE warning (npm checks the same
// `engines` ranges at install time).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import semver from 'semver';

const read = (name: string) => JSON.parse(readFileSync(new URL(`../../${name}`, import.meta.url), 'utf8'));
const pkg = read('package.json') as { engines: { node: string } };
const lock = read('package-lock.json') as { packages: Record<string, { version?: string; engines?: { node?: string } | string[] }> };

// Known exceptions, each with its reason; the test also fails when one no longer refuses, so
// the list cannot go stale. @platformatic/kafka 1.x (the Kafka client, docs/kafka.md) declares
// Node >= 20.19.4 and its own CI runs Node 20, but two helper packages of the same authors
// declare Node >= 22.19 while using nothing Node 20 lacks (Promise.withResolvers is polyfilled
// by the client): test/kafka/ runs them on Node 20 against a real broker. `npm install` on
// Node 20 names these two in an EBADENGINE warning.
const ALLOWED_REFUSALS: Record<string, string> = {
  'node_modules/@platformatic/dynamic-buffer': 'used by @platformatic/kafka 1.x, which supports Node 20; tested on Node 20 in test/kafka/',
  'node_modules/@platformatic/wasm-utils': 'used by @platformatic/kafka 1.x, which supports Node 20; tested on Node 20 in test/kafka/',
};

test('the lockfile holds no package whose engines exclude the oldest Node that package.json declares', () => {
  const oldest = semver.minVersion(pkg.engines.node);
  assert.ok(oldest, `engines.node ${pkg.engines.node} names a lowest version`);
  const refused: string[] = [];
  const excepted: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || !entry.engines || Array.isArray(entry.engines) || !entry.engines.node) continue;
    if (semver.satisfies(oldest, entry.engines.node)) continue;
    if (path in ALLOWED_REFUSALS) excepted.push(path);
    else refused.push(`${path}@${entry.version} wants node ${entry.engines.node}`);
  }
  assert.deepEqual(refused, [], `these refuse Node ${oldest.version}`);
  assert.deepEqual(excepted.sort(), Object.keys(ALLOWED_REFUSALS).sort(), 'an allowed exception no longer applies: remove it');
});

test('the Node running the tests is one package.json declares', () => {
  assert.ok(semver.satisfies(process.version, pkg.engines.node), `${process.version} is outside ${pkg.engines.node}`);
});
