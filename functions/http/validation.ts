import type { Context } from 'hono';
import { problemResponse } from './problem';
import type { ValidationResult } from './route-kit';

/** The one hook every route schema uses: invalid input becomes 400 VALIDATION_FAILED with the fields named. */
export function validationHook(result: ValidationResult, c: Context): Response | undefined {
  if (result.success) return undefined;
  const errors = result.error.issues.map((issue) => ({
    in: result.target,
    field: issue.path.join('.'),
    message: issue.message,
  }));
  return problemResponse(c, 400, 'VALIDATION_FAILED', 'The request is not valid.', { errors });
}
