import { readCsv } from './csv';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from './errors';
import type { Patron } from './patron';
import type { Locator } from './reading';

/**
 * Reading programmes (a library's reading challenge): a librarian sets a goal (books finished or minutes read)
 * over a period, open to everyone or to one patron group (a school class); patrons join, and what their reader
 * already syncs (positions) counts towards the goal. Pure rules here; storage in
 * functions/adapters/programme-repository.ts.
 */

export interface Bilingual {
  id: string;
  en: string;
}

export type ProgrammeGoal = { kind: 'books'; target: number } | { kind: 'minutes'; target: number };

export type ProgrammeAudience = { kind: 'everyone' } | { kind: 'group'; groupId: string };

export interface Programme {
  id: string;
  name: Bilingual;
  description: Bilingual;
  /** ISO 8601 instants: the programme counts reading at or after `startsAt` and before `endsAt`. */
  startsAt: string;
  endsAt: string;
  audience: ProgrammeAudience;
  goal: ProgrammeGoal;
  /**
   * Only these titles count, when set: the programme's reading list, or the titles of `collectionId` as they
   * were when the programme was created (resolved through `ProgrammeCollections`).
   */
  titleIds?: string[];
  collectionId?: string;
  createdAt: string;
}

/** A named list of patrons (a school class), made by a librarian from a CSV of card numbers. */
export interface PatronGroup {
  id: string;
  name: string;
  memberCount: number;
  createdAt: string;
}

/** The milestones a badge is given at, in per cent of the goal. */
export const milestones = [25, 50, 75, 100] as const;
export type Milestone = (typeof milestones)[number];

export interface Participation {
  programmeId: string;
  patronId: string;
  /** What other patrons may see of the participant: initials, never the full name. */
  displayName: string;
  /** For the organisers only (the per-patron list of their programme). */
  patronName: string;
  cardNumber: string;
  joinedAt: string;
  /** Titles finished (≥ 95 %) while the programme ran; each counts once. */
  finishedTitles: string[];
  /** Reading time credited while the programme ran, after the caps. */
  seconds: number;
  badges: Milestone[];
  /** When the goal was reached; a certificate exists only then. */
  completedAt?: string;
}

/** A book counts as finished once the reader is this far through it. */
export const finishedAt = 0.95;

/**
 * How reading time is credited from position saves, so that a book left open earns nothing: only the time
 * between two saves of the same title that are at most `maxGapSeconds` apart counts (a reader saves on every
 * page turn; a longer gap is a pause), at most `perTitlePerDay` per title and `perDay` in all per day.
 */
export const readingCaps = {
  maxGapSeconds: 5 * 60,
  perTitlePerDay: 2 * 60 * 60,
  perDay: 3 * 60 * 60,
} as const;

/** Days are the library's days (Western Indonesian Time, UTC+7), so a cap resets at local midnight. */
export const libraryUtcOffsetHours = 7;

export function libraryDay(at: Date): string {
  return new Date(at.getTime() + libraryUtcOffsetHours * 3_600_000).toISOString().slice(0, 10);
}

export function isFinished(locator: Locator): boolean {
  const total = locator.locations.totalProgression;
  return typeof total === 'number' && total >= finishedAt;
}

/** What is stored per patron about their reading for the caps: the last save of a title, and today's totals. */
export interface ReadingTally {
  /** The last save of this title (server time), if any. */
  lastAt?: string;
  /** Seconds credited today to this title, and to all titles. */
  titleSecondsToday: number;
  secondsToday: number;
}

/** Seconds to credit for a save at `now` after the tally, within every cap (never negative). */
export function creditedSeconds(now: Date, tally: ReadingTally): number {
  if (!tally.lastAt) return 0;
  const gap = Math.floor((now.getTime() - Date.parse(tally.lastAt)) / 1000);
  if (!(gap > 0) || gap > readingCaps.maxGapSeconds) return 0;
  return Math.max(
    0,
    Math.min(
      gap,
      readingCaps.perTitlePerDay - tally.titleSecondsToday,
      readingCaps.perDay - tally.secondsToday,
    ),
  );
}

export function isRunning(programme: Pick<Programme, 'startsAt' | 'endsAt'>, now: Date): boolean {
  const at = now.getTime();
  return at >= Date.parse(programme.startsAt) && at < Date.parse(programme.endsAt);
}

export function hasEnded(programme: Pick<Programme, 'endsAt'>, now: Date): boolean {
  return now.getTime() >= Date.parse(programme.endsAt);
}

export function countsTitle(programme: Pick<Programme, 'titleIds'>, titleId: string): boolean {
  return !programme.titleIds || programme.titleIds.includes(titleId);
}

/** How far a participant is: the goal's unit (books, or whole minutes), and per cent of the goal (0..100). */
export function progressOf(
  goal: ProgrammeGoal,
  participation: Pick<Participation, 'finishedTitles' | 'seconds'>,
): { value: number; target: number; percent: number } {
  const value =
    goal.kind === 'books' ? participation.finishedTitles.length : Math.floor(participation.seconds / 60);
  return { value, target: goal.target, percent: Math.min(100, Math.floor((value * 100) / goal.target)) };
}

/** Every milestone the progress has reached. */
export function badgesFor(
  goal: ProgrammeGoal,
  participation: Pick<Participation, 'finishedTitles' | 'seconds'>,
) {
  const { percent } = progressOf(goal, participation);
  return milestones.filter((m) => percent >= m);
}

/**
 * What other patrons see of a participant: the initials of their name ("Siti Rahayu" → "S. R."), at most
 * three, never the name itself.
 */
export function initialsOf(name: string): string {
  const initials = name
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => Array.from(word)[0]!.toLocaleUpperCase('id'));
  return initials.length ? initials.slice(0, 3).join('. ') + '.' : '?';
}

export interface NewProgramme {
  name: Bilingual;
  description: Bilingual;
  startsAt: string;
  endsAt: string;
  audience: ProgrammeAudience;
  goal: ProgrammeGoal;
  titleIds?: string[];
  collectionId?: string;
}

/** The checks a new programme must pass that its schema cannot express. */
export function checkNewProgramme(input: NewProgramme): void {
  if (Date.parse(input.endsAt) <= Date.parse(input.startsAt)) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'A programme must end after it starts.',
      context: { field: 'endsAt' },
    });
  }
  if (input.titleIds && input.collectionId) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'Restrict a programme to a list of titles or to a collection, not both.',
      context: { field: 'collectionId' },
    });
  }
}

export const groupLimits = { maxMembers: 1000 } as const;

/**
 * The card numbers of a patron group's CSV: a `cardNumber` column (any other columns, such as the class
 * list's names, are ignored), read with the same CSV reader as the patron import. Blank and repeated cards
 * are dropped; broken lines are refused with their line number.
 */
export function groupCardNumbers(csv: string): string[] {
  const records = readCsv(csv, groupLimits.maxMembers + 2);
  const header = records.shift();
  const column = header && !header.fault ? header.cells.map((c) => c.trim()).indexOf('cardNumber') : -1;
  if (column < 0) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: 'The first line must name the columns, one of them cardNumber.',
      context: { field: 'header' },
    });
  }
  const broken = records.find((r) => r.fault);
  if (broken) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `Line ${broken.line} cannot be read (${broken.fault!.code}).`,
      context: { field: 'csv', line: broken.line },
    });
  }
  const cards = [...new Set(records.map((r) => (r.cells[column] ?? '').trim()).filter(Boolean))];
  if (cards.length === 0 || cards.length > groupLimits.maxMembers) {
    throw new ValidationError({
      code: 'VALIDATION_FAILED',
      detail: `A group has 1 to ${groupLimits.maxMembers} card numbers.`,
      context: { field: 'csv', cards: cards.length },
    });
  }
  return cards;
}

/** Resolves a collection to its titles; wired to the collections of functions/domain/collection.ts. */
export interface ProgrammeCollections {
  /** Undefined when there is no such collection. */
  titleIdsOf(collectionId: string): Promise<string[] | undefined>;
}

/** What the programme's bookkeeping is told when a reading position is saved. */
export interface ReadingEvent {
  patronId: string;
  titleId: string;
  finished: boolean;
  at: Date;
}

export interface ProgrammeRepository {
  create(programme: Programme): Promise<void>;
  get(programmeId: string): Promise<Programme | undefined>;
  /** Newest start first. */
  list(): Promise<Programme[]>;
  createGroup(group: PatronGroup, patronIds: string[]): Promise<void>;
  getGroup(groupId: string): Promise<PatronGroup | undefined>;
  listGroups(): Promise<PatronGroup[]>;
  isMember(groupId: string, patronId: string): Promise<boolean>;
  /** Joins once: a second join returns the stored participation. */
  join(programme: Programme, participation: Participation): Promise<Participation>;
  getParticipation(programmeId: string, patronId: string): Promise<Participation | undefined>;
  listParticipations(programmeId: string): Promise<Participation[]>;
  /** The programmes a patron joined (for their page). */
  joinedBy(patronId: string): Promise<string[]>;
  /** Counts a saved position towards the running programmes the patron joined. */
  recordReading(event: ReadingEvent): Promise<void>;
}

export interface ProgrammeDeps {
  programmes: ProgrammeRepository;
  patrons: { get(patronId: string): Promise<Patron | undefined> };
}

export async function programmeOrThrow(deps: ProgrammeDeps, programmeId: string): Promise<Programme> {
  const programme = await deps.programmes.get(programmeId);
  if (!programme)
    throw new NotFoundError({
      code: 'PROGRAMME_NOT_FOUND',
      detail: `Programme ${programmeId} was not found.`,
      context: { id: programmeId },
    });
  return programme;
}

/**
 * Joins a patron to a programme (again: the same participation). Open until it ends, also before it starts;
 * a group's programme only to the group's members. Only card holders join: a certificate names a patron.
 */
export async function joinProgramme(
  deps: ProgrammeDeps,
  programmeId: string,
  patronId: string,
  now: Date,
): Promise<Participation> {
  const programme = await programmeOrThrow(deps, programmeId);
  const existing = await deps.programmes.getParticipation(programmeId, patronId);
  if (existing) return existing;
  if (hasEnded(programme, now))
    throw new ConflictError({
      code: 'PROGRAMME_ENDED',
      detail: `Programme ${programmeId} ended at ${programme.endsAt}.`,
      context: { id: programmeId, endsAt: programme.endsAt },
    });
  if (
    programme.audience.kind === 'group' &&
    !(await deps.programmes.isMember(programme.audience.groupId, patronId))
  )
    throw new ForbiddenError({
      code: 'NOT_IN_PROGRAMME_GROUP',
      detail: `Programme ${programmeId} is open to the members of one patron group only.`,
      context: { id: programmeId },
    });
  const patron = await deps.patrons.get(patronId);
  if (!patron)
    throw new ForbiddenError({
      code: 'FORBIDDEN',
      detail: 'Reading programmes are for the library’s card holders.',
    });
  return deps.programmes.join(programme, {
    programmeId,
    patronId,
    displayName: initialsOf(patron.name),
    patronName: patron.name,
    cardNumber: patron.cardNumber,
    joinedAt: now.toISOString(),
    finishedTitles: [],
    seconds: 0,
    badges: [],
  });
}

export async function participationOrThrow(
  deps: ProgrammeDeps,
  programmeId: string,
  patronId: string,
): Promise<Participation> {
  const participation = await deps.programmes.getParticipation(programmeId, patronId);
  if (!participation)
    throw new ConflictError({
      code: 'PROGRAMME_NOT_JOINED',
      detail: `The patron has not joined programme ${programmeId}.`,
      context: { id: programmeId },
    });
  return participation;
}

export interface Certificate {
  programmeId: string;
  programmeName: Bilingual;
  patronName: string;
  goal: ProgrammeGoal;
  completedAt: string;
}

/** A certificate exists only for a participant who reached the goal. */
export async function certificateOf(
  deps: ProgrammeDeps,
  programmeId: string,
  patronId: string,
): Promise<Certificate> {
  const programme = await programmeOrThrow(deps, programmeId);
  const participation = await participationOrThrow(deps, programmeId, patronId);
  if (!participation.completedAt)
    throw new ConflictError({
      code: 'PROGRAMME_GOAL_NOT_REACHED',
      detail: 'The programme’s goal has not been reached yet: there is no certificate.',
      context: { id: programmeId, ...progressOf(programme.goal, participation) },
    });
  return {
    programmeId,
    programmeName: programme.name,
    patronName: participation.patronName,
    goal: programme.goal,
    completedAt: participation.completedAt,
  };
}

/** The most advanced participants first (then who joined first), for a leaderboard. */
export function ranked(goal: ProgrammeGoal, participations: Participation[]): Participation[] {
  return [...participations].sort(
    (a, b) =>
      progressOf(goal, b).value - progressOf(goal, a).value ||
      (a.completedAt ?? '~').localeCompare(b.completedAt ?? '~') ||
      a.joinedAt.localeCompare(b.joinedAt),
  );
}
