import { readFile } from 'node:fs/promises';

/**
 * A file the API serves as it is, read once and kept: a generated file of functions/http (written by
 * `npm run contract`). On Lambda it is the copy the CDK bundling puts beside the handler's index.mjs
 * (infra/constructs/bundling.ts, `apiBundleAssets`); run from the sources (locally, in tests) it is the file itself.
 * Kept out of the bundle so a cold start neither loads nor parses it; a failed read is tried again next time.
 */
export function bundledFile(name: string): () => Promise<string> {
  const candidates = [new URL(`./${name}`, import.meta.url), new URL(`../http/${name}`, import.meta.url)];
  let text: Promise<string> | undefined;
  const load = async () => {
    for (const file of candidates) {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new Error(`${name} is not at ${candidates.map(String).join(' or ')}`);
  };
  return () => {
    text ??= load().catch((error: unknown) => {
      text = undefined;
      throw error;
    });
    return text;
  };
}

/** The committed OpenAPI document (functions/http/openapi.json), served at GET /openapi.json. */
export const contractDocumentFile = () => bundledFile('openapi.json');

/** What the reader tells a patron for each problem code (functions/http/problem-messages.json), parsed once. */
export function problemMessagesFile(): () => Promise<Record<string, { id?: string; en?: string }>> {
  const read = bundledFile('problem-messages.json');
  let parsed: Promise<Record<string, { id?: string; en?: string }>> | undefined;
  return () => {
    parsed ??= read()
      .then((text) => JSON.parse(text) as Record<string, { id?: string; en?: string }>)
      .catch((error: unknown) => {
        parsed = undefined;
        throw error;
      });
    return parsed;
  };
}
