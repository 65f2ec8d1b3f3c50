import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../functions/adapters/aws-clients';
import { catalogueSnapshotKeys } from '../../functions/adapters/keys';
import { DynamoTitleRepository } from '../../functions/adapters/title-repository';
import { createDeps } from '../../functions/handlers/api-composition';
import { sweep } from '../../functions/application/sweep';
import { createApp } from '../../functions/http/app';
import { sortTitleOf, type Title } from '../../functions/domain/title';
import { createTestStack, type TestStack } from '../helpers/stack';
import { describeWithFixtures, seedFixtures } from '../helpers/fixtures';

interface TitleBody {
  id: string;
  title: string;
  format: string;
  access: string;
  language?: string;
  cover?: string;
}
interface PageBody {
  data: TitleBody[];
  cursor: string | null;
}

let stack: TestStack;

beforeAll(async () => {
  stack = await createTestStack();
  await seedFixtures(stack);
});
afterAll(() => stack.destroy());

async function search(query: string): Promise<PageBody> {
  const response = await stack.app.request(`/titles?${query}`);
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as PageBody;
}

describeWithFixtures('GET /titles?q=', () => {
  it('finds Moby-Dick by a lower-case word of its title', async () => {
    // Act
    const { data } = await search('q=moby');
    // Assess
    expect(data[0]?.title).toBe('Moby-Dick');
  });

  it('finds by author, ignoring case', async () => {
    const { data } = await search('q=MELVILLE');
    expect(data.map((t) => t.title)).toContain('Moby-Dick');
  });

  it('filters by format and access without text', async () => {
    const pdfs = await search('format=pdf&limit=100');
    expect(pdfs.data.length).toBeGreaterThanOrEqual(2);
    expect(pdfs.data.every((t) => t.format === 'pdf')).toBe(true);
    const open = await search('access=open');
    expect(open.data.every((t) => t.access === 'open')).toBe(true);
    expect(open.data.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps only titles that can be read or borrowed right now with available=true', async () => {
    // Act
    const { data } = await search('available=true&limit=100');
    // Assess: each is open, or its title page says a copy is free
    expect(data.length).toBeGreaterThanOrEqual(1);
    for (const title of data) {
      if (title.access === 'open') continue;
      const detail = (await (await stack.app.request(`/titles/${title.id}`)).json()) as {
        availability: { available: number | null };
      };
      expect(detail.availability.available === null || detail.availability.available > 0).toBe(true);
    }
  });

  it('pages through search results with an offset cursor bound to the query', async () => {
    // Prepare
    const all = await search('format=epub&limit=100');
    // Act
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: PageBody = await search(`format=epub&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.data.map((t) => t.id));
      cursor = page.cursor;
    } while (cursor);
    // Assess
    expect(seen).toEqual(all.data.map((t) => t.id));
    const first = await search('format=epub&limit=2');
    const reused = await stack.app.request(`/titles?format=pdf&limit=2&cursor=${first.cursor}`);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it.each(['format=mobi', 'access=free', 'lang=english!', 'available=maybe', `q=${'x'.repeat(201)}`])(
    'refuses %s with 400',
    async (query) => {
      const response = await stack.app.request(`/titles?${query}`);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    },
  );

  it('sees a title created after the index was built, once the catalogue marker moves', async () => {
    // Prepare: warm the index, then add a title through the repository (which bumps the marker).
    await search('q=moby');
    const now = new Date().toISOString();
    const added: Title = {
      id: 't-laskar',
      title: 'Laskar Pelangi',
      sortTitle: sortTitleOf('Laskar Pelangi'),
      authors: ['Andrea Hirata'],
      subjects: ['Pendidikan'],
      identifiers: {},
      language: 'id',
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: 'content/t-laskar/publication.epub',
      contentType: 'application/epub+zip',
      size: 1,
      sha256: 'x',
      createdAt: now,
      updatedAt: now,
    };
    expect(await stack.deps.titles.create(added)).toBe(true);
    // Act: the holder checks the marker at most every few seconds; poll like a patron retrying.
    let found: TitleBody[] = [];
    await expect
      .poll(
        async () => {
          found = (await search('q=pelangi')).data;
          return found.map((t) => t.id);
        },
        { timeout: 10_000, interval: 500 },
      )
      .toEqual(['t-laskar']);
  });
});

describeWithFixtures('GET /titles/{id}/cover', () => {
  it('redirects to a signed link that stays the same within the hour, with the redirect cacheable', async () => {
    // Prepare
    const { data } = await search('q=moby');
    const cover = data[0]!.cover!;
    // Act
    const first = await stack.app.request(cover);
    const second = await stack.app.request(cover);
    // Assess
    expect(first.status).toBe(302);
    const location = first.headers.get('location')!;
    expect(location).toContain('X-Amz-Signature=');
    expect(second.headers.get('location')).toBe(location);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+$/);
    const image = await fetch(location);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toMatch(/^image\//);
    expect((await image.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it('answers 404 for an unknown title', async () => {
    const response = await stack.app.request('/titles/t-nope/cover');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'COVER_NOT_FOUND' });
  });
});

describe('catalogue index snapshot', () => {
  let own: TestStack;
  const made = (id: string, name: string, language: string): Title => {
    const now = new Date().toISOString();
    return {
      id,
      title: name,
      sortTitle: sortTitleOf(name),
      authors: ['Penulis Contoh'],
      subjects: ['Sastra'],
      identifiers: {},
      language,
      format: 'epub',
      access: 'licensed',
      status: 'active',
      contentKey: `content/${id}/publication.epub`,
      contentType: 'application/epub+zip',
      size: 1,
      sha256: 'x',
      createdAt: now,
      updatedAt: now,
    };
  };

  /** A new API process over its own clients, with every DynamoDB command it sends written down. */
  function freshApi() {
    const clients = createAwsClients(own.config);
    const sent: { command: string; index?: string }[] = [];
    clients.documents.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { IndexName?: string };
        sent.push({
          command: context.commandName ?? '?',
          ...(input.IndexName ? { index: input.IndexName } : {}),
        });
        return next(args);
      },
      { step: 'initialize', name: 'countCommands' },
    );
    const app = createApp(createDeps(own.config, clients));
    return {
      sent,
      async search(q: string): Promise<string[]> {
        const response = await app.request(`/titles?q=${encodeURIComponent(q)}`);
        expect(response.status, await response.clone().text()).toBe(200);
        return ((await response.json()) as PageBody).data.map((t) => t.id);
      },
      close: () => {
        clients.dynamo.destroy();
        clients.s3.destroy();
      },
    };
  }
  const listings = (sent: { command: string }[]) =>
    sent.filter((s) => /^(Query|Scan)/.test(s.command)).map((s) => s.command);
  const snapshotKeys = async () =>
    (
      (
        await own.clients.s3.send(
          new ListObjectsV2Command({
            Bucket: own.config.CONTENT_BUCKET,
            Prefix: catalogueSnapshotKeys.prefix,
          }),
        )
      ).Contents ?? []
    ).map((o) => o.Key!);

  beforeAll(async () => {
    own = await createTestStack();
    for (const title of [
      made('t-mukashi', '日本の昔話', 'ja'),
      made('t-kitab', 'كِتَاب الأَغَانِي', 'ar'),
      made('t-bumi', 'Bumi Manusia', 'id'),
    ])
      expect(await own.deps.titles.create(title)).toBe(true);
  });
  afterAll(() => own.destroy());

  it('is built by the sweep, stored in the bucket and loaded by a new API process without listing the titles', async () => {
    // Act
    await sweep(own.deps);
    const api = freshApi();
    try {
      const mukashi = await api.search('昔話');
      const kitab = await api.search('كتاب');
      // Assess
      expect(await snapshotKeys()).toHaveLength(1);
      expect(mukashi).toEqual(['t-mukashi']);
      expect(kitab).toEqual(['t-kitab']);
      expect(listings(api.sent)).toEqual([]);
      expect(api.sent.map((s) => s.command)).toContain('GetItemCommand');
    } finally {
      api.close();
    }
  });

  it('answers from the snapshot plus the titles published and withdrawn since, before the next sweep', async () => {
    // Prepare: one title published, one withdrawn, no sweep
    expect(await own.deps.titles.create(made('t-laskar', 'Laskar Pelangi', 'id'))).toBe(true);
    const now = new Date();
    expect(
      await own.deps.titles.update('t-bumi', { status: 'withdrawn', withdrawnAt: now.toISOString() }, now),
    ).toBeDefined();
    const api = freshApi();
    try {
      // Act
      const laskar = await api.search('pelangi');
      const bumi = await api.search('bumi');
      // Assess
      expect(laskar).toEqual(['t-laskar']);
      expect(bumi).toEqual([]);
      expect(listings(api.sent)).toEqual([]);
      expect(api.sent.map((s) => s.command)).toContain('BatchGetItemCommand');
    } finally {
      api.close();
    }
  });

  it('is rebuilt by the next sweep once the catalogue moved, and then needs no title read at all', async () => {
    // Act
    await sweep(own.deps);
    const marker = await new DynamoTitleRepository(
      own.clients.documents,
      own.config.TABLE_NAME,
    ).catalogueMarker();
    const api = freshApi();
    try {
      const laskar = await api.search('pelangi');
      const bumi = await api.search('bumi');
      // Assess
      expect(marker.snapshot?.version).toBe(marker.version);
      expect(marker.changed).toEqual([]);
      expect(await snapshotKeys()).toHaveLength(2);
      expect(laskar).toEqual(['t-laskar']);
      expect(bumi).toEqual([]);
      // Reads only: counting the searches for COUNTER writes its own small updates.
      expect(api.sent.map((s) => s.command).filter((c) => /^(Get|BatchGet|Query|Scan)/.test(c))).toEqual([
        'GetItemCommand',
      ]);
    } finally {
      api.close();
    }
  });

  it('a warm API sees a change within its check interval, from the marker and the changed title only', async () => {
    // Prepare: a warm process
    const api = freshApi();
    try {
      expect(await api.search('pelangi')).toEqual(['t-laskar']);
      // Act: withdrawn elsewhere (another process's write moves the marker)
      const now = new Date();
      await own.deps.titles.update('t-laskar', { status: 'withdrawn', withdrawnAt: now.toISOString() }, now);
      // Assess: the holder checks the marker at most every few seconds; poll like a patron retrying.
      await expect.poll(() => api.search('pelangi'), { timeout: 10_000, interval: 500 }).toEqual([]);
      expect(listings(api.sent)).toEqual([]);
    } finally {
      api.close();
    }
  });

  it('falls back to building from the table when the named snapshot cannot be read', async () => {
    // Prepare: the snapshot object is gone (e.g. expired by the bucket's lifecycle rule)
    const [key] = await snapshotKeys();
    const objects = (await snapshotKeys()).map((Key) => ({ Key }));
    await own.clients.s3.send(
      new DeleteObjectsCommand({ Bucket: own.config.CONTENT_BUCKET, Delete: { Objects: objects } }),
    );
    expect(key).toBeDefined();
    const api = freshApi();
    try {
      // Act
      const found = await api.search('昔話');
      // Assess
      expect(found).toEqual(['t-mukashi']);
      expect(listings(api.sent)).toEqual(['QueryCommand']);
    } finally {
      api.close();
    }
  });
});
