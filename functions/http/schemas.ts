import * as z from 'zod/mini';
import { doc, extend } from './schema-doc';
import type { ProblemCode } from '../domain/problem-codes';
import { contributorRoles, titleWarnings } from '../domain/title';

/** Shared response schemas; they document the contract at /openapi.json. */
export const ProblemSchema = doc(
  z.looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: doc(z.string(), { example: 'VALIDATION_FAILED' }),
    instance: z.optional(z.string()),
    requestId: z.optional(z.string()),
  }),
  { id: 'Problem' },
);

/**
 * A problem response of an operation. `codes` are the registered codes it can answer with at this status: the
 * document lists them as the `enum` of `code` (test/http/problem-codes.test.ts holds them to the registry's
 * statuses). Without codes, `code` stays a plain string. The schema is built when first read: only the build
 * step's generator reads it (answers are not validated against their schemas), so the few hundred problem
 * responses the routes declare cost a Lambda nothing at cold start.
 */
export const problemContent = (description: string, codes: readonly ProblemCode[] = []) => {
  let schema: z.ZodMiniType | undefined;
  return {
    description,
    content: {
      'application/problem+json': {
        get schema() {
          return (schema ??= codes.length
            ? extend(ProblemSchema, { code: z.enum(codes as [ProblemCode, ...ProblemCode[]]) })
            : ProblemSchema);
        },
      },
    },
  };
};

export const TitleSchema = doc(
  z.object({
    id: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    language: z.optional(z.string()),
    publisher: z.optional(z.string()),
    published: z.optional(z.string()),
    description: z.optional(z.string()),
    subjects: z.array(z.string()),
    identifiers: z.object({
      isbn: z.optional(z.array(z.string())),
      doi: z.optional(z.array(z.string())),
      issn: z.optional(z.array(z.string())),
      other: z.optional(z.array(z.string())),
    }),
    format: z.enum(['epub', 'pdf']),
    access: z.enum(['open', 'licensed', 'partner']),
    status: z.enum(['active', 'withdrawn']),
    pageCount: z.optional(z.int()),
    contributors: doc(z.optional(z.array(z.object({ name: z.string(), role: z.enum(contributorRoles) }))), {
      description: 'Everyone credited who is not an author (translators, editors, ...)',
    }),
    alternateTitles: doc(z.optional(z.array(z.string())), {
      description: 'The title in other scripts or languages',
    }),
    alternateNames: doc(z.optional(z.array(z.string())), {
      description: "Authors' and contributors' names in other scripts",
    }),
    readingProgression: doc(z.optional(z.enum(['ltr', 'rtl'])), {
      description: "The publication's declared page progression",
    }),
    spineLength: doc(z.optional(z.int()), { description: 'EPUB: number of readable items in its spine' }),
    contentType: z.string(),
    size: z.int(),
    cover: doc(z.optional(z.string()), {
      description: 'URL of the cover image, when the publication has one',
    }),
    coverSizes: doc(
      z.optional(
        z.array(
          z.object({
            width: z.int(),
            height: z.int(),
            type: z.string(),
            url: z.string(),
          }),
        ),
      ),
      { description: 'Smaller copies of the cover, narrowest first (for `srcset`)' },
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
    withdrawnAt: z.optional(z.string()),
    warnings: doc(z.optional(z.array(z.enum(titleWarnings))), {
      description:
        'Found at publication. EPUB_SCRIPTED: items are marked scripted; the reader never runs them. ' +
        'ISBN_IN_CATALOGUE: another title carried one of its ISBNs (see sameIsbnAs)',
    }),
    sameIsbnAs: doc(z.optional(z.array(z.object({ id: z.string(), title: z.string() }))), {
      description: 'ISBN_IN_CATALOGUE: the titles with one of its ISBNs when it was published',
    }),
  }),
  { id: 'Title' },
);

export const TitlePageSchema = doc(z.object({ data: z.array(TitleSchema), cursor: z.nullable(z.string()) }), {
  id: 'TitlePage',
});

export const AvailabilitySchema = doc(
  z.object({
    copies: doc(z.nullable(z.int()), {
      description: 'Concurrent copies the library holds; null = unlimited',
    }),
    available: doc(z.nullable(z.int()), { description: 'Copies free to borrow now; null = unlimited' }),
    holds: doc(z.int(), { description: 'Patrons waiting or with a copy reserved' }),
    access: z.enum(['open', 'licensed', 'partner']),
  }),
  { id: 'Availability' },
);

export const TitleDetailSchema = doc(extend(TitleSchema, { availability: AvailabilitySchema }), {
  id: 'TitleDetail',
});
export const PatronProfileSchema = doc(
  z.object({
    id: z.string(),
    cardNumber: z.string(),
    name: z.string(),
    email: z.optional(z.string()),
    language: doc(z.optional(z.enum(['id', 'en'])), { description: 'Set by the patron (My account)' }),
    status: z.enum(['active', 'blocked']),
    roles: z.array(z.enum(['patron', 'librarian'])),
    loanLimit: z.int(),
    holdLimit: z.int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
  { id: 'PatronProfile' },
);

export const SignedInSchema = doc(
  z.object({
    accessToken: doc(z.string(), {
      description: 'EdDSA JWT (typ at+jwt), verifiable with /.well-known/jwks.json',
    }),
    refreshToken: doc(z.string(), { description: 'Opaque; single use: each refresh returns a new one' }),
    expiresIn: doc(z.int(), { description: 'Seconds until the access token expires' }),
    patron: PatronProfileSchema,
  }),
  { id: 'SignedIn' },
);

export const MemberSignedInSchema = doc(
  z.object({
    accessToken: doc(z.string(), {
      description: 'EdDSA JWT (typ at+jwt): sub = the member’s pseudonym, partner_id, entitlements, no roles',
    }),
    refreshToken: doc(z.string(), {
      description:
        'Opaque; single use: each refresh returns a new one. The session ends 12 hours after the federated ' +
        'sign-in, or earlier when the partner is suspended',
    }),
    expiresIn: doc(z.int(), { description: 'Seconds until the access token expires' }),
    partnerId: z.string(),
    entitlements: z.array(z.string()),
  }),
  { id: 'FederatedSignIn' },
);

export const JwksSchema = doc(
  z.object({
    keys: z.array(
      z.looseObject({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal('sig') }),
    ),
  }),
  { id: 'JsonWebKeySet' },
);
