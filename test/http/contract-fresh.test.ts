import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildContract,
  documentPath,
  problemMessagesPath,
  webTypesPath,
} from '../../functions/local/contract-build';

/**
 * The committed OpenAPI document (functions/http/openapi.json) and the web client's types generated from it
 * (web/src/api/contract.ts) are what `npm run contract` makes of the routes today, byte for byte: a route or
 * schema changed without rerunning it fails here (and the web, typed against the stale file, would not notice).
 */

const root = resolve(import.meta.dirname, '../..');

/** The first line where two texts part, for a message that says where (the files are large). */
function firstDifference(committed: string, fresh: string): string {
  const a = committed.split('\n');
  const b = fresh.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '<end>')}, fresh ${JSON.stringify(b[at] ?? '<end>')}`;
}

describe('the generated contract files', () => {
  it("are fresh: the document, the web types and the problem pages' messages match the sources (else run npm run contract)", async () => {
    // Prepare
    const files = [documentPath, webTypesPath, problemMessagesPath];
    // Act
    const fresh = await buildContract();
    // Assess
    expect(fresh.map((f) => f.path)).toEqual(files);
    for (const file of fresh) {
      const committed = await readFile(file.path, 'utf8');
      const name = relative(root, file.path);
      expect(
        committed === file.text,
        `${name} is stale: run npm run contract and commit the result (${firstDifference(committed, file.text)})`,
      ).toBe(true);
    }
  });
});
