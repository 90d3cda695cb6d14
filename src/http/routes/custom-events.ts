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

export function customEventRoutes(app: FastifyInstance, deps: DefinitionDeps) {
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
}
