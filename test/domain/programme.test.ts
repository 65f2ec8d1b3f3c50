import { describe, expect, it } from 'vitest';
import {
  badgesFor,
  creditedSeconds,
  groupCardNumbers,
  initialsOf,
  isFinished,
  isRunning,
  libraryDay,
  progressOf,
  readingCaps,
} from '../../functions/domain/programme';
import { fakeClock } from '../helpers/clock';

/** The programme rules alone, on the fake clock. */

const locatorAt = (totalProgression?: number) => ({
  href: 'EPUB/ch1.xhtml',
  type: 'application/xhtml+xml',
  locations: totalProgression === undefined ? {} : { totalProgression },
});

describe('a finished book', () => {
  it('is one read to 95 % or more of the publication', () => {
    expect(isFinished(locatorAt(0.9499))).toBe(false);
    expect(isFinished(locatorAt(0.95))).toBe(true);
    expect(isFinished(locatorAt(1))).toBe(true);
    expect(isFinished(locatorAt())).toBe(false);
  });
});

describe('credited reading time', () => {
  it('credits the gap since the last save of the title only when it is a few minutes at most', () => {
    // Prepare
    const clock = fakeClock();
    const lastAt = clock.now().toISOString();
    const tally = { lastAt, titleSecondsToday: 0, secondsToday: 0 };
    // Act + Assess
    clock.advance(readingCaps.maxGapSeconds * 1000);
    expect(creditedSeconds(clock.now(), tally)).toBe(readingCaps.maxGapSeconds);
    clock.advance(1000);
    expect(creditedSeconds(clock.now(), tally)).toBe(0);
    expect(creditedSeconds(clock.now(), { titleSecondsToday: 0, secondsToday: 0 })).toBe(0);
    // A save from a clock behind the last one earns nothing.
    expect(creditedSeconds(new Date(Date.parse(lastAt) - 60_000), tally)).toBe(0);
  });

  it('stops at the cap per title and per day', () => {
    // Prepare
    const clock = fakeClock();
    const lastAt = clock.now().toISOString();
    clock.advance(240_000);
    // Act + Assess
    expect(
      creditedSeconds(clock.now(), {
        lastAt,
        titleSecondsToday: readingCaps.perTitlePerDay - 30,
        secondsToday: 0,
      }),
    ).toBe(30);
    expect(
      creditedSeconds(clock.now(), { lastAt, titleSecondsToday: 0, secondsToday: readingCaps.perDay - 10 }),
    ).toBe(10);
    expect(
      creditedSeconds(clock.now(), { lastAt, titleSecondsToday: 0, secondsToday: readingCaps.perDay }),
    ).toBe(0);
  });

  it('counts days in the library’s time zone (UTC+7)', () => {
    expect(libraryDay(new Date('2026-12-01T16:59:59Z'))).toBe('2026-12-01');
    expect(libraryDay(new Date('2026-12-01T17:00:00Z'))).toBe('2026-12-02');
  });
});

describe('progress and badges', () => {
  it('gives a badge at 25, 50, 75 and 100 % of the goal', () => {
    const goal = { kind: 'books', target: 4 } as const;
    const after = (books: number) => badgesFor(goal, { finishedTitles: Array(books).fill('t'), seconds: 0 });
    expect([0, 1, 2, 3, 4, 5].map(after)).toEqual([
      [],
      [25],
      [25, 50],
      [25, 50, 75],
      [25, 50, 75, 100],
      [25, 50, 75, 100],
    ]);
  });

  it('counts minutes in whole minutes and never past 100 %', () => {
    const goal = { kind: 'minutes', target: 30 } as const;
    expect(progressOf(goal, { finishedTitles: [], seconds: 899 })).toEqual({
      value: 14,
      target: 30,
      percent: 46,
    });
    expect(progressOf(goal, { finishedTitles: [], seconds: 3600 })).toEqual({
      value: 60,
      target: 30,
      percent: 100,
    });
  });

  it('runs from its start up to, not including, its end', () => {
    const programme = { startsAt: '2026-12-01T00:00:00.000Z', endsAt: '2026-12-31T00:00:00.000Z' };
    expect(isRunning(programme, new Date('2026-11-30T23:59:59Z'))).toBe(false);
    expect(isRunning(programme, new Date('2026-12-01T00:00:00Z'))).toBe(true);
    expect(isRunning(programme, new Date('2026-12-31T00:00:00Z'))).toBe(false);
  });
});

describe('what other patrons see of a name', () => {
  it('is the initials only', () => {
    expect(initialsOf('Siti Rahayu')).toBe('S. R.');
    expect(initialsOf('  budi  ')).toBe('B.');
    expect(initialsOf('Raden Ajeng Kartini Djojoadhiningrat')).toBe('R. A. K.');
    expect(initialsOf('')).toBe('?');
  });
});

describe('a patron group’s CSV', () => {
  it('takes the cardNumber column, drops blanks and repeats, ignores the other columns', () => {
    const csv = 'name,cardNumber\r\n"Rahayu, Siti",20000001\nBudi,20000002\nBudi again,20000002\n,\n';
    expect(groupCardNumbers(csv)).toEqual(['20000001', '20000002']);
  });

  it('refuses a file without the column, and one with a broken line, naming the line', () => {
    expect(() => groupCardNumbers('name\nSiti\n')).toThrow(/cardNumber/);
    expect(() => groupCardNumbers('cardNumber,name\n20000001,"Siti\n20000002,Budi\n')).toThrow();
    expect(() => groupCardNumbers('cardNumber,name\n20000001,Si"ti\n')).toThrow(/Line 2/);
  });
});
