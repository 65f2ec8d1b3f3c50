import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { changeOwnPin, setOwnLanguage } from '../../domain/account';
import { patronLanguages } from '../../domain/patron';
import { pinPattern } from '../../domain/patron-import';
import { requireCaller } from '../auth';
import type { AppEnv } from '../deps';
import { PatronProfileSchema, problemContent } from '../schemas';

/** My account: a patron's own PIN and language (functions/domain/account.ts). */

const bearer = [{ bearer: [] }];

const changePin = createRoute({
  method: 'put',
  path: '/me/pin',
  operationId: 'changeOwnPin',
  tags: ['account'],
  summary: 'Change my PIN (the current PIN is required)',
  description:
    'A wrong current PIN counts toward the same lockout as signing in: 5 failures of the card within 15 minutes ' +
    'lock it (429 ACCOUNT_LOCKED with Retry-After) for sign-in and PIN changes alike. The new PIN has 4 to 12 ' +
    'digits and signs in from now on.',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: doc(
            z.strictObject({
              currentPin: z.string().check(z.minLength(1), z.maxLength(64)),
              newPin: doc(z.string().check(z.regex(pinPattern, 'A PIN has 4 to 12 digits.')), {
                example: '482913',
              }),
            }),
            { id: 'ChangePinRequest' },
          ),
        },
      },
    },
  },
  responses: {
    204: { description: 'The PIN is changed' },
    400: problemContent('Invalid request, or a new PIN outside the policy', [
      'VALIDATION_FAILED',
      'BAD_REQUEST',
    ]),
    401: problemContent('Not signed in', ['UNAUTHORIZED', 'INVALID_TOKEN']),
    403: problemContent('The current PIN is not right', ['CURRENT_PIN_WRONG']),
    404: problemContent('No patron record (e.g. a partner member)', ['PATRON_NOT_FOUND']),
    429: problemContent('Too many wrong PINs: the card is locked for a while', ['ACCOUNT_LOCKED']),
    503: problemContent('Busy; try again', ['SERVICE_UNAVAILABLE']),
  },
});

const setLanguage = createRoute({
  method: 'put',
  path: '/me/language',
  operationId: 'setOwnLanguage',
  tags: ['account'],
  summary: 'Set my language (the app’s and what the library sends me)',
  security: bearer,
  middleware: [requireCaller()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: doc(z.strictObject({ language: doc(z.enum(patronLanguages), { example: 'id' }) }), {
            id: 'SetLanguageRequest',
          }),
        },
      },
    },
  },
  responses: {
    200: { description: 'The profile', content: { 'application/json': { schema: PatronProfileSchema } } },
    400: problemContent('Invalid request', ['VALIDATION_FAILED', 'BAD_REQUEST']),
    401: problemContent('Not signed in', ['UNAUTHORIZED', 'INVALID_TOKEN']),
    404: problemContent('No patron record (e.g. a partner member)', ['PATRON_NOT_FOUND']),
    503: problemContent('Busy; try again', ['SERVICE_UNAVAILABLE']),
  },
});

export function accountRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(changePin, async (c) => {
    const { currentPin, newPin } = c.req.valid('json');
    await changeOwnPin(c.get('deps'), { patronId: c.get('caller').patronId, currentPin, newPin });
    c.header('Cache-Control', 'no-store');
    return c.body(null, 204);
  });

  app.openapi(setLanguage, async (c) => {
    const profile = await setOwnLanguage(c.get('deps'), {
      patronId: c.get('caller').patronId,
      language: c.req.valid('json').language,
    });
    c.header('Cache-Control', 'no-store');
    return c.json(profile, 200);
  });
}
