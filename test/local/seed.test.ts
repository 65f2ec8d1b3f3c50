import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shippedSampleNames, writeShippedSamples } from '../../functions/local/shipped-samples';
import { verifyPin } from '../../functions/adapters/pin-hasher';
import {
  demoAccounts,
  sampleFiles,
  sampleLicences,
  seedSampleLibrary,
  type SeedDeps,
} from '../../functions/local/seed';
import { createTestStack, fixturesDir, type TestStack } from '../helpers/stack';
import { scanTable } from '../helpers/table';
import { requireFixtures } from '../helpers/fixtures';
import { itemKinds } from '../../functions/adapters/entities';
import { licenceKeys } from '../../functions/adapters/keys';

let stack: TestStack;
let deps: SeedDeps;

beforeAll(async () => {
  stack = await createTestStack();
  deps = {
    titles: stack.deps.titles,
    patrons: stack.deps.patrons,
    content: stack.content,
    clock: stack.deps.clock,
    lending: stack.deps.lending,
  };
});
afterAll(() => stack.destroy());

describe('seeding the sample library', () => {
  it.skipIf(!requireFixtures('seeding every fixture'))(
    'seeds every fixture and demo account once, however often and however concurrently it runs',
    async () => {
      // Act: once, then twice at the same time
      const first = await seedSampleLibrary(deps, fixturesDir);
      const again = await Promise.all([
        seedSampleLibrary(deps, fixturesDir),
        seedSampleLibrary(deps, fixturesDir),
      ]);

      // Assess
      // The fixtures, and the samples the project ships beside them
      const files = [...sampleFiles(fixturesDir), ...shippedSampleNames];
      expect(first.titles.created).toHaveLength(files.length);
      expect(first.patrons.created).toEqual(demoAccounts.map((a) => a.cardNumber));
      for (const report of again) {
        expect(report.titles.created).toEqual([]);
        expect(report.patrons.created).toEqual([]);
        expect(report.licences.created).toEqual([]);
      }
      // Shipped samples get the default terms; the PDF is licensed too
      const licensed = [...Object.keys(sampleLicences), ...shippedSampleNames];
      expect(first.licences.created.sort()).toEqual(licensed.sort());
      const items = await scanTable(stack);
      expect(items.filter((i) => i.sk === itemKinds.title)).toHaveLength(files.length);
      expect(items.filter((i) => i.sk === itemKinds.patron)).toHaveLength(demoAccounts.length);
      expect(items.filter((i) => i.sk === itemKinds.card)).toHaveLength(demoAccounts.length);
      expect(items.filter((i) => String(i.sk).startsWith(licenceKeys.sortPrefix))).toHaveLength(
        licensed.length,
      );
      const objects = await stack.clients.s3.send(
        new ListObjectsV2Command({ Bucket: stack.config.CONTENT_BUCKET }),
      );
      const publications = (objects.Contents ?? []).filter((o) =>
        /publication\.(epub|pdf)$/.test(o.Key ?? ''),
      );
      expect(publications).toHaveLength(files.length);
    },
    // Three seeds of every fixture and shipped book, covers included, on a shared 2-core machine
    120_000,
  );

  it('stores PINs only as scrypt hashes that verify the demo PINs', async () => {
    // Prepare: seeding is idempotent, so this test does not lean on the one before
    await seedSampleLibrary(deps, fixturesDir);
    const librarian = demoAccounts.find((a) => a.roles.includes('librarian'))!;
    // Act
    const stored = await stack.deps.patrons.getByCard(librarian.cardNumber);
    // Assess
    expect(stored?.pinHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(await scanTable(stack))).not.toContain(`"${librarian.pin}"`);
    expect(await verifyPin(librarian.pin, stored!.pinHash)).toBe(true);
    expect(await verifyPin('0000', stored!.pinHash)).toBe(false);
    expect(stored?.roles).toEqual(['patron', 'librarian']);
  });

  it('seeds the samples the project ships, which pass the same inspection as any upload', async () => {
    // Prepare
    const dir = writeShippedSamples(mkdtempSync(join(tmpdir(), 'pustaka-shipped-')));
    const own = await createTestStack();
    // Act
    const report = await seedSampleLibrary(
      { titles: own.deps.titles, patrons: own.deps.patrons, content: own.content, clock: own.deps.clock },
      dir,
    );
    const response = await own.app.request('/titles?limit=10');
    const { data } = (await response.json()) as {
      data: { title: string; authors: string[]; format: string; pageCount?: number }[];
    };
    await own.destroy();
    rmSync(dir, { recursive: true, force: true });
    // Assess: the folder's files are the shipped samples themselves, seeded once
    expect(report.titles.created).toHaveLength(shippedSampleNames.length);
    expect(report.titles.existing).toEqual([]);
    expect(data.map((t) => [t.title, t.authors, t.format])).toEqual(
      expect.arrayContaining([
        ['Perpustakaan yang Tidak Pernah Tidur', ['Tim Pustaka'], 'epub'],
        ['The Library That Never Sleeps', ['Tim Pustaka'], 'pdf'],
      ]),
    );
    expect(data.find((t) => t.format === 'pdf')?.pageCount).toBe(2);
  });
});
