import { expect } from 'vitest';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  [key: string]: unknown;
}

/**
 * An RFC 9457 problem with the given status and stable `code`, and no redirect; returns the body for further
 * checks. The status line and the body's `status` must agree.
 */
export async function expectProblem(response: Response, status: number, code: string): Promise<ProblemBody> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const body = JSON.parse(text) as ProblemBody;
  expect(body).toMatchObject({ status, code });
  expect(response.headers.get('location')).toBeNull();
  return body;
}
