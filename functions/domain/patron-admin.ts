import { ConflictError, NotFoundError } from './errors';
import type { IdSource } from './ids';
import { defaultLimits, type Patron, type PatronStatus, type Role } from './patron';
import type { Clock, PatronChanges, PatronRepository } from './ports';

/** What librarians do to patron records: enrol, block and unblock, reset a PIN, set limits and roles. */
export interface PatronAdminDeps {
  patrons: PatronRepository;
  clock: Clock;
  /** New patron ids. */
  ids: IdSource;
  hashPin(pin: string): Promise<string>;
}

export interface NewPatronRequest {
  cardNumber: string;
  name: string;
  email?: string;
  /** Absent: the card cannot sign in until a librarian sets a PIN. */
  pin?: string;
  roles?: Role[];
  loanLimit?: number;
  holdLimit?: number;
}

export interface PatronUpdateRequest {
  name?: string;
  email?: string | null;
  status?: PatronStatus;
  pin?: string;
  roles?: Role[];
  loanLimit?: number;
  holdLimit?: number;
}

/** Stored instead of a hash when no PIN was given: never matches any PIN (the verifier rejects its shape). */
export const NO_PIN = 'none';

export async function enrolPatron(deps: PatronAdminDeps, request: NewPatronRequest): Promise<Patron> {
  const now = deps.clock.now().toISOString();
  const patron: Patron = {
    id: `p-${deps.ids.uuid()}`,
    cardNumber: request.cardNumber,
    name: request.name,
    ...(request.email ? { email: request.email } : {}),
    status: 'active',
    roles: withPatronRole(request.roles ?? ['patron']),
    loanLimit: request.loanLimit ?? defaultLimits.loanLimit,
    holdLimit: request.holdLimit ?? defaultLimits.holdLimit,
    pinHash: request.pin ? await deps.hashPin(request.pin) : NO_PIN,
    createdAt: now,
    updatedAt: now,
  };
  if (!(await deps.patrons.create(patron))) {
    throw new ConflictError({
      code: 'CARD_NUMBER_TAKEN',
      detail: `Card ${request.cardNumber} already belongs to a patron.`,
      context: {
        cardNumber: request.cardNumber,
      },
    });
  }
  return patron;
}

export async function updatePatron(
  deps: PatronAdminDeps,
  patronId: string,
  request: PatronUpdateRequest,
): Promise<Patron> {
  const changes: PatronChanges = {};
  if (request.name !== undefined) changes.name = request.name;
  if (request.email !== undefined) changes.email = request.email ?? undefined;
  if (request.status !== undefined) changes.status = request.status;
  if (request.roles !== undefined) changes.roles = withPatronRole(request.roles);
  if (request.loanLimit !== undefined) changes.loanLimit = request.loanLimit;
  if (request.holdLimit !== undefined) changes.holdLimit = request.holdLimit;
  if (request.pin !== undefined) changes.pinHash = await deps.hashPin(request.pin);
  // `email: undefined` in the changes means "remove it"; leave it out unless asked.
  if (request.email === undefined) delete changes.email;
  const updated = await deps.patrons.update(patronId, changes, deps.clock.now());
  if (!updated)
    throw new NotFoundError({
      code: 'PATRON_NOT_FOUND',
      detail: `Patron ${patronId} was not found.`,
      context: { id: patronId },
    });
  return updated;
}

/** Every account can borrow; librarian is added on top. */
function withPatronRole(roles: Role[]): Role[] {
  return [...new Set<Role>(['patron', ...roles])];
}
