import type { Clock } from '../../functions/domain/ports';

/**
 * A clock that stands still until told to move. Pass it as the deps' clock
 * (`createTestStack({ deps: { clock } })`) so every adapter and rule sees the same time.
 */
export class FakeClock implements Clock {
  private at: number;

  constructor(start: Date | string = '2026-03-02T08:00:00.000Z') {
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

export function fakeClock(start: Date | string = new Date()): FakeClock {
  return new FakeClock(start);
}
