// The decision side of the routing mesh (docs/mesh.md): POST /api/mesh/route (where to route a
// payment, from the in-memory snapshot), kill switches (engage, reset, list) and canaries (start,
// stop). The rules are in src/mesh (decide-route.ts, kill-switch.ts, canary.ts).

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EventTopics } from '../../alerts/topics/event-topics.ts';
import { AppError } from '../../errors.ts';
import { startCanary, stopCanary } from '../../mesh/canary.ts';
import { decideRoute, type DecisionSettings } from '../../mesh/decide-route.ts';
import { engageKillSwitch, listKillSwitches, resetKillSwitch } from '../../mesh/kill-switch.ts';
import { MESH_REGIONS, type MeshRegion } from '../../mesh/model.ts';
import type { RoutingSnapshot } from '../../mesh/routing-snapshot.ts';
import type { Metrics } from '../../observability/metrics-registry.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import { problem } from '../openapi.ts';

export interface MeshDecisionDeps {
  state: StateStore;
  now: () => number;
  eventTopics: EventTopics | null;
  snapshot: RoutingSnapshot;
  settings: DecisionSettings;
  regions: ReadonlyMap<string, string>;
  metrics: Metrics;
}

const TAGS = ['mesh'];
const currency = { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' };
const region = { type: 'string', enum: [...MESH_REGIONS] };
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '^[^\\u0000]*$' });
const isoOrNull = { type: ['string', 'null'], format: 'date-time' };

const decisionSchema = {
  type: 'object',
  required: ['providers', 'region', 'table_region', 'version', 'reason', 'proposal_id', 'eliminated'],
  properties: {
    providers: { type: 'array', items: { type: 'string' }, description: 'in order: primary, secondary, tertiary…' },
    region: { ...region, description: 'the payment\'s mesh region (from its country)' },
    table_region: { ...region, description: 'the table that answered: the payment\'s region\'s, or GLOBAL\'s when it had no route' },
    version: { type: 'integer', description: 'the routing table\'s version decided by (the static one under a kill switch)' },
    reason: { type: 'string', enum: ['exploitation', 'exploration', 'canary', 'fallback'] },
    proposal_id: { type: ['string', 'null'], description: 'the canary\'s proposal (reason canary)' },
    eliminated: { type: 'array', items: { type: 'string' }, description: 'the route\'s providers whose verified health score is under MESH_ELIMINATION_SCORE (put last, except one first when exploring)' },
  },
};

const killSwitchSchema = {
  type: 'object',
  properties: {
    region, currency: { type: 'string' }, engaged_at: { type: 'string', format: 'date-time' }, engaged_by: { type: 'string' }, reason: { type: 'string' },
    static_version: { type: ['integer', 'null'], description: 'the static version the table routes by while engaged' },
  },
};

const canarySchema = {
  type: 'object',
  properties: {
    proposal_id: { type: 'string' }, region, currency: { type: 'string' },
    status: { type: 'string', description: 'canary once started; pending_approval once stopped' },
    canary_percent: { type: ['integer', 'null'] }, canary_alert_rule_id: { type: ['integer', 'null'] }, canary_started_at: isoOrNull,
  },
};

const tableParams = {
  type: 'object', required: ['region', 'currency'], additionalProperties: false, properties: { region, currency },
};
const proposalParams = {
  type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
};

const actor = (req: FastifyRequest) => req.principal!.sub;

interface RouteBody { currency: string; amount: number; country: string; method: string; payment_id: string }

export function meshDecisionRoutes(app: FastifyInstance, d: MeshDecisionDeps) {
  app.post<{ Body: RouteBody }>('/api/mesh/route', {
    // Not behind the query admission: a decision is a few µs in memory, and a payment must never
    // wait for a place behind analytics queries (nor be refused 429 because of them).
    config: { permission: 'mesh:route', admission: false },
    schema: {
      tags: TAGS,
      summary: 'Where to route a payment: its providers in order, the routing version, and why (exploitation, exploration, canary, fallback)',
      body: {
        type: 'object', additionalProperties: false, required: ['currency', 'amount', 'country', 'method', 'payment_id'],
        properties: {
          currency,
          amount: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units of the currency' },
          country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2: places the payment in its mesh region' },
          method: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'the payment method, as in the events (card, mobile_money…)' },
          payment_id: { type: 'string', minLength: 1, maxLength: 128, description: 'the payment\'s id: its hash picks the canary and exploration shares (the same id always gets the same answer for a given snapshot)' },
        },
      },
      response: { 200: decisionSchema, 404: problem('no_route'), 503: problem('starting') },
    },
  }, async (req) => {
    const snap = d.snapshot.current();
    if (!snap) throw new AppError('starting', 'the routing tables are not loaded yet in this process');
    const b = req.body;
    const started = process.hrtime.bigint();
    const decision = decideRoute(snap, d.settings, d.regions, { currency: b.currency, amount: b.amount, country: b.country, method: b.method, paymentId: b.payment_id });
    d.metrics.meshRoutingLatency.observe({ reason: decision.reason }, Number(process.hrtime.bigint() - started) / 1e9);
    if (decision.tableRegion === 'GLOBAL' && decision.region !== 'GLOBAL') d.metrics.meshCrossborderVolume.inc({ region: decision.region, currency: b.currency });
    return {
      providers: decision.providers, region: decision.region, table_region: decision.tableRegion, version: decision.version,
      reason: decision.reason, proposal_id: decision.proposalId, eliminated: decision.eliminated,
    };
  });

  app.get('/api/mesh/kill-switches', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: TAGS, summary: 'The engaged kill switches',
      response: { 200: { type: 'object', properties: { items: { type: 'array', items: killSwitchSchema } } } },
    },
  }, async () => ({ items: await listKillSwitches(d.state) }));

  app.post<{ Params: { region: MeshRegion; currency: string }; Body: { reason: string } }>('/api/mesh/kill-switch/:region/:currency', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: TAGS,
      summary: 'Engage a table\'s kill switch: every payment of it is routed by its last static version until reset',
      params: tableParams,
      body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } },
      response: { 201: killSwitchSchema, 409: problem('no_static_version', 'kill_switch_engaged') },
    },
  }, async (req, reply) => {
    const item = await engageKillSwitch(d, req.params.region, req.params.currency, actor(req), req.body.reason);
    await d.snapshot.changed();
    return reply.code(201).send(item);
  });

  app.delete<{ Params: { region: MeshRegion; currency: string } }>('/api/mesh/kill-switch/:region/:currency', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: TAGS, summary: 'Reset a table\'s kill switch: it routes by its current version (and canary) again',
      params: tableParams,
      response: { 200: killSwitchSchema },
    },
  }, async (req) => {
    const item = await resetKillSwitch(d, req.params.region, req.params.currency, actor(req));
    await d.snapshot.changed();
    return item;
  });

  app.post<{ Params: { id: string }; Body: { percent: number; alert_rule_id: number } }>('/api/mesh/proposals/:id/canary', {
    config: { permission: 'mesh:approve' },
    schema: {
      tags: TAGS,
      summary: 'Put a proposal awaiting approval live for a share of its table\'s payments; it rolls back by itself when the alert rule fires',
      params: proposalParams,
      body: {
        type: 'object', additionalProperties: false, required: ['percent', 'alert_rule_id'],
        properties: {
          percent: { type: 'integer', minimum: 1, maximum: 99, description: 'the share of the table\'s payments (by a hash of the payment id)' },
          alert_rule_id: { type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'the alert rule whose firing rolls the canary back' },
        },
      },
      response: { 200: canarySchema, 409: problem('canary_not_allowed', 'canary_exists'), 422: problem('canary_above_policy') },
    },
  }, async (req) => {
    const state = await startCanary(d, req.params.id, req.body.percent, req.body.alert_rule_id, actor(req));
    await d.snapshot.changed();
    return state;
  });

  app.post<{ Params: { id: string } }>('/api/mesh/proposals/:id/canary/stop', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: TAGS, summary: 'Stop a canary: the proposal awaits approval again', params: proposalParams,
      response: { 200: canarySchema, 409: problem('canary_not_running') },
    },
  }, async (req) => {
    const state = await stopCanary(d, req.params.id, actor(req));
    await d.snapshot.changed();
    return state;
  });
}
