import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { titleKeys } from '../../functions/adapters/keys';
import { createLibrarian } from '../helpers/auth';
import { createTestStack, type TestStack } from '../helpers/stack';
import { epub, packageOpf } from '../domain/publication/builders';
import { publish, uploadFile } from './admin-content.helpers';

let stack: TestStack;
let librarian: string;

beforeAll(async () => {
  stack = await createTestStack();
  librarian = (await createLibrarian(stack)).accessToken;
});
afterAll(() => stack.destroy());

async function published(fileName: string, bytes: Uint8Array): Promise<{ id: string; warnings?: string[] }> {
  const { upload, complete } = await uploadFile(stack, librarian, fileName, bytes);
  expect(complete.status).toBe(200);
  const response = await publish(stack, librarian, { uploadId: upload.id });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as { id: string; warnings?: string[] };
}

describe('warnings found at publication', () => {
  it('publishes a book with scripted items, and its title record says EPUB_SCRIPTED wherever it is read', async () => {
    // Prepare
    const scripted = epub({
      'OEBPS/content.opf': packageOpf({
        manifest:
          '<item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml" properties="scripted"/>',
      }),
    });

    // Act
    const created = await published('Interaktif.epub', scripted);

    // Assess: the answer, the title as the console reads it, and the stored record
    expect(created.warnings).toEqual(['EPUB_SCRIPTED']);
    const read = await stack.app.request(`/titles/${created.id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { warnings?: string[] }).warnings).toEqual(['EPUB_SCRIPTED']);
    const { Item } = await stack.clients.documents.send(
      new GetCommand({ TableName: stack.config.TABLE_NAME, Key: titleKeys.item(created.id) }),
    );
    expect(Item?.warnings).toEqual(['EPUB_SCRIPTED']);
  });

  it('gives a book without scripted items no warnings', async () => {
    // Act
    const created = await published('Biasa.epub', epub());

    // Assess
    expect(created.warnings).toBeUndefined();
    const read = await stack.app.request(`/titles/${created.id}`);
    expect(((await read.json()) as { warnings?: string[] }).warnings).toBeUndefined();
  });
});
