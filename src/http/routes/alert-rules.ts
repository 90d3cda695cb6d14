// /api/analytics/alerts/rules: alert rules, ops-wide or confined to the caller's merchant, and
// the 7-day preview that lets a user tune a rule before saving it.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import type { RunQuery } from '../../analytics/query-runner.ts';
import { createRule, deleteRule, getRule, listRules, scopedRule, updateRule, type Actor } from '../../alerts/alert-rules-store.ts';
import { previewRule } from '../../alerts/preview-rule.ts';
import { principalOf } from '../auth-hook.ts';
import { dimension, type DimContext } from '../../query/query-dimensions.ts';
import type { Rule } from '../../alerts/rule-schema.ts';
import type { EventTopics } from '../../alerts/topics/event-topics.ts';
import { noContent, problem } from '../openapi.ts';
import { previewSchema, ruleListSchema, ruleSchema } from '../alert-schemas.ts';

export interface AlertRouteDeps {
  state: StateStore;
  run: RunQuery;
  now: () => number;
  /** The query dimensions' context: a rule's filters must be ones a query accepts. */
  dims: DimContext;
  /** The Kafka topic of each kind of event (a manual resolve notifies too); null = no Kafka. */
  eventTopics: EventTopics | null;
}

function checkFilters(dims: DimContext) {
  return (rule: Rule) => {
    for (const [name, values] of Object.entries(rule.filters)) if (values.length) dimension(name).filter(values, dims);
  };
}

export function actorOf(req: FastifyRequest): Actor {
  const p = principalOf(req);
  return { sub: p.sub, merchantId: p.merchantId };
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 12 } } };
const body = { type: 'object', description: 'a rule: see docs/alerts.md' };
const notFound = () => new AppError('not_found', 'no such rule');
/** A rule is refused with the field it names (parseRule), or a filter a query would refuse. */
const ruleProblems = { 400: problem('invalid_parameter', 'unknown_metric', 'unknown_dimension') };

export function alertRuleRoutes(app: FastifyInstance, d: AlertRouteDeps) {
  const view = { permission: 'alerts:view' } as const;
  const manage = { permission: 'alerts:manage' } as const;
  app.get('/api/analytics/alerts/rules', { config: view, schema: { tags: ['alerts'], summary: 'Alert rules (a merchant sees its own)', response: { 200: ruleListSchema } } },
    async (req) => ({ items: await listRules(d.state, actorOf(req)) }));
  app.post('/api/analytics/alerts/rules', { config: manage, schema: { tags: ['alerts'], summary: 'Create a rule', body, response: { 201: ruleSchema, ...ruleProblems } } },
    async (req, reply) => reply.code(201).send(await createRule(d.state, actorOf(req), req.body, checkFilters(d.dims))));
  app.post('/api/analytics/alerts/rules/preview', {
    config: manage,
    schema: {
      tags: ['alerts'], summary: 'How often the rule would have fired over the last 7 days (nothing is saved)', body,
      response: { 200: previewSchema, ...ruleProblems, 422: problem('range_too_large', 'result_too_large', 'beyond_retention') },
    },
  }, async (req) => {
    const rule = scopedRule(req.body, actorOf(req));
    checkFilters(d.dims)(rule);
    return previewRule(rule, d.run, d.now());
  });
  app.get<{ Params: { id: string } }>('/api/analytics/alerts/rules/:id', { config: view, schema: { tags: ['alerts'], summary: 'One rule', params: idParams, response: { 200: ruleSchema } } },
    async (req) => (await getRule(d.state, actorOf(req), req.params.id)) ?? Promise.reject(notFound()));
  app.patch<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/analytics/alerts/rules/:id', {
    config: manage,
    schema: { tags: ['alerts'], summary: 'Change a rule (any of its fields)', params: idParams, body, response: { 200: ruleSchema, ...ruleProblems } },
  }, async (req) => (await updateRule(d.state, actorOf(req), req.params.id, req.body ?? {}, checkFilters(d.dims))) ?? Promise.reject(notFound()));
  app.delete<{ Params: { id: string } }>('/api/analytics/alerts/rules/:id', {
    config: manage,
    schema: { tags: ['alerts'], summary: 'Delete a rule (its alerts stay in the history)', params: idParams, response: { 204: noContent } },
  }, async (req, reply) => {
    if (!(await deleteRule(d.state, actorOf(req), req.params.id))) throw notFound();
    return reply.code(204).send();
  });
}
