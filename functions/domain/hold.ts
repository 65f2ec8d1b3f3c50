/**
 * A hold: a place in a title's FIFO queue. When a slot frees, the first waiting hold that is not suspended is
 * `reserved` for 72 hours and only its patron may take that copy; a missed reservation lapses and passes on.
 * A suspended hold ("deliver later") keeps its place and lets copies pass to the next in line until
 * `suspendedUntil`; from then on it is served as any waiting hold, whether or not the sweeper has been by.
 */
export type HoldStatus = 'waiting' | 'reserved' | 'fulfilled' | 'cancelled' | 'lapsed';

export interface Hold {
  id: string;
  patronId: string;
  titleId: string;
  status: HoldStatus;
  /** Place in the title's queue: strictly increasing per title, so FIFO never depends on clocks. */
  seq: number;
  placedAt: string;
  reservedAt?: string;
  reservedUntil?: string;
  /** The licence whose slot is kept for this hold while reserved. */
  licenceId?: string;
  endedAt?: string;
  /** A waiting hold is suspended until this instant (it keeps its place in the queue meanwhile). */
  suspendedUntil?: string;
}

export const reservationHours = 72;

/** How long a patron may suspend a hold, in days. */
export const suspensionPeriods = [7, 14, 28] as const;
export type SuspensionDays = (typeof suspensionPeriods)[number];

/**
 * Per title: how many holds wait (suspended ones included) and are reserved, how many of the waiting ones are
 * stored as suspended, and the last queue number given out.
 */
export interface HoldQueue {
  waiting: number;
  reserved: number;
  lastSeq: number;
  /**
   * Waiting holds stored with a suspension, counted with each suspend and resume. A suspension that has run out
   * stays counted until a write resumes it (the sweeper, or the next decision that meets it).
   */
  suspended: number;
}

export const emptyQueue: HoldQueue = { waiting: 0, reserved: 0, lastSeq: 0, suspended: 0 };

/** A hold that lets copies pass at `now`. */
export function isSuspended(hold: Pick<Hold, 'status' | 'suspendedUntil'>, now: Date): boolean {
  return (
    hold.status === 'waiting' &&
    hold.suspendedUntil !== undefined &&
    Date.parse(hold.suspendedUntil) > now.getTime()
  );
}

/** Waiting holds not stored as suspended: while there are any, a free copy belongs to the queue. */
export function holdsInLine(queue: HoldQueue): number {
  return queue.waiting - queue.suspended;
}

export function isHoldLive(hold: Hold): boolean {
  return hold.status === 'waiting' || hold.status === 'reserved';
}

/** A reservation that may still be taken up at `now`. */
export function isReservationOpen(hold: Hold, now: Date): boolean {
  return (
    hold.status === 'reserved' &&
    hold.reservedUntil !== undefined &&
    Date.parse(hold.reservedUntil) > now.getTime()
  );
}
