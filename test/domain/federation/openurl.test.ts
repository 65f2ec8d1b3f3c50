import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/domain/errors';
import { isbn13Of, parseOpenUrl, resolveOpenUrl } from '../../../functions/domain/openurl';
import type { Title } from '../../../functions/domain/title';
import { sortTitleOf } from '../../../functions/domain/title';

function title(
  id: string,
  name: string,
  identifiers: Title['identifiers'] = {},
  status: Title['status'] = 'active',
): Title {
  return {
    id,
    title: name,
    sortTitle: sortTitleOf(name),
    authors: [],
    subjects: [],
    identifiers,
    format: 'epub',
    access: 'licensed',
    status,
    contentKey: 'k',
    contentType: 'application/epub+zip',
    size: 1,
    sha256: 'x',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
  };
}

const catalogue = [
  title('t-1', 'Moby-Dick', { isbn: ['9780142437247'] }),
  title('t-2', 'The Waste Land', { doi: ['10.1000/Waste.Land'] }),
  title('t-3', 'Journal of Tests', { issn: ['0317-8471'] }),
  title('t-4', 'Moby-Dick', { isbn: ['0000000000000'] }),
  title('t-5', 'Withdrawn', { isbn: ['9781234567897'] }, 'withdrawn'),
  title('t-6', 'Dengue in Java', { other: ['pmid:777'] }),
];

const kev = (q: string) => [...new URLSearchParams(q).entries()];

describe('OpenURL', () => {
  it('normalises ISBN-10 to ISBN-13', () => {
    expect(isbn13Of('0-14-243724-7')).toBe('9780142437247');
    expect(isbn13Of('978-0-14-243724-7')).toBe('9780142437247');
    expect(isbn13Of('12')).toBeUndefined();
  });

  it('verifies check digits: a mistyped ISBN is no ISBN', () => {
    expect(isbn13Of('0-14-243724-8')).toBeUndefined();
    expect(isbn13Of('080442957X')).toBe('9780804429573');
    expect(isbn13Of('0804429571')).toBeUndefined();
    expect(isbn13Of('978-0-14-243724-6')).toBeUndefined();
  });

  it.each([
    ['url_ver=Z39.88-2004&rft.isbn=0-14-243724-7', ['t-1']],
    ['url_ver=Z39.88-2004&rft_id=urn:isbn:9780142437247', ['t-1']],
    ['url_ver=Z39.88-2004&rft_id=info%3Adoi%2F10.1000%2Fwaste.land', ['t-2']],
    ['url_ver=Z39.88-2004&rft_id=https://doi.org/10.1000/WASTE.LAND', ['t-2']],
    ['url_ver=Z39.88-2004&rft.issn=03178471', ['t-3']],
    ['url_ver=Z39.88-2004&rft.btitle=the%20waste%20land', ['t-2']],
    ['url_ver=Z39.88-2004&rft.btitle=Moby%20Dick', ['t-1', 't-4']],
    ['url_ver=Z39.88-2004&rft.jtitle=journal%20of', ['t-3']],
    ['url_ver=Z39.88-2004&rft.isbn=9781234567897', []],
    ['url_ver=Z39.88-2004&rft.isbn=9999999999999&rft.btitle=Waste%20Land', ['t-2']],
  ])('%s → %j', (q, ids) => {
    expect(resolveOpenUrl(parseOpenUrl(kev(q)), catalogue).map((t) => t.id)).toEqual(ids);
  });

  it.each([
    ['sid=google&id=doi:10.1000/WASTE.LAND&title=Whatever', ['t-2']],
    ['sid=Entrez:PubMed&id=pmid:777', ['t-6']],
    ['url_ver=Z39.88-2004&rft_id=info%3Apmid%2F777', ['t-6']],
    ['sid=google&isbn=0142437247', ['t-1']],
    ['sid=google&issn=0317-8471&atitle=Anything', ['t-3']],
    ['sid=google&title=Journal%20of%20Tests', ['t-3']],
  ])('0.1 and info:pmid: %s → %j', (q, ids) => {
    expect(resolveOpenUrl(parseOpenUrl(kev(q)), catalogue).map((t) => t.id)).toEqual(ids);
  });

  it.each([
    'url_ver=Z39.88-2004',
    'url_ver=0.1&rft.isbn=9780142437247',
    'rft.isbn=abc',
    'sid=google&isbn=0142437248',
  ])('refuses %s', (q) => {
    expect(() => parseOpenUrl(kev(q))).toThrow(ValidationError);
  });
});
