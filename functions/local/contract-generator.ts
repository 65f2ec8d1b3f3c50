import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import * as z from 'zod/mini';
import { completeContract } from '../http/contract';
import type { SchemaDoc } from '../http/schema-doc';
import type { App } from '../http/shell';

/**
 * The OpenAPI document of the routes mounted on an app (functions/http/route-kit.ts), generated from their
 * definitions by zod-to-openapi, the generator @hono/zod-openapi uses. Build time only (`npm run contract`,
 * functions/local/contract-build.ts): the Lambdas serve the committed result and never load this module or
 * the generator.
 *
 * zod-to-openapi reads a schema through classic zod's accessors (`meta()`, `unwrap()`, a record's `keyType` and
 * `valueType`, a string's `minLength`, `maxLength` and `format`) and its own registry; the routes' zod/mini
 * schemas carry the same definitions (`def`) without those accessors. `readableByGenerator` gives every zod/mini
 * schema class these, as non-enumerable members of its prototype (so no schema's own members change), and
 * translates the routes' documentation (functions/http/schema-doc.ts) into the generator's words: `id` is its
 * `refId`, `extends` its `extendedFrom`. In this process only: the Lambdas never load this module.
 */

function generatorMetadata(this: z.ZodMiniType): Record<string, unknown> | undefined {
  const documented = z.globalRegistry.get(this) as SchemaDoc | undefined;
  if (!documented) return undefined;
  const { id, extends: base, ...rest } = documented;
  const internal: Record<string, unknown> = {};
  if (id) internal.refId = id;
  if (base)
    internal.extendedFrom = {
      refId: (z.globalRegistry.get(base) as SchemaDoc | undefined)?.id,
      schema: base,
    };
  return { ...rest, ...(Object.keys(internal).length ? { _internal: internal } : {}) };
}

type CheckDef = { check?: string; [field: string]: unknown };

/** A schema's checks' definitions; a format schema (z.email(), z.int()) is its own first check. */
function checksOf(schema: z.ZodMiniType): CheckDef[] {
  const own = schema._zod.traits.has('$ZodCheck') ? [schema as unknown as z.core.$ZodCheck] : [];
  return [...own, ...(schema._zod.def.checks ?? [])].map((check) => check._zod.def as CheckDef);
}

/** The tightest of a schema's `kind` bounds, or null. */
function bound(schema: z.ZodMiniType, kind: string, field: string, tighter: (...values: number[]) => number) {
  const values = checksOf(schema)
    .filter(({ check }) => check === kind)
    .map((def) => def[field] as number);
  return values.length ? tighter(...values) : null;
}

let taught = false;
function readableByGenerator(): void {
  if (taught) return;
  taught = true;
  const members: PropertyDescriptorMap = {
    meta: { value: generatorMetadata, configurable: true },
    unwrap: {
      value(this: z.ZodMiniType) {
        return (this._zod.def as { innerType?: unknown }).innerType;
      },
      configurable: true,
    },
    keyType: {
      get(this: z.ZodMiniType) {
        return (this._zod.def as { keyType?: unknown }).keyType;
      },
      configurable: true,
    },
    // What classic zod derives from a schema's checks: a string's length bounds, a format (email, safeint, …).
    minLength: {
      get(this: z.ZodMiniType) {
        return bound(this, 'min_length', 'minimum', Math.max);
      },
      configurable: true,
    },
    maxLength: {
      get(this: z.ZodMiniType) {
        return bound(this, 'max_length', 'maximum', Math.min);
      },
      configurable: true,
    },
    format: {
      get(this: z.ZodMiniType) {
        const format = checksOf(this).find(
          ({ check }) => check === 'string_format' || check === 'number_format',
        );
        return (format?.format as string | undefined) ?? null;
      },
      configurable: true,
    },
    valueType: {
      get(this: z.ZodMiniType) {
        return (this._zod.def as { valueType?: unknown }).valueType;
      },
      configurable: true,
    },
  };
  for (const [name, value] of Object.entries(z)) {
    if (typeof value !== 'function' || !name.startsWith('ZodMini') || !value.prototype) continue;
    Object.defineProperties(value.prototype, members);
  }
}

export function contractOf(app: App): Record<string, unknown> {
  readableByGenerator();
  const registry = new OpenAPIRegistry();
  for (const { middleware: _middleware, hide: _hide, ...route } of app.routeConfigs) {
    registry.registerPath(route as unknown as Parameters<OpenAPIRegistry['registerPath']>[0]);
  }
  for (const [name, scheme] of Object.entries(app.securitySchemes)) {
    registry.registerComponent('securitySchemes', name, scheme as never);
  }
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Pustaka gateway',
      version: '0.1.0',
      description: 'Digital library and e-resource gateway',
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    servers: [{ url: '/', description: 'This gateway' }],
  });
  return completeContract(document) as unknown as Record<string, unknown>;
}
