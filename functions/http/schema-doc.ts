import * as z from 'zod/mini';

/**
 * What the OpenAPI document says of a schema, beside what the schema itself checks. Kept in zod's global
 * registry (no cost to the bundles); only the build step (functions/local/contract-generator.ts) reads it.
 * - `id`: the schema is a named component (`#/components/schemas/<id>`), referenced wherever it is used;
 * - `param`: how a path, query or header parameter is documented (`{ name, in }`);
 * - `extends`: set by `extend()`: the named schema this one adds fields to (`allOf: [$ref, {…}]`);
 * - anything else (`description`, `example`, `format`, …) is copied into the schema object as it is.
 */
export interface SchemaDoc {
  id?: string;
  description?: string;
  example?: unknown;
  param?: {
    name?: string;
    in?: 'path' | 'query' | 'header' | 'cookie';
    description?: string;
    [field: string]: unknown;
  };
  extends?: z.ZodMiniType;
  [field: string]: unknown;
}

const docOf = (schema: z.ZodMiniType): SchemaDoc | undefined =>
  z.globalRegistry.get(schema) as SchemaDoc | undefined;

/**
 * A copy of `schema` documented with `meta`, over what `schema` was documented with (a use of a shared schema
 * can add a description without changing the shared one).
 */
export function doc<S extends z.ZodMiniType>(schema: S, meta: SchemaDoc): S {
  const current = docOf(schema) ?? {};
  const documented = schema.clone(schema._zod.def) as S;
  const param = current.param || meta.param ? { ...current.param, ...meta.param } : undefined;
  z.globalRegistry.add(documented, { ...current, ...meta, ...(param ? { param } : {}) } as never);
  return documented;
}

/**
 * `base` with more fields: documented as `allOf` of the named `base` and the new fields, as a reader of the
 * document expects of a schema that extends another (the same documentation otherwise).
 */
export function extend<S extends z.ZodMiniObject, Shape extends z.core.$ZodLooseShape>(
  base: S,
  shape: Shape,
) {
  const extended = z.extend(base, shape);
  const baseDoc = docOf(base);
  if (baseDoc) {
    const { id, extends: grand, ...rest } = baseDoc;
    const parent = id ? base : grand;
    z.globalRegistry.add(extended, { ...rest, ...(parent ? { extends: parent } : {}) } as never);
  }
  return extended;
}
