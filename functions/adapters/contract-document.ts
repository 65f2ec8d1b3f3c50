import { readFile } from 'node:fs/promises';

/**
 * The committed OpenAPI document (functions/http/openapi.json, written by `npm run contract`), read once and
 * kept. On Lambda it is the copy the CDK bundling puts beside the handler's index.mjs
 * (infra/constructs/library-function.ts); run from the sources (locally, in tests) it is the file itself.
 */
export function contractDocumentFile(): () => Promise<string> {
  const candidates = [
    new URL('./openapi.json', import.meta.url),
    new URL('../http/openapi.json', import.meta.url),
  ];
  let text: Promise<string> | undefined;
  const load = async () => {
    for (const file of candidates) {
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new Error(`The OpenAPI document is not at ${candidates.map(String).join(' or ')}`);
  };
  return () => {
    text ??= load().catch((error: unknown) => {
      text = undefined;
      throw error;
    });
    return text;
  };
}
