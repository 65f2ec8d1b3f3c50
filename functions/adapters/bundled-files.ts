import { readFile } from 'node:fs/promises';

type Messages = Record<string, { id?: string; en?: string }>;

/** `load`'s answer, asked for once and kept; a failure is not kept, so the next call tries again. */
function kept<T>(load: () => Promise<T>): () => Promise<T> {
  let answer: Promise<T> | undefined;
  return () =>
    (answer ??= load().catch((error: unknown) => {
      answer = undefined;
      throw error;
    }));
}

/**
 * A file the API serves as it is, read once and kept: a generated file of functions/http (written by
 * `npm run contract`). On Lambda it is the copy the CDK bundling puts beside the handler's index.mjs
 * (infra/constructs/bundling.ts, `apiBundleAssets`); run from the sources (locally, in tests) it is the file
 * itself. Kept out of the bundle so a cold start neither loads nor parses it.
 */
export function bundledFile(name: string): () => Promise<string> {
  const candidates = [new URL(`./${name}`, import.meta.url), new URL(`../http/${name}`, import.meta.url)];
  return kept(async () => {
    for (const file of candidates) {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new Error(`${name} is not at ${candidates.map(String).join(' or ')}`);
  });
}

/** The committed OpenAPI document (functions/http/openapi.json), served at GET /openapi.json. */
export const contractDocumentFile = () => bundledFile('openapi.json');

/** What the reader tells a patron for each problem code (functions/http/problem-messages.json), parsed once. */
export function problemMessagesFile(): () => Promise<Messages> {
  const read = bundledFile('problem-messages.json');
  return kept(async () => JSON.parse(await read()) as Messages);
}
