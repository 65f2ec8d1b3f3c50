import { describe, expect, it } from 'vitest';
import {
  acquisitionCsvRows,
  acquisitionRows,
  checkSuggestion,
  dailyDenials,
  denialWindow,
  normaliseAuthor,
  normaliseIsbn,
  normaliseTitle,
  overRatio,
  ratioOf,
  sortAcquisitionRows,
  type AcquisitionRow,
  type Suggestion,
  type TitleSignals,
} from '../../functions/domain/acquisitions';
import { readCsv, writeCsv } from '../../functions/domain/csv';
import { PustakaError } from '../../functions/domain/errors';

const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof PustakaError ? { code: error.code, status: error.status } : error;
  }
  return undefined;
};

describe('ISBN', () => {
  it('takes ISBN-13 and ISBN-10 (hyphens, spaces, an X check digit) and gives ISBN-13', () => {
    expect(normaliseIsbn('978-0-306-40615-7')).toBe('9780306406157');
    expect(normaliseIsbn('0-306-40615-2')).toBe('9780306406157');
    expect(normaliseIsbn(' 0 8044 2957 X ')).toBe('9780804429573');
  });

  it('refuses a wrong check digit, a wrong length and letters', () => {
    expect(normaliseIsbn('978-0-306-40615-8')).toBeUndefined();
    expect(normaliseIsbn('0-306-40615-3')).toBeUndefined();
    expect(normaliseIsbn('97803064061')).toBeUndefined();
    expect(normaliseIsbn('abcdefghij')).toBeUndefined();
  });
});

describe('normalisation', () => {
  it('folds case, diacritics, punctuation and white space, and drops a leading article', () => {
    expect(normaliseTitle('  The  Hobbit: or, There and Back Again!  ')).toBe(
      'hobbit or there and back again',
    );
    expect(normaliseTitle('Café Müller — Ñandú')).toBe('cafe muller nandu');
    expect(normaliseTitle('“The Hobbit”')).toBe('hobbit');
    expect(normaliseTitle('Si Kancil')).toBe('kancil');
    // An article that is the whole title stays.
    expect(normaliseTitle('A')).toBe('a');
  });

  it('matches an author written surname first', () => {
    expect(normaliseAuthor('Toer, Pramoedya Ananta')).toBe(normaliseAuthor('Pramoedya  Ananta Toer'));
    expect(normaliseAuthor('Andrea Hirata')).not.toBe(normaliseAuthor('Andrea Hirata Seman'));
  });
});

describe('checkSuggestion', () => {
  it('keys a suggestion by its ISBN-13 and by its normalised title and author', () => {
    const checked = checkSuggestion({
      title: ' Bumi  Manusia ',
      author: 'Pramoedya Ananta Toer',
      isbn: '979-97312-3-2',
      note: '  for the book club  ',
    });
    expect(checked).toEqual({
      title: 'Bumi Manusia',
      author: 'Pramoedya Ananta Toer',
      isbn: '9789799731234',
      note: 'for the book club',
      titleKey: 'title:bumi manusia|ananta pramoedya toer',
      isbnKey: 'isbn:9789799731234',
    });
  });

  it('gives two spellings of one book the same title key', () => {
    const a = checkSuggestion({ title: 'The Laskar Pelangi', author: 'Hirata, Andrea' });
    const b = checkSuggestion({ title: 'laskar pelangi!', author: 'ANDREA HIRATA' });
    expect(a.titleKey).toBe(b.titleKey);
    expect(a.isbnKey).toBeUndefined();
  });

  it('refuses a bad ISBN and a title with no letter or digit with their codes', () => {
    expect(codeOf(() => checkSuggestion({ title: 'X', author: 'Y', isbn: '978-0-306-40615-8' }))).toEqual({
      code: 'ISBN_INVALID',
      status: 400,
    });
    expect(codeOf(() => checkSuggestion({ title: '?!…', author: 'Y' }))).toEqual({
      code: 'SUGGESTION_TITLE_INVALID',
      status: 400,
    });
    // An empty ISBN is no ISBN.
    expect(checkSuggestion({ title: 'X', author: 'Y', isbn: '  ' }).isbn).toBeUndefined();
  });
});

describe('the holds ratio', () => {
  it('lists a title at or above the ratio, never one with unlimited copies or nothing waiting', () => {
    expect(overRatio(4, 1, 3)).toBe(true);
    expect(overRatio(4, 1, 5)).toBe(false);
    expect(overRatio(3, 1, 3)).toBe(true);
    expect(overRatio(5, 2, 3)).toBe(false);
    expect(overRatio(6, 2, 3)).toBe(true);
    expect(overRatio(0, 0, 3)).toBe(false);
    expect(overRatio(9, null, 3)).toBe(false);
    // Holds with no copy at all (licences expired): always over.
    expect(overRatio(1, 0, 3)).toBe(true);
  });

  it('gives holds per copy to two decimals, and none without a finite one', () => {
    expect(ratioOf(4, 1)).toBe(4);
    expect(ratioOf(7, 3)).toBe(2.33);
    expect(ratioOf(0, 2)).toBeNull();
    expect(ratioOf(3, 0)).toBeNull();
    expect(ratioOf(3, null)).toBeNull();
  });
});

const signals = (overrides: Partial<TitleSignals> & { titleId: string }): TitleSignals => ({
  title: `Title ${overrides.titleId}`,
  authors: ['Some Author'],
  isbns: [],
  holds: 0,
  copies: 1,
  denials30d: 0,
  wishes: 0,
  ...overrides,
});

const suggestion = (overrides: Partial<Suggestion> & { id: string }): Suggestion => ({
  title: `Suggested ${overrides.id}`,
  author: 'Someone',
  count: 1,
  notes: [],
  createdAt: '2026-03-01T00:00:00.000Z',
  lastSuggestedAt: '2026-03-01T00:00:00.000Z',
  ...overrides,
});

describe('acquisitionRows', () => {
  const titles = [
    signals({ titleId: 'busy', holds: 4, copies: 1 }),
    signals({ titleId: 'quiet', holds: 1, copies: 2 }),
    signals({ titleId: 'turned-away', denials30d: 5 }),
    signals({ titleId: 'wished', copies: 0, wishes: 2 }),
    signals({
      titleId: 'held',
      title: 'The Held Book',
      authors: ['Ada Writer'],
      isbns: ['0-306-40615-2'],
    }),
    signals({ titleId: 'open', copies: null, holds: 0 }),
  ];
  const suggestions = [
    suggestion({ id: 's-isbn', title: 'Some other spelling', isbn: '9780306406157', count: 2 }),
    suggestion({ id: 's-title', title: 'held book', author: 'Writer, Ada', count: 1 }),
    suggestion({ id: 's-new', title: 'Not Here Yet', count: 3, notes: ['please'] }),
  ];

  it('lists each title with its reasons, and suggestions of titles not held as their own rows', () => {
    const rows = acquisitionRows({ titles, suggestions, ratio: 3 });
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual(['busy', 'held', 's-new', 'turned-away', 'wished']);
    expect(byId.busy).toMatchObject({ reasons: ['holds-ratio'], holds: 4, copies: 1, ratio: 4 });
    expect(byId['turned-away']).toMatchObject({ reasons: ['denials'], denials30d: 5 });
    expect(byId.wished).toMatchObject({ reasons: ['wishes'], wishes: 2 });
    // Matched by ISBN (2) and by normalised title and author (1): counted on the title.
    expect(byId.held).toMatchObject({ kind: 'title', reasons: ['suggestions'], suggestions: 3 });
    expect(byId['s-new']).toMatchObject({
      kind: 'suggestion',
      reasons: ['not-in-collection', 'suggestions'],
      suggestions: 3,
      notes: ['please'],
    });
  });

  it('leaves a title at 4 holds on 1 copy out at ratio 5', () => {
    const rows = acquisitionRows({ titles, suggestions: [], ratio: 5 });
    expect(rows.map((r) => r.id)).not.toContain('busy');
  });

  it('sorts by any column either way; empty cells last; ties by demand', () => {
    const rows: AcquisitionRow[] = acquisitionRows({
      titles: [
        signals({ titleId: 'a', title: 'Alpha', holds: 4, copies: 1, denials30d: 1 }),
        signals({ titleId: 'b', title: 'Bravo', holds: 9, copies: 3, denials30d: 7 }),
        signals({ titleId: 'c', title: 'Charlie', holds: 2, copies: 0 }),
        signals({ titleId: 'd', title: 'Delta', denials30d: 2, copies: null }),
      ],
      suggestions: [suggestion({ id: 'e', title: 'Echo', count: 5 })],
      ratio: 3,
    });
    const ids = (sort: Parameters<typeof sortAcquisitionRows>[1], order?: 'asc' | 'desc') =>
      sortAcquisitionRows(rows, sort, order).map((r) => r.id);
    // No copy at all ranks above any ratio; a ratio tie (4 and 3 → 4, 3) goes by value; null last.
    expect(ids('ratio')).toEqual(['c', 'a', 'b', 'd', 'e']);
    expect(ids('ratio', 'asc')).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(ids('denials30d')).toEqual(['b', 'd', 'a', 'c', 'e']);
    expect(ids('suggestions')).toEqual(['e', 'c', 'a', 'b', 'd']);
    expect(ids('title')).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids('title', 'desc')).toEqual(['e', 'd', 'c', 'b', 'a']);
    // Unlimited copies (null) come last whichever the order.
    expect(ids('copies', 'asc').at(-1)).toBe('d');
    expect(ids('copies', 'desc').at(-1)).toBe('d');
  });

  it('writes CSV rows that read back cell for cell, formulas defused', () => {
    const rows = acquisitionRows({
      titles: [],
      suggestions: [suggestion({ id: 's1', title: '=HYPERLINK("x"), "quoted"', author: 'A, B', count: 2 })],
      ratio: 3,
    });
    const csv = writeCsv(acquisitionCsvRows(rows, () => '/#/console'));
    const read = readCsv(csv).map((r) => r.cells);
    expect(read[0]).toEqual([
      'kind',
      'id',
      'title',
      'author',
      'isbn',
      'reasons',
      'holds',
      'copies',
      'ratio',
      'denials30d',
      'wishes',
      'suggestions',
      'link',
    ]);
    expect(read[1]).toEqual([
      'suggestion',
      's1',
      `'=HYPERLINK("x"), "quoted"`,
      'A, B',
      '',
      'not-in-collection suggestions',
      '0',
      '0',
      '',
      '0',
      '0',
      '2',
      '/#/console',
    ]);
    expect(csv.endsWith('\r\n')).toBe(true);
  });
});

describe('the denial window', () => {
  it('is the 30 days ending today, across months', () => {
    expect(denialWindow(new Date('2026-03-10T12:00:00Z'))).toEqual({
      fromDay: '2026-02-09',
      toDay: '2026-03-10',
    });
  });

  it('sums both kinds of turnaway per title over every institution from the daily figures', async () => {
    const asked: string[][] = [];
    const use = (titleId: string, institution: string, limitExceeded: number, noLicense: number) => ({
      day: '2026-03-01',
      titleId,
      institution,
      requests: 4,
      investigations: 4,
      limitExceeded,
      noLicense,
      loans: 1,
    });
    const denials = dailyDenials({
      dailyTitleUse: (fromDay, toDay) => {
        asked.push([fromDay, toDay]);
        return Promise.resolve([
          use('t1', 'library', 3, 0),
          use('t1', 'unair', 0, 2),
          use('t2', 'library', 0, 0),
        ]);
      },
    });
    const counts = await denials.denialsByTitle('2026-02-09', '2026-03-10');
    expect(asked).toEqual([['2026-02-09', '2026-03-10']]);
    expect([...counts]).toEqual([['t1', 5]]);
  });
});
