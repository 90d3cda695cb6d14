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

test('the lockfile holds no package whose engines exclude the oldest Node that package.json declares', () => {
  const oldest = semver.minVersion(pkg.engines.node);
  assert.ok(oldest, `engines.node ${pkg.engines.node} names a lowest version`);
  const refused: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || !entry.engines || Array.isArray(entry.engines) || !entry.engines.node) continue;
    if (!semver.satisfies(oldest, entry.engines.node)) refused.push(`${path}@${entry.version} wants node ${entry.engines.node}`);
  }
  assert.deepEqual(refused, [], `these refuse Node ${oldest.version}`);
});

test('the Node running the tests is one package.json declares', () => {
  assert.ok(semver.satisfies(process.version, pkg.engines.node), `${process.version} is outside ${pkg.engines.node}`);
});
