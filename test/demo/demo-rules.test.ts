// The demo seeds alert rules that fire on its own data (issue 16), through the alert rules use
// case: a day of demo history is ingested, the rules are seeded, one evaluation pass runs, and
// at least one of them fires. Seeding is once: a store that has rules gets none added.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { createLogger } from '../../src/log.ts';
import { demoHistory } from '../../src/demo/run-demo.ts';
import { DEMO_RULES, seedDemoRules } from '../../src/demo/demo-rules.ts';

const NOW = Date.parse('2026-03-11T12:00:00Z');

test('the seeded demo rules exist, and at least one fires on the demo data', { timeout: 180_000 }, async () => {
  const t = await openTempApp({ now: () => NOW });
  try {
    let items: unknown[] = [];
    for (const e of demoHistory(NOW, 1, 1)) {
      items.push(e);
      if (items.length === 5000) {
        await t.platform.engine.submit({ source: 'test', items });
        items = [];
      }
    }
    await t.platform.engine.submit({ source: 'test', items });
    await t.platform.engine.flush();

    const log = createLogger('silent');
    assert.equal(await seedDemoRules(t.platform.state, log), DEMO_RULES.length);
    assert.equal(await seedDemoRules(t.platform.state, log), 0, 'seeded once: a store with rules gets none');
    const rules = (await t.inject({ method: 'GET', url: '/api/analytics/alerts/rules' })).json().items as { id: string; name: string; created_by: string }[];
    assert.deepEqual(rules.map((r) => r.name).sort(), DEMO_RULES.map((r) => String(r.name)).sort());
    assert.ok(rules.every((r) => r.created_by === 'demo'));

    await t.app.alerting.evaluateNow();
    const firing = (await t.inject({ method: 'GET', url: '/api/analytics/alerts?status=firing' })).json().items as { rule_id: string }[];
    const fired = new Set(firing.map((a) => String(a.rule_id)));
    assert.ok(rules.some((r) => fired.has(r.id)), `a demo rule fires: ${JSON.stringify(firing.slice(0, 3))}`);
  } finally {
    await t.close();
  }
});
