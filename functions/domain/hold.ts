/**
 * A hold: a place in a title's FIFO queue. When a slot frees, the first waiting hold is `reserved` for
 * 72 hours and only its patron may take that copy; a missed reservation lapses and passes on.
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
}

export const reservationHours = 72;

/** Per title: how many holds wait and are reserved, and the last queue number given out. */
export interface HoldQueue {
  waiting: number;
  reserved: number;
  lastSeq: number;
}

export const emptyQueue: HoldQueue = { waiting: 0, reserved: 0, lastSeq: 0 };

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
