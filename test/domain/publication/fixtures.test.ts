import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { bytesByteSource, inspectPublication } from '../../../functions/domain/publication';
import { countingSource } from './builders';
import { describeWithFixtures, fixturesDir } from '../../helpers/fixtures';

const fixtures = fixturesDir;
const load = (path: string) => new Uint8Array(readFileSync(resolve(fixtures, path)));
const listed = (kind: 'epub' | 'pdf') =>
  existsSync(resolve(fixtures, kind))
    ? readdirSync(resolve(fixtures, kind)).filter((f) => f.endsWith(`.${kind}`))
    : [];

describeWithFixtures('inspecting the shared real-world publications', () => {
  it.each([...listed('epub'), ...listed('pdf')])('accepts %s with a title', async (file) => {
    // Prepare
    const kind = file.endsWith('.pdf') ? 'pdf' : 'epub';
    const source = bytesByteSource(load(`${kind}/${file}`));

    // Act
    const inspection = await inspectPublication(source, { declaredName: file });

    // Assess
    expect(inspection.format).toBe(kind);
    expect(inspection.contentType).toBe(kind === 'pdf' ? 'application/pdf' : 'application/epub+zip');
    expect(inspection.metadata.title.length).toBeGreaterThan(0);
  });

  it.each([
    ['moby-dick.epub', 'Moby-Dick', ['Herman Melville'], 'en-US', 'image/jpeg'],
    ['wasteland.epub', 'The Waste Land', ['T.S. Eliot'], 'en-US', 'image/jpeg'],
    ['accessible_epub_3.epub', 'Accessible EPUB 3', ['Matt Garrish'], 'en', 'image/jpeg'],
    [
      'childrens-literature.epub',
      "Children's Literature",
      ['Charles Madison Curry', 'Erle Elsworth Clippinger'],
      'en',
      'image/png',
    ],
    ['georgia-cfi.epub', 'Georgia', ['Various'], 'en-US', 'image/png'],
    ['internallinks.epub', 'IDに漢字などを使用したサンプル', [], 'ja', 'image/png'],
  ])('reads the metadata and cover of %s', async (file, title, authors, language, coverType) => {
    // Prepare
    const source = bytesByteSource(load(`epub/${file}`));

    // Act
    const { metadata, cover } = await inspectPublication(source, { declaredName: file });

    // Assess
    expect(metadata).toMatchObject({ title, authors, language });
    expect(cover?.contentType).toBe(coverType);
    expect(cover?.bytes.byteLength).toBeGreaterThan(1000);
  });

  it('picks the main title among several and keeps every subject (childrens-literature.epub)', async () => {
    // Act
    const { metadata } = await inspectPublication(bytesByteSource(load('epub/childrens-literature.epub')));

    // Assess
    expect(metadata.title).toBe("Children's Literature");
    expect(metadata.subjects).toEqual([
      'Children -- Books and reading',
      "Children's literature -- Study and teaching",
    ]);
    expect(metadata.published).toBe('2008-05-20');
    expect(metadata.identifiers).toEqual({ other: ['http://www.gutenberg.org/ebooks/25545'] });
  });

  it('classifies a urn:isbn identifier and decodes entities in the publisher', async () => {
    // Act
    const accessible = await inspectPublication(bytesByteSource(load('epub/accessible_epub_3.epub')));
    const moby = await inspectPublication(bytesByteSource(load('epub/moby-dick.epub')));

    // Assess
    expect(accessible.metadata.identifiers).toEqual({ isbn: ['9781449328030'] });
    expect(accessible.metadata.publisher).toBe('O’Reilly Media, Inc.');
    expect(moby.metadata.publisher).toBe('Harper & Brothers, Publishers');
  });

  it('reads page count and Info dictionary of gnuplot.pdf', async () => {
    // Act
    const { metadata, cover } = await inspectPublication(bytesByteSource(load('pdf/gnuplot.pdf')), {
      declaredName: 'gnuplot.pdf',
    });

    // Assess
    expect(metadata).toEqual({
      title: 'gnuplot documentation',
      authors: ['gnuplot'],
      description: 'see www.gnuplot.info',
      subjects: [],
      identifiers: {},
      pageCount: 311,
      published: '2022-10-20',
    });
    // No cover of its own: the first page, drawn, stands in for it.
    expect(cover).toMatchObject({ contentType: 'image/jpeg', width: 600 });
  });

  it('titles R-intro.pdf, whose Info has no Title and which has no XMP, by the largest text on its first page', async () => {
    // Act
    const { metadata } = await inspectPublication(bytesByteSource(load('pdf/R-intro.pdf')), {
      declaredName: 'R-intro.pdf',
    });

    // Assess
    expect(metadata).toMatchObject({
      title: 'An Introduction to R',
      authors: [],
      pageCount: 113,
      published: '2023-01-20',
    });
  });

  it('reads only a small part of a large EPUB (central directory, package files, cover)', async () => {
    // Prepare
    const bytes = load('epub/accessible_epub_3.epub');
    const withCover = countingSource(bytesByteSource(bytes));
    const withoutCover = countingSource(bytesByteSource(bytes));

    // Act
    const full = await inspectPublication(withCover);
    const lean = await inspectPublication(withoutCover, { limits: { maxCoverBytes: 0 } });

    // Assess
    expect(full.cover).toBeDefined();
    expect(lean.cover).toBeUndefined();
    expect(withoutCover.bytesRead).toBeLessThan(bytes.byteLength * 0.03);
    expect(withCover.bytesRead).toBeLessThan(bytes.byteLength * 0.2);
    // tail (with the central directory), mimetype, container.xml, OPF, cover: few requests when it is S3
    expect(withCover.reads).toBeLessThanOrEqual(6);
  });

  it('reads only part of a PDF through the range transport', async () => {
    // Prepare
    const bytes = load('pdf/gnuplot.pdf');
    const source = countingSource(bytesByteSource(bytes));

    // Act
    const { metadata } = await inspectPublication(source);

    // Assess
    expect(metadata.pageCount).toBe(311);
    expect(source.bytesRead).toBeLessThan(bytes.byteLength * 0.5);
  });
});
