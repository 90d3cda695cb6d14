// An alert rule: what to watch (a registry metric, filters, optional per-group split), over
// which window, the condition that breaches it, and the lifecycle and delivery settings.
// parseRule is the one validator: it fills defaults and refuses anything unknown or out of
// range with an AppError whose message names the field.

import { AppError } from '../errors.ts';
import { getMetric } from '../metrics/registry.ts';
import { DIMENSIONS } from '../query/query-dimensions.ts';
import { countryKey } from '../reference/countries.ts';
import { currencyKey } from '../reference/currencies.ts';

export const GROUP_BY_DIMENSIONS = ['merchant_id', 'country', 'region', 'city', 'currency', 'payment_method', 'provider'] as const;
export type GroupDimension = (typeof GROUP_BY_DIMENSIONS)[number];
export const AUTO_ACTIONS = ['pause_payouts', 'flag_merchant'] as const;
export type AutoAction = (typeof AUTO_ACTIONS)[number];
export const SEVERITIES = ['info', 'warn', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const THRESHOLD_OPS = ['>', '>=', '<', '<='] as const;
export type ThresholdOp = (typeof THRESHOLD_OPS)[number];

export type Condition =
  | { type: 'threshold'; op: ThresholdOp; value: number }
  /**
   * Relative change versus a baseline, in percent of the baseline: op '>' breaches when the
   * value rose by more than `percent`, op '<' when it fell by more than `percent` (percent > 0).
   */
  | { type: 'change'; baseline: 'week_ago' | 'trailing_mean'; trailing_windows?: number; op: '>' | '<'; percent: number }
  /**
   * z-score of the window against the trailing `baseline_windows` windows. `min_volume` is
   * counted in the metric's volume (the registry's: its own count, refund_count, …, or tx_count).
   */
  | { type: 'anomaly'; baseline_windows: number; z: number; direction: 'up' | 'down' | 'both'; min_volume: number };

export interface Rule {
  /** Assigned by the rule store; the alert fingerprint is derived from it (else from the name). */
  id?: string;
  name: string;
  metric: string;
  filters: Record<string, string[]>;
  group_by: GroupDimension[];
  window_minutes: number;
  condition: Condition;
  for_minutes: number;
  severity: Severity;
  channels: string[];
  auto_actions: AutoAction[];
  /** Minutes between reminders while an alert keeps firing; 0 = never repeat. */
  repeat_interval_minutes: number;
  enabled: boolean;
  /** Set for a merchant-scoped rule: it only ever sees this merchant's data. */
  merchant_id: string | null;
}

export const DEFAULT_TRAILING_WINDOWS = 24;
const RULE_FIELDS = [
  'id', 'name', 'metric', 'filters', 'group_by', 'window_minutes', 'condition', 'for_minutes', 'severity',
  'channels', 'auto_actions', 'repeat_interval_minutes', 'enabled', 'merchant_id',
];
const MAX_FILTER_VALUES = 200;
/** Longest trailing baseline: evaluation reads it from minute or hour rollups, which retention bounds. */
export const MAX_BASELINE_MINUTES = 31 * 1440;

type Obj = Record<string, unknown>;
const bad = (message: string) => new AppError('invalid_parameter', message);

export function parseRule(input: unknown): Rule {
  const o = object(input, 'rule');
  onlyFields(o, RULE_FIELDS, 'rule');
  const metric = text(o.metric, 'metric', 64);
  if (!getMetric(metric)) throw new AppError('unknown_metric', `unknown metric ${JSON.stringify(metric)}; see GET /api/v1/metrics/registry`);
  const merchantId = o.merchant_id === undefined || o.merchant_id === null ? null : text(o.merchant_id, 'merchant_id', 128);
  const filters = parseFilters(o.filters ?? {});
  if (merchantId !== null && filters.merchant_id && !(filters.merchant_id.length === 1 && filters.merchant_id[0] === merchantId)) {
    throw bad('filters.merchant_id of a merchant-scoped rule may only name its own merchant_id');
  }
  const rule: Rule = {
    name: text(o.name, 'name', 200),
    metric,
    filters,
    group_by: subset(o.group_by ?? [], 'group_by', GROUP_BY_DIMENSIONS),
    window_minutes: int(o.window_minutes, 'window_minutes', 1, 1440),
    condition: parseCondition(o.condition),
    for_minutes: int(o.for_minutes ?? 0, 'for_minutes', 0, 1440),
    severity: oneOf(o.severity ?? 'warn', 'severity', SEVERITIES),
    channels: strings(o.channels ?? [], 'channels', 20, 128),
    auto_actions: subset(o.auto_actions ?? [], 'auto_actions', AUTO_ACTIONS),
    repeat_interval_minutes: int(o.repeat_interval_minutes ?? 240, 'repeat_interval_minutes', 0, 7 * 1440),
    enabled: bool(o.enabled ?? true, 'enabled'),
    merchant_id: merchantId,
  };
  const trailing = rule.condition.type === 'anomaly' ? rule.condition.baseline_windows
    : rule.condition.type === 'change' ? rule.condition.trailing_windows ?? 0 : 0;
  if (trailing * rule.window_minutes > MAX_BASELINE_MINUTES) {
    throw bad(`the trailing baseline (${trailing} windows of ${rule.window_minutes} minutes) may cover at most ${MAX_BASELINE_MINUTES / 1440} days; use fewer or shorter windows`);
  }
  if (o.id !== undefined && o.id !== null) rule.id = text(o.id, 'id', 128);
  return rule;
}

function parseCondition(v: unknown): Condition {
  const c = object(v, 'condition');
  const type = oneOf(c.type, 'condition.type', ['threshold', 'change', 'anomaly'] as const);
  if (type === 'threshold') {
    onlyFields(c, ['type', 'op', 'value'], 'condition');
    return { type, op: oneOf(c.op, 'condition.op', THRESHOLD_OPS), value: num(c.value, 'condition.value', -1e15, 1e15) };
  }
  if (type === 'change') {
    onlyFields(c, ['type', 'baseline', 'trailing_windows', 'op', 'percent'], 'condition');
    const baseline = oneOf(c.baseline, 'condition.baseline', ['week_ago', 'trailing_mean'] as const);
    const op = oneOf(c.op, 'condition.op', ['>', '<'] as const);
    const percent = num(c.percent, 'condition.percent', 0, 1e6);
    if (percent <= 0) throw bad('condition.percent must be greater than 0 (op gives the direction)');
    if (op === '<' && percent > 100) throw bad('condition.percent cannot exceed 100 for a fall (op "<")');
    if (baseline === 'week_ago') {
      if (c.trailing_windows !== undefined) throw bad('condition.trailing_windows applies to baseline "trailing_mean" only');
      return { type, baseline, op, percent };
    }
    const trailing = int(c.trailing_windows ?? DEFAULT_TRAILING_WINDOWS, 'condition.trailing_windows', 1, 500);
    return { type, baseline, trailing_windows: trailing, op, percent };
  }
  onlyFields(c, ['type', 'baseline_windows', 'z', 'direction', 'min_volume'], 'condition');
  const z = num(c.z ?? 3, 'condition.z', 0, 100);
  if (z <= 0) throw bad('condition.z must be greater than 0');
  return {
    type,
    baseline_windows: int(c.baseline_windows ?? 24, 'condition.baseline_windows', 3, 500),
    z,
    direction: oneOf(c.direction ?? 'both', 'condition.direction', ['up', 'down', 'both'] as const),
    min_volume: int(c.min_volume ?? 50, 'condition.min_volume', 0, 1e9),
  };
}

function parseFilters(v: unknown): Record<string, string[]> {
  const o = object(v, 'filters');
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(o)) {
    if (!(DIMENSIONS as readonly string[]).includes(name)) {
      throw new AppError('unknown_dimension', `unknown filter ${JSON.stringify(name)}; expected one of ${DIMENSIONS.join(', ')}`);
    }
    const list = strings(values, `filters.${name}`, MAX_FILTER_VALUES, 128);
    for (const code of list) {
      if (name === 'country' && !countryKey(code)) throw bad(`filters.country: unknown country ${JSON.stringify(code)}; expected ISO 3166-1 alpha-2`);
      if (name === 'currency' && !currencyKey(code)) throw bad(`filters.currency: unknown currency ${JSON.stringify(code)}; expected ISO 4217 alpha-3`);
    }
    if (list.length > 0) out[name] = [...new Set(list)];
  }
  return out;
}

function object(v: unknown, name: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${name} must be a JSON object`);
  return v as Obj;
}

function onlyFields(o: Obj, allowed: string[], name: string): void {
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw bad(`${name} has unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected ${allowed.join(', ')}`);
}

function text(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(`${name} is required and must be a non-empty string`);
  if (v.length > max) throw bad(`${name} must be at most ${max} characters`);
  return v;
}

function num(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${name} is required and must be a number`);
  if (v < min || v > max) throw bad(`${name} must be between ${min} and ${max}`);
  return v;
}

function int(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw bad(`${name} must be an integer between ${min} and ${max}`);
  }
  return v;
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw bad(`${name} must be true or false`);
  return v;
}

function oneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw bad(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  }
  return v as T;
}

function strings(v: unknown, name: string, maxItems: number, maxLength: number): string[] {
  if (!Array.isArray(v)) throw bad(`${name} must be an array of strings`);
  if (v.length > maxItems) throw bad(`${name} lists more than ${maxItems} values`);
  return v.map((s, i) => text(s, `${name}[${i}]`, maxLength));
}

function subset<T extends string>(v: unknown, name: string, allowed: readonly T[]): T[] {
  if (!Array.isArray(v)) throw bad(`${name} must be an array`);
  const out = v.map((s, i) => oneOf(s, `${name}[${i}]`, allowed));
  return [...new Set(out)];
}
