import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemCodes, statusesOf, type ProblemCode } from '../../functions/domain/problem-codes';
import { createTestStack, type TestStack } from '../helpers/stack';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, Schema & { enum?: string[] }>;
}
interface Doc {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>
  >;
}

let stack: TestStack;
let doc: Doc;

beforeAll(async () => {
  stack = await createTestStack();
  doc = (await (await stack.app.request('/openapi.json')).json()) as Doc;
});
afterAll(() => stack.destroy());

/** Each documented problem response that lists its codes: `METHOD path status` → the codes. */
function listedCodes(): Map<string, string[]> {
  const listed = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.['application/problem+json']?.schema;
        const parts = schema ? [schema, ...(schema.allOf ?? [])] : [];
        const codes = parts.flatMap((part) => part.properties?.code?.enum ?? []);
        if (codes.length) listed.set(`${method.toUpperCase()} ${path} ${status}`, codes);
      }
    }
  }
  return listed;
}

describe('the error codes in /openapi.json', () => {
  it('lists, for a response that names its codes, registered codes sent with that response’s status', () => {
    const listed = listedCodes();
    expect(listed.get('POST /auth/login 401')).toEqual(['INVALID_CREDENTIALS']);
    expect(listed.get('POST /loans 403')).toEqual(['LOAN_LIMIT_REACHED', 'ACCOUNT_BLOCKED']);
    const wrong = [...listed].flatMap(([response, codes]) =>
      codes
        .filter(
          (code) =>
            !(code in problemCodes) ||
            !statusesOf(code as ProblemCode).includes(Number(response.split(' ')[2])),
        )
        .map((code) => `${response}: ${code}`),
    );
    expect(wrong).toEqual([]);
  });
});
