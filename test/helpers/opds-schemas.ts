import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The OPDS 2.0 and Readium Web Publication Manifest JSON Schemas from ../shared/schemas (read at test time,
 * never copied), loaded into one ajv by their `$id` so `$ref`s across files resolve. All are draft-07.
 * ajv-formats is not installed; the few formats the schemas use are defined here.
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

const isAbsoluteUri = (value: string) => {
  try {
    return /^[a-z][a-z0-9+.-]*:/i.test(value) && Boolean(new URL(value));
  } catch {
    return false;
  }
};

export function opdsValidator(): (id: keyof typeof opdsSchemaIds, document: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('uri', isAbsoluteUri);
  ajv.addFormat('uri-reference', (value: string) => !/\s/.test(value));
  ajv.addFormat(
    'uri-template',
    (value: string) => !/\s/.test(value) && /^[^{}]*(\{[^{}]+\}[^{}]*)*$/.test(value),
  );
  ajv.addFormat(
    'date',
    (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)),
  );
  ajv.addFormat(
    'date-time',
    (value: string) => /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value)),
  );
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
