// /api/mesh/predictions and /api/mesh/keys: the routing mesh's signed provider-health predictions
// (src/mesh/generate-predictions.ts, docs/mesh.md "Predictions and their signatures") and the keys
// that sign them. Reading needs mesh:view; generating, rotating and retiring mesh:manage (each in
// the action log: src/mesh/prediction-actions.ts).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { predictionJson, type GenerateFilter, type GenerateResult } from '../../mesh/generate-predictions.ts';
import { MESH_REGIONS } from '../../mesh/model.ts';
import { verifiedLatest } from '../../mesh/predictions-store.ts';
import type { MeshDeps } from '../../mesh/mesh-actions.ts';
import { retireKey, rotateKey } from '../../mesh/prediction-actions.ts';
import { listSigningKeys, type KeyRing } from '../../mesh/signing-keys.ts';

export interface MeshPredictionRouteDeps {
  mesh: MeshDeps;
  ring: KeyRing;
  /** Predictions made on an operator's demand (recorded in the action log). */
  generate(filter: GenerateFilter, actor: string): Promise<GenerateResult>;
}

const TEXT = '^[^\\u0000]+$';
const filterProperties = {
  region: { type: 'string', enum: [...MESH_REGIONS] },
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' },
  method: { type: 'string', maxLength: 64, pattern: TEXT, description: 'payment method (the events\' payment_method)' },
  provider: { type: 'string', maxLength: 128, pattern: TEXT, description: 'the events\' provider' },
};

const predictionSchema = {
  type: 'object',
  required: ['id', 'provider', 'region', 'currency', 'method', 'score', 'confidence', 'features', 'window_from', 'window_to', 'generated_at', 'expires_at', 'kid', 'jws'],
  properties: {
    id: { type: 'string' }, provider: { type: 'string' }, region: { type: 'string', enum: [...MESH_REGIONS] },
    currency: { type: 'string' }, method: { type: 'string' },
    score: { type: 'number', description: '0–100, 100 = healthy' },
    confidence: { type: 'number', description: '0–1' },
    features: { type: 'object', additionalProperties: { type: ['number', 'string', 'null'] }, description: 'what the score was computed from (docs/mesh.md)' },
    window_from: { type: 'string', format: 'date-time' }, window_to: { type: 'string', format: 'date-time' },
    generated_at: { type: 'string', format: 'date-time' }, expires_at: { type: 'string', format: 'date-time' },
    kid: { type: 'string', description: 'the signing key (GET /api/mesh/keys)' },
    jws: { type: 'string', description: 'the prediction, signed: a compact JWS (EdDSA, typ mesh-prediction+jwt)' },
  },
};

const jwkSchema = {
  type: 'object', required: ['kty', 'kid'], additionalProperties: true,
  properties: { kty: { type: 'string' }, crv: { type: 'string' }, x: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' } },
};
const keyInfoSchema = {
  type: 'object', required: ['kid', 'created_at', 'retired_at'],
  properties: { kid: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, retired_at: { type: ['string', 'null'], format: 'date-time' } },
};

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function meshPredictionRoutes(app: FastifyInstance, d: MeshPredictionRouteDeps) {
  app.get<{ Querystring: GenerateFilter }>('/api/mesh/predictions', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The newest prediction of each segment, verified: those that verify, and those refused with their code',
      querystring: { type: 'object', additionalProperties: false, properties: filterProperties },
      response: {
        200: {
          type: 'object', required: ['items', 'refused'],
          properties: {
            items: { type: 'array', items: predictionSchema },
            refused: {
              type: 'array', description: 'newest predictions that must not be used',
              items: {
                type: 'object', required: ['id', 'code', 'message'],
                properties: {
                  id: { type: 'string' },
                  code: { type: 'string', enum: ['prediction_signature_invalid', 'prediction_key_unknown', 'prediction_stale'] },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  }, async (req) => {
    const { valid, refused } = await verifiedLatest(d.mesh.state, d.ring, req.query, d.mesh.now());
    return { items: valid.map(predictionJson), refused: refused.map(({ id, code, message }) => ({ id, code, message })) };
  });

  app.post<{ Body: GenerateFilter | undefined }>('/api/mesh/predictions/generate', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'], summary: 'Predict now: every segment of the last MESH_HEALTH_WINDOW_MINUTES with enough payments (optionally only some), signed, stored and published',
      body: { type: ['object', 'null'], additionalProperties: false, properties: filterProperties },
      response: {
        201: {
          type: 'object', required: ['window_from', 'window_to', 'items', 'too_few_attempts'],
          properties: {
            window_from: { type: 'string', format: 'date-time' }, window_to: { type: 'string', format: 'date-time' },
            items: { type: 'array', items: predictionSchema },
            too_few_attempts: { type: 'integer', description: 'segments left out: fewer payments than MESH_PREDICTION_MIN_ATTEMPTS' },
          },
        },
      },
    },
  }, async (req, reply) => {
    const r = await d.generate(req.body ?? {}, req.principal!.sub);
    return reply.code(201).send({
      window_from: iso(r.windowFrom), window_to: iso(r.windowTo), items: r.predictions.map(predictionJson), too_few_attempts: r.tooFewAttempts,
    });
  });

  app.get('/api/mesh/keys', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The keys that verify predictions: a JWK set (unretired keys), and every key with its dates',
      response: {
        200: {
          type: 'object', required: ['keys', 'history'],
          properties: {
            keys: { type: 'array', items: jwkSchema, description: 'JWK set (RFC 7517) of the keys that verify: the newest signs' },
            history: { type: 'array', items: keyInfoSchema, description: 'every key, newest first, retired ones included' },
          },
        },
      },
    },
  }, async () => {
    const keys = await listSigningKeys(d.mesh.state);
    return {
      keys: keys.filter((k) => k.retiredAt === null).map((k) => k.jwk),
      history: keys.map((k) => ({ kid: k.kid, created_at: iso(k.createdAt), retired_at: iso(k.retiredAt) })),
    };
  });

  app.post('/api/mesh/keys/rotate', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'], summary: 'A new signing key: it signs from now on; the previous ones verify until retired',
      response: { 201: { type: 'object', required: ['kid'], properties: { kid: { type: 'string' } } } },
    },
  }, async (req, reply) => {
    const kid = await rotateKey({ ...d.mesh, ring: d.ring }, req.principal!.sub);
    return reply.code(201).send({ kid });
  });

  app.post<{ Params: { kid: string } }>('/api/mesh/keys/:kid/retire', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'], summary: 'Retire a key: what it signed is refused from now on (prediction_key_unknown)',
      params: { type: 'object', required: ['kid'], properties: { kid: { type: 'string', maxLength: 64, pattern: TEXT } } },
      response: { 200: { type: 'object', required: ['kid', 'retired'], properties: { kid: { type: 'string' }, retired: { type: 'boolean' } } } },
    },
  }, async (req) => {
    if (!(await retireKey({ ...d.mesh, ring: d.ring }, req.params.kid, req.principal!.sub))) throw new AppError('not_found', `no unretired signing key ${req.params.kid}`);
    return { kid: req.params.kid, retired: true };
  });
}
