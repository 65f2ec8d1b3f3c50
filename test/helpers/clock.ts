import type { Clock } from '../../functions/domain/ports';

/** A clock that stands still until told to move: `createTestStack({ adjust: (d) => ({ ...d, clock }) })`. */
export interface FakeClock extends Clock {
  set(at: Date): void;
  advance(ms: number): void;
}

export function fakeClock(start: Date = new Date()): FakeClock {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = at.getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
