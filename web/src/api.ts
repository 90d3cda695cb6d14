// The dashboard's side of the API: the bearer token (kept in sessionStorage, so it dies with the
// tab), GETs that carry it, and the dev sign-in call.

const TOKEN_KEY = 'molam.analytics.token';

export function loadToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An API refusal: the HTTP status and the problem document's stable `code`. */
export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** A failed answer as an ApiError: the problem document's code and detail, or the status line. */
export async function failure(res: Response): Promise<ApiError> {
  let code = 'http_error';
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { code?: string; detail?: string; title?: string };
    code = body.code ?? code;
    message = body.detail ?? body.title ?? message;
  } catch {
    // not a problem document: keep the status line
  }
  return new ApiError(res.status, code, message);
}

export async function apiGet<T>(path: string, token: string, params: Record<string, string> = {}): Promise<T> {
  const qs = new URLSearchParams(params).toString();
  const res = await fetch(qs ? `${path}?${qs}` : path, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

export const DEV_ROLES = ['analytics:ops', 'analytics:view', 'merchant_admin', 'mesh_ops'] as const;
export type DevRole = (typeof DEV_ROLES)[number];

/** Dev mode only: a token for a role (and merchant, and user: two users of one merchant for four eyes). Null when the server has no dev sign-in (404). */
export async function requestDevToken(role: DevRole, merchantId?: string, sub?: string): Promise<string | null> {
  const res = await fetch('/api/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ role, ...(merchantId ? { merchant_id: merchantId } : {}), ...(sub ? { sub } : {}) }),
  });
  if (res.status === 404) return null;
  if (!res.ok) throw await failure(res);
  return ((await res.json()) as { token: string }).token;
}

/** Dev mode: the merchants that have transactions, busiest first (GET /api/dev/merchants); [] when the server is not in dev mode. */
export async function fetchDevMerchants(): Promise<{ merchant_id: string; tx_count: number }[]> {
  const res = await fetch('/api/dev/merchants', { headers: { Accept: 'application/json' } });
  if (!res.ok) return [];
  return ((await res.json()) as { items: { merchant_id: string; tx_count: number }[] }).items;
}

/** Metric name → value (the metrics are the registry's: metric-registry.ts). */
type MetricMap = Partial<Record<string, number | null>>;
type LocalMap = Partial<Record<string, string>>;

/** The part of GET /api/analytics/overview this screen reads. */
export interface Overview {
  from: string;
  to: string;
  tz: string;
  as_of: string | null;
  unconverted_events: number;
  /** The one currency selected, if any: then `kpis.local` has exact local sums (decimal strings). */
  currency: string | null;
  kpis: { metrics: MetricMap; previous: MetricMap; change: MetricMap; local?: LocalMap; previous_local?: LocalMap };
  /** `previous`: the previous period's series, previous[i] one span before points[i]; null past retention. */
  series: { granularity: string; points: SeriesPoint[]; previous?: SeriesPoint[] | null };
  /** Ops only; null for anyone else. */
  top_merchants: Array<RankItem & { merchant_id: string | null }> | null;
  top_countries: CountryItem[];
  /** Every country of the scope with its KPIs (the map). */
  countries: CountryItem[];
  regions?: Array<RankItem & { region: string | null }>;
}

/** One minute of GET /api/analytics/live (and of a live room's snapshot and deltas). */
export interface LivePoint {
  ts: string; tx_count: number; gross_volume_usd: number; success_rate: number | null; succeeded_count?: number;
  failed_count?: number; refund_count?: number; dispute_count?: number; payout_count?: number;
}
export interface LiveAnswer { as_of: string | null; points: LivePoint[]; totals: Omit<LivePoint, 'ts'> }
export interface LiveDelta { room: string; minutes: LivePoint[]; current: LivePoint; last_60m: Omit<LivePoint, 'ts'>; as_of: string | null }

/** The token's merchant, read from the JWT payload — for choosing the room to show only; the server decides. */
export function tokenMerchantId(token: string): string | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const payload = JSON.parse(json) as { merchant_id?: unknown };
    return typeof payload.merchant_id === 'string' && payload.merchant_id ? payload.merchant_id : null;
  } catch {
    return null;
  }
}

/** One bucket of a series: its start and the value of each metric asked for. */
export interface SeriesPoint {
  ts: string;
  /** With one currency selected: money metrics as exact decimals of that currency. */
  local?: Record<string, string>;
  [metric: string]: number | null | string | Record<string, string> | undefined;
}

/** A metric's value in a series point (null when absent). */
export function pointValue(p: SeriesPoint, metric: string): number | null {
  const v = p[metric];
  return typeof v === 'number' ? v : null;
}
/** A ranking row: `value` is the ranking metric (gross volume in USD). */
export interface RankItem { value: number | null; metrics?: MetricMap; local?: Record<string, string> }
export type CountryItem = RankItem & { country: string | null };

export async function apiPatch<T>(path: string, token: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** One row of GET /api/analytics/alerts (the fields the Alerts screen reads). */
export interface Alert {
  id: number | string;
  rule_name: string;
  state: string;
  severity: string;
  merchant_id: string | null;
  group_labels: Record<string, string | null> | null;
  started_at: string | null;
  acknowledged_by: string | null;
  assignee: string | null;
  /** What it was judged on: the value seen, and (change/anomaly) the baseline; `detail` in words. */
  observed?: number | null;
  baseline?: number | null;
  detail?: string | null;
  firing_since?: string | null;
  resolved_at?: string | null;
  /** Its rule as it reads now: metric, condition (the threshold), window and scope filters. */
  rule_metric?: string;
  rule_condition?: AlertCondition;
  rule_window_minutes?: number;
  rule_filters?: Record<string, string[]>;
}

// ---- Alerts screen: rules, preview, silences, assignment and comments ----

async function send<T>(method: 'POST' | 'DELETE', path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: {
      Authorization: `Bearer ${token}`, Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export function apiPost<T>(path: string, token: string, body: unknown): Promise<T> {
  return send<T>('POST', path, token, body);
}

/** DELETE; the API answers 204 with no body. */
export function apiDelete(path: string, token: string): Promise<void> {
  return send<void>('DELETE', path, token);
}

export type AlertCondition =
  | { type: 'threshold'; op: '>' | '>=' | '<' | '<='; value: number }
  | { type: 'change'; baseline: 'week_ago' | 'trailing_mean'; trailing_windows?: number; op: '>' | '<'; percent: number }
  | { type: 'anomaly'; baseline_windows: number; z: number; direction: 'up' | 'down' | 'both'; min_volume: number };

/** What POST /api/analytics/alerts/rules (and /preview, and PATCH) take. */
export interface RuleDraft {
  name: string;
  metric: string;
  filters: Record<string, string[]>;
  group_by: string[];
  window_minutes: number;
  condition: AlertCondition;
  for_minutes: number;
  severity: 'info' | 'warn' | 'critical';
  channels: string[];
  auto_actions: string[];
  repeat_interval_minutes: number;
  enabled: boolean;
}

/** One rule of GET /api/analytics/alerts/rules. */
export interface AlertRule extends RuleDraft {
  id: string;
  merchant_id: string | null;
  version: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_evaluated_at: string | null;
  last_error: string | null;
}

export interface PreviewPoint { at: number; observed: number | null; baseline: number | null; z: number | null; breached: boolean | null; state: string }

/** POST /api/analytics/alerts/rules/preview: the rule replayed over the last 7 days (times in epoch ms). */
export interface RulePreview {
  from: number;
  to: number;
  step_minutes: number;
  evaluations: number;
  firings: number;
  notifications: number;
  first_fired_at: number | null;
  groups: Array<{ group: Record<string, string | null>; fingerprint: string; firings: number; first_fired_at: number }>;
  groups_evaluated: number;
  series?: PreviewPoint[];
}

export interface AlertComment { author: string; body: string; created_at: string }

/** PATCH /api/analytics/alerts/{id} answers the alert row and all its comments. */
export type PatchedAlert = Omit<Alert, 'rule_name'> & { comments: AlertComment[] };
/** GET /api/analytics/alerts/{id}: the alert, its comments and the audited changes. */
export type AlertDetails = Alert & { comments: AlertComment[]; history: Array<{ actor: string; action: string; detail: Record<string, unknown> | null; at: string }> };

/** One row of GET /api/analytics/alerts/silences. */
export interface Silence {
  id: number | string;
  merchant_id: string | null;
  matchers: { rule_id?: string; labels?: Record<string, string> };
  starts_at: string;
  ends_at: string;
  comment: string | null;
  created_by: string;
  created_at: string;
}

export interface SilenceDraft {
  matchers: { rule_id?: string; labels?: Record<string, string> };
  starts_at?: string;
  ends_at: string;
  comment?: string;
}
