// The demo's alert rules: a few ops rules that fire on the demo network's data, so the alerts
// screens have something to show. Created through the alert rules use case (validated, audited
// as the `demo` actor), only when there are no rules at all — a rule someone deleted or changed
// is never brought back. While the state store is still opening, it waits.

import type { Logger } from 'pino';
import { createRule, listRules, type Actor } from '../alerts/alert-rules-store.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { isStateUnavailable } from '../state-store/state-unavailable.ts';

const DEMO_ACTOR: Actor = { sub: 'demo', merchantId: null };

/** The seeded rules. The demo's success rate is about 85 %, its refund rate per merchant often above 2 %. */
export const DEMO_RULES: readonly Record<string, unknown>[] = [
  {
    name: 'Demo: success rate below 90 % (15 min)', metric: 'success_rate', window_minutes: 15,
    condition: { type: 'threshold', op: '<', value: 0.9 }, severity: 'warn',
  },
  {
    name: 'Demo: a country\'s success rate below 80 % (1 h)', metric: 'success_rate', window_minutes: 60, group_by: ['country'],
    condition: { type: 'threshold', op: '<', value: 0.8 }, severity: 'critical',
  },
  {
    name: 'Demo: a merchant\'s refund rate above 2 % (1 h)', metric: 'refund_rate', window_minutes: 60, group_by: ['merchant_id'],
    condition: { type: 'threshold', op: '>', value: 0.02 }, severity: 'info',
  },
  {
    name: 'Demo: unusual transaction volume (1 h against the last 24)', metric: 'tx_count', window_minutes: 60,
    condition: { type: 'anomaly', baseline_windows: 24, z: 3, direction: 'both', min_volume: 50 }, severity: 'warn',
  },
];

/** Creates DEMO_RULES when the state store holds no rule; returns how many it created. */
export async function seedDemoRules(state: StateStore, log: Logger, stopped: () => boolean = () => false): Promise<number> {
  for (let attempt = 0; !stopped(); attempt++) {
    try {
      if ((await listRules(state, DEMO_ACTOR)).length > 0) return 0;
      for (const rule of DEMO_RULES) await createRule(state, DEMO_ACTOR, rule);
      log.info({ rules: DEMO_RULES.length }, 'demo: alert rules seeded');
      return DEMO_RULES.length;
    } catch (err) {
      if (!isStateUnavailable(err) || attempt >= 120) {
        log.warn({ err }, 'demo: alert rules not seeded');
        return 0;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return 0;
}
