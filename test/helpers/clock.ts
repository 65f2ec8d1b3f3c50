import type { Clock } from '../../functions/domain/ports';

/** Where every fake clock starts unless told otherwise: a fixed instant, so no test depends on the day it runs. */
export const fakeClockStart = '2026-03-01T09:00:00.000Z';

/**
 * A clock that stands still until told to move. Pass it as the deps' clock
 * (`createTestStack({ deps: { clock } })`) so every adapter and rule sees the same time.
 */
export class FakeClock implements Clock {
  private at: number;

  constructor(start: Date | string = fakeClockStart) {
    this.at = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.at);
  }

  set(at: Date | string): void {
    this.at = new Date(at).getTime();
  }

  advance(ms: number): void {
    this.at += ms;
  }
}

export function fakeClock(start: Date | string = fakeClockStart): FakeClock {
  return new FakeClock(start);
}
