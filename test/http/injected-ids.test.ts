import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createLibrarian, json } from '../helpers/auth';
import { sequentialIds } from '../helpers/ids';
import { createTestStack, type TestStack } from '../helpers/stack';
import { startUpload, type UploadBody } from './admin-content.helpers';

/**
 * The domain takes new ids from the IdSource it is given (functions/domain/ids.ts), never from a random source
 * of its own: with a numbered source the ids a librarian sees are the numbered ones. (This stack has its own
 * table, so numbered ids meet no other test's records.)
 */

const ids = sequentialIds(0x100);
let stack: TestStack;
let librarian: string;

beforeAll(async () => {
  stack = await createTestStack({ deps: { ids } });
  librarian = (await createLibrarian(stack)).accessToken;
});
afterAll(() => stack.destroy());

describe('ids from the injected source', () => {
  it('names an enrolled patron and a started upload by the next ids of the source', async () => {
    // Prepare
    const before = ids.issued;
    // Act
    const enrolled = await stack.app.request(
      '/admin/patrons',
      json('POST', { cardNumber: '31000001', name: 'Sari Wulandari', pin: '4321' }, bearer(librarian)),
    );
    const started = await startUpload(stack, librarian, {
      fileName: 'buku.epub',
      size: 1024,
      contentType: 'application/epub+zip',
    });
    // Assess: what the librarian is told, and what is stored under it
    expect(enrolled.status).toBe(201);
    expect(started.status).toBe(201);
    const patronId = `p-00000000-0000-4000-8000-${(0x100 + before).toString(16).padStart(12, '0')}`;
    const uploadId = `u-00000000000040008000${(0x100 + before + 1).toString(16).padStart(12, '0')}`;
    expect(((await enrolled.json()) as { id: string }).id).toBe(patronId);
    expect(((await started.json()) as UploadBody).id).toBe(uploadId);
    expect((await stack.deps.patrons.get(patronId))?.name).toBe('Sari Wulandari');
    expect((await stack.deps.uploads.get(uploadId))?.fileName).toBe('buku.epub');
    expect(ids.issued).toBe(before + 2);
  });
});
