import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problemCodes, titleOf, type ProblemCode } from '../../functions/domain/problem-codes';
import { en } from '../../web/src/i18n/en';
import { id } from '../../web/src/i18n/id';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * Every problem's `type` is a page this API serves, explaining its code in Indonesian and English, and its
 * `title` says what went wrong rather than repeating the HTTP reason phrase.
 */

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(async () => {
  await stack?.destroy();
});

const reasonPhrases = ['Bad Request', 'Unauthorized', 'Forbidden', 'Not Found', 'Conflict', 'Error'];

describe('problem types', () => {
  it('points a real problem at a page that answers 200, with a title that names what went wrong', async () => {
    // Act
    const problem = await expectProblem(await stack.app.request('/no/such/route'), 404, 'ROUTE_NOT_FOUND');
    const page = await stack.app.request(problem.type);
    // Assess
    expect(problem.type).toBe('/problems/route-not-found');
    expect(problem.title).toBe('No such operation');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it.each(Object.keys(problemCodes) as ProblemCode[])(
    '%s: its type answers 200 in id and en',
    async (code) => {
      // Prepare
      const type = `/problems/${code.toLowerCase().replaceAll('_', '-')}`;
      // Act
      const response = await stack.app.request(type);
      // Assess
      expect(response.status).toBe(200);
      const page = await response.text();
      expect(page).toContain(code);
      expect(page).toContain('<section lang="id">');
      expect(page).toContain('<section lang="en">');
      const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll("'", '&#39;');
      expect(page).toContain(escape(titleOf(code)));
      const messages: Record<string, string> = { ...id };
      const english: Record<string, string> = { ...en };
      if (messages[`error.${code}`]) expect(page).toContain(escape(messages[`error.${code}`]!));
      if (english[`error.${code}`]) expect(page).toContain(escape(english[`error.${code}`]!));
      expect(reasonPhrases).not.toContain(titleOf(code));
    },
  );

  it('answers an unknown code’s page with a 404 problem', async () => {
    await expectProblem(await stack.app.request('/problems/not-a-code'), 404, 'ROUTE_NOT_FOUND');
  });
});
