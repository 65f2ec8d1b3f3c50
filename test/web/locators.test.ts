import { describe, expect, it } from 'vitest';
import {
  packageEntryOf,
  pdfLocations,
  pdfPageOf,
  positionCounts,
  positionOf,
} from '../../web/src/readers/locators';

/** The web reader's locators follow Readium's, so positions mean the same place in Readium apps. */

describe('Readium locators in the web reader', () => {
  const entries = new Set(['mimetype', 'EPUB/package.opf', 'EPUB/cover.xhtml', 'EPUB/text/ch 1.xhtml']);
  const exists = (path: string) => entries.has(path);

  it.each([
    ['a Readium href, from the package root', 'EPUB/cover.xhtml', 'EPUB/cover.xhtml'],
    ['with a fragment and percent-encoding', 'EPUB/text/ch%201.xhtml#p3', 'EPUB/text/ch 1.xhtml'],
    ['an href saved before, relative to the OPF', 'cover.xhtml', 'EPUB/cover.xhtml'],
    ['an OPF-relative href in a subfolder', 'text/ch%201.xhtml', 'EPUB/text/ch 1.xhtml'],
    ['nothing in the package', 'EPUB/missing.xhtml', undefined],
    ['a path out of the package', '../../etc/passwd', undefined],
  ])('resolves %s inside the package', (_case, href, entry) => {
    expect(packageEntryOf(href, 'EPUB/package.opf', exists)).toBe(entry);
  });

  it('counts positions as Readium does: one per started 1024 bytes, at least one per resource', () => {
    expect(positionCounts([0, 1, 1024, 1025, 10_000])).toEqual([1, 1, 1, 2, 10]);
  });

  it('numbers positions across the reading order, the last one starting at or before the progression', () => {
    const counts = positionCounts([3000, 500, 10_240]); // 3, 1, 10 positions
    expect(positionOf(counts, 0, 0)).toBe(1);
    expect(positionOf(counts, 0, 0.66)).toBe(2);
    expect(positionOf(counts, 0, 1)).toBe(3);
    expect(positionOf(counts, 1, 0.9)).toBe(4);
    expect(positionOf(counts, 2, 0)).toBe(5);
    expect(positionOf(counts, 2, 0.35)).toBe(8);
    expect(positionOf(counts, 2, 1)).toBe(14);
  });

  it('locates a PDF page with a page=N fragment and its real progression, and reads all three spellings', () => {
    expect(pdfLocations(5, 20)).toEqual({
      fragments: ['page=5'],
      position: 5,
      progression: 0.2,
      totalProgression: 0.2,
      page: 5,
    });
    expect(pdfPageOf({ fragments: ['page=7'] })).toBe(7);
    expect(pdfPageOf({ position: 4 })).toBe(4);
    expect(pdfPageOf({ page: 3, position: 9 })).toBe(3);
  });
});
