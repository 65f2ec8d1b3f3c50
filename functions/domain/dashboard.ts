import type { DailyTitleUse } from './counter-ports';
import { ValidationError } from './errors';
import type { Format } from './title';

/**
 * The librarians' dashboard: what the daily figures (./counter-ports DailyTitleUse), the catalogue and the
 * lending state say about a period. Pure: the route reads, this adds up.
 */

/** The longest period one dashboard covers (a leap year). */
export const maxDashboardDays = 366;
/** The period shown when none is asked for: the last 30 days, today included. */
export const defaultDashboardDays = 30;
/** How many titles the "top titles" chart names. */
export const topTitleCount = 10;

export interface DashboardRange {
  /** `yyyy-mm-dd`, inclusive. */
  from: string;
  to: string;
  /** Every day of the period, in order. */
  days: string[];
}

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The day's UTC midnight in ms, or undefined for text that is not a real calendar day. */
function parseDay(text: string): number | undefined {
  if (!dayPattern.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) || dayOf(ms) !== text ? undefined : ms;
}

/**
 * The period asked for: `from` and `to` are calendar days (`yyyy-mm-dd`, UTC), `from` not after `to`, at most
 * 366 days; either may be left out (the last 30 days up to today, or 30 days from / up to the one given).
 */
export function parseDashboardRange(query: { from?: string; to?: string }, now: Date): DashboardRange {
  const invalid = (field: string, detail: string) =>
    new ValidationError({ code: 'DASHBOARD_RANGE_INVALID', detail, context: { field } });
  const given = (field: 'from' | 'to') => {
    const text = query[field];
    if (text === undefined || text === '') return undefined;
    const ms = parseDay(text);
    if (ms === undefined)
      throw invalid(field, `${field} must be a calendar day as yyyy-mm-dd, not "${text}".`);
    return ms;
  };
  const fromGiven = given('from');
  const toGiven = given('to');
  const span = (defaultDashboardDays - 1) * dayMs;
  const to = toGiven ?? (fromGiven !== undefined ? fromGiven + span : parseDay(dayOf(now.getTime()))!);
  const from = fromGiven ?? to - span;
  if (from > to) throw invalid('from', `from (${dayOf(from)}) is after to (${dayOf(to)}).`);
  const count = (to - from) / dayMs + 1;
  if (count > maxDashboardDays)
    throw new ValidationError({
      code: 'DASHBOARD_RANGE_TOO_LONG',
      detail: `The period covers ${count} days; at most ${maxDashboardDays} are shown at once.`,
      context: { days: count, maxDays: maxDashboardDays },
    });
  const days = Array.from({ length: count }, (_, i) => dayOf(from + i * dayMs));
  return { from: dayOf(from), to: dayOf(to), days };
}

/** What the dashboard needs of a title. */
export interface DashboardTitle {
  id: string;
  title: string;
  language?: string;
  subjects: readonly string[];
  format: Format;
}

/** A title's waiting holds and the copies its usable licences lend at once (null: unlimited). */
export interface TitleHolds {
  titleId: string;
  holds: number;
  copies: number | null;
}

/** An institution COUNTER reports for: the library or a partner. */
export interface DashboardInstitution {
  id: string;
  name: string;
}

export interface UseFigures {
  requests: number;
  investigations: number;
  loans: number;
}

export interface Dashboard {
  from: string;
  to: string;
  /** Every day of the period (zeros included). */
  perDay: { day: string; loans: number; requests: number }[];
  /** Every month the period touches (`yyyy-mm`), partial months counted over the period's days only. */
  perMonth: { month: string; loans: number; requests: number }[];
  /** Titles refused in the period, most refusals first. */
  denials: { titleId: string; title: string; limitExceeded: number; noLicense: number; total: number }[];
  /** Titles with waiting holds now, most holds per copy first; `ratio` null when no copy can be lent. */
  holdsPerCopy: { titleId: string; title: string; holds: number; copies: number; ratio: number | null }[];
  /** The most requested titles of the period (at most 10), most first. */
  topTitles: ({ titleId: string; title: string } & UseFigures)[];
  /** Use by the title's language (`''`: none recorded), most requested first. */
  byLanguage: ({ key: string } & UseFigures)[];
  /** Use by subject (a title's use counts under each of its subjects; `''`: none), most requested first. */
  bySubject: ({ key: string } & UseFigures)[];
  byFormat: ({ key: string } & UseFigures)[];
  /** Use by institution (the library, partners), most requested first; refusals too. */
  byInstitution: ({ institution: string; name: string; denials: number } & UseFigures)[];
}

const zero = (): UseFigures => ({ requests: 0, investigations: 0, loans: 0 });
const addUse = (into: UseFigures, use: DailyTitleUse) => {
  into.requests += use.requests;
  into.investigations += use.investigations;
  into.loans += use.loans;
};

/** Most requested first, then most loans, then by key: a stable order. */
const byUse = <T extends UseFigures>(key: (row: T) => string) =>
  function compare(a: T, b: T): number {
    return b.requests - a.requests || b.loans - a.loans || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  };

function tally(
  uses: readonly DailyTitleUse[],
  keysOf: (use: DailyTitleUse) => readonly string[],
): ({ key: string } & UseFigures)[] {
  const totals = new Map<string, UseFigures>();
  for (const use of uses)
    for (const key of new Set(keysOf(use))) {
      const figures = totals.get(key) ?? zero();
      addUse(figures, use);
      totals.set(key, figures);
    }
  return [...totals]
    .map(([key, figures]) => ({ key, ...figures }))
    .filter((row) => row.requests || row.investigations || row.loans)
    .sort(byUse((row) => row.key));
}

/** Two decimals: what a chart and a table show, and the same in the CSV. */
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Adds up the period's daily figures (rows outside the range are ignored) into the dashboard's series. */
export function buildDashboard(input: {
  range: DashboardRange;
  uses: readonly DailyTitleUse[];
  titles: ReadonlyMap<string, DashboardTitle>;
  holds: readonly TitleHolds[];
  institutions: readonly DashboardInstitution[];
}): Dashboard {
  const { range, titles } = input;
  const inRange = new Set(range.days);
  const uses = input.uses.filter((use) => inRange.has(use.day));
  const nameOf = (titleId: string) => titles.get(titleId)?.title ?? titleId;

  const perDay = new Map(range.days.map((day) => [day, { day, loans: 0, requests: 0 }]));
  const perMonth = new Map<string, { month: string; loans: number; requests: number }>();
  for (const day of range.days) {
    const month = day.slice(0, 7);
    if (!perMonth.has(month)) perMonth.set(month, { month, loans: 0, requests: 0 });
  }
  const denials = new Map<string, { limitExceeded: number; noLicense: number }>();
  const perTitle = new Map<string, UseFigures>();
  const perInstitution = new Map<string, UseFigures & { denials: number }>();
  for (const use of uses) {
    const day = perDay.get(use.day)!;
    day.loans += use.loans;
    day.requests += use.requests;
    const month = perMonth.get(use.day.slice(0, 7))!;
    month.loans += use.loans;
    month.requests += use.requests;
    if (use.limitExceeded || use.noLicense) {
      const refused = denials.get(use.titleId) ?? { limitExceeded: 0, noLicense: 0 };
      refused.limitExceeded += use.limitExceeded;
      refused.noLicense += use.noLicense;
      denials.set(use.titleId, refused);
    }
    const title = perTitle.get(use.titleId) ?? zero();
    addUse(title, use);
    perTitle.set(use.titleId, title);
    const institution = perInstitution.get(use.institution) ?? { ...zero(), denials: 0 };
    addUse(institution, use);
    institution.denials += use.limitExceeded + use.noLicense;
    perInstitution.set(use.institution, institution);
  }

  const institutionNames = new Map(input.institutions.map((i) => [i.id, i.name]));
  const titleOf = (use: DailyTitleUse) => titles.get(use.titleId);
  return {
    from: range.from,
    to: range.to,
    perDay: [...perDay.values()],
    perMonth: [...perMonth.values()],
    denials: [...denials]
      .map(([titleId, d]) => ({
        titleId,
        title: nameOf(titleId),
        ...d,
        total: d.limitExceeded + d.noLicense,
      }))
      .sort((a, b) => b.total - a.total || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0)),
    holdsPerCopy: input.holds
      .filter((h) => h.holds > 0 && h.copies !== null)
      .map((h) => ({
        titleId: h.titleId,
        title: nameOf(h.titleId),
        holds: h.holds,
        copies: h.copies!,
        ratio: h.copies ? round2(h.holds / h.copies) : null,
      }))
      .sort(
        (a, b) =>
          (b.ratio ?? Infinity) - (a.ratio ?? Infinity) ||
          b.holds - a.holds ||
          (a.title < b.title ? -1 : a.title > b.title ? 1 : 0),
      ),
    topTitles: [...perTitle]
      .filter(([, figures]) => figures.requests > 0)
      .map(([titleId, figures]) => ({ titleId, title: nameOf(titleId), ...figures }))
      .sort(byUse((row) => row.title))
      .slice(0, topTitleCount),
    byLanguage: tally(uses, (use) => [titleOf(use)?.language ?? '']),
    bySubject: tally(uses, (use) => {
      const subjects = titleOf(use)?.subjects ?? [];
      return subjects.length ? subjects : [''];
    }),
    byFormat: tally(uses, (use) => [titleOf(use)?.format ?? '']),
    byInstitution: [...perInstitution]
      .map(([institution, figures]) => ({
        institution,
        name: institutionNames.get(institution) ?? institution,
        ...figures,
      }))
      .sort(byUse((row) => row.name)),
  };
}
