import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { PartnerInput } from '../../../functions/domain/partner';
import { sortTitleOf, type Title } from '../../../functions/domain/title';
import { bearer, json } from '../../helpers/auth';
import type { TestStack } from '../../helpers/stack';

export const libTerms = 'urn:mace:dir:entitlement:common-lib-terms';

/** A partner as a librarian would register it, pointing at a test IdP. */
export function partnerInput(
  idp: { issuer: string; jwksUri: string; audience: string },
  overrides: Partial<PartnerInput> = {},
): PartnerInput {
  return {
    id: `p-${randomUUID().slice(0, 8)}`,
    name: 'Universitas Contoh',
    issuer: idp.issuer,
    jwksUri: idp.jwksUri,
    algorithms: ['ES256'],
    audience: idp.audience,
    ipRanges: [],
    entitlementRules: [
      { kind: 'values', claim: 'eduperson_entitlement', values: [libTerms], entitlement: 'library' },
      {
        kind: 'scoped-affiliation',
        claim: 'eduperson_scoped_affiliation',
        affiliations: ['member'],
        scopes: ['partner.edu'],
        entitlement: 'library',
      },
    ],
    grants: [{ entitlement: 'library', collections: ['Partner Collection'], titles: [] }],
    databases: [],
    ...overrides,
  };
}

export async function registerPartner(stack: TestStack, librarianToken: string, input: PartnerInput) {
  const response = await stack.app.request('/admin/partners', json('POST', input, bearer(librarianToken)));
  const body = (await response.json()) as { id: string };
  expect(response.status, JSON.stringify(body)).toBe(201);
  return body;
}

/** A title record with `partner` access in the given collection (no content object needed for a signed link). */
export async function createTitle(stack: TestStack, overrides: Partial<Title> = {}): Promise<Title> {
  const id = `t-${randomUUID().slice(0, 12)}`;
  const name = overrides.title ?? `Partner Reader ${id}`;
  const now = stack.deps.clock.now().toISOString();
  const title: Title = {
    id,
    title: name,
    sortTitle: sortTitleOf(name),
    authors: ['A. Author'],
    subjects: ['Partner Collection'],
    identifiers: {},
    format: 'pdf',
    access: 'partner',
    status: 'active',
    contentKey: `content/${id}/publication.pdf`,
    contentType: 'application/pdf',
    size: 1000,
    sha256: '0'.repeat(64),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  expect(await stack.deps.titles.create(title)).toBe(true);
  return title;
}
