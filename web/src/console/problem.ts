import { ApiError } from '../api/client';
import { t } from '../i18n';
import { messageOf } from '../problem';

/**
 * What a refused request says to a librarian, in the console's language: the message for its code and, for
 * VALIDATION_FAILED, the fields the server named in `errors` (their English explanations go to the console).
 */
export function problemText(error: unknown): string {
  const message = messageOf(error);
  const errors = error instanceof ApiError ? error.problem.errors : undefined;
  const fields = (Array.isArray(errors) ? (errors as { field?: unknown }[]) : [])
    .map((item) => (typeof item.field === 'string' ? item.field : ''))
    .filter(Boolean);
  return fields.length
    ? `${message} ${t('console.problem.fields', { fields: [...new Set(fields)].join(', ') })}`
    : message;
}
