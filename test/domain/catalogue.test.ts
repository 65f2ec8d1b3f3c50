import { describe, expect, it } from 'vitest';
import { CatalogueIndex, foldText, SnapshotMismatch } from '../../functions/domain/catalogue';
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

describe('catalogue index, scripts without spaces or with vowel signs', () => {
  const scripts = new CatalogueIndex(
    [
      title('mukashi', { title: '日本の昔話', authors: ['柳田國男'], language: 'ja' }),
      title('hangul', { title: '한국어 문법 사전', language: 'ko' }),
      title('katakana', { title: 'ガラスの街', language: 'ja' }),
      title('kitab', { title: 'كِتَاب الأَغَانِي', language: 'ar' }),
      title('tatweel', { title: 'تـــاريخ بغداد', language: 'ar' }),
      title('bereshit', { title: 'סֵפֶר בְּרֵאשִׁית', language: 'he' }),
    ],
    1,
  );
  const found = (q: string) => scripts.query({ q }).map((h) => h.title.id);

  it('finds a Japanese word inside a title written without spaces', () => {
    // Act / Assess: 昔話 is the end of 日本の昔話, not its beginning
    expect(found('昔話')).toEqual(['mukashi']);
    expect(found('日本')).toEqual(['mukashi']);
    expect(found('國男')).toEqual(['mukashi']);
    expect(found('昔話 日本')).toEqual(['mukashi']);
    expect(found('中国')).toEqual([]);
  });

  it('keeps kana voicing and Hangul syllables whole', () => {
    expect(found('ガラス')).toEqual(['katakana']);
    // カラス (crow) is another word than ガラス (glass)
    expect(found('カラス')).toEqual([]);
    expect(found('문법')).toEqual(['hangul']);
    expect(found('국어')).toEqual(['hangul']);
  });

  it('finds Arabic and Hebrew written with or without vowel signs and tatweel', () => {
    expect(found('كتاب')).toEqual(['kitab']);
    expect(found('كِتَاب')).toEqual(['kitab']);
    expect(found('تاريخ')).toEqual(['tatweel']);
    expect(found('تـاريـخ')).toEqual(['tatweel']);
    expect(found('בראשית')).toEqual(['bereshit']);
  });

  it('folds Arabic diacritics, tatweel and full-width Latin the same on both sides', () => {
    expect(foldText('كِتَـــاب')).toBe('كتاب');
    expect(foldText('ＰＵＳＴＡＫＡ')).toBe('pustaka');
  });
});

describe('catalogue index snapshot', () => {
  it('answers from a snapshot exactly as the index it was taken from', () => {
    // Prepare
    const bytes = index.toSnapshot();
    // Act
    const loaded = CatalogueIndex.fromSnapshot(bytes);
    // Assess
    expect(loaded.version).toBe(3);
    expect(loaded.size).toBe(4);
    for (const query of [
      { q: 'MOBY' },
      { q: 'moby dick' },
      { q: 'manu' },
      { q: 'melvile' },
      { lang: 'en' },
      { subject: 'sea stories' },
      { format: 'pdf' as const },
      {},
    ]) {
      expect(loaded.query(query).map((h) => [h.title.id, h.score])).toEqual(
        index.query(query).map((h) => [h.title.id, h.score]),
      );
    }
    expect(loaded.titles()).toEqual(index.titles());
  });

  it('refuses bytes that are not a snapshot', () => {
    expect(() => CatalogueIndex.fromSnapshot(new TextEncoder().encode('{"not":"an index"}'))).toThrow(
      SnapshotMismatch,
    );
  });

  it('lays titles changed since the snapshot over it: new, edited and withdrawn', () => {
    // Prepare
    const loaded = CatalogueIndex.fromSnapshot(index.toSnapshot());
    const laskar = title('laskar', { title: 'Laskar Pelangi', authors: ['Andrea Hirata'], language: 'id' });
    const renamed = { ...titles[1]!, title: 'Moby-Dick; or, The Whale', sortTitle: 'moby dick or the whale' };
    const withdrawn = { ...titles[0]!, status: 'withdrawn' as const };
    // Act
    const changed = loaded.withChanges([laskar, renamed, withdrawn], 4);
    const found = (q: string) => changed.query({ q }).map((h) => h.title.id);
    // Assess
    expect(changed.version).toBe(4);
    expect(changed.baseVersion).toBe(3);
    expect(found('pelangi')).toEqual(['laskar']);
    expect(found('whale')).toContain('moby');
    expect(found('bumi')).toEqual([]);
    expect(found('moby')).toEqual(['moby', 'whale']);
    expect(changed.query({}).map((h) => h.title.id)).toEqual(['cafe', 'whale', 'laskar', 'moby']);
    expect(changed.size).toBe(4);
    expect(loaded.query({ q: 'bumi' }).map((h) => h.title.id)).toEqual(['bumi']);
  });
});
