// The rule editor's form state (strings for the number inputs, so a field can be empty while
// typed) and its conversion to and from the API's rule. The server's parseRule is the one
// validator: an empty or odd number is sent as it is and the refusal is shown next to the form.

import type { AlertCondition, AlertRule, RuleDraft } from '../../api.ts';

export const RULE_KINDS = ['refund_rate', 'chargeback_rate', 'volume_spike', 'success_rate', 'custom'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const CONDITION_TYPES = ['threshold', 'change', 'anomaly'] as const;
export const THRESHOLD_OPS = ['>', '>=', '<', '<='] as const;
export const SEVERITIES = ['info', 'warn', 'critical'] as const;
export const FILTER_DIMENSIONS = ['merchant_id', 'country', 'region', 'city', 'currency', 'payment_method', 'provider'] as const;
export const GROUP_BY_DIMENSIONS = FILTER_DIMENSIONS;
export const AUTO_ACTIONS = ['pause_payouts', 'flag_merchant'] as const;

export interface RuleForm {
  name: string;
  metric: string;
  conditionType: (typeof CONDITION_TYPES)[number];
  op: (typeof THRESHOLD_OPS)[number];
  value: string;
  baseline: 'week_ago' | 'trailing_mean';
  trailingWindows: string;
  changeOp: '>' | '<';
  percent: string;
  baselineWindows: string;
  z: string;
  direction: 'up' | 'down' | 'both';
  minVolume: string;
  windowMinutes: string;
  forMinutes: string;
  repeatMinutes: string;
  severity: (typeof SEVERITIES)[number];
  filters: Record<string, string>;
  groupBy: string[];
  autoActions: string[];
  channels: string;
  enabled: boolean;
}

const BLANK: RuleForm = {
  name: '', metric: 'refund_rate', conditionType: 'threshold', op: '>', value: '0.05',
  baseline: 'trailing_mean', trailingWindows: '24', changeOp: '>', percent: '100',
  baselineWindows: '24', z: '3', direction: 'both', minVolume: '50',
  windowMinutes: '60', forMinutes: '0', repeatMinutes: '240', severity: 'warn',
  filters: {}, groupBy: [], autoActions: [], channels: '', enabled: true,
};

/** What choosing a kind sets: the metric, the condition and a fitting window. */
const KIND_FIELDS: Record<Exclude<RuleKind, 'custom'>, Partial<RuleForm>> = {
  refund_rate: { metric: 'refund_rate', conditionType: 'threshold', op: '>', value: '0.05', windowMinutes: '60', severity: 'warn' },
  chargeback_rate: { metric: 'chargeback_rate', conditionType: 'threshold', op: '>', value: '0.01', windowMinutes: '1440', severity: 'critical' },
  volume_spike: { metric: 'tx_count', conditionType: 'change', baseline: 'trailing_mean', trailingWindows: '24', changeOp: '>', percent: '100', windowMinutes: '60', severity: 'warn' },
  success_rate: { metric: 'success_rate', conditionType: 'anomaly', baselineWindows: '24', z: '3', direction: 'down', minVolume: '50', windowMinutes: '60', severity: 'critical' },
};

export function newForm(kind: RuleKind = 'refund_rate'): RuleForm {
  return applyKind({ ...BLANK }, kind);
}

export function applyKind(form: RuleForm, kind: RuleKind): RuleForm {
  return kind === 'custom' ? form : { ...form, ...KIND_FIELDS[kind] };
}

const num = (s: string): number => (s.trim() === '' ? Number.NaN : Number(s));
const list = (s: string): string[] => s.split(',').map((v) => v.trim()).filter(Boolean);

function condition(f: RuleForm): AlertCondition {
  if (f.conditionType === 'threshold') return { type: 'threshold', op: f.op, value: num(f.value) };
  if (f.conditionType === 'change') {
    return f.baseline === 'week_ago'
      ? { type: 'change', baseline: 'week_ago', op: f.changeOp, percent: num(f.percent) }
      : { type: 'change', baseline: 'trailing_mean', trailing_windows: num(f.trailingWindows), op: f.changeOp, percent: num(f.percent) };
  }
  return { type: 'anomaly', baseline_windows: num(f.baselineWindows), z: num(f.z), direction: f.direction, min_volume: num(f.minVolume) };
}

/** The body for create, PATCH and preview (NaN becomes null in JSON: the server names the field). */
export function toDraft(f: RuleForm): RuleDraft {
  const filters: Record<string, string[]> = {};
  for (const d of FILTER_DIMENSIONS) {
    const values = list(f.filters[d] ?? '');
    if (values.length) filters[d] = values;
  }
  return {
    name: f.name.trim(), metric: f.metric, filters, group_by: f.groupBy, window_minutes: num(f.windowMinutes),
    condition: condition(f), for_minutes: num(f.forMinutes), severity: f.severity, channels: list(f.channels),
    auto_actions: f.autoActions, repeat_interval_minutes: num(f.repeatMinutes), enabled: f.enabled,
  };
}

export function fromRule(r: AlertRule): RuleForm {
  const c = r.condition;
  const filters: Record<string, string> = {};
  for (const [d, values] of Object.entries(r.filters ?? {})) filters[d] = values.join(', ');
  return {
    ...BLANK,
    name: r.name, metric: r.metric, conditionType: c.type,
    ...(c.type === 'threshold' ? { op: c.op, value: String(c.value) } : {}),
    ...(c.type === 'change' ? { baseline: c.baseline, trailingWindows: String(c.trailing_windows ?? 24), changeOp: c.op, percent: String(c.percent) } : {}),
    ...(c.type === 'anomaly' ? { baselineWindows: String(c.baseline_windows), z: String(c.z), direction: c.direction, minVolume: String(c.min_volume) } : {}),
    windowMinutes: String(r.window_minutes), forMinutes: String(r.for_minutes), repeatMinutes: String(r.repeat_interval_minutes),
    severity: r.severity, filters, groupBy: [...r.group_by], autoActions: [...r.auto_actions], channels: r.channels.join(', '),
    enabled: r.enabled,
  };
}
