import type { CounterRow } from './counter';

/** Ports of COUNTER statistics and SUSHI harvesting; the DynamoDB adapters implement them. */

export interface CounterStore {
  /** A platform search (Searches_Platform) by a user of the institution. Never throws. */
  recordSearch(event: { institution: string; at: Date }): Promise<void>;
  /**
   * A partner database reached through `/go` (an investigation of the database) or refused there
   * (No_License). Double-click filtered and unique per user-session like title use. Never throws.
   */
  recordDatabase(event: {
    institution: string;
    partnerId: string;
    database: string;
    user: string;
    metric: 'Total_Item_Investigations' | 'No_License';
    at: Date;
  }): Promise<void>;
  /** The institution's aggregates for the given months (`yyyy-mm`). */
  rows(institution: string, months: readonly string[]): Promise<CounterRow[]>;
  /** The first and last months with any usage of the institution. */
  monthsWithUsage(institution: string): Promise<{ first?: string; last?: string }>;
}

/** A harvester's SUSHI credential as librarians see it (never the api_key, which is shown once). */
export interface SushiCredential {
  customerId: string;
  requestorId: string;
  /** Who harvests with it (e.g. "Consortium ERM"), for the librarians. */
  label: string;
  createdAt: string;
  createdBy: string;
}

export interface SushiCredentialStore {
  /** Stores a new credential; the api_key is kept only as its hash. */
  issue(credential: SushiCredential, apiKey: string): Promise<void>;
  list(): Promise<SushiCredential[]>;
  /** False when there was no such credential. */
  revoke(requestorId: string): Promise<boolean>;
  /**
   * The credential of a requestor_id with whether the api_key matches (hashes compared in constant time);
   * undefined for an unknown or revoked requestor.
   */
  check(
    requestorId: string,
    apiKey: string,
  ): Promise<{ credential: SushiCredential; keyMatches: boolean } | undefined>;
}

/**
 * One title's use on one day for one institution: COUNTER-filtered requests and investigations (a double click
 * or a mid-book link renewal is not counted again), both kinds of denial, and loans started.
 */
export interface DailyTitleUse {
  /** `yyyy-mm-dd` (UTC). */
  day: string;
  titleId: string;
  /** The library (`library`) or a partner's id, as COUNTER's institutions. */
  institution: string;
  requests: number;
  investigations: number;
  limitExceeded: number;
  noLicense: number;
  loans: number;
}

/** The daily figures of the dashboard (and the acquisition list's recent denials). */
export interface DailyUsageReader {
  /** Every title's daily use from `fromDay` to `toDay` (inclusive, `yyyy-mm-dd`), by day; no empty rows. */
  dailyTitleUse(fromDay: string, toDay: string): Promise<DailyTitleUse[]>;
}
