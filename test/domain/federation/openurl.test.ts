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
];

const kev = (q: string) => [...new URLSearchParams(q).entries()];

describe('OpenURL', () => {
  it('normalises ISBN-10 to ISBN-13', () => {
    expect(isbn13Of('0-14-243724-7')).toBe('9780142437247');
    expect(isbn13Of('978-0-14-243724-7')).toBe('9780142437247');
    expect(isbn13Of('12')).toBeUndefined();
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

  it.each(['url_ver=Z39.88-2004', 'url_ver=0.1&rft.isbn=9780142437247', 'rft.isbn=abc'])(
    'refuses %s',
    (q) => {
      expect(() => parseOpenUrl(kev(q))).toThrow(ValidationError);
    },
  );
});
