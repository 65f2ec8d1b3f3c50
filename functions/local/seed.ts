import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { S3ContentStore } from '../adapters/content-store';
import { withFileByteSource } from '../adapters/file-byte-source';
import { renderCoverWithSharp } from '../adapters/cover-images';
import { objectKeys } from '../adapters/keys';
import { storeCover } from '../domain/covers';
import { hashPin } from '../adapters/pin-hasher';
import { defaultLimits, type Patron, type Role } from '../domain/patron';
import type { LendingRepository } from '../domain/lending-ports';
import { newLicence } from '../domain/licence';
import type { Clock, PatronRepository, TitleRepository } from '../domain/ports';
import type { NotificationRepository } from '../domain/notification-ports';
import { inspectPublication } from '../domain/publication';
import { writeShippedSamples } from './shipped-samples';
import { libraryUtcOffsetHours, type ProgrammeRepository } from '../domain/programme';
import { titleFromPublication, type AccessMode, type Title } from '../domain/title';
import { everyTitle } from '../domain/title-holds';
import type { Collection, CollectionRepository } from '../domain/collection';

/** The demo accounts printed by `npm start`. PINs are stored hashed like any other. */
export const demoAccounts: { cardNumber: string; pin: string; name: string; email: string; roles: Role[] }[] =
  [
    {
      cardNumber: '20000001',
      pin: '1234',
      name: 'Siti Rahayu',
      email: 'siti@example.org',
      roles: ['patron'],
    },
    {
      cardNumber: '20000002',
      pin: '1234',
      name: 'Budi Santoso',
      email: 'budi@example.org',
      roles: ['patron'],
    },
    {
      cardNumber: '20000003',
      pin: '1234',
      name: 'Dewi Lestari',
      email: 'dewi@example.org',
      roles: ['patron'],
    },
    {
      cardNumber: '90000001',
      pin: '9876',
      name: 'Pustakawan Utama',
      email: 'librarian@example.org',
      roles: ['patron', 'librarian'],
    },
  ];

/**
 * How each sample title may be read; every other sample title is licensed (see `sampleLicences`).
 */
export const sampleAccess: Record<string, AccessMode> = {
  'georgia-cfi.epub': 'open',
  // Partner titles: read with an entitlement of the demo university (functions/local/demo-university.ts).
  'R-intro.pdf': 'partner',
  'internallinks.epub': 'partner',
};

/**
 * The licence each licensed sample title gets, terms varied so every lending rule can be tried by hand
 * (ODL terms; null = unlimited / perpetual / library default). `expiresInDays` counts from the first seed.
 */
export const sampleLicences: Record<
  string,
  { concurrency: number | null; checkouts: number | null; expiresInDays: number | null }
> = {
  'moby-dick.epub': { concurrency: 1, checkouts: null, expiresInDays: null }, // one copy, one user
  'childrens-literature.epub': { concurrency: 3, checkouts: null, expiresInDays: null },
  'accessible_epub_3.epub': { concurrency: 2, checkouts: 10, expiresInDays: null },
  'wasteland.epub': { concurrency: 2, checkouts: null, expiresInDays: 30 },
  'gnuplot.pdf': { concurrency: 3, checkouts: null, expiresInDays: null },
};

export interface SeedReport {
  titles: { created: string[]; existing: string[] };
  /** Title id by sample file name. */
  titleIds: Record<string, string>;
  patrons: { created: string[]; existing: string[] };
  licences: { created: string[]; existing: string[] };
  /** The featured collection: its id, and whether this run created it. */
  collection?: { id: string; created: boolean; titleIds: string[] };
}

export interface SeedDeps {
  titles: TitleRepository;
  patrons: PatronRepository;
  content: S3ContentStore;
  clock: Clock;
  /** Where licences go; without it titles are seeded without licences. */
  lending?: Pick<LendingRepository, 'addLicence'>;
  /** Where the demo patrons' confirmed e-mail addresses go; without it they get none. */
  notifications?: Pick<NotificationRepository, 'settings' | 'setVerifiedEmail'>;
  /** Where the demo's running reading programme goes; without it there is none. */
  programmes?: Pick<ProgrammeRepository, 'get' | 'create'>;
  /** Where the demo's featured collection goes; without it there is none. */
  collections?: Pick<CollectionRepository, 'create' | 'get'>;
}

const stableId = (prefix: string, seed: string) =>
  `${prefix}${createHash('sha256').update(seed).digest('hex').slice(0, 20)}`;

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every EPUB and PDF in the fixtures folder, in a stable order. */
export function sampleFiles(fixturesDir: string): string[] {
  const files: string[] = [];
  for (const folder of ['epub', 'pdf']) {
    const dir = join(fixturesDir, folder);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (['.epub', '.pdf'].includes(extname(name).toLowerCase())) files.push(join(dir, name));
    }
  }
  return files;
}

/**
 * Seeds the sample library. Idempotent: ids derive from content (titles) and card numbers (accounts), and every
 * write is conditional, so a second run (or two at once) leaves exactly one copy of each.
 */
export async function seedSampleLibrary(deps: SeedDeps, fixturesDir: string): Promise<SeedReport> {
  const report: SeedReport = {
    titles: { created: [], existing: [] },
    titleIds: {},
    patrons: { created: [], existing: [] },
    licences: { created: [], existing: [] },
  };

  /** Deterministic licence ids and a conditional write: a second seed (or two at once) adds nothing. */
  const seedLicence = async (titleId: string, fileName: string) => {
    // Licensed samples not named above (e.g. the ones the project ships) get two perpetual copies.
    const terms = sampleLicences[fileName] ?? { concurrency: 2, checkouts: null, expiresInDays: null };
    if (!deps.lending || (sampleAccess[fileName] ?? 'licensed') !== 'licensed') return;
    const now = deps.clock.now();
    const licence = newLicence(
      stableId('lic-', `seed:${fileName}`),
      titleId,
      {
        concurrency: terms.concurrency,
        checkouts: terms.checkouts,
        expires:
          terms.expiresInDays === null
            ? null
            : new Date(now.getTime() + terms.expiresInDays * 86_400_000).toISOString(),
        loanLength: null,
      },
      now,
    );
    if (await deps.lending.addLicence(licence)) report.licences.created.push(fileName);
    else report.licences.existing.push(fileName);
  };

  const seeded = new Set<string>();
  const seedFile = async (path: string) => {
    const sha256 = await sha256OfFile(path);
    const id = stableId('t-', sha256);
    // The same file met twice in one run (the shipped samples given as the fixtures folder) is one title.
    if (seeded.has(id)) return;
    seeded.add(id);
    report.titleIds[basename(path)] = id;
    const existing = await deps.titles.get(id);
    if (existing) {
      report.titles.existing.push(existing.title);
      await seedLicence(id, basename(path));
      return;
    }
    const inspection = await withFileByteSource(path, (source) =>
      inspectPublication(source, { declaredName: basename(path) }),
    );
    const size = statSync(path).size;
    const contentKey = objectKeys.content(id, inspection.format);
    await deps.content.put(contentKey, createReadStream(path), inspection.contentType, size);
    const stored = inspection.cover
      ? await storeCover(
          {
            put: (key, bytes, type) => deps.content.put(key, bytes, type),
            keys: objectKeys,
            renderCover: renderCoverWithSharp,
          },
          id,
          inspection.cover,
        )
      : undefined;
    const { width, height } = inspection.cover ?? {};
    const cover = stored && width && height ? { ...stored, width, height } : stored;
    const title = titleFromPublication({
      id,
      inspection,
      stored: { contentKey, size, sha256, ...(cover ? { cover } : {}) },
      access: sampleAccess[basename(path)] ?? 'licensed',
      now: deps.clock.now(),
    });
    // Published as a librarian's upload is (with its file's marker), so uploading a sample again is caught.
    const published = await deps.titles.publish(title, { allowDuplicate: false });
    if ('duplicateOf' in published) {
      // The file is already a title under another id (a librarian uploaded it before the seed ran).
      report.titles.existing.push(title.title);
      report.titleIds[basename(path)] = published.duplicateOf.id;
      return;
    }
    if (published.created) report.titles.created.push(title.title);
    else report.titles.existing.push(title.title);
    await seedLicence(id, basename(path));
  };
  for (const path of sampleFiles(fixturesDir)) await seedFile(path);

  // Indonesian books next to the fixtures, with or without ../shared: the bilingual samples and the books the
  // project writes itself (shipped-samples.ts), built afresh and published through the same inspection.
  const shippedDir = writeShippedSamples(mkdtempSync(join(tmpdir(), 'pustaka-shipped-')));
  try {
    for (const path of sampleFiles(shippedDir)) await seedFile(path);
  } finally {
    rmSync(shippedDir, { recursive: true, force: true });
  }

  for (const account of demoAccounts) {
    if (await deps.patrons.getByCard(account.cardNumber)) {
      report.patrons.existing.push(account.cardNumber);
      continue;
    }
    const now = deps.clock.now().toISOString();
    const patron: Patron = {
      id: stableId('p-', `demo:${account.cardNumber}`),
      cardNumber: account.cardNumber,
      name: account.name,
      email: account.email,
      status: 'active',
      roles: account.roles,
      ...defaultLimits,
      pinHash: await hashPin(account.pin),
      createdAt: now,
      updatedAt: now,
    };
    if (await deps.patrons.create(patron)) report.patrons.created.push(account.cardNumber);
    else report.patrons.existing.push(account.cardNumber);
  }
  // The demo patrons' addresses count as confirmed, so the demo's mails arrive in /dev/mail at once.
  if (deps.notifications) {
    for (const account of demoAccounts) {
      const patron = await deps.patrons.getByCard(account.cardNumber);
      if (!patron) continue;
      const settings = await deps.notifications.settings(patron.id);
      if (!settings.email) await deps.notifications.setVerifiedEmail(patron.id, account.email);
    }
  }
  // One running reading programme, open to everyone: this month's challenge (next month's when this one has
  // less than a week left), so the demo has one whenever it starts.
  if (deps.programmes) {
    const offset = libraryUtcOffsetHours * 3_600_000;
    const local = new Date(deps.clock.now().getTime() + offset);
    const year = local.getUTCFullYear();
    let month = local.getUTCMonth();
    if (new Date(Date.UTC(year, month + 1, 1)).getTime() - local.getTime() < 7 * 86_400_000) month += 1;
    const startsAt = new Date(Date.UTC(year, month, 1) - offset);
    const endsAt = new Date(Date.UTC(year, month + 1, 1) - offset);
    const monthName = (locale: string) =>
      new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'Asia/Jakarta' }).format(startsAt);
    const id = `tantangan-membaca-${new Date(startsAt.getTime() + offset).toISOString().slice(0, 7)}`;
    if (!(await deps.programmes.get(id))) {
      await deps.programmes
        .create({
          id,
          name: {
            id: `Tantangan Membaca ${monthName('id-ID')}`,
            en: `${monthName('en-GB')} Reading Challenge`,
          },
          description: {
            id: 'Selesaikan tiga buku dari perpustakaan digital bulan ini dan dapatkan sertifikat. Terbuka untuk semua anggota.',
            en: 'Finish three books from the digital library this month and earn a certificate. Open to every patron.',
          },
          startsAt: startsAt.toISOString(),
          endsAt: endsAt.toISOString(),
          audience: { kind: 'everyone' },
          goal: { kind: 'books', target: 3 },
          createdAt: deps.clock.now().toISOString(),
        })
        // Two seeds at once: the other one wrote it.
        .catch((error: unknown) => {
          if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        });
    }
  }
  // Keep this block last: it picks its titles from everything seeded before it.
  if (deps.collections) report.collection = await seedFeaturedCollection(deps, deps.collections);
  return report;
}

// ---- the demo's featured collection ------------------------------------------------------------------------

export const featuredCollectionId = 'c-pilihan-pustakawan';
/** Titles in other languages the collection takes beside every Indonesian one. */
const otherLanguageTitles = 4;

/**
 * "Pilihan Pustakawan / Librarians' picks", featured from the first start with no end. Chosen by a rule, not a
 * list, so whatever the sample library holds (with or without ../shared, and books added to the seed later):
 * every active title in Indonesian first, then the first few others in catalogue order. Created once; a later
 * start leaves it (and any librarian's changes to it) alone.
 */
export async function seedFeaturedCollection(
  deps: Pick<SeedDeps, 'titles' | 'clock'>,
  collections: Pick<CollectionRepository, 'create' | 'get'>,
): Promise<NonNullable<SeedReport['collection']>> {
  const existing = await collections.get(featuredCollectionId);
  if (existing) return { id: existing.id, created: false, titleIds: existing.titleIds };
  const active = (await everyTitle(deps.titles)).filter((t) => t.status === 'active');
  const indonesian = (t: Title) => /^(id|ind)(-|$)/i.test(t.language ?? '');
  const chosen = [
    ...active.filter(indonesian),
    ...active.filter((t) => !indonesian(t)).slice(0, otherLanguageTitles),
  ];
  const withCover = chosen.find((t) => t.coverKey);
  const now = deps.clock.now().toISOString();
  const collection: Collection = {
    id: featuredCollectionId,
    name: { id: 'Pilihan Pustakawan', en: "Librarians' picks" },
    description: {
      id: 'Bacaan pilihan pustakawan Kota Nusantara: buku berbahasa Indonesia dan beberapa dari bahasa lain.',
      en: 'Chosen by the librarians of Kota Nusantara: books in Indonesian and a few from other languages.',
    },
    titleIds: chosen.map((t) => t.id),
    ...(withCover ? { cover: { kind: 'title' as const, titleId: withCover.id } } : {}),
    featuredFrom: now,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const created = await collections.create(collection);
  const stored = created ? collection : await collections.get(featuredCollectionId);
  return { id: featuredCollectionId, created, titleIds: stored?.titleIds ?? collection.titleIds };
}
