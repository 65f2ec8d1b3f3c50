import { describe, expect, it } from 'vitest';
import type { DailyTitleUse } from '../../functions/domain/counter-ports';
import { buildDashboard, parseDashboardRange, type DashboardTitle } from '../../functions/domain/dashboard';
import { PustakaError } from '../../functions/domain/errors';

/** The dashboard's adding up, pure: the period asked for, and every series from the daily figures. */

const now = new Date('2026-03-10T15:00:00.000Z');

const use = (partial: Partial<DailyTitleUse> & Pick<DailyTitleUse, 'day' | 'titleId'>): DailyTitleUse => ({
  institution: 'library',
  requests: 0,
  investigations: 0,
  limitExceeded: 0,
  noLicense: 0,
  loans: 0,
  ...partial,
});

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof PustakaError ? `${error.status} ${error.code}` : String(error);
  }
  return 'no error';
};

describe('the dashboard period', () => {
  it('is the last 30 days up to today when none is given', () => {
    // Act
    const range = parseDashboardRange({}, now);
    // Assess
    expect([range.from, range.to, range.days.length]).toEqual(['2026-02-09', '2026-03-10', 30]);
    expect(range.days.slice(18, 21)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
  });

  it('takes the days given, one alone giving 30 days from or up to it', () => {
    expect(parseDashboardRange({ from: '2024-02-28', to: '2024-03-01' }, now).days).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    const fromOnly = parseDashboardRange({ from: '2026-01-01' }, now);
    expect([fromOnly.from, fromOnly.to]).toEqual(['2026-01-01', '2026-01-30']);
    const toOnly = parseDashboardRange({ to: '2026-01-30' }, now);
    expect([toOnly.from, toOnly.to]).toEqual(['2026-01-01', '2026-01-30']);
    // A leap year's 366 days is the longest period.
    expect(parseDashboardRange({ from: '2024-01-01', to: '2024-12-31' }, now).days).toHaveLength(366);
  });

  it('refuses days that are not calendar days, out of order, or more than 366 of them', () => {
    expect(codeOf(() => parseDashboardRange({ from: '2026-02-30', to: '2026-03-01' }, now))).toBe(
      '400 DASHBOARD_RANGE_INVALID',
    );
    expect(codeOf(() => parseDashboardRange({ from: '2026-3-1' }, now))).toBe('400 DASHBOARD_RANGE_INVALID');
    expect(codeOf(() => parseDashboardRange({ from: '2026-03-02', to: '2026-03-01' }, now))).toBe(
      '400 DASHBOARD_RANGE_INVALID',
    );
    expect(codeOf(() => parseDashboardRange({ from: '2025-01-01', to: '2026-01-02' }, now))).toBe(
      '400 DASHBOARD_RANGE_TOO_LONG',
    );
  });
});

describe('the dashboard series', () => {
  const titles = new Map<string, DashboardTitle>([
    [
      't1',
      { id: 't1', title: 'Laut Bercerita', language: 'id', subjects: ['Fiksi', 'Sejarah'], format: 'epub' },
    ],
    ['t2', { id: 't2', title: 'Atlas Maritim', language: 'en', subjects: ['Geografi'], format: 'pdf' }],
    ['t3', { id: 't3', title: 'Buku Tanpa Subjek', subjects: [], format: 'epub' }],
  ]);
  const range = parseDashboardRange({ from: '2026-01-30', to: '2026-02-02' }, now);
  const uses = [
    use({ day: '2026-01-30', titleId: 't1', requests: 3, investigations: 3, loans: 2 }),
    use({
      day: '2026-01-31',
      titleId: 't1',
      institution: 'p-uni',
      requests: 1,
      investigations: 1,
      limitExceeded: 2,
    }),
    use({ day: '2026-02-01', titleId: 't2', requests: 4, investigations: 5, noLicense: 1, loans: 1 }),
    use({ day: '2026-02-02', titleId: 't3', requests: 1, investigations: 1, limitExceeded: 1, noLicense: 1 }),
    // Outside the period: ignored.
    use({ day: '2026-02-03', titleId: 't1', requests: 100 }),
  ];
  const dashboard = buildDashboard({
    range,
    uses,
    titles,
    holds: [
      { titleId: 't1', holds: 6, copies: 2 },
      { titleId: 't2', holds: 1, copies: 3 },
      { titleId: 't3', holds: 2, copies: 0 },
      { titleId: 'unlimited', holds: 1, copies: null },
    ],
    institutions: [
      { id: 'library', name: 'Perpustakaan' },
      { id: 'p-uni', name: 'Universitas Pesisir' },
    ],
  });

  it('counts loans and requests on every day and month of the period, zeros included', () => {
    expect(dashboard.perDay).toEqual([
      { day: '2026-01-30', loans: 2, requests: 3 },
      { day: '2026-01-31', loans: 0, requests: 1 },
      { day: '2026-02-01', loans: 1, requests: 4 },
      { day: '2026-02-02', loans: 0, requests: 1 },
    ]);
    expect(dashboard.perMonth).toEqual([
      { month: '2026-01', loans: 2, requests: 4 },
      { month: '2026-02', loans: 1, requests: 5 },
    ]);
  });

  it('lists denials per title, most first, both kinds apart', () => {
    expect(dashboard.denials).toEqual([
      { titleId: 't3', title: 'Buku Tanpa Subjek', limitExceeded: 1, noLicense: 1, total: 2 },
      { titleId: 't1', title: 'Laut Bercerita', limitExceeded: 2, noLicense: 0, total: 2 },
      { titleId: 't2', title: 'Atlas Maritim', limitExceeded: 0, noLicense: 1, total: 1 },
    ]);
  });

  it('puts titles without a copy to lend first in holds per copy, then the highest ratio', () => {
    expect(dashboard.holdsPerCopy).toEqual([
      { titleId: 't3', title: 'Buku Tanpa Subjek', holds: 2, copies: 0, ratio: null },
      { titleId: 't1', title: 'Laut Bercerita', holds: 6, copies: 2, ratio: 3 },
      { titleId: 't2', title: 'Atlas Maritim', holds: 1, copies: 3, ratio: 0.33 },
    ]);
  });

  it('ranks titles by requests and breaks use down by language, subject, format and institution', () => {
    expect(dashboard.topTitles.map((t) => [t.title, t.requests, t.investigations, t.loans])).toEqual([
      // Equal requests: more loans first.
      ['Laut Bercerita', 4, 4, 2],
      ['Atlas Maritim', 4, 5, 1],
      ['Buku Tanpa Subjek', 1, 1, 0],
    ]);
    expect(dashboard.byLanguage).toEqual([
      { key: 'id', requests: 4, investigations: 4, loans: 2 },
      { key: 'en', requests: 4, investigations: 5, loans: 1 },
      { key: '', requests: 1, investigations: 1, loans: 0 },
    ]);
    // A title's use counts under each of its subjects.
    expect(dashboard.bySubject.map((s) => [s.key, s.requests])).toEqual([
      ['Fiksi', 4],
      ['Sejarah', 4],
      ['Geografi', 4],
      ['', 1],
    ]);
    expect(dashboard.byFormat).toEqual([
      { key: 'epub', requests: 5, investigations: 5, loans: 2 },
      { key: 'pdf', requests: 4, investigations: 5, loans: 1 },
    ]);
    expect(dashboard.byInstitution).toEqual([
      { institution: 'library', name: 'Perpustakaan', requests: 8, investigations: 9, loans: 3, denials: 3 },
      {
        institution: 'p-uni',
        name: 'Universitas Pesisir',
        requests: 1,
        investigations: 1,
        loans: 0,
        denials: 2,
      },
    ]);
  });
});
