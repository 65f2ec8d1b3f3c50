/** A library patron (or librarian: a patron with the librarian role). */
export type Role = 'patron' | 'librarian';
export type PatronStatus = 'active' | 'blocked';
/** The languages of the app and of what the library sends a patron. */
export const patronLanguages = ['id', 'en'] as const;
export type PatronLanguage = (typeof patronLanguages)[number];

export interface Patron {
  id: string;
  cardNumber: string;
  name: string;
  email?: string;
  status: PatronStatus;
  roles: Role[];
  loanLimit: number;
  holdLimit: number;
  /**
   * The patron's language, set by themselves (My account): the app's and the library's mails. Absent: the
   * app follows the device's choice, and mails are in Indonesian.
   */
  language?: PatronLanguage;
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
