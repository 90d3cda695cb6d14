// The rule editor's form state (strings for the number inputs, so a field can be empty while
// typed) and its conversion to and from the API's rule. A ratio metric's threshold is typed as a
// percentage (5 for 5 %) and stored as a ratio (0.05). checkForm catches what the form can see
// (empty name, empty or out-of-range numbers) before the server's parseRule, which stays the one
// full validator.

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
  /** Webhook endpoint ids (empty: every endpoint the rule may reach). */
  channels: string[];
  enabled: boolean;
}

const BLANK: RuleForm = {
  name: '', metric: 'refund_rate', conditionType: 'threshold', op: '>', value: '5',
  baseline: 'trailing_mean', trailingWindows: '24', changeOp: '>', percent: '100',
  baselineWindows: '24', z: '3', direction: 'both', minVolume: '50',
  windowMinutes: '60', forMinutes: '0', repeatMinutes: '240', severity: 'warn',
  filters: {}, groupBy: [], autoActions: [], channels: [], enabled: true,
};

/** What choosing a kind sets: the metric, the condition and a fitting window. */
const KIND_FIELDS: Record<Exclude<RuleKind, 'custom'>, Partial<RuleForm>> = {
  refund_rate: { metric: 'refund_rate', conditionType: 'threshold', op: '>', value: '5', windowMinutes: '60', severity: 'warn' },
  chargeback_rate: { metric: 'chargeback_rate', conditionType: 'threshold', op: '>', value: '1', windowMinutes: '1440', severity: 'critical' },
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

/** 5 (%) → 0.05 and back, without binary noise (0.07 * 100 is 7.000000000000001). */
const clean = (x: number) => Number(x.toPrecision(12));
export const fromPercent = (typed: number) => clean(typed / 100);
export const toPercent = (ratio: number) => clean(ratio * 100);

function condition(f: RuleForm, percent: boolean): AlertCondition {
  if (f.conditionType === 'threshold') {
    const v = num(f.value);
    return { type: 'threshold', op: f.op, value: percent && Number.isFinite(v) ? fromPercent(v) : v };
  }
  if (f.conditionType === 'change') {
    return f.baseline === 'week_ago'
      ? { type: 'change', baseline: 'week_ago', op: f.changeOp, percent: num(f.percent) }
      : { type: 'change', baseline: 'trailing_mean', trailing_windows: num(f.trailingWindows), op: f.changeOp, percent: num(f.percent) };
  }
  return { type: 'anomaly', baseline_windows: num(f.baselineWindows), z: num(f.z), direction: f.direction, min_volume: num(f.minVolume) };
}

/**
 * The body for create, PATCH and preview (NaN becomes null in JSON: the server names the field).
 * `percent`: the metric is a ratio, so the typed threshold is a percentage.
 */
export function toDraft(f: RuleForm, percent = false): RuleDraft {
  const filters: Record<string, string[]> = {};
  for (const d of FILTER_DIMENSIONS) {
    const values = list(f.filters[d] ?? '');
    if (values.length) filters[d] = values;
  }
  return {
    name: f.name.trim(), metric: f.metric, filters, group_by: f.groupBy, window_minutes: num(f.windowMinutes),
    condition: condition(f, percent), for_minutes: num(f.forMinutes), severity: f.severity, channels: f.channels,
    auto_actions: f.autoActions, repeat_interval_minutes: num(f.repeatMinutes), enabled: f.enabled,
  };
}

export function fromRule(r: AlertRule, percent = false): RuleForm {
  const c = r.condition;
  const filters: Record<string, string> = {};
  for (const [d, values] of Object.entries(r.filters ?? {})) filters[d] = values.join(', ');
  return {
    ...BLANK,
    name: r.name, metric: r.metric, conditionType: c.type,
    ...(c.type === 'threshold' ? { op: c.op, value: String(percent ? toPercent(c.value) : c.value) } : {}),
    ...(c.type === 'change' ? { baseline: c.baseline, trailingWindows: String(c.trailing_windows ?? 24), changeOp: c.op, percent: String(c.percent) } : {}),
    ...(c.type === 'anomaly' ? { baselineWindows: String(c.baseline_windows), z: String(c.z), direction: c.direction, minVolume: String(c.min_volume) } : {}),
    windowMinutes: String(r.window_minutes), forMinutes: String(r.for_minutes), repeatMinutes: String(r.repeat_interval_minutes),
    severity: r.severity, filters, groupBy: [...r.group_by], autoActions: [...r.auto_actions], channels: [...r.channels],
    enabled: r.enabled,
  };
}

/** A field the form refuses, by the input's name, and the message key that says why. */
export type FormErrors = Partial<Record<string, 'rule_error_name' | 'rule_error_number' | 'rule_error_range'>>;

/** What the form can check before asking the server: a name, and every shown number in range. */
export function checkForm(f: RuleForm): FormErrors {
  const out: FormErrors = {};
  if (!f.name.trim()) out.name = 'rule_error_name';
  const range = (name: string, s: string, min: number, max = Infinity, int = true) => {
    const v = num(s);
    if (!Number.isFinite(v)) out[name] = 'rule_error_number';
    else if (v < min || v > max || (int && !Number.isInteger(v))) out[name] = 'rule_error_range';
  };
  range('window_minutes', f.windowMinutes, 1, 1440);
  range('for_minutes', f.forMinutes, 0, 1440);
  range('repeat_interval_minutes', f.repeatMinutes, 0, 10080);
  if (f.conditionType === 'threshold') range('value', f.value, -Infinity, Infinity, false);
  if (f.conditionType === 'change') {
    range('percent', f.percent, 0, Infinity, false);
    if (f.baseline === 'trailing_mean') range('trailing_windows', f.trailingWindows, 1, 500);
  }
  if (f.conditionType === 'anomaly') {
    range('baseline_windows', f.baselineWindows, 3, 500);
    range('z', f.z, 0, Infinity, false);
    range('min_volume', f.minVolume, 0, Infinity, false);
  }
  return out;
}
