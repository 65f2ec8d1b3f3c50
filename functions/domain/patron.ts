/** A library patron (or librarian: a patron with the librarian role). */
export type Role = 'patron' | 'librarian';
export type PatronStatus = 'active' | 'blocked';

export interface Patron {
  id: string;
  cardNumber: string;
  name: string;
  email?: string;
  /** The language the library writes to the patron in (mails); Indonesian when unset. */
  language?: 'id' | 'en';
  status: PatronStatus;
  roles: Role[];
  loanLimit: number;
  holdLimit: number;
  /** scrypt hash with its own salt and parameters; never leaves the server. */
  pinHash: string;
  createdAt: string;
  updatedAt: string;
}

export const defaultLimits = { loanLimit: 10, holdLimit: 10 } as const;

/** What a patron may see of their own record. */
export type PatronProfile = Omit<Patron, 'pinHash'>;

export function profileOf(patron: Patron): PatronProfile {
  const { pinHash: _pinHash, ...profile } = patron;
  return profile;
}
