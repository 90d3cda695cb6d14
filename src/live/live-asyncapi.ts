// The live WebSocket API as an AsyncAPI 3.0 document (served at GET /docs/asyncapi.json): the
// Socket.IO handshake and its refusals, the subscribe/unsubscribe messages with their acks, and
// the `delta` and `closing` messages the server sends. The snapshot schema is the one
// GET /api/analytics/live answers with: both come from liveAnswer().

import { liveResponse, metricMap } from '../http/response-schemas.ts';

const point = liveResponse.properties.points.items;
const str = { type: 'string' };

/** Payload schemas by message name (the test validates real messages against these). */
export const LIVE_SCHEMAS = {
  room: {
    type: 'string',
    description: 'global, region:<zone>, country:<ISO2>, city:<ISO2>:<city> or merchant:<id>',
    examples: ['global', 'region:ECOWAS', 'country:SN', 'city:SN:Dakar', 'merchant:m_123'],
  },
  subscribeAck: {
    oneOf: [
      {
        type: 'object', required: ['ok', 'room', 'snapshot'], additionalProperties: false,
        properties: { ok: { const: true }, room: str, snapshot: { ...liveResponse, description: 'exactly GET /api/analytics/live with the room\'s filters' } },
      },
      { $ref: '#/components/schemas/refusal' },
    ],
  },
  unsubscribeAck: {
    oneOf: [
      { type: 'object', required: ['ok', 'room'], additionalProperties: false, properties: { ok: { const: true }, room: str } },
      { $ref: '#/components/schemas/refusal' },
    ],
  },
  refusal: {
    type: 'object', required: ['ok', 'code', 'message'], additionalProperties: false,
    properties: {
      ok: { const: false },
      code: { type: 'string', description: 'invalid_parameter, forbidden_merchant or not_subscribed: GET /docs/errors' },
      message: str,
    },
  },
  delta: {
    type: 'object',
    required: ['room', 'as_of', 'minutes', 'current', 'last_60m', 'unconverted_events'],
    additionalProperties: false,
    properties: {
      room: str,
      as_of: { type: ['string', 'null'], format: 'date-time' },
      minutes: { type: 'array', items: point, description: 'the new values of every minute that changed: replace the ones you hold' },
      current: { ...point, description: 'the current minute' },
      last_60m: { ...metricMap, description: 'totals of the last 60 minutes' },
      unconverted_events: { type: 'integer' },
    },
  },
  closing: {
    type: 'object', required: ['code', 'message'], additionalProperties: false,
    properties: { code: { type: 'string', enum: ['token_expired'] }, message: str },
  },
  connectError: {
    type: 'object', required: ['code'],
    description: 'Socket.IO connect_error: err.data',
    properties: { code: { type: 'string', enum: ['unauthorized', 'invalid_token', 'token_expired', 'forbidden', 'auth_unavailable'] } },
  },
};

const message = (name: string, summary: string, schema: keyof typeof LIVE_SCHEMAS) => ({
  name, summary, contentType: 'application/json', payload: { $ref: `#/components/schemas/${schema}` },
});

export function liveAsyncApi() {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Molam Analytics live API',
      version: '1',
      description: [
        'Socket.IO (v4) on the same port as the HTTP API, path /socket.io/ (the websocket transport is recommended).',
        'Handshake: the token goes in `auth.token` (not a header) and is verified like a REST token; it needs analytics:view.',
        'A refusal arrives as connect_error with err.data.code. Browsers must come from the server\'s origin or one in CORS_ORIGINS.',
        'Socket.IO events are JSON arguments: `subscribe` and `unsubscribe` take a room name and an ack callback.',
        'A merchant token may subscribe to its own merchant:<id> room only. At most 100 rooms per connection.',
        'After commits, each room whose counters changed gets at most one `delta` per LIVE_COALESCE_MS; values are absolute.',
        'A client whose unsent messages pass LIVE_MAX_BUFFER_KB is disconnected; it may reconnect and take a new snapshot.',
        'The server sends `closing` and disconnects when the token expires. Error codes: GET /docs/errors.',
      ].join('\n\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      api: {
        host: 'localhost:8080', protocol: 'ws', pathname: '/socket.io/',
        description: 'this server (the same host and port as the HTTP API)',
        security: [{ $ref: '#/components/securitySchemes/token' }],
      },
    },
    channels: {
      live: {
        address: '/',
        description: 'the default Socket.IO namespace; rooms are joined by message',
        messages: {
          subscribe: { $ref: '#/components/messages/subscribe' },
          subscribeAck: { $ref: '#/components/messages/subscribeAck' },
          unsubscribe: { $ref: '#/components/messages/unsubscribe' },
          unsubscribeAck: { $ref: '#/components/messages/unsubscribeAck' },
          delta: { $ref: '#/components/messages/delta' },
          closing: { $ref: '#/components/messages/closing' },
        },
      },
    },
    operations: {
      subscribe: {
        action: 'receive', channel: { $ref: '#/channels/live' }, summary: 'Join a room; the ack carries its snapshot',
        messages: [{ $ref: '#/channels/live/messages/subscribe' }],
        reply: { channel: { $ref: '#/channels/live' }, messages: [{ $ref: '#/channels/live/messages/subscribeAck' }] },
      },
      unsubscribe: {
        action: 'receive', channel: { $ref: '#/channels/live' }, summary: 'Leave a room',
        messages: [{ $ref: '#/channels/live/messages/unsubscribe' }],
        reply: { channel: { $ref: '#/channels/live' }, messages: [{ $ref: '#/channels/live/messages/unsubscribeAck' }] },
      },
      delta: {
        action: 'send', channel: { $ref: '#/channels/live' }, summary: 'The minutes of a room that changed',
        messages: [{ $ref: '#/channels/live/messages/delta' }],
      },
      closing: {
        action: 'send', channel: { $ref: '#/channels/live' }, summary: 'The token expired: the socket closes next',
        messages: [{ $ref: '#/channels/live/messages/closing' }],
      },
    },
    components: {
      securitySchemes: {
        token: {
          type: 'http', scheme: 'bearer', bearerFormat: 'JWT',
          description: 'the JWT goes in the Socket.IO handshake as auth.token, not in an Authorization header',
        },
      },
      messages: {
        subscribe: message('subscribe', 'Socket.IO event `subscribe` with a room name (ack expected)', 'room'),
        subscribeAck: message('subscribe ack', '{ok: true, room, snapshot} or {ok: false, code, message}', 'subscribeAck'),
        unsubscribe: message('unsubscribe', 'Socket.IO event `unsubscribe` with a room name (ack expected)', 'room'),
        unsubscribeAck: message('unsubscribe ack', '{ok: true, room} or {ok: false, code, message}', 'unsubscribeAck'),
        delta: message('delta', 'Socket.IO event `delta`', 'delta'),
        closing: message('closing', 'Socket.IO event `closing`', 'closing'),
      },
      schemas: LIVE_SCHEMAS,
    },
  };
}
