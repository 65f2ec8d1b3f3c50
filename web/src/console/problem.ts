import { ApiError } from '../api/client';
import { errorMessage, t } from '../i18n';

/**
 * What a refused request says to a librarian: the problem's own message (or our translation of its code) and,
 * for VALIDATION_FAILED, each field the server named in `errors`.
 */
export function problemText(error: unknown): string {
  if (!(error instanceof ApiError)) return t('common.error', { detail: (error as Error).message });
  const { errors } = error.problem;
  const fields = Array.isArray(errors) ? (errors as { field?: unknown; message?: unknown }[]) : [];
  return [
    errorMessage(error.code, `${error.problem.detail} (${error.code})`),
    ...fields.map((item) =>
      t('console.problem.field', { field: String(item.field || '—'), message: String(item.message ?? '') }),
    ),
  ].join(' ');
}
