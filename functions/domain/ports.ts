import type { Partner } from './partner';
import type { Patron } from './patron';
import type { Title } from './title';

/** A page of a listing; `cursor` is null on the last page. */
export interface Page<T> {
  data: T[];
  cursor: string | null;
}

export interface TitleRepository {
  get(titleId: string): Promise<Title | undefined>;
  list(options: { limit: number; cursor?: string }): Promise<Page<Title>>;
  /** Creates the title; refuses (returns false) when one with the same id exists. */
  create(title: Title): Promise<boolean>;
}

export interface PatronRepository {
  get(patronId: string): Promise<Patron | undefined>;
  getByCard(cardNumber: string): Promise<Patron | undefined>;
  /** Creates the patron and claims the card number in one transaction; false when the card is taken. */
  create(patron: Patron): Promise<boolean>;
  /** Changes a patron's editable fields; undefined when there is no such patron. */
  update(patronId: string, changes: PatronChanges, now: Date): Promise<Patron | undefined>;
}

/** What a librarian (or a PIN reset) may change on a patron record; the card number is fixed. */
export type PatronChanges = Partial<
  Pick<Patron, 'name' | 'email' | 'status' | 'roles' | 'loanLimit' | 'holdLimit' | 'pinHash'>
>;

/** Something the gateway depends on, for /health. */
export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

export interface Clock {
  now(): Date;
}

/** Librarian-managed academic partners (federation). */
export interface PartnerRepository {
  get(partnerId: string): Promise<Partner | undefined>;
  /** By the exact issuer string (no normalisation). */
  getByIssuer(issuer: string): Promise<Partner | undefined>;
  /** Every partner (a library has tens, not thousands); served from a short cache. */
  list(): Promise<Partner[]>;
  /** False when the id or the issuer is taken. */
  create(partner: Partner): Promise<boolean>;
  /**
   * Replaces the partner when it is still as read (`previous.updatedAt`), moving the issuer claim if it
   * changed. Throws ConflictError when the partner changed meanwhile or the new issuer is taken.
   */
  update(partner: Partner, previous: Partner): Promise<void>;
}

/** One use of `/go`: which partner database was reached (counted per day; never who went). */
export interface DatabaseUse {
  partnerId: string;
  database: string;
  host: string;
  at: Date;
}

export interface DatabaseUsageRecorder {
  record(use: DatabaseUse): Promise<void>;
}
