import { ForbiddenError, NotFoundError, ValidationError } from './errors';
import type { PatronLanguage, PatronProfile } from './patron';
import { profileOf } from './patron';
import { pinPattern } from './patron-import';
import type { Clock, PatronRepository } from './ports';
import { lockedError, lockedUntil, type LoginAttemptRepository, type PinVerifier } from './sign-in';

/**
 * A patron's own account (My account): a new PIN, the language.
 *
 * Changing the PIN asks for the current one, and that check is a sign-in attempt of the card in all but name: it
 * takes one of the card's PIN checks of the window and a wrong PIN counts as a failure, so the same 5 wrong PINs
 * lock the card for sign-in and for PIN changes alike. Otherwise a stolen access token (15 minutes) would be a
 * way to guess the PIN without limit, or to take the card over without knowing it.
 */

export interface AccountPorts {
  clock: Clock;
  patrons: PatronRepository;
  loginAttempts: LoginAttemptRepository;
  pins: PinVerifier;
  hashPin(pin: string): Promise<string>;
}

const patronNotFound = (patronId: string) =>
  new NotFoundError({
    code: 'PATRON_NOT_FOUND',
    detail: `Patron ${patronId} was not found.`,
    context: { id: patronId },
  });

export async function changeOwnPin(
  ports: AccountPorts,
  input: { patronId: string; currentPin: string; newPin: string },
): Promise<void> {
  const now = ports.clock.now();
  if (!pinPattern.test(input.newPin)) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'A PIN has 4 to 12 digits.',
      context: { errors: [{ in: 'json', field: 'newPin', message: 'A PIN has 4 to 12 digits.' }] },
    });
  }
  const patron = await ports.patrons.get(input.patronId);
  if (!patron) throw patronNotFound(input.patronId);
  const reservation = await ports.loginAttempts.reserve(patron.cardNumber, now);
  if (!reservation.granted) throw lockedError(reservation.until, now);
  if (!(await ports.pins.verify(input.currentPin, patron.pinHash))) {
    const after = await ports.loginAttempts.recordFailure(patron.cardNumber, now);
    const locked = lockedUntil(after, now);
    if (locked !== undefined) throw lockedError(locked, now);
    throw new ForbiddenError({
      code: 'CURRENT_PIN_WRONG',
      detail: 'The current PIN is not right.',
    });
  }
  await ports.loginAttempts.clear(patron.cardNumber, now);
  const pinHash = await ports.hashPin(input.newPin);
  if (!(await ports.patrons.update(patron.id, { pinHash }, now))) throw patronNotFound(patron.id);
}

export async function setOwnLanguage(
  ports: Pick<AccountPorts, 'clock' | 'patrons'>,
  input: { patronId: string; language: PatronLanguage },
): Promise<PatronProfile> {
  const updated = await ports.patrons.update(input.patronId, { language: input.language }, ports.clock.now());
  if (!updated) throw patronNotFound(input.patronId);
  return profileOf(updated);
}
