import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { seedSampleLibrary } from '../../functions/local/seed';
import { writeShippedSamples } from '../../functions/local/shipped-samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Title } from '../../functions/domain/title';
import { addLicence, addPatron, addTitle } from '../helpers/lending';
import { opdsValidator } from '../helpers/opds-schemas';
import { expectProblem } from '../helpers/problem';
import { createTestStack, type TestStack } from '../helpers/stack';

/**
 * The OPDS feeds as reading apps browse them: numbered pages with first/previous/next/last, the counts, search
 * paged to its end, an empty query meaning everything, the language/format/availability facets, the root's
 * groups, and covers with their size. Every document validates against ../shared/schemas (Ajv 2020).
 */

type Link = {
  href: string;
  rel?: string | string[];
  type?: string;
  title?: string;
  width?: number;
  height?: number;
  properties?: { numberOfItems?: number };
};
type Publication = { metadata: { title: string; language?: string }; links: Link[]; images?: Link[] };
type Feed = {
  metadata: { title: string; numberOfItems?: number; itemsPerPage?: number; currentPage?: number };
  links: Link[];
  navigation?: Link[];
  publications?: Publication[];
  facets?: { metadata: { title: string }; links: Link[] }[];
  groups?: {
    metadata: { title: string; numberOfItems?: number };
    links: Link[];
    publications?: Publication[];
  }[];
};

const validate = opdsValidator();
let stack: TestStack;
/** Words every seeded title carries in its subjects, so a search can match more than 50 of them. */
const commonWord = 'samudra';
const seeded: Title[] = [];
let unavailable: Title;

beforeAll(async () => {
  stack = await createTestStack();
  // 55 searchable EPUBs in English, 6 PDFs in Indonesian, created a minute apart (the newest last).
  const start = Date.parse('2026-01-01T00:00:00Z');
  for (let i = 0; i < 61; i++) {
    const pdf = i >= 55;
    const created = new Date(start + i * 60_000).toISOString();
    seeded.push(
      await addTitle(stack, {
        title: `${pdf ? 'Kisah' : 'Voyage'} ${String(i).padStart(2, '0')}`,
        subjects: [commonWord],
        language: pdf ? 'id' : 'en-GB',
        format: pdf ? 'pdf' : 'epub',
        access: 'open',
        contentType: pdf ? 'application/pdf' : 'application/epub+zip',
        createdAt: created,
        updatedAt: created,
      }),
    );
  }
  // One licensed title whose only copy is out: "available now" leaves it out.
  unavailable = await addTitle(stack, { title: 'Borrowed Away', language: 'en', access: 'licensed' });
  await addLicence(stack, unavailable.id, { concurrency: 1 });
  const patron = await addPatron(stack);
  await stack.deps.lending.checkout({ patronId: patron.id, titleId: unavailable.id });
}, 120_000);

afterAll(async () => {
  await stack?.destroy();
});

const rels = (link: Link) => (Array.isArray(link.rel) ? link.rel : link.rel ? [link.rel] : []);
const linkOf = (feed: Feed, rel: string) => feed.links.find((l) => rels(l).includes(rel));

async function feedAt(href: string): Promise<Feed> {
  const response = await stack.app.request(href);
  expect(response.status, href).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/opds+json');
  const feed = (await response.json()) as Feed;
  expect(validate('feed', feed), href).toEqual([]);
  return feed;
}

/** Follows `next` from `href` to the end; answers every page. */
async function allPages(href: string): Promise<Feed[]> {
  const pages: Feed[] = [];
  for (let at: string | undefined = href; at; at = linkOf(pages.at(-1)!, 'next')?.href) {
    pages.push(await feedAt(at));
    expect(pages.length).toBeLessThan(50);
  }
  return pages;
}

describe('OPDS paging', () => {
  it('numbers its pages: first, previous, next and last links, the counts and the current page', async () => {
    // Act
    const first = await feedAt('/opds/publications?limit=25');
    const second = await feedAt(linkOf(first, 'next')!.href);
    const last = await feedAt(linkOf(first, 'last')!.href);
    // Assess
    expect(first.metadata).toMatchObject({ numberOfItems: 62, itemsPerPage: 25, currentPage: 1 });
    expect(linkOf(first, 'previous')).toBeUndefined();
    expect(linkOf(first, 'first')!.href).toBe('/opds/publications?limit=25');
    expect(second.metadata.currentPage).toBe(2);
    expect(linkOf(second, 'previous')!.href).toBe(linkOf(first, 'self')!.href);
    expect(last.metadata.currentPage).toBe(3);
    expect(last.publications).toHaveLength(12);
    expect(linkOf(last, 'next')).toBeUndefined();
    expect(linkOf(last, 'last')!.href).toBe(linkOf(last, 'self')!.href);
  });

  it('pages a search to its end: all 55 matches of a word, well past 50', async () => {
    // Act
    const pages = await allPages(`/opds/publications?query=${commonWord}&limit=10&format=epub`);
    // Assess
    const titles = pages.flatMap((p) => (p.publications ?? []).map((x) => x.metadata.title));
    expect(pages[0]!.metadata.numberOfItems).toBe(55);
    expect(titles).toHaveLength(55);
    expect(new Set(titles).size).toBe(55);
    expect(pages).toHaveLength(6);
  });

  it('takes an empty query (an empty template expansion) as everything', async () => {
    // Act
    const feed = await feedAt('/opds/publications?query=');
    // Assess
    expect(feed.metadata.title).toBe('All titles');
    expect(feed.metadata.numberOfItems).toBe(62);
  });

  it('answers a page past the end with the way back, and refuses a page 0', async () => {
    // Act
    const past = await feedAt('/opds/publications?page=99');
    const zero = await stack.app.request('/opds/publications?page=0');
    // Assess
    expect(past.publications).toBeUndefined();
    expect(past.navigation?.[0]?.href).toBe('/opds');
    expect(linkOf(past, 'previous')!.href).toBe('/opds/publications?page=4');
    await expectProblem(zero, 400, 'VALIDATION_FAILED');
  });
});

describe('OPDS facets', () => {
  it('offers language, format and availability, with counts, and each narrows the list', async () => {
    // Act
    const all = await feedAt('/opds/publications');
    const facet = (feed: Feed, name: string) => feed.facets!.find((f) => f.metadata.title === name)!;
    const indonesian = facet(all, 'Language').links.find((l) => l.title === 'Indonesian')!;
    const narrowed = await feedAt(indonesian.href);
    // Assess
    expect(indonesian.properties?.numberOfItems).toBe(6);
    expect(facet(all, 'Language').links.find((l) => l.title === 'English')!.properties?.numberOfItems).toBe(
      56,
    );
    expect(facet(all, 'Format').links.map((l) => [l.title, l.properties?.numberOfItems])).toEqual([
      ['All formats', undefined],
      ['EPUB', 56],
      ['PDF', 6],
    ]);
    expect(narrowed.metadata.numberOfItems).toBe(6);
    expect(narrowed.publications!.every((p) => p.metadata.language === 'id')).toBe(true);
    // The selected value is marked, and the format counts now hold within Indonesian.
    expect(rels(facet(narrowed, 'Language').links.find((l) => l.title === 'Indonesian')!)).toEqual(['self']);
    expect(facet(narrowed, 'Format').links.find((l) => l.title === 'PDF')!.properties?.numberOfItems).toBe(6);
    expect(facet(narrowed, 'Format').links.find((l) => l.title === 'EPUB')).toBeUndefined();
  });

  it('keeps out a title whose only copy is on loan when asked for what is available now', async () => {
    // Act
    const everything = await allPages('/opds/publications?limit=100');
    const available = await allPages('/opds/publications?availability=available&limit=100');
    // Assess
    const titlesOf = (pages: Feed[]) =>
      pages.flatMap((p) => (p.publications ?? []).map((x) => x.metadata.title));
    expect(titlesOf(everything)).toContain(unavailable.title);
    expect(titlesOf(available)).not.toContain(unavailable.title);
    expect(available[0]!.metadata.numberOfItems).toBe(61);
  });

  it('refuses an unknown facet value with a problem', async () => {
    await expectProblem(await stack.app.request('/opds/publications?format=mobi'), 400, 'VALIDATION_FAILED');
  });
});

describe('OPDS groups', () => {
  it('shows the new titles, newest first, as a group of the root whose list is a paged feed', async () => {
    // Act
    const root = await feedAt('/opds');
    const group = root.groups!.find((g) => g.metadata.title === 'New titles')!;
    const list = await feedAt(group.links.find((l) => rels(l).includes('self'))!.href);
    // Assess
    expect(group.metadata.numberOfItems).toBe(62);
    expect(group.publications!.map((p) => p.metadata.title).slice(0, 2)).toEqual([
      'Borrowed Away',
      'Kisah 60',
    ]);
    expect(group.publications).toHaveLength(10);
    expect(list.metadata).toMatchObject({ title: 'New titles', numberOfItems: 62 });
    expect(list.publications![1]!.metadata.title).toBe('Kisah 60');
    expect(root.navigation!.map((n) => n.title)).toEqual(['All titles', 'New titles']);
  });

  it('takes groups from a plugged-in source, as the library’s collections will be', async () => {
    // Prepare: a second app over the same stack with a collections source.
    const { createApp } = await import('../../functions/http/app');
    const app = createApp({
      ...stack.deps,
      collectionGroups: async ({ titles }) => [
        {
          key: 'collection:sea',
          title: 'Sea stories',
          numberOfItems: 2,
          titles: titles.filter((t) => t.title.startsWith('Voyage 0')).slice(0, 2),
          list: { query: 'voyage' },
        },
        {
          key: 'collection:empty',
          title: 'Nothing yet',
          numberOfItems: 0,
          titles: [],
          list: { query: 'none' },
        },
      ],
    });
    // Act
    const response = await app.request('/opds');
    const root = (await response.json()) as Feed;
    // Assess
    expect(validate('feed', root)).toEqual([]);
    expect(root.groups!.map((g) => g.metadata.title)).toEqual(['New titles', 'Sea stories']);
    expect(root.groups![1]!.publications!.map((p) => p.metadata.title)).toEqual(['Voyage 00', 'Voyage 01']);
  });
});

describe('OPDS images', () => {
  let samples: TestStack;
  let dir: string;
  beforeAll(async () => {
    samples = await createTestStack();
    dir = writeShippedSamples(mkdtempSync(join(tmpdir(), 'pustaka-samples-')));
    const { titles, patrons, clock } = samples.deps;
    await seedSampleLibrary({ titles, patrons, clock, content: samples.content }, dir);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await samples?.destroy();
  });

  it('gives a PDF without a cover its first page as the image, with the image’s real size', async () => {
    // Prepare: the shipped sample PDF, published as `npm start` seeds it.
    const index = await samples.deps.catalogue.current();
    const pdf = index.titles().find((t) => t.format === 'pdf')!;
    // Act
    const response = await samples.app.request(`/opds/publications/${pdf.id}`);
    const publication = (await response.json()) as Publication;
    const cover = await samples.app.request(publication.images![0]!.href);
    const image = await fetch(cover.headers.get('location')!);
    // Assess
    expect(validate('publication', publication)).toEqual([]);
    expect(publication.images).toEqual([
      {
        href: `${samples.deps.config.PUBLIC_API_URL}/opds/publications/${pdf.id}/cover`,
        type: 'image/jpeg',
        width: 600,
        height: 849,
      },
    ]);
    expect(cover.status).toBe(302);
    const size = await sharp(new Uint8Array(await image.arrayBuffer())).metadata();
    expect([size.format, size.width, size.height]).toEqual(['jpeg', 600, 849]);
  });
});
