import { describe, expect, it } from 'vitest';
import { CatalogueIndex, foldText } from '../../functions/domain/catalogue';
import { sortTitleOf, type Title } from '../../functions/domain/title';

function title(id: string, fields: Partial<Title> & { title: string }): Title {
  return {
    id,
    sortTitle: sortTitleOf(fields.title),
    authors: [],
    subjects: [],
    identifiers: {},
    format: 'epub',
    access: 'licensed',
    status: 'active',
    contentKey: `content/${id}/publication.epub`,
    contentType: 'application/epub+zip',
    size: 1,
    sha256: 'x',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...fields,
  };
}

const titles = [
  title('bumi', {
    title: 'Bumi Manusia',
    authors: ['Pramoedya Ananta Toer'],
    language: 'id',
    subjects: ['Sejarah', 'Fiksi Indonesia'],
    description: 'Kisah Minke pada masa kolonial.',
  }),
  title('moby', {
    title: 'Moby-Dick',
    authors: ['Herman Melville'],
    language: 'en-US',
    subjects: ['Whaling', 'Sea stories'],
    description: 'The voyage of the whaling ship Pequod.',
  }),
  title('cafe', {
    title: 'Café Society',
    authors: ['Émile Zola'],
    language: 'fr',
    format: 'pdf',
    access: 'open',
  }),
  title('whale', {
    title: 'A History of Whales',
    authors: ['Ana Ruiz'],
    language: 'en',
    subjects: ['Natural history'],
    description: 'Mentions moby dick in passing.',
  }),
  title('gone', { title: 'Moby Withdrawn', status: 'withdrawn' }),
];
const index = new CatalogueIndex(titles, 3);
const ids = (q: Parameters<CatalogueIndex['query']>[0]) => index.query(q).map((h) => h.title.id);

describe('catalogue index', () => {
  it('folds case and accents the same way on both sides', () => {
    expect(foldText('Émile ZOLA Café')).toBe('emile zola cafe');
  });

  it('finds a title by a word of it, ignoring case, accents and withdrawn titles', () => {
    // Act / Assess
    expect(ids({ q: 'MOBY' })).toEqual(['moby', 'whale']);
    expect(ids({ q: 'cafe' })).toEqual(['cafe']);
    expect(ids({ q: 'emile zola' })).toEqual(['cafe']);
  });

  it('ranks a match in the title above a match in the description', () => {
    expect(ids({ q: 'moby dick' })[0]).toBe('moby');
  });

  it('matches authors, subjects and description, Indonesian included', () => {
    expect(ids({ q: 'pramoedya' })).toEqual(['bumi']);
    expect(ids({ q: 'sejarah' })).toEqual(['bumi']);
    expect(ids({ q: 'kolonial' })).toEqual(['bumi']);
    expect(ids({ q: 'pequod' })).toEqual(['moby']);
  });

  it('matches a prefix of the last word and tolerates a typo in a long word', () => {
    expect(ids({ q: 'manu' })).toEqual(['bumi']);
    expect(ids({ q: 'melvile' })).toEqual(['moby']);
  });

  it('requires every word to match', () => {
    expect(ids({ q: 'moby zola' })).toEqual([]);
  });

  it('filters by language (with regions), format, access and subject', () => {
    expect(ids({ lang: 'en' })).toEqual(['whale', 'moby']);
    expect(ids({ q: 'moby', lang: 'en-us' })).toEqual(['moby']);
    expect(ids({ format: 'pdf' })).toEqual(['cafe']);
    expect(ids({ access: 'open' })).toEqual(['cafe']);
    expect(ids({ subject: 'fiksi' })).toEqual(['bumi']);
    expect(ids({ subject: 'sea stories' })).toEqual(['moby']);
  });

  it('lists everything active in catalogue order without text', () => {
    expect(ids({})).toEqual(['bumi', 'cafe', 'whale', 'moby']);
    expect(ids({ q: 'the' })).toEqual(['bumi', 'cafe', 'whale', 'moby']);
    expect(index.size).toBe(4);
    expect(index.version).toBe(3);
  });
});
