import { ApiError } from './api/client';
import { errorMessage } from './i18n';

/**
 * What the page says about a failure, in the UI's language: an API refusal by its `code`, anything else as a
 * fault of the app. The problem's `detail` is English written for developers: it goes to the console, never
 * onto the page.
 */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    console.info(`${error.code}: ${error.problem.detail}`);
    return errorMessage(error.code);
  }
  console.warn(error);
  return errorMessage('unexpected');
}
