import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ContractApp, createRoute } from '../../functions/http/route-kit';
import { doc, extend } from '../../functions/http/schema-doc';
import { validationHook } from '../../functions/http/validation';
import { contractOf } from '../../functions/local/contract-generator';

/**
 * The build step reads the routes' zod/mini schemas and their documentation (schema-doc.ts) into OpenAPI 3.1.
 * One small app, and what a client generator or a reader of the document relies on in it.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document

function documentOf(mount: (app: ContractApp) => void): Json {
  const app = new ContractApp(validationHook);
  mount(app);
  // As the build step writes it: JSON (no undefined fields)
  return JSON.parse(JSON.stringify(contractOf(app as never))) as Json;
}

const Base = doc(
  z.object({
    id: z.string(),
    count: z.int().check(z.gte(0)),
    email: z.optional(z.string().check(z.trim(), z.maxLength(320), z.email())),
    at: z.iso.datetime({ offset: true }),
    tags: z.array(z.string().check(z.minLength(1), z.maxLength(40))).check(z.maxLength(5)),
    note: z.nullable(z.string()),
  }),
  { id: 'Base', description: 'A base thing' },
);
const Derived = doc(extend(Base, { extra: z.boolean() }), { id: 'Derived' });
const Input = doc(z.strictObject({ name: doc(z.string(), { description: 'Who', example: 'Ana' }) }), {
  id: 'Input',
});
const id = doc(z.string().check(z.regex(/^[a-z]+$/)), { param: { name: 'id', in: 'path' } });

const document = documentOf((app) => {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/things/{id}',
      request: {
        params: z.object({ id }),
        query: z.object({ q: z.optional(z.string().check(z.maxLength(50))) }),
      },
      responses: {
        200: { description: 'A thing', content: { 'application/json': { schema: Derived } } },
        404: { description: 'None' },
      },
    }),
    (c) => c.body(null, 404),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/things',
      request: { body: { required: true, content: { 'application/json': { schema: Input } } } },
      responses: { 201: { description: 'Made', content: { 'application/json': { schema: Base } } } },
    }),
    (c) =>
      c.json(
        { id: 'a', count: 0, at: '2026-12-03T00:00:00Z', tags: [], note: c.req.valid('json').name },
        201,
      ),
  );
  app.securityScheme('bearer', { type: 'http', scheme: 'bearer' });
});

describe('the contract generator', () => {
  it('makes each documented id a component, referenced where it is used', () => {
    expect(Object.keys(document.components.schemas).sort()).toEqual(['Base', 'Derived', 'Input']);
    expect(document.paths['/things'].post.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Input',
    });
    expect(document.paths['/things'].post.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Base',
    });
  });

  it('writes what the checks say: integer, bounds, formats, nullability, required, closed objects', () => {
    const base = document.components.schemas.Base;
    expect(base.description).toBe('A base thing');
    expect(base.required).toEqual(['id', 'count', 'at', 'tags', 'note']);
    expect(base.properties.count).toEqual({ type: 'integer', minimum: 0 });
    expect(base.properties.email).toEqual({ type: 'string', maxLength: 320, format: 'email' });
    expect(base.properties.at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(base.properties.tags).toEqual({
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 40 },
      maxItems: 5,
    });
    expect(base.properties.note).toEqual({ type: ['string', 'null'] });
    expect(document.components.schemas.Input).toMatchObject({
      additionalProperties: false,
      properties: { name: { type: 'string', description: 'Who', example: 'Ana' } },
    });
  });

  it('documents a schema that extends a named one as allOf of its reference and the new fields', () => {
    // (with the base's description, as @hono/zod-openapi's `.extend` kept it)
    expect(document.components.schemas.Derived).toEqual({
      description: 'A base thing',
      allOf: [
        { $ref: '#/components/schemas/Base' },
        { type: 'object', properties: { extra: { type: 'boolean' } }, required: ['extra'] },
      ],
    });
  });

  it('documents parameters from their schemas and their param notes', () => {
    const parameters = document.paths['/things/{id}'].get.parameters as Json[];
    expect(parameters).toEqual([
      { schema: { type: 'string', pattern: '^[a-z]+$' }, required: true, name: 'id', in: 'path' },
      { schema: { type: 'string', maxLength: 50 }, required: false, name: 'q', in: 'query' },
    ]);
  });

  it('adds the security schemes the routes declare, and leaves a shared schema undocumented by a use', () => {
    expect(document.components.securitySchemes).toEqual({ bearer: { type: 'http', scheme: 'bearer' } });
    const shared = z.string();
    const described = doc(shared, { description: 'Only here' });
    expect(z.globalRegistry.get(shared)).toBeUndefined();
    expect(z.globalRegistry.get(described)).toEqual({ description: 'Only here' });
  });
});
