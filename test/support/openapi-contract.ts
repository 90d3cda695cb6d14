// Test helper: real answers checked against the served API documents (OpenAPI, AsyncAPI). One place for what the
// OpenAPI tests (test/http/openapi.test.ts, the mesh's) and the AsyncAPI test share: the
// validator with the formats our documents use, schemas compiled with the document's components
// beside them (their $refs point there), and the record of what each handler handed to the
// serializer, so a field the response schema drops fails.

import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Operation { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }
export interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
  security: unknown[];
}

/** A validator that knows the formats our documents use (date-time as ISO 8601, date). */
export function documentAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT/.test(s) && !Number.isNaN(Date.parse(s)));
  ajv.addFormat('date', /^\d{4}-\d\d-\d\d$/);
  return ajv;
}

/** Compiles schemas against one document's components, each once. */
export function schemaValidators(components: () => unknown) {
  const ajv = documentAjv();
  const compiled = new Map<unknown, ReturnType<Ajv2020['compile']>>();
  return (schema: unknown) => {
    let v = compiled.get(schema);
    if (!v) {
      v = ajv.compile({ ...(schema as object), components: components() });
      compiled.set(schema, v);
    }
    return v;
  };
}

export class OpenApiContract {
  doc!: OpenApiDoc;
  /** What each handler handed to the serializer, by request id, as JSON would carry it. */
  readonly handed = new Map<string, unknown>();
  readonly validator = schemaValidators(() => this.doc.components);

  /** `errorsToo`: refusals, too, must be exactly what the handler returned (not only successes). */
  constructor(private readonly opts: { errorsToo?: boolean } = {}) {}

  /** For openTempApp's `beforeStart`: records each handler's answer before serialization. */
  readonly record = (app: FastifyInstance): void => {
    app.addHook('preSerialization', async (req, _reply, payload) => {
      this.handed.set(req.id, JSON.parse(JSON.stringify(payload)));
      return payload;
    });
  };

  /** Reads the served document (once the app runs). */
  async load(inject: (o: { url: string }) => Promise<LightMyRequestResponse>): Promise<void> {
    this.doc = (await inject({ url: '/docs/json' })).json();
  }

  /**
   * Checks an answer against the operation `docPath` (`/api/mesh/keys/{kid}/retire`) of the
   * document: the status, documented; the body, valid against its documented schema; a success,
   * exactly what the handler returned.
   */
  conforms(res: LightMyRequestResponse, method: string, docPath: string, expected: number): void {
    const what = `${method} ${docPath} → ${res.statusCode}`;
    assert.equal(res.statusCode, expected, `${what}: ${res.body.slice(0, 300)}`);
    const op = this.doc.paths[docPath]?.[method.toLowerCase()];
    assert.ok(op, `${what}: a documented operation`);
    const response = op.responses[String(res.statusCode)];
    assert.ok(response, `${what}: status documented (${Object.keys(op.responses)})`);
    if (res.statusCode === 204) {
      assert.equal(res.body, '');
      return;
    }
    const mediaType = String(res.headers['content-type']).split(';')[0];
    const schema = response.content?.[mediaType]?.schema;
    assert.ok(schema, `${what}: ${mediaType} documented (${Object.keys(response.content ?? {})})`);
    const body = mediaType.includes('json') ? res.json() : res.body;
    const validate = this.validator(schema);
    assert.ok(validate(body), `${what}: ${JSON.stringify(validate.errors)}\n${res.body.slice(0, 500)}`);
    if (mediaType.includes('json') && (res.statusCode < 400 || this.opts.errorsToo)) {
      const original = this.handed.get(String(res.headers['x-request-id']));
      assert.ok(original !== undefined, `${what}: the handler's answer was seen`);
      assert.deepEqual(body, original, `${what}: the serializer kept every field and value`);
    }
  }

  /** The document's path of a request URL, as the router picks it: a literal segment wins over a parameter. */
  docPathOf(method: string, url: string): string | undefined {
    const path = new URL(url, 'http://x').pathname;
    const m = method.toLowerCase();
    return Object.entries(this.doc.paths)
      .filter(([p, ops]) => ops[m] && new RegExp(`^${p.replace(/\{\w+\}/g, '[^/]+')}$`).test(path))
      .sort(([a], [b]) => a.split('{').length - b.split('{').length)[0]?.[0];
  }
}
