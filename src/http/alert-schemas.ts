// Response shapes of the /api/analytics/alerts/… routes. Rows of the state store are open
// objects: the documented fields are always there, and a column added later is never dropped by
// the serializer.

import { isoTime, itemsOf, nullableIsoTime, openObject } from './response-schemas.ts';

const s = { type: 'string' };
const ns = { type: ['string', 'null'] };
const int = { type: 'integer' };

export const ruleSchema = openObject('an alert rule (docs/alerts.md): its definition and bookkeeping', {
  id: s, name: s, metric: s, filters: { type: 'object', additionalProperties: { type: 'array', items: s } },
  group_by: { type: 'array', items: s }, window_minutes: int, condition: { type: 'object', additionalProperties: true },
  for_minutes: int, severity: { type: 'string', enum: ['info', 'warn', 'critical'] }, channels: { type: 'array', items: s },
  auto_actions: { type: 'array', items: s }, repeat_interval_minutes: int, enabled: { type: 'boolean' }, merchant_id: ns,
  version: int, created_by: s, created_at: isoTime, updated_at: isoTime, last_evaluated_at: nullableIsoTime, last_error: ns,
}, ['id', 'name', 'metric', 'condition', 'severity', 'enabled', 'merchant_id', 'version', 'created_at']);

export const ruleListSchema = itemsOf(ruleSchema);

export const previewSchema = openObject('what the rule would have done over the last 7 days', {
  from: { ...int, description: 'epoch ms: the first window\'s start' }, to: { ...int, description: 'epoch ms: the last window\'s end' },
  step_minutes: int, evaluations: int, firings: int, notifications: int, first_fired_at: { type: ['integer', 'null'] },
  groups: { type: 'array', items: openObject('a group that fired') }, groups_evaluated: int,
  series: { type: 'array', items: openObject('one evaluation step of an ungrouped rule') },
}, ['from', 'to', 'step_minutes', 'evaluations', 'firings', 'notifications', 'first_fired_at', 'groups', 'groups_evaluated']);

export const alertSchema = openObject('an alert (one per rule and group while open)', {
  id: int, rule_id: int, rule_name: s, fingerprint: s, group_labels: { type: 'object', additionalProperties: true }, merchant_id: ns,
  state: { type: 'string', enum: ['pending', 'firing', 'resolved', 'nodata', 'error'] },
  severity: { type: 'string', enum: ['info', 'warn', 'critical'] },
  observed: { type: ['number', 'null'] }, baseline: { type: ['number', 'null'] }, z: { type: ['number', 'null'] }, detail: ns,
  started_at: isoTime, firing_since: nullableIsoTime, resolved_at: nullableIsoTime, last_evaluated_at: isoTime,
  acknowledged_by: ns, acknowledged_at: nullableIsoTime, assignee: ns, resolved_by: ns,
  rule_metric: { ...s, description: 'the rule\'s metric (GET /api/v1/metrics/registry names it)' },
  rule_condition: { type: 'object', additionalProperties: true, description: 'the rule\'s condition now, e.g. {type: threshold, op, value}' },
  rule_window_minutes: { ...int, description: 'the window the metric is computed over' },
  rule_filters: { type: 'object', additionalProperties: { type: 'array', items: s }, description: 'the rule\'s scope filters' },
}, ['id', 'rule_id', 'state', 'severity', 'started_at']);

const comment = openObject('a comment', { author: s, body: s, created_at: isoTime }, ['author', 'body', 'created_at']);
const historyEntry = openObject('an audited change', { actor: s, action: s, detail: {}, at: isoTime }, ['actor', 'action', 'at']);

export const alertListSchema = itemsOf(alertSchema);
export const alertDetailSchema = {
  ...alertSchema,
  description: 'an alert with its comments and the history of changes',
  properties: { ...alertSchema.properties, comments: { type: 'array', items: comment }, history: { type: 'array', items: historyEntry } },
  required: [...alertSchema.required, 'comments', 'history'],
};
export const alertUpdatedSchema = {
  ...alertSchema,
  description: 'the alert after the change, with its comments',
  properties: { ...alertSchema.properties, comments: { type: 'array', items: comment } },
  required: [...alertSchema.required, 'comments'],
};

export const silenceSchema = openObject('a silence: matching alerts notify nobody from starts_at to ends_at', {
  id: int, merchant_id: ns, matchers: { type: 'object', additionalProperties: true }, starts_at: isoTime, ends_at: isoTime,
  comment: ns, created_by: s, created_at: isoTime,
}, ['id', 'matchers', 'starts_at', 'ends_at']);
export const silenceListSchema = itemsOf(silenceSchema);

export const webhookSchema = openObject('a webhook endpoint (its secrets are never shown again)', {
  id: int, merchant_id: ns, url: s,
  event_types: { type: ['array', 'null'], items: s, description: 'the event types it takes (set in the merchant portal); null: every event' },
  enabled: { type: 'boolean' }, disabled_reason: ns, created_by: s, created_at: isoTime,
  active_secrets: { ...int, description: 'secrets deliveries are signed with (2 just after a rotation that kept the previous)' },
}, ['id', 'url', 'enabled', 'active_secrets']);
export const webhookWithSecretSchema = {
  ...webhookSchema,
  description: 'the endpoint with its new secret, shown this once',
  properties: { ...webhookSchema.properties, secret: { ...s, description: 'whsec_…: keep it to verify signatures' } },
  required: [...webhookSchema.required, 'secret'],
};
export const webhookListSchema = itemsOf(webhookSchema);
export const deliveryListSchema = itemsOf(openObject('one delivery attempt', {
  at: isoTime, attempt: int, outcome: s, status_code: { type: ['integer', 'null'] }, duration_ms: int, msg_id: s, event_type: s,
  status: { type: 'string', description: 'the message: pending, delivered, failed, dead, suppressed' },
}, ['at', 'attempt', 'outcome', 'msg_id', 'event_type', 'status']));
