import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Title } from '../../../functions/domain/title';
import { createTestStack, type TestStack } from '../../helpers/stack';
import { createTitle } from './fixtures';
import { expectProblem } from '../../helpers/problem';

/**
 * /openurl: citations as databases and search engines send them (OpenURL 1.0 KEV as EBSCO does, 0.1 as Google
 * Scholar and PubMed do, in the query or a POSTed form) resolve to the title's page on the reader's site (an
 * absolute URL on WEB_ORIGIN), a menu, or a 404.
 */

let stack: TestStack;
let article: Title;
let book: Title;
let journal: Title;
let twins: Title[];
let medline: Title;
const site = 'https://baca.pustaka.example';

const resolve = (kev: string, headers: Record<string, string> = {}) =>
  stack.app.request(`/openurl?url_ver=Z39.88-2004&${kev}`, { headers });

beforeAll(async () => {
  stack = await createTestStack({ env: { WEB_ORIGIN: site } });
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
  medline = await createTitle(stack, {
    title: 'Dengue Vector Control in Java',
    identifiers: { other: ['info:pmid/31415926'] },
  });
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
    ['a PubMed id in rft_id', () => `rft_id=${encodeURIComponent('info:pmid/31415926')}`, () => medline],
  ])('%s reaches the title page in the reader', async (_case, kev, expected) => {
    // Act
    const response = await resolve(kev());
    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${site}/#/titles/${expected().id}`);
  });

  it.each([
    [
      'EBSCO (1.0 KEV, journal article with DOI and ISSN)',
      () =>
        'url_ver=Z39.88-2004&url_ctx_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Actx&rfr_id=info%3Asid%2FEBSCO%3Aa9h' +
        '&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal&rft.genre=article&rft.jtitle=Marine%20Biology' +
        '&rft.atitle=Coral%20Reefs%20of%20Sulawesi&rft.issn=1234-5679&rft.date=2024&rft.volume=12' +
        `&rft_id=${encodeURIComponent('info:doi/10.5555/reef.2024.17')}`,
      () => article,
    ],
    [
      'EBSCO (1.0 KEV, book by ISBN-10)',
      () =>
        'url_ver=Z39.88-2004&rfr_id=info%3Asid%2FEBSCO%3Anlebk&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Abook' +
        '&rft.genre=book&rft.btitle=Sejarah&rft.isbn=0306406152',
      () => book,
    ],
    [
      'Google Scholar (0.1, sid and id=doi:)',
      () =>
        'sid=google&auinit=A&aulast=Wijaya&atitle=Coral+reefs+of+Sulawesi&title=Marine+Biology&volume=12' +
        '&issue=3&date=2024&spage=101&issn=1234-5679&id=doi:10.5555/REEF.2024.17',
      () => article,
    ],
    [
      'Google Scholar (0.1, a book by isbn and title)',
      () => 'sid=google&aulast=Hadi&title=Sejarah+Nusantara&genre=book&isbn=978-0-306-40615-7&date=2001',
      () => book,
    ],
    ['PubMed LinkOut (0.1, id=pmid:)', () => 'sid=Entrez:PubMed&id=pmid:31415926', () => medline],
    ['a 0.1 journal by issn alone', () => 'sid=xref&genre=journal&issn=0317-8471', () => journal],
    [
      'a 0.1 citation by article title alone',
      () => 'sid=scholar&atitle=Dengue%20Vector%20Control%20in%20Java',
      () => medline,
    ],
  ])('%s → the expected title, on the reader’s site', async (_case, kev, expected) => {
    // Act
    const response = await stack.app.request(`/openurl?${kev()}`);
    // Assess
    expect(response.status, await response.clone().text()).toBe(302);
    expect(response.headers.get('location')).toBe(`${site}/#/titles/${expected().id}`);
  });

  it('resolves a KEV sent as a POSTed form (OpenURL 1.0 by-value)', async () => {
    // Act
    const response = await stack.app.request('/openurl', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `url_ver=Z39.88-2004&rft_id=${encodeURIComponent('info:doi/10.5555/reef.2024.17')}`,
    });
    // Assess
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`${site}/#/titles/${article.id}`);
  });

  it('refuses a POST that is not a form with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const response = await stack.app.request('/openurl', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"rft.isbn":"9780306406157"}',
    });
    await expectProblem(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('takes an ISBN-10 with a wrong check digit for no ISBN at all', async () => {
    // 0-306-40615-3: one digit off the book's 0-306-40615-2, so it must not find it.
    const response = await stack.app.request('/openurl?sid=google&isbn=0-306-40615-3');
    await expectProblem(response, 400, 'VALIDATION_FAILED');
  });

  it('offers a JSON menu when several titles match', async () => {
    const response = await resolve('rft.btitle=Laut%20Biru');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { matches: { id: string; href: string }[] };
    expect(body.matches.map((m) => m.id).sort()).toEqual(twins.map((t) => t.id).sort());
    expect(body.matches[0]!.href).toMatch(new RegExp(`^${site}/#/titles/`));
  });

  it('offers an HTML menu to a browser', async () => {
    const response = await resolve('rft.btitle=Laut%20Biru', {
      Accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const page = await response.text();
    for (const twin of twins) expect(page).toContain(`${site}/#/titles/${twin.id}`);
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Several titles match');
  });

  it('offers the HTML menu in Indonesian to a browser that prefers it', async () => {
    const response = await resolve('rft.btitle=Laut%20Biru', {
      Accept: 'text/html',
      'Accept-Language': 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-language')).toBe('id');
    const page = await response.text();
    expect(page).toContain('<html lang="id">');
    expect(page).toContain('Beberapa judul cocok');
    expect(page).toContain('oleh Ani');
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
