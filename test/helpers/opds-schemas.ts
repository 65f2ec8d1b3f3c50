import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import draft7MetaSchema from 'ajv/dist/refs/json-schema-draft-07.json' with { type: 'json' };
import addFormats from 'ajv-formats';

/**
 * The OPDS 2.0 and Readium Web Publication Manifest JSON Schemas from ../shared/schemas (read at test time,
 * never copied), loaded into one Ajv 2020 (with ajv-formats) by their `$id` so `$ref`s across files resolve.
 */
export const schemasDir = resolve(import.meta.dirname, '../../../shared/schemas');

export const opdsSchemaIds = {
  feed: 'https://drafts.opds.io/schema/feed.schema.json',
  publication: 'https://drafts.opds.io/schema/publication.schema.json',
  authentication: 'https://drafts.opds.io/schema/authentication.schema.json',
  profile: 'https://drafts.opds.io/schema/profile.schema.json',
  progression: 'https://drafts.opds.io/schema/progression.schema.json',
} as const;

function jsonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? jsonFiles(join(dir, entry.name))
      : entry.name.endsWith('.json')
        ? [join(dir, entry.name)]
        : [],
  );
}

export function opdsValidator(): (id: keyof typeof opdsSchemaIds, document: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // The schemas declare draft-07; its meta-schema lets Ajv 2020 take them (they use nothing 2020 reads otherwise).
  ajv.addMetaSchema(draft7MetaSchema);
  addFormats(ajv);
  for (const file of jsonFiles(schemasDir)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  const validators = new Map<string, ValidateFunction>();
  return (id, document) => {
    let validate = validators.get(id);
    if (!validate) {
      validate = ajv.getSchema(opdsSchemaIds[id]);
      if (!validate) throw new Error(`schema ${opdsSchemaIds[id]} is not in ${schemasDir}`);
      validators.set(id, validate);
    }
    return validate(document)
      ? []
      : (validate.errors ?? []).map(
          (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
        );
  };
}
