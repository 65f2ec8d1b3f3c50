import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createLibrarian, createPatron, json } from '../helpers/auth';
import { addTitle } from '../helpers/lending';
import { createTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
afterAll(() => stack.destroy());
beforeAll(async () => {
  stack = await createTestStack();
});

interface NamedEntry {
  action: string;
  actor: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  names?: Record<string, string>;
}

const trail = async (token: string, query: string) => {
  const response = await stack.app.request(`/admin/audit?${query}`, { headers: bearer(token) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: NamedEntry[] }).data;
};

describe('audit entries carry names beside ids', () => {
  it('names the title, the patron and the librarian of each action, as they are when the trail is read', async () => {
    // Prepare
    const librarian = await createLibrarian(stack, { name: 'Dewi Pustakawati' });
    const { patron } = await createPatron(stack, { name: 'Budi Santoso' });
    const title = await addTitle(stack, { title: 'Laskar Pelangi' });

    // Act: the librarian edits the title, adds a licence to it and blocks the patron; then renames the title
    const edited = await stack.app.request(
      `/admin/titles/${title.id}`,
      json('PATCH', { publisher: 'Bentang Pustaka' }, bearer(librarian.accessToken)),
    );
    const licence = await stack.app.request(
      `/admin/titles/${title.id}/licences`,
      json(
        'POST',
        { terms: { concurrency: 1, checkouts: null, expires: null, loanLength: null } },
        bearer(librarian.accessToken),
      ),
    );
    const blocked = await stack.app.request(
      `/admin/patrons/${patron.id}`,
      json('PATCH', { status: 'blocked' }, bearer(librarian.accessToken)),
    );
    const entries = await trail(librarian.accessToken, `actor=${librarian.patron.id}`);
    const renamed = await stack.app.request(
      `/admin/titles/${title.id}`,
      json('PATCH', { title: 'Laskar Pelangi (edisi baru)' }, bearer(librarian.accessToken)),
    );
    const afterRename = await trail(librarian.accessToken, `targetType=title&targetId=${title.id}`);

    // Assess
    expect([edited.status, licence.status, blocked.status, renamed.status]).toEqual([200, 201, 200, 200]);
    const edit = entries.find((e) => e.action === 'title.edit');
    const added = entries.find((e) => e.action === 'licence.add');
    const block = entries.find((e) => e.action === 'patron.block');
    expect(edit).toMatchObject({
      actor: librarian.patron.id,
      targetType: 'title',
      targetId: title.id,
      names: { [librarian.patron.id]: 'Dewi Pustakawati', [title.id]: 'Laskar Pelangi' },
    });
    // a licence's entry names the title it belongs to (details.titleId); the licence id has no name
    expect(added?.details?.['titleId']).toBe(title.id);
    expect(added?.names).toEqual({ [librarian.patron.id]: 'Dewi Pustakawati', [title.id]: 'Laskar Pelangi' });
    expect(block).toMatchObject({
      targetType: 'patron',
      targetId: patron.id,
      names: { [librarian.patron.id]: 'Dewi Pustakawati', [patron.id]: 'Budi Santoso' },
    });
    // read at read time: both of the title's entries show its new title
    expect(afterRename.map((e) => e.names?.[title.id])).toEqual([
      'Laskar Pelangi (edisi baru)',
      'Laskar Pelangi (edisi baru)',
    ]);
  });

  it('leaves an id without a record unnamed, and still shows the entry', async () => {
    // Prepare
    const librarian = await createLibrarian(stack, { name: 'Rudi Hartono' });

    // Act: a withdrawal of a title that does not exist is refused and recorded
    const refused = await stack.app.request('/admin/titles/t-nonexistent', {
      method: 'DELETE',
      headers: bearer(librarian.accessToken),
    });
    const entries = await trail(librarian.accessToken, `actor=${librarian.patron.id}`);

    // Assess
    expect(refused.status).toBe(404);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'title.withdraw', targetId: 't-nonexistent' });
    expect(entries[0]?.names).toEqual({ [librarian.patron.id]: 'Rudi Hartono' });
  });
});
