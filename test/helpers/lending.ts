import { randomUUID } from 'node:crypto';
import { newLicence, type Licence, type LicenceTerms } from '../../functions/domain/licence';
import { defaultLimits, type Patron } from '../../functions/domain/patron';
import { sortTitleOf, type AccessMode, type Title } from '../../functions/domain/title';
import type { TestStack } from './stack';

export { FakeClock } from './clock';

export const hour = 3_600_000;
export const day = 24 * hour;

/** A title record straight into the catalogue (no file needed: links are signed, not fetched). */
export async function addTitle(
  stack: TestStack,
  overrides: Partial<Title> & { access?: AccessMode } = {},
): Promise<Title> {
  const id = overrides.id ?? `t-${randomUUID().slice(0, 12)}`;
  const now = stack.deps.clock.now().toISOString();
  const name = overrides.title ?? `Title ${id}`;
  const title: Title = {
    id,
    title: name,
    sortTitle: sortTitleOf(name),
    authors: ['Test Author'],
    subjects: [],
    identifiers: {},
    format: 'epub',
    access: 'licensed',
    status: 'active',
    contentKey: `content/${id}/publication.epub`,
    contentType: 'application/epub+zip',
    size: 1234,
    sha256: '0'.repeat(64),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await stack.deps.titles.create(title);
  return title;
}

export async function addLicence(
  stack: TestStack,
  titleId: string,
  terms: Partial<LicenceTerms> = {},
  id = `lic-${randomUUID().slice(0, 8)}`,
): Promise<Licence> {
  const licence = newLicence(
    id,
    titleId,
    { concurrency: 1, checkouts: null, expires: null, loanLength: null, ...terms },
    stack.deps.clock.now(),
  );
  await stack.deps.lending.addLicence(licence);
  return licence;
}

/** A patron record for adapter tests that need no sign-in. */
export async function addPatron(stack: TestStack, overrides: Partial<Patron> = {}): Promise<Patron> {
  const id = overrides.id ?? `p-${randomUUID().slice(0, 12)}`;
  const now = stack.deps.clock.now().toISOString();
  const patron: Patron = {
    id,
    cardNumber: overrides.cardNumber ?? `3${randomUUID().replace(/\D/g, '').slice(0, 9).padEnd(9, '0')}`,
    name: `Patron ${id}`,
    status: 'active',
    roles: ['patron'],
    ...defaultLimits,
    pinHash: 'not-a-real-hash',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await stack.deps.patrons.create(patron);
  return patron;
}
