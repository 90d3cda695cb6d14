// Request and response shapes of the routing mesh's governance (/api/mesh/*, docs/mesh.md) for
// validation, the OpenAPI document and Fastify's serializer. Every response field is listed and
// required: the serializer drops what a schema leaves out.

import { MESH_REGIONS } from '../mesh/model.ts';
import { IDEMPOTENCY_HEADER } from '../merchant/idempotency.ts';
import { isoTime, nullableIsoTime } from './response-schemas.ts';

const s = { type: 'string' };
const ns = { type: ['string', 'null'] };
const int = { type: 'integer' };
const nint = { type: ['integer', 'null'] };

/** An object whose every property is required. */
export function closed(properties: Record<string, unknown>, description?: string) {
  return { type: 'object', ...(description ? { description } : {}), required: Object.keys(properties), properties };
}

export const region = { type: 'string', enum: [...MESH_REGIONS], description: 'a mesh region' };
export const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' };
export const provider = { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9._:-]+$', description: 'the events\' `provider` value' };
export const meshId = (what: string) => ({ type: 'string', minLength: 1, maxLength: 128, description: what });
const actor = { ...s, description: 'a token subject, or `system` for what a policy did by itself' };

export const idempotencyHeaders = {
  type: 'object', required: [IDEMPOTENCY_HEADER],
  properties: {
    [IDEMPOTENCY_HEADER]: {
      type: 'string', maxLength: 255,
      description: 'Required: 1-255 visible ASCII characters, fresh per change and the same when retrying it. The same key and body within 24 h get the stored answer (header idempotent-replayed: true); another body is 422 idempotency_key_reused; while the first request runs, 409 idempotency_key_in_use.',
    },
  },
};

export const routeSchema = closed({
  method: { type: 'string', minLength: 1, maxLength: 32, description: 'a payment method of the events, or `*` for any' },
  min_amount: { ...int, minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units of the table\'s currency, included' },
  max_amount: { ...nint, minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units, excluded; null: no upper bound' },
  // Empty or repeated providers are the use case's refusal (422 invalid_route naming the route), not the schema's.
  providers: { type: 'array', maxItems: 10, items: provider, description: 'in order: primary, secondary, tertiary…; at least one, none twice' },
});

/** The routes a request sends: at most 200, each with no other field. */
export const routesBody = { type: 'array', maxItems: 200, items: { ...routeSchema, additionalProperties: false } };

export const versionSchema = closed({
  region: s, currency: s, version: { ...int, description: '1, 2, … per table' },
  kind: { type: 'string', enum: ['static', 'proposal', 'rollback'], description: 'static: set by an operator; proposal: a proposal applied; rollback: an earlier version restored' },
  routes: { type: 'array', items: routeSchema },
  proposal_id: { ...ns, description: 'the proposal applied (proposal) or rolled back (rollback)' },
  restored_version: { ...nint, description: 'for a rollback: the version restored (0: the table had none)' },
  created_at: isoTime, created_by: actor,
});

export const memberSchema = closed({
  id: s, provider: s, name: s, kind: { type: 'string', enum: ['bank', 'psp', 'rail'] }, region: s,
  currencies: { type: 'array', items: s, description: 'the currencies routes of it may carry' },
  status: { type: 'string', enum: ['pending_approval', 'active', 'suspended'], description: 'active once approved by compliance and by ops' },
  requested_by: s, created_at: isoTime,
  approvals: { type: 'array', items: closed({ role: { type: 'string', enum: ['compliance', 'ops'] }, approved_by: s, approved_at: isoTime }) },
});

const ROUTE_SHARE = 'an auto-applied proposal changes the providers of at most this share (0–1) of its table\'s routes; null: no limit';
const CANARY_MAX = 'the largest canary (percent of traffic) a proposal of this table may run; null: no limit';
const limits = closed({
  max_route_share: { type: ['number', 'null'], description: ROUTE_SHARE }, max_canary_percent: { ...nint, description: CANARY_MAX },
});

export const limitsBody = {
  type: 'object', additionalProperties: false,
  properties: {
    max_route_share: { type: ['number', 'null'], minimum: 0, maximum: 1, description: ROUTE_SHARE },
    max_canary_percent: { ...nint, minimum: 1, maximum: 99, description: CANARY_MAX },
  },
};

export const policySchema = closed({
  id: { ...ns, description: 'null for the default policy of a table that has none' }, region: s,
  currency: { ...ns, description: 'null: every currency of the region without a policy of its own' },
  mode: { type: 'string', enum: ['auto', 'approval_required'] },
  auto_confidence_threshold: { type: 'number', description: 'in auto mode, a proposal whose confidence reaches it is applied at once' },
  limits, created_by: ns, created_at: nullableIsoTime, active: { type: 'boolean' },
});

const rationaleItem = closed({
  method: s, min_amount: int, max_amount: nint, prediction_ids: { type: 'array', items: s }, note: s,
});

export const rationaleBody = {
  type: 'array', maxItems: 200,
  items: {
    type: 'object', additionalProperties: false, required: ['method', 'min_amount', 'max_amount', 'note'],
    properties: {
      method: { type: 'string', maxLength: 32 }, min_amount: { ...int, minimum: 0 }, max_amount: { ...nint, minimum: 1 },
      prediction_ids: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 128 } }, note: { type: 'string', maxLength: 1000 },
    },
  },
};

export const proposalSchema = closed({
  id: s, region: s, currency: s, base_version: { ...int, description: 'the table version it is based on (0: a new table)' },
  routes: { type: 'array', items: routeSchema, description: 'they replace the table\'s routes of the same method and band; the others stay' },
  rationale: { type: 'array', items: rationaleItem }, confidence: { type: 'number', description: '0–1' },
  status: { type: 'string', enum: ['pending_approval', 'canary', 'applied', 'rejected', 'rolled_back', 'superseded'] },
  simulation: { type: ['object', 'null'], additionalProperties: true }, canary_percent: nint, canary_alert_rule_id: nint,
  applied_version: { ...nint, description: 'the table version it became' },
  created_at: isoTime, created_by: actor, decided_at: nullableIsoTime, decided_by: { ...ns, description: 'who applied, rejected or superseded it' },
});

export const policyDecisionSchema = closed({
  outcome: { type: 'string', enum: ['applied', 'pending_approval', 'superseded'] },
  policy_id: { ...ns, description: 'null: the table has no policy (the default: approval required)' },
  mode: { type: 'string', enum: ['auto', 'approval_required'] }, threshold: { type: 'number' }, reason: s,
});

export const actionSchema = closed({
  id: s, at: isoTime, actor, action: { ...s, description: 'member.requested, member.approved, member.activated, policy.created, routing.static_set, proposal.created, proposal.applied, proposal.superseded, proposal.rejected, proposal.rolled_back' },
  target: { ...s, description: 'member:<id>, policy:<region>/<currency|*>, routing:<region>/<currency>, proposal:<id>' },
  result: { type: 'object', additionalProperties: true, description: 'what the action did' },
});

export const page = (item: object) => closed({
  items: { type: 'array', items: item }, next_cursor: { ...ns, description: 'pass as cursor for the next page (same filters); null on the last' },
});

export const list = (item: object) => closed({ items: { type: 'array', items: item } });

/** A body with only an optional free-text field. */
export const noteBody = (field: string, description: string) => ({
  type: ['object', 'null'], additionalProperties: false, properties: { [field]: { type: 'string', maxLength: 1000, description } },
});
