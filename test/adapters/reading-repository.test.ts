import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bookmark, ReadingProgress } from '../../functions/domain/reading';
import { createTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterAll(() => stack.destroy());

const locator = (page: number) => ({
  href: '/publication.pdf',
  type: 'application/pdf',
  locations: { page, position: page, totalProgression: page / 100 },
});
const progress = (page: number, modified: string): ReadingProgress => ({
  titleId: 't-1',
  locator: locator(page),
  modified,
});

describe('reading repository', () => {
  it('keeps the newest position and refuses to move back to an older save', async () => {
    // Prepare
    const repo = stack.deps.reading;
    await repo.putProgress('p-a', progress(10, '2026-03-01T10:00:00.000Z'));
    // Act
    const newer = await repo.putProgress('p-a', progress(20, '2026-03-01T10:05:00.000Z'));
    const older = await repo.putProgress('p-a', progress(5, '2026-03-01T09:00:00.000Z'));
    // Assess
    expect(newer.saved).toBe(true);
    expect(older).toMatchObject({ saved: false, stored: { locator: { locations: { page: 20 } } } });
    expect((await repo.getProgress('p-a', 't-1'))?.locator.locations.page).toBe(20);
  });

  it("keeps each patron's position apart", async () => {
    await stack.deps.reading.putProgress('p-b', progress(3, '2026-03-01T10:00:00.000Z'));
    expect((await stack.deps.reading.getProgress('p-b', 't-1'))?.locator.locations.page).toBe(3);
    expect(await stack.deps.reading.getProgress('p-c', 't-1')).toBeUndefined();
  });

  it('adds, lists and deletes bookmarks of one patron in one title', async () => {
    // Prepare
    const repo = stack.deps.reading;
    const mark = (id: string, titleId = 't-1'): Bookmark => ({
      id,
      titleId,
      locator: locator(7),
      label: `mark ${id}`,
      created: '2026-03-01T10:00:00.000Z',
    });
    await repo.addBookmark('p-a', mark('b1'));
    await repo.addBookmark('p-a', mark('b2'));
    await repo.addBookmark('p-a', mark('b3', 't-10'));
    await repo.addBookmark('p-b', mark('b4'));
    // Act
    const deleted = await repo.deleteBookmark('p-a', 't-1', 'b1');
    const deletedByOther = await repo.deleteBookmark('p-b', 't-1', 'b2');
    // Assess
    expect(deleted).toBe(true);
    expect(deletedByOther).toBe(false);
    expect((await repo.listBookmarks('p-a', 't-1')).map((b) => b.id)).toEqual(['b2']);
    expect((await repo.listBookmarks('p-a', 't-10')).map((b) => b.id)).toEqual(['b3']);
  });
});
