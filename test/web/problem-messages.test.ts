import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { en } from '../../web/src/i18n/en';
import { id } from '../../web/src/i18n/id';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Where each way of refusing a request takes its `code` (argument index) and what it falls back to. These are
 * the error classes of functions/domain/errors.ts and the problem builders of functions/http/problem.ts.
 */
const codeArgument: Record<string, { at: number; otherwise?: string }> = {
  PustakaError: { at: 1 },
  ValidationError: { at: 2, otherwise: 'VALIDATION_FAILED' },
  UnauthorizedError: { at: 1, otherwise: 'UNAUTHORIZED' },
  ForbiddenError: { at: 1, otherwise: 'FORBIDDEN' },
  NotFoundError: { at: 2, otherwise: 'NOT_FOUND' },
  ConflictError: { at: 0 },
  UnprocessableError: { at: 0 },
  TooManyRequestsError: { at: 0 },
  ServiceUnavailableError: { at: 1, otherwise: 'SERVICE_UNAVAILABLE' },
  problemResponse: { at: 2 },
  problemBody: { at: 2 },
};

/**
 * The places that pass on a code they were given instead of naming one, and the codes that reach them. A new
 * such place fails the test below until it is listed here with its codes.
 */
const passedOn: Record<string, string[]> = {
  // a PustakaError's own code, named where it was thrown
  'functions/http/app.ts: error.code': [],
  'functions/http/problem.ts: code': [],
  // readXml(…, code) is called with this code only
  'functions/domain/publication/epub.ts: code': ['EPUB_CONTAINER_INVALID'],
  // notReady(): one code per upload state
  'functions/domain/content-pipeline.ts: code': [
    'UPLOAD_NOT_COMPLETE',
    'UPLOAD_ALREADY_COMPLETE',
    'UPLOAD_BUSY',
    'UPLOAD_PUBLISHED',
    'UPLOAD_REJECTED',
    'UPLOAD_ABORTED',
  ],
};

/** Every problem code the server's source can send, read from the calls that build a refusal. */
function serverCodes(): { codes: Set<string>; unlisted: string[] } {
  const codes = new Set<string>(['INTERNAL_ERROR']);
  const unlisted: string[] = [];
  const files = (readdirSync(path.join(root, 'functions'), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join('functions', file));
  for (const file of files) {
    const source = ts.createSourceFile(
      file,
      readFileSync(path.join(root, file), 'utf8'),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression)) {
        const rule = codeArgument[node.expression.text];
        if (rule) {
          const argument = node.arguments?.[rule.at];
          if (!argument) {
            if (rule.otherwise) codes.add(rule.otherwise);
            else unlisted.push(`${file}: ${node.getText()}`);
          } else if (ts.isStringLiteralLike(argument)) {
            codes.add(argument.text);
          } else {
            const site = `${file}: ${argument.getText()}`;
            if (site in passedOn) for (const code of passedOn[site]!) codes.add(code);
            else unlisted.push(site);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { codes, unlisted };
}

describe('problem messages', () => {
  const { codes, unlisted } = serverCodes();

  it('finds the codes of the server (every place that passes a code on is accounted for)', () => {
    expect(unlisted).toEqual([]);
    // a few it must see, as a check of the reading itself
    for (const code of [
      'TITLE_NOT_FOUND',
      'VALIDATION_FAILED',
      'ACCOUNT_LOCKED',
      'UPLOAD_BUSY',
      'BODY_TOO_LARGE',
    ]) {
      expect(codes).toContain(code);
    }
    expect(codes.size).toBeGreaterThan(60);
  });

  it('has an Indonesian and an English message for every code the server sends, and for the client’s own', () => {
    const needed = [...codes, 'NETWORK', 'unknown', 'unexpected'].sort();
    const missing = (messages: Record<string, string>) =>
      needed.filter((code) => !messages[`error.${code}`]?.trim());
    expect({ id: missing(id), en: missing(en) }).toEqual({ id: [], en: [] });
  });

  it('gives the Indonesian UI messages that are not the English ones', () => {
    const same = Object.keys(id).filter(
      (key) => key.startsWith('error.') && id[key as keyof typeof id] === en[key as keyof typeof en],
    );
    expect(same).toEqual([]);
  });
});
