import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { problemResponse } from '../../functions/http/problem';
import { ContractApp, createRoute } from '../../functions/http/route-kit';
import { validationHook } from '../../functions/http/validation';
import { expectProblem } from '../helpers/problem';

/**
 * The route kit validates requests before a handler runs, the way the routes relied on when @hono/zod-openapi
 * did it. Each test mounts one small route on a bare ContractApp with the app's one validation hook and an
 * error handler answering HTTPExceptions (415) as problems, as the shell does.
 */

function appWith(mount: (app: ContractApp) => void): ContractApp {
  const app = new ContractApp(validationHook);
  app.onError((error, c) =>
    error instanceof HTTPException && error.status === 415
      ? problemResponse(c, 415, 'UNSUPPORTED_MEDIA_TYPE', error.message)
      : problemResponse(c, 500, 'INTERNAL_ERROR', 'unexpected'),
  );
  mount(app);
  return app;
}

const noteBody = z.strictObject({ text: z.string().check(z.trim(), z.minLength(1), z.maxLength(20)) });

const postNote = (required: boolean) =>
  createRoute({
    method: 'post',
    path: '/notes/{id}',
    request: {
      params: z.object({ id: z.string().check(z.regex(/^[a-z]+$/)) }),
      query: z.object({ limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(5)), 2) }),
      headers: z.object({ 'Idempotency-Key': z.optional(z.string()) }),
      body: { required, content: { 'application/json': { schema: noteBody } } },
    },
    responses: { 200: { description: 'Echo' } },
  });

function echoApp(required = true): ContractApp {
  return appWith((app) =>
    app.openapi(postNote(required), (c) =>
      c.json({
        id: c.req.valid('param').id,
        limit: c.req.valid('query').limit,
        key: c.req.valid('header')['Idempotency-Key'] ?? null,
        body: c.req.valid('json'),
      }),
    ),
  );
}

const post = (app: ContractApp, path: string, init: RequestInit = {}) =>
  app.request(path, { method: 'POST', ...init });
const jsonInit = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('ContractApp.openapi', () => {
  it('hands the handler parsed params, coerced and defaulted query, headers whatever their case, and the body', async () => {
    // Prepare
    const app = echoApp();
    // Act
    const full = await post(
      app,
      '/notes/abc?limit=4',
      jsonInit({ text: '  hi  ' }, { 'idempotency-key': 'k-1' }),
    );
    const bare = await post(app, '/notes/abc', jsonInit({ text: 'x' }));
    // Assess
    expect(full.status).toBe(200);
    expect(await full.json()).toEqual({ id: 'abc', limit: 4, key: 'k-1', body: { text: 'hi' } });
    expect(await bare.json()).toEqual({ id: 'abc', limit: 2, key: null, body: { text: 'x' } });
  });

  it('refuses invalid input with 400 VALIDATION_FAILED naming where and which field, in English', async () => {
    // Prepare
    const app = echoApp();
    // Act
    const badBody = await post(app, '/notes/abc', jsonInit({ text: '', extra: 1 }));
    const badQuery = await post(app, '/notes/abc?limit=9', jsonInit({ text: 'x' }));
    const badParam = await post(app, '/notes/ABC', jsonInit({ text: 'x' }));
    // Assess
    const body = await expectProblem(badBody, 400, 'VALIDATION_FAILED');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        { in: 'json', field: 'text', message: expect.stringMatching(/Too small.*>=1 characters/) },
        { in: 'json', field: '', message: expect.stringMatching(/Unrecognized key.*extra/) },
      ]),
    );
    expect((await expectProblem(badQuery, 400, 'VALIDATION_FAILED')).errors).toEqual([
      { in: 'query', field: 'limit', message: expect.stringMatching(/<=\s?5/) },
    ]);
    expect((await expectProblem(badParam, 400, 'VALIDATION_FAILED')).errors).toEqual([
      { in: 'param', field: 'id', message: expect.any(String) },
    ]);
  });

  it('refuses a body of an undeclared type, or with no Content-Type, with 415 before reading it', async () => {
    // Prepare
    const app = echoApp();
    // Act
    const text = await post(app, '/notes/abc', { headers: { 'content-type': 'text/plain' }, body: 'hi' });
    const untyped = await post(app, '/notes/abc', { body: new TextEncoder().encode('{"text":"x"}') });
    const jsonWithCharset = await post(app, '/notes/abc', {
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: '{"text":"x"}',
    });
    // Assess
    await expectProblem(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(untyped, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(jsonWithCharset.status).toBe(200);
  });

  it('gives an operation whose body is optional `{}` when none is sent, and still checks one that is', async () => {
    // Prepare
    const app = echoApp(false);
    // Act
    const none = await post(app, '/notes/abc');
    const invalid = await post(app, '/notes/abc', jsonInit({ text: 7 }));
    // Assess
    expect(await none.json()).toMatchObject({ body: {} });
    await expectProblem(invalid, 400, 'VALIDATION_FAILED');
  });

  it('validates a form body (OAuth token requests) and types it as form', async () => {
    // Prepare
    const route = createRoute({
      method: 'post',
      path: '/token',
      request: {
        body: {
          required: true,
          content: {
            'application/x-www-form-urlencoded': {
              schema: z.object({ grant_type: z.enum(['password', 'refresh_token']) }),
            },
          },
        },
      },
      responses: { 200: { description: 'Token' } },
    });
    const app = appWith((a) => a.openapi(route, (c) => c.json({ grant: c.req.valid('form').grant_type })));
    const form = (grant: string) => ({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=${grant}`,
    });
    // Act
    const ok = await post(app, '/token', form('password'));
    const bad = await post(app, '/token', form('client_credentials'));
    // Assess
    expect(await ok.json()).toEqual({ grant: 'password' });
    expect((await expectProblem(bad, 400, 'VALIDATION_FAILED')).errors).toEqual([
      { in: 'form', field: 'grant_type', message: expect.any(String) },
    ]);
  });

  it("runs the route's middleware before its validators, and records every route it documents", async () => {
    // Prepare
    const guard: MiddlewareHandler = async (c, next) =>
      c.req.header('authorization') ? next() : problemResponse(c, 401, 'UNAUTHORIZED', 'Sign in first.');
    const guarded = createRoute({ ...postNote(true), middleware: [guard] as const });
    const hidden = createRoute({
      method: 'get',
      path: '/hidden',
      hide: true,
      responses: { 200: { description: 'Here' } },
    });
    const app = appWith((a) => {
      a.openapi(guarded, (c) => c.json({ ok: true }));
      a.openapi(hidden, (c) => c.text('here'));
    });
    // Act
    const anonymousAndInvalid = await post(app, '/notes/ABC', jsonInit({}));
    const hiddenAnswer = await app.request('/hidden');
    // Assess: the guard answers first; the hidden route is served but left out of the document
    await expectProblem(anonymousAndInvalid, 401, 'UNAUTHORIZED');
    expect(await hiddenAnswer.text()).toBe('here');
    expect(app.routeConfigs.map((r) => `${r.method} ${r.path}`)).toEqual(['post /notes/{id}']);
  });

  it('types what a handler may answer by the responses the route declares (checked by tsc)', async () => {
    // Prepare: a route that answers 200 with a note, and nothing else
    const route = createRoute({
      method: 'get',
      path: '/note',
      responses: {
        200: { description: 'A note', content: { 'application/json': { schema: noteBody } } },
      },
    });
    const app = appWith((a) => {
      a.openapi(route, (c) => c.json({ text: 'hi' }, 200));
      // @ts-expect-error -- a body of another shape does not compile
      a.openapi(route, (c) => c.json({ words: 'hi' }, 200));
      // @ts-expect-error -- nor does a status the route does not declare
      a.openapi(route, (c) => c.json({ text: 'hi' }, 201));
    });
    // Act
    const answer = await app.request('/note');
    // Assess: the first handler mounted answers
    expect(await answer.json()).toEqual({ text: 'hi' });
  });
});
