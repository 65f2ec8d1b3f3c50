import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Title } from '../../../functions/domain/title';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/** GET /openurl: OpenURL 1.0 KEV citations resolve to the reader's title page, a menu, or a 404. */

let stack: TestStack;
let article: Title;
let book: Title;
let journal: Title;
let twins: Title[];

const resolve = (kev: string, headers: Record<string, string> = {}) =>
  stack.app.request(`/openurl?url_ver=Z39.88-2004&${kev}`, { headers });

beforeAll(async () => {
  stack = await createTestStack();
  article = await createTitle(stack, {
    title: 'Coral Reefs of Sulawesi',
    access: 'licensed',
    identifiers: { doi: ['10.5555/Reef.2024.17'] },
  });
  book = await createTitle(stack, {
    title: 'Sejarah Nusantara',
    access: 'open',
    identifiers: { isbn: ['9780306406157'] },
  });
  journal = await createTitle(stack, { title: 'Jurnal Perpustakaan', identifiers: { issn: ['0317-8471'] } });
  twins = [
    await createTitle(stack, { title: 'Laut Biru', authors: ['Ani'] }),
    await createTitle(stack, { title: 'Laut Biru', authors: ['Budi'] }),
  ];
});

afterAll(async () => {
  await stack?.destroy();
});

describe('GET /openurl', () => {
  it.each([
    [
      'a DOI in rft_id (other case)',
      () => `rft_id=${encodeURIComponent('info:doi/10.5555/REEF.2024.17')}`,
      () => article,
    ],
    ['an ISBN-13 with hyphens', () => 'rft.isbn=978-0-306-40615-7', () => book],
    ['the same book by its ISBN-10', () => 'rft.isbn=0-306-40615-2', () => book],
    ['an ISBN as rft_id urn', () => `rft_id=${encodeURIComponent('urn:isbn:0306406152')}`, () => book],
    ['an ISSN', () => 'rft.issn=03178471', () => journal],
    ['a book title', () => 'rft.btitle=sejarah%20nusantara', () => book],
    ['an article title', () => 'rft.atitle=Coral%20Reefs%20of%20Sulawesi', () => article],
  ])('%s reaches the title page in the reader', async (_case, kev, expected) => {
    // Act
    const response = await resolve(kev());
    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`/#/titles/${expected().id}`);
  });

  it('offers a JSON menu when several titles match', async () => {
    const response = await resolve('rft.btitle=Laut%20Biru');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { matches: { id: string; href: string }[] };
    expect(body.matches.map((m) => m.id).sort()).toEqual(twins.map((t) => t.id).sort());
    expect(body.matches[0]!.href).toMatch(/^\/#\/titles\//);
  });

  it('offers an HTML menu to a browser', async () => {
    const response = await resolve('rft.btitle=Laut%20Biru', {
      Accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = await response.text();
    for (const twin of twins) expect(page).toContain(`/#/titles/${twin.id}`);
  });

  it('answers a citation that matches nothing with a 404 naming what was looked for', async () => {
    // Act
    const response = await resolve(
      `rft_id=${encodeURIComponent('info:doi/10.9999/nothing')}&rft.isbn=9781234567897`,
    );
    // Assess
    const body = await expectProblem(response, 404, 'NO_MATCH');
    expect(body).toMatchObject({ lookedFor: { doi: ['10.9999/nothing'], isbn: ['9781234567897'] } });
  });

  it.each([
    ['another OpenURL version', '/openurl?url_ver=Z39.88-1999&rft.isbn=9780306406157'],
    ['nothing to look for', '/openurl?url_ver=Z39.88-2004&rft.genre=book'],
  ])('refuses %s with a 400 problem', async (_case, path) => {
    await expectProblem(await stack.app.request(path), 400, 'VALIDATION_FAILED');
  });
});
