// Custom event definitions: define one (events:define; a new name is version 1, an existing one
// gets its next version, the same content adds nothing), list the latest versions, read one
// (analytics:view). Platform-wide: a merchant's token sees none. Use cases:
// src/custom-events/custom-event-definitions.ts; docs/custom-events.md.

import type { FastifyInstance } from 'fastify';
import { defineCustomEvent, getCustomEvent, listCustomEvents, type DefinitionDeps } from '../../custom-events/custom-event-definitions.ts';
import {
  DEFINITION_LIMITS as L, EVENT_TYPE_PATTERN, MEASURE_UNIT_PATTERN, MEASURE_UNITS, PROPERTY_NAME_PATTERN, PROPERTY_ROLES, PROPERTY_TYPES, type DefinitionInput,
} from '../../custom-events/definition.ts';
import { list } from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';
import { isoTime } from '../response-schemas.ts';
import { csv, parseInstant } from '../analytics-params.ts';
import { customEventStats, INTERVALS, type Interval, type StatsDeps } from '../../custom-events/custom-event-stats.ts';
import type { DefinitionCache } from '../../custom-events/definition-cache.ts';

const eventType = { type: 'string', minLength: 1, maxLength: L.nameLength, pattern: EVENT_TYPE_PATTERN, description: 'the event type: lowercase dot-separated segments (order.placed)' };
const propertyName = { type: 'string', minLength: 1, maxLength: L.propertyNameLength, pattern: PROPERTY_NAME_PATTERN };
const cardinalityCap = {
  type: 'integer', minimum: 1, maximum: L.maxCardinalityCap,
  description: `dimensions only: distinct values aggregated per event type, the rest grouped as \`(other)\` (default ${L.defaultCardinalityCap})`,
};
const unit = {
  type: 'string', pattern: MEASURE_UNIT_PATTERN,
  description: `measures only (required there): ${MEASURE_UNITS.join(', ')}, or minor_units:XXX (money of one currency; bare minor_units: of the event's \`currency\` dimension)`,
};
const propertyType = { type: 'string', enum: [...PROPERTY_TYPES] };
const role = { type: 'string', enum: [...PROPERTY_ROLES], description: 'dimension: filtered and grouped by; measure: a number aggregated (count, sum, avg, min, max, p50/p95/p99)' };

const definitionBody = {
  type: 'object', additionalProperties: false, required: ['name', 'properties'],
  properties: {
    name: eventType,
    description: { type: 'string', maxLength: L.descriptionLength },
    properties: {
      type: 'array', maxItems: L.properties,
      items: {
        type: 'object', additionalProperties: false, required: ['name', 'type', 'role'],
        properties: { name: propertyName, type: propertyType, role, description: { type: 'string', maxLength: L.descriptionLength }, cardinality_cap: cardinalityCap, unit },
      },
    },
  },
};

const definitionSchema = {
  type: 'object', required: ['name', 'version', 'description', 'properties', 'created_at', 'created_by'],
  properties: {
    name: eventType,
    version: { type: 'integer', minimum: 1, description: '1 for the first definition of the name; each change adds one' },
    description: { type: 'string' },
    properties: {
      type: 'array', description: 'sorted by name',
      items: {
        type: 'object', required: ['name', 'type', 'role', 'description'],
        properties: { name: propertyName, type: propertyType, role, description: { type: 'string' }, cardinality_cap: cardinalityCap, unit },
      },
    },
    created_at: isoTime,
    created_by: { type: 'string', description: 'the token subject that defined this version (`cli` for a local load)' },
  },
};

const nameParams = { type: 'object', required: ['name'], properties: { name: eventType } };

const num = { type: ['number', 'null'] };
/** A money measure's exact integer (a string of minor units); any other measure's number. */
const exact = { type: ['string', 'number', 'null'], description: 'money (unit minor_units): an exact integer of minor units, as a string; otherwise a number' };
const FILTER_KEY = '^filter\\[[a-z][a-z0-9_]*\\]$';
const statsSchema = {
  type: 'object',
  required: ['event_type', 'definition_version', 'measure', 'unit', 'interval', 'tz', 'from', 'to', 'group_by', 'grain', 'accuracy', 'buckets', 'items'],
  properties: {
    event_type: eventType,
    definition_version: { type: ['integer', 'null'], description: 'the latest definition\'s version (null: the type has none; count and distinct users only)' },
    measure: { type: ['string', 'null'] },
    unit: { type: ['string', 'null'], description: 'the measure\'s unit' },
    interval: { type: 'string', enum: Object.keys(INTERVALS) },
    tz: { type: 'string' },
    from: isoTime, to: isoTime,
    group_by: { type: ['string', 'null'] },
    grain: { type: 'string', enum: ['1m', '1h', '1d'], description: 'the rollup the answer was merged from' },
    accuracy: {
      type: 'object', required: ['quantile_relative_error', 'distinct_users_standard_error'],
      properties: {
        quantile_relative_error: { type: 'number', description: 'p50/p95/p99 are within this relative error of the exact value of the same rank' },
        distinct_users_standard_error: { type: 'number', description: 'distinct_users\' relative standard error (HyperLogLog, p = 14)' },
      },
    },
    buckets: { type: 'array', items: { type: 'string' }, description: 'every bucket start of the range, RFC 3339 in `tz`' },
    items: {
      type: 'array', description: 'one per bucket (and group) holding events, by bucket then group',
      items: {
        type: 'object', required: ['bucket', 'count', 'distinct_users'],
        properties: {
          bucket: { type: 'string', description: 'the bucket start, RFC 3339 in `tz`' },
          group: { type: 'string', description: 'the group_by dimension\'s value ("" when the event had none, "(other)" past its cardinality cap)' },
          count: { type: 'integer', description: 'events' },
          distinct_users: { type: 'integer', description: 'distinct user_id (estimated)' },
          measure_count: { type: 'integer', description: 'events carrying the measure' },
          sum: exact, avg: num, min: exact, max: exact, p50: num, p95: num, p99: num,
        },
      },
    },
  },
};

export function customEventRoutes(app: FastifyInstance, deps: DefinitionDeps & { stats: StatsDeps; definitions?: DefinitionCache }) {
  app.post<{ Body: DefinitionInput }>('/api/v1/custom-events', {
    config: { permission: 'events:define' },
    schema: {
      tags: ['custom-events'],
      summary: 'Define a custom event type: version 1 for a new name, the next version for an existing one (201); the same content as the latest version adds nothing (200)',
      body: definitionBody,
      response: {
        200: { ...definitionSchema, description: 'unchanged: the latest version already says this' },
        201: { ...definitionSchema, description: 'a new version' },
        409: problem('property_type_changed'),
        422: problem('invalid_definition'),
        503: problem('state_unavailable'),
      },
    },
  }, async (req, reply) => {
    const r = await defineCustomEvent(deps, req.body, req.principal!.sub);
    if (r.created) deps.definitions?.invalidate(r.definition.name);
    return reply.code(r.created ? 201 : 200).send(r.definition);
  });

  app.get('/api/v1/custom-events', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['custom-events'], summary: 'The custom event types: the latest version of each, by name (none for a merchant\'s token)',
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: list(definitionSchema), 503: problem('state_unavailable') },
    },
  }, async (req) => listCustomEvents(deps.state, req.principal!.merchantId));

  app.get<{ Params: { name: string }; Querystring: { version?: number } }>('/api/v1/custom-events/:name', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['custom-events'], summary: 'One custom event type\'s definition: the latest version, or `version`',
      params: nameParams,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { version: { type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'a past version (default: the latest)' } },
      },
      response: { 200: definitionSchema, 503: problem('state_unavailable') },
    },
  }, async (req) => getCustomEvent(deps.state, req.params.name, req.query.version ?? null, req.principal!.merchantId));

  app.get<{ Params: { name: string }; Querystring: Record<string, string | undefined> }>('/api/v1/custom-events/:name/stats', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['custom-events'],
      summary: 'A custom event type\'s statistics per interval: count and distinct users, and a measure\'s count, sum, avg, min, max, p50/p95/p99; filtered and grouped by dimensions',
      params: nameParams,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          measure: { ...propertyName, description: 'a measure of the definition (none: count and distinct users only)' },
          interval: { type: 'string', enum: Object.keys(INTERVALS), description: 'bucket size (default 1h); `all`: one bucket for the whole range' },
          from: { type: 'string', maxLength: 64, description: 'RFC 3339 start (inclusive); default `to` − 24 h' },
          to: { type: 'string', maxLength: 64, description: 'RFC 3339 end (exclusive); default now' },
          tz: { type: 'string', maxLength: 64, description: 'IANA time zone of the hour and day buckets; default UTC' },
          group_by: { ...propertyName, description: 'a dimension of the definition' },
        },
        patternProperties: { [FILTER_KEY]: { type: 'string', maxLength: 4096, description: 'filter[<dimension>]=v1,v2: events whose dimension holds one of the values' } },
      },
      response: {
        200: statsSchema,
        400: problem('invalid_parameter', 'unknown_metric', 'unknown_dimension', 'invalid_time_zone', 'invalid_range'),
        404: problem('not_found'),
        422: problem('range_too_large'),
        503: problem('state_unavailable'),
      },
    },
  }, async (req) => {
    const q = req.query;
    const to = parseInstant('to', q.to, deps.now());
    const from = parseInstant('from', q.from, to - 86_400_000);
    const filters: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(q)) {
      const m = /^filter\[([a-z][a-z0-9_]*)\]$/.exec(k);
      if (m) filters[m[1]] = csv(v, k);
    }
    return customEventStats(deps.stats, {
      name: req.params.name, measure: q.measure ?? null, interval: (q.interval ?? '1h') as Interval, from, to, tz: q.tz ?? 'UTC',
      groupBy: q.group_by ?? null, filters, merchantId: req.principal!.merchantId,
    });
  });
}
