import { describe, expect, it } from 'vitest';
import { duplicatePublication, withIsbnWarning } from '../../functions/domain/content-pipeline';
import type { Licence } from '../../functions/domain/licence';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import {
  isbnKey,
  isNearlyUsedUp,
  listTitles,
  matchesLicences,
  matchesTitle,
  summariseLicences,
  type TitleListing,
  type TitleListSource,
} from '../../functions/domain/title-list';
import { day, licence } from './lending-fixtures';

const now = new Date('2026-06-01T00:00:00Z');
const inDays = (n: number) => new Date(now.getTime() + n * day).toISOString();

function book(id: string, name: string, overrides: Partial<Title> = {}): Title {
  return {
    id,
    title: name,
    sortTitle: sortTitleOf(name),
    authors: ['Anonim'],
    subjects: [],
    identifiers: {},
    format: 'epub',
    access: 'licensed',
    status: 'active',
    contentKey: `content/${id}/publication.epub`,
    contentType: 'application/epub+zip',
    size: 1,
    sha256: id,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    ...overrides,
  };
}

/** The two listings held in memory, in catalogue order, read the way the adapter reads gsi1. */
function memorySource(titles: Title[], pools: Record<string, Licence[]> = {}) {
  const reads = { titles: 0, licences: 0 };
  const order = (a: Title, b: Title) => (`${a.sortTitle}#${a.id}` < `${b.sortTitle}#${b.id}` ? -1 : 1);
  const source: TitleListSource = {
    async titles(listing: TitleListing, after, limit) {
      reads.titles += 1;
      const all = titles.filter((t) => (t.status === 'withdrawn') === (listing === 'withdrawn')).sort(order);
      const from = after
        ? all.findIndex((t) => `${t.sortTitle}#${t.id}` > `${after.sortTitle}#${after.id}`)
        : 0;
      const rest = from < 0 ? [] : all.slice(from);
      return { titles: rest.slice(0, limit), more: rest.length > limit };
    },
    async licences(titleId) {
      reads.licences += 1;
      return pools[titleId] ?? [];
    },
  };
  return { source, reads };
}

describe('search and the title filters', () => {
  it('finds a title by words of its title or an author, ignoring case and accents', () => {
    // Prepare
    const t = book('t-1', 'Cantik Itu Luka', { authors: ['Éka Kurniawan'] });
    // Act / Assess
    expect(matchesTitle(t, { q: 'eka' })).toBe(true);
    expect(matchesTitle(t, { q: 'LUKA kurniawan' })).toBe(true);
    expect(matchesTitle(t, { q: 'itu' })).toBe(true);
    expect(matchesTitle(t, { q: 'pramoedya' })).toBe(false);
    expect(matchesTitle(t, { q: 'luka pramoedya' })).toBe(false);
  });

  it('finds a title by its ISBN, with or without hyphens, as ISBN-10 or ISBN-13', () => {
    // Prepare
    const t = book('t-1', 'Bumi Manusia', { identifiers: { isbn: ['9789799731234'] } });
    // Act / Assess
    expect(matchesTitle(t, { q: '978-979-97312-3-4' })).toBe(true);
    expect(matchesTitle(t, { q: '97312' })).toBe(true);
    expect(matchesTitle(t, { q: '979973123X' })).toBe(true); // its ISBN-10
    expect(isbnKey('979-97312-3-X')).toBe('9789799731234');
    expect(matchesTitle(t, { q: '9789799731241' })).toBe(false);
    expect(matchesTitle(t, { q: '979973124' })).toBe(false);
  });

  it('keeps only the access, format and withdrawn state asked for', () => {
    // Prepare
    const open = book('t-1', 'A', { access: 'open', format: 'pdf' });
    const gone = book('t-2', 'B', { status: 'withdrawn' });
    // Act / Assess
    expect(matchesTitle(open, { access: 'open' })).toBe(true);
    expect(matchesTitle(open, { access: 'licensed' })).toBe(false);
    expect(matchesTitle(open, { format: 'epub' })).toBe(false);
    expect(matchesTitle(open, { format: 'pdf', access: 'open' })).toBe(true);
    expect(matchesTitle(gone, { withdrawn: true })).toBe(true);
    expect(matchesTitle(gone, { withdrawn: false })).toBe(false);
    expect(matchesTitle(open, { withdrawn: true })).toBe(false);
  });
});

describe('licence filters and the summary', () => {
  it('counts a licensed title "without licence" when none of its licences lends now', () => {
    // Prepare
    const t = book('t-1', 'A');
    const expired = licence('old', { expires: inDays(-1) });
    const spent = { ...licence('spent', { checkouts: 3 }), checkoutsLeft: 0 };
    const off = { ...licence('off'), deactivatedAt: now.toISOString() };
    // Act / Assess
    expect(matchesLicences(t, [], { withoutLicence: true }, now)).toBe(true);
    expect(matchesLicences(t, [expired, spent, off], { withoutLicence: true }, now)).toBe(true);
    expect(matchesLicences(t, [expired, licence('live')], { withoutLicence: true }, now)).toBe(false);
    expect(matchesLicences(book('t-2', 'B', { access: 'open' }), [], { withoutLicence: true }, now)).toBe(
      false,
    );
  });

  it('finds an active licence expiring within the days asked, not an expired or later one', () => {
    // Prepare
    const t = book('t-1', 'A');
    const q = { licenceExpiringWithin: 30 };
    // Act / Assess
    expect(matchesLicences(t, [licence('soon', { expires: inDays(29) })], q, now)).toBe(true);
    expect(matchesLicences(t, [licence('edge', { expires: inDays(30) })], q, now)).toBe(true);
    expect(matchesLicences(t, [licence('later', { expires: inDays(31) })], q, now)).toBe(false);
    expect(matchesLicences(t, [licence('gone', { expires: inDays(-2) })], q, now)).toBe(false);
    expect(matchesLicences(t, [licence('forever')], q, now)).toBe(false);
    const off = { ...licence('off', { expires: inDays(3) }), deactivatedAt: now.toISOString() };
    expect(matchesLicences(t, [off], q, now)).toBe(false);
  });

  it('calls a metered licence nearly used up at 5 left or 10 % left, whichever is more', () => {
    // Prepare
    const left = (total: number, remaining: number) => ({
      ...licence(`l-${total}-${remaining}`, { checkouts: total }),
      checkoutsLeft: remaining,
    });
    // Act / Assess
    expect(isNearlyUsedUp(left(20, 5), now)).toBe(true);
    expect(isNearlyUsedUp(left(20, 6), now)).toBe(false);
    expect(isNearlyUsedUp(left(1000, 100), now)).toBe(true);
    expect(isNearlyUsedUp(left(1000, 101), now)).toBe(false);
    expect(isNearlyUsedUp(left(20, 0), now)).toBe(false); // used up: no longer active
    expect(isNearlyUsedUp(licence('unlimited'), now)).toBe(false);
    expect(
      matchesLicences(book('t-1', 'A'), [licence('u'), left(10, 2)], { checkoutsNearlyUsedUp: true }, now),
    ).toBe(true);
  });

  it('summarises active licences: count, soonest expiry, checkouts left', () => {
    // Prepare
    const pool = [
      { ...licence('a', { checkouts: 10, expires: inDays(40) }), checkoutsLeft: 4 },
      { ...licence('b', { checkouts: 5, expires: inDays(12) }), checkoutsLeft: 5 },
      licence('old', { expires: inDays(-1) }),
    ];
    // Act
    const summary = summariseLicences(pool, now);
    // Assess
    expect(summary).toEqual({ active: 2, total: 3, soonestExpiry: inDays(12), checkoutsLeft: 9 });
    expect(summariseLicences([...pool, licence('u')], now).checkoutsLeft).toBeNull();
    expect(summariseLicences([], now)).toEqual({
      active: 0,
      total: 0,
      soonestExpiry: null,
      checkoutsLeft: 0,
    });
  });
});

describe('paging', () => {
  const catalogue = Array.from({ length: 23 }, (_, i) =>
    book(`t-${String(i).padStart(2, '0')}`, `Buku ${String(i).padStart(2, '0')}`, {
      access: i % 2 === 0 ? 'licensed' : 'open',
    }),
  );
  const withdrawn = [
    book('t-w1', 'Ditarik Satu', { status: 'withdrawn' }),
    book('t-w2', 'Ditarik Dua', { status: 'withdrawn' }),
  ];

  async function walk(
    source: TitleListSource,
    query: Parameters<typeof listTitles>[1],
    limit: number,
    chunk: number,
  ) {
    const ids: string[] = [];
    let start: Awaited<ReturnType<typeof listTitles>>['next'];
    let pages = 0;
    do {
      const page = await listTitles(source, query, {
        limit,
        now,
        ...(start ? { start } : {}),
        limits: { chunk },
      });
      ids.push(...page.rows.map((r) => r.id));
      start = page.next;
      pages += 1;
    } while (start && pages < 50);
    return { ids, pages };
  }

  it('walks the catalogue then the withdrawn titles, each once, whatever the page and chunk sizes', async () => {
    // Prepare
    const { source } = memorySource([...catalogue, ...withdrawn]);
    // Act
    const small = await walk(source, {}, 4, 3);
    const large = await walk(source, {}, 10, 100);
    // Assess
    const expected = [...catalogue.map((t) => t.id), 't-w2', 't-w1'];
    expect(small.ids).toEqual(expected);
    expect(large.ids).toEqual(expected);
    expect(small.pages).toBe(Math.ceil(expected.length / 4));
  });

  it('fills pages with matches across chunks, and ends with no cursor', async () => {
    // Prepare
    const { source } = memorySource([...catalogue, ...withdrawn]);
    // Act
    const { ids } = await walk(source, { access: 'open', withdrawn: false }, 3, 4);
    // Assess
    expect(ids).toEqual(catalogue.filter((t) => t.access === 'open').map((t) => t.id));
  });

  it('stops at the reading budget with a cursor, and the next request goes on from there', async () => {
    // Prepare
    const { source, reads } = memorySource(catalogue, { 't-22': [] });
    // Act: a search for the last title, with a budget of ten titles read
    const first = await listTitles(
      source,
      { q: 'buku 22' },
      { limit: 5, now, limits: { chunk: 5, maxExamined: 10 } },
    );
    // Assess
    expect(first.rows).toEqual([]);
    expect(first.next).toEqual({ listing: 'catalogue', after: { sortTitle: 'buku 09', id: 't-09' } });
    expect(reads.titles).toBe(2);
    const second = await listTitles(
      source,
      { q: 'buku 22' },
      { limit: 5, now, start: first.next!, limits: { chunk: 5 } },
    );
    expect(second.rows.map((r) => r.id)).toEqual(['t-22']);
  });

  it('gives each row its licence summary and the management link', async () => {
    // Prepare
    const pool = [{ ...licence('a', { checkouts: 10, expires: inDays(5) }), checkoutsLeft: 3 }];
    const { source } = memorySource(catalogue.slice(0, 3), { 't-00': pool });
    // Act
    const { rows } = await listTitles(source, { licenceExpiringWithin: 30 }, { limit: 10, now });
    // Assess
    expect(rows).toEqual([
      {
        id: 't-00',
        title: 'Buku 00',
        authors: ['Anonim'],
        format: 'epub',
        access: 'licensed',
        withdrawn: false,
        isbn: [],
        licences: { active: 1, total: 1, soonestExpiry: inDays(5), checkoutsLeft: 3 },
        link: '#/console/titles/t-00',
      },
    ]);
  });
});

describe('the ISBN warning at publication', () => {
  it('names the other titles with one of the ISBNs (ISBN-10 or -13), never the title itself', () => {
    // Prepare
    const fresh = book('t-new', 'Baru', { identifiers: { isbn: ['9786020331232'] } });
    const same = book('t-old', 'Lama', { identifiers: { isbn: ['6020331237'] } });
    const other = book('t-x', 'Lain', { identifiers: { isbn: ['9789794330011'] } });
    // Act
    const warned = withIsbnWarning(fresh, [same, other, fresh]);
    const clean = withIsbnWarning(fresh, [other]);
    // Assess
    expect(warned.warnings).toEqual(['ISBN_IN_CATALOGUE']);
    expect(warned.sameIsbnAs).toEqual([{ id: 't-old', title: 'Lama' }]);
    expect(clean).toBe(fresh);
    expect(clean.warnings).toBeUndefined();
  });

  it('refuses a duplicate with the existing title in the problem', () => {
    // Act
    const error = duplicatePublication({ id: 't-old', title: 'Lama' }, 'ab'.repeat(32));
    // Assess
    expect(error.status).toBe(409);
    expect(error.code).toBe('DUPLICATE_PUBLICATION');
    expect(error.context).toEqual({ existingTitle: { id: 't-old', title: 'Lama' }, sha256: 'ab'.repeat(32) });
    expect(error.message).toContain('Lama');
  });
});
