import { zValidator } from '@hono/zod-validator';
import { Hono, type Context, type Env, type Handler, type MiddlewareHandler, type TypedResponse } from 'hono';
import type { StatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';
import { HTTPException } from 'hono/http-exception';
import { en } from 'zod/locales';
import * as z from 'zod/mini';

/**
 * Routes as contract and code at once, without classic zod in the bundle. A route is declared with
 * `createRoute({ method, path, request, responses, … })` in OpenAPI's own words (the shape @hono/zod-openapi and
 * zod-to-openapi use) and mounted with `app.openapi(route, handler)`: the request's params, query, headers and
 * body (JSON or a form) are validated with their zod/mini schemas before the handler runs, and `c.req.valid('json')` is
 * typed from the schema. The app keeps the routes it mounted (`app.routeConfigs`), from which the build step
 * (functions/local/contract-build.ts) writes the OpenAPI document; the Lambdas never generate it.
 *
 * What the validators do, the same as @hono/zod-openapi did (test/http/route-kit.test.ts holds them):
 * - header names match whatever their case (`Idempotency-Key` is found as `idempotency-key`);
 * - a body whose Content-Type is not one the route declares, or a body without a Content-Type, is refused
 *   with 415 before it is read; an operation whose body is optional sees `{}` when none is sent;
 * - invalid input goes to the app's one validation hook (400 VALIDATION_FAILED with the fields named).
 */

// The messages of VALIDATION_FAILED's `errors` are English sentences ("Too small: expected string to have >=1
// characters"); without a locale zod/mini says "Invalid input" for everything (functions/config.ts sets the
// same, for the configuration's own errors).
z.config(en());

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
type Schema = z.ZodMiniType;
type ObjectSchema = z.ZodMiniObject | z.ZodMiniType<Record<string, unknown>>;

export interface MediaTypeObject {
  schema?: unknown;
  [key: string]: unknown;
}

export interface RouteConfig {
  method: Method;
  path: string;
  /** Run before the validators (sign-in checks, role guards). */
  middleware?: MiddlewareHandler | readonly MiddlewareHandler[];
  /** Mounted but left out of the document. */
  hide?: boolean;
  request?: {
    params?: ObjectSchema;
    query?: ObjectSchema;
    headers?: ObjectSchema;
    cookies?: ObjectSchema;
    body?: { required?: boolean; description?: string; content: Record<string, MediaTypeObject> };
  };
  responses: Record<string | number, unknown>;
  [openApiField: string]: unknown;
}

/** OpenAPI's `/titles/{id}` as Hono's `/titles/:id`. */
export type RoutingPath<P extends string> = P extends `${infer Head}{${infer Param}}${infer Tail}`
  ? `${Head}:${Param}${RoutingPath<Tail>}`
  : P;

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- what a route without that part adds: nothing
type Nothing = {};
type Part<R, Key extends string, Target extends string> =
  R extends Record<Key, infer S extends Schema> ? { [T in Target]: z.output<S> } : Nothing;
type FormType = 'application/x-www-form-urlencoded' | 'multipart/form-data';
type Body<R> = R extends { body: { content: infer C } }
  ? {
      [M in keyof C]: M extends `application/${string}json${string}`
        ? C[M] extends { schema: infer S extends Schema }
          ? { json: z.output<S> }
          : Nothing
        : M extends FormType
          ? C[M] extends { schema: infer S extends Schema }
            ? { form: z.output<S> }
            : Nothing
          : Nothing;
    }[keyof C]
  : Nothing;

/** What `c.req.valid(target)` returns in the handler of route R. */
export type ValidatedInput<R extends RouteConfig> = Part<R['request'], 'params', 'param'> &
  Part<R['request'], 'query', 'query'> &
  Part<R['request'], 'headers', 'header'> &
  Part<R['request'], 'cookies', 'cookie'> &
  Body<R['request']>;

/** The answer a declared response allows: its JSON body (JSON or `+json` media types), text, or any Response. */
type AnswerOf<Content, Code extends StatusCode> = {
  [M in keyof Content]: M extends `application/${infer Start}json${string}`
    ? Start extends '' | `${string}+`
      ? Content[M] extends { schema: infer S extends Schema }
        ? TypedResponse<JSONParsed<z.output<S>>, Code, 'json'>
        : never
      : never
    : M extends `text/plain${string}`
      ? Content[M] extends { schema: infer S extends Schema }
        ? TypedResponse<z.output<S>, Code, 'text'>
        : Response
      : Response;
}[keyof Content];
type StatusOf<K> = K extends number ? K : K extends `${infer N extends number}` ? N : never;
type DeclaredAnswers<R extends RouteConfig> = {
  [K in keyof R['responses']]: StatusOf<K> extends infer Code extends StatusCode
    ? R['responses'][K] extends { content: infer Content }
      ? AnswerOf<Content, Code>
      : TypedResponse<Nothing, Code, string>
    : never;
}[keyof R['responses']];
/**
 * What the handler of route R may return: one of its declared responses, with the body its schema says (a
 * `c.json(body, status)` of another shape or status does not compile). A route with a response without content
 * (204, a redirect) may also return any Response, as with @hono/zod-openapi.
 */
export type RouteAnswer<R extends RouteConfig> =
  R['responses'] extends Record<number, { content: Record<string, MediaTypeObject> }>
    ? DeclaredAnswers<R> | Promise<DeclaredAnswers<R>>
    : DeclaredAnswers<R> | Response | Promise<DeclaredAnswers<R> | Response>;

/** A route definition, unchanged: the type keeps its literal path and schemas for `app.openapi`. */
export const createRoute = <const R extends RouteConfig>(route: R): R => route;

export type ValidationResult =
  { success: true } | { success: false; error: z.core.$ZodError; target?: string };
export type ValidationHook = (
  result: ValidationResult,
  c: Context,
) => Response | undefined | Promise<Response | undefined>;

const isJsonType = (type: string) => /^application\/([a-z-.]+\+)?json/i.test(type);
const isFormType = (type: string) => /^(multipart\/form-data|application\/x-www-form-urlencoded)/i.test(type);
const jsonRequestType = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;
const multipartRequestType = /^multipart\/form-data(;\s?boundary=[a-zA-Z0-9'"()+_,\-./:=?]+)?$/i;
const urlencodedRequestType = /^application\/x-www-form-urlencoded(;\s*[a-zA-Z0-9-]+=([^;]+))*$/i;

function matchesMediaType(contentType: string, mediaType: string): boolean {
  if (mediaType === '*/*') return true;
  if (isJsonType(mediaType)) return jsonRequestType.test(contentType);
  if (isFormType(mediaType))
    return multipartRequestType.test(contentType) || urlencodedRequestType.test(contentType);
  const essence = contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType.endsWith('/*')) return essence.startsWith(mediaType.slice(0, -1).toLowerCase());
  return essence === mediaType.toLowerCase();
}

async function hasBody(c: Context): Promise<boolean> {
  const raw = c.req.raw;
  if (raw.body === null) return false;
  if (raw.bodyUsed) return (await c.req.arrayBuffer()).byteLength > 0;
  const reader = raw.clone().body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    reader.releaseLock();
  }
}

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' &&
  value !== null &&
  '_zod' in value &&
  typeof (value as Schema).safeParseAsync === 'function';

export class ContractApp<E extends Env = Env> extends Hono<E> {
  /** The routes mounted with `openapi`, in order, for the build step's document. */
  readonly routeConfigs: RouteConfig[] = [];
  /** The document's `components.securitySchemes`, as the routes declare them. */
  readonly securitySchemes: Record<string, Record<string, unknown>> = {};

  constructor(private readonly validationHook: ValidationHook) {
    super();
  }

  /** Declares a security scheme the routes name in `security` (bearer tokens, HTTP Basic, an API key). */
  securityScheme(name: string, scheme: Record<string, unknown>): this {
    this.securitySchemes[name] = scheme;
    return this;
  }

  openapi<const R extends RouteConfig>(
    route: R,
    handler: Handler<E, RoutingPath<R['path']>, { in: object; out: ValidatedInput<R> }, RouteAnswer<R>>,
  ): this {
    const { middleware, hide, request } = route;
    if (!hide) this.routeConfigs.push(route);
    const hook = this.validationHook as Parameters<typeof zValidator>[2];
    const steps: MiddlewareHandler[] = middleware
      ? Array.isArray(middleware)
        ? [...middleware]
        : [middleware as MiddlewareHandler]
      : [];
    const targets = [
      ['query', request?.query],
      ['param', request?.params],
      ['header', request?.headers],
      ['cookie', request?.cookies],
    ] as const;
    for (const [target, schema] of targets) {
      if (schema) steps.push(zValidator(target, schema as Schema, hook) as MiddlewareHandler);
    }
    const content = request?.body?.content;
    if (content) {
      const declared = Object.keys(content);
      if (
        declared.some((type) => (isJsonType(type) || isFormType(type)) && isSchema(content[type]?.schema))
      ) {
        steps.push(async (c, next) => {
          const contentType = c.req.header('content-type');
          const refused = contentType
            ? !declared.some((type) => matchesMediaType(contentType, type))
            : await hasBody(c);
          if (refused) throw new HTTPException(415, { message: 'Unsupported Media Type' });
          await next();
        });
      }
      for (const type of declared) {
        const schema = content[type]?.schema;
        const target = isJsonType(type) ? 'json' : isFormType(type) ? 'form' : undefined;
        if (!target || !isSchema(schema)) continue;
        const matches = target === 'json' ? isJsonType : isFormType;
        const validate = zValidator(target, schema, hook) as MiddlewareHandler;
        if (request?.body?.required) {
          steps.push(validate);
        } else {
          steps.push(async (c, next) => {
            const contentType = c.req.header('content-type');
            if (contentType && matches(contentType)) return validate(c, next);
            c.req.addValidatedData(target, {});
            await next();
          });
        }
      }
    }
    const on = this.on as unknown as (
      method: string,
      path: string,
      ...handlers: (MiddlewareHandler | Handler)[]
    ) => this;
    on.call(
      this,
      route.method.toUpperCase(),
      route.path.replaceAll(/\/{(.+?)}/g, '/:$1'),
      ...steps,
      handler as Handler,
    );
    return this;
  }
}
