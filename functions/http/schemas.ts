import { z } from '@hono/zod-openapi';
import type { ProblemCode } from '../domain/problem-codes';
import { contributorRoles, titleWarnings } from '../domain/title';

/** Shared response schemas; they document the contract at /openapi.json. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
  })
  .passthrough()
  .openapi('Problem');

/**
 * A problem response of an operation. `codes` are the registered codes it can answer with at this status: the
 * document lists them as the `enum` of `code` (test/http/problem-codes.test.ts holds them to the registry's
 * statuses). Without codes, `code` stays a plain string.
 */
export const problemContent = (description: string, codes: readonly ProblemCode[] = []) => ({
  description,
  content: {
    'application/problem+json': {
      schema: codes.length
        ? ProblemSchema.extend({ code: z.enum(codes as [ProblemCode, ...ProblemCode[]]) })
        : ProblemSchema,
    },
  },
});

export const TitleSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    language: z.string().optional(),
    publisher: z.string().optional(),
    published: z.string().optional(),
    description: z.string().optional(),
    subjects: z.array(z.string()),
    identifiers: z.object({
      isbn: z.array(z.string()).optional(),
      doi: z.array(z.string()).optional(),
      issn: z.array(z.string()).optional(),
      other: z.array(z.string()).optional(),
    }),
    format: z.enum(['epub', 'pdf']),
    access: z.enum(['open', 'licensed', 'partner']),
    status: z.enum(['active', 'withdrawn']),
    pageCount: z.number().int().optional(),
    contributors: z
      .array(z.object({ name: z.string(), role: z.enum(contributorRoles) }))
      .optional()
      .openapi({ description: 'Everyone credited who is not an author (translators, editors, ...)' }),
    alternateTitles: z
      .array(z.string())
      .optional()
      .openapi({ description: 'The title in other scripts or languages' }),
    alternateNames: z
      .array(z.string())
      .optional()
      .openapi({ description: "Authors' and contributors' names in other scripts" }),
    readingProgression: z
      .enum(['ltr', 'rtl'])
      .optional()
      .openapi({ description: "The publication's declared page progression" }),
    spineLength: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'EPUB: number of readable items in its spine' }),
    contentType: z.string(),
    size: z.number().int(),
    cover: z
      .string()
      .optional()
      .openapi({ description: 'URL of the cover image, when the publication has one' }),
    coverSizes: z
      .array(
        z.object({
          width: z.number().int(),
          height: z.number().int(),
          type: z.string(),
          url: z.string(),
        }),
      )
      .optional()
      .openapi({ description: 'Smaller copies of the cover, narrowest first (for `srcset`)' }),
    createdAt: z.string(),
    updatedAt: z.string(),
    withdrawnAt: z.string().optional(),
    warnings: z
      .array(z.enum(titleWarnings))
      .optional()
      .openapi({
        description:
          'Found at publication. EPUB_SCRIPTED: items are marked scripted; the reader never runs them. ' +
          'ISBN_IN_CATALOGUE: another title carried one of its ISBNs (see sameIsbnAs)',
      }),
    sameIsbnAs: z
      .array(z.object({ id: z.string(), title: z.string() }))
      .optional()
      .openapi({ description: 'ISBN_IN_CATALOGUE: the titles with one of its ISBNs when it was published' }),
  })
  .openapi('Title');

export const TitlePageSchema = z
  .object({ data: z.array(TitleSchema), cursor: z.string().nullable() })
  .openapi('TitlePage');

export const AvailabilitySchema = z
  .object({
    copies: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Concurrent copies the library holds; null = unlimited' }),
    available: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Copies free to borrow now; null = unlimited' }),
    holds: z.number().int().openapi({ description: 'Patrons waiting or with a copy reserved' }),
    access: z.enum(['open', 'licensed', 'partner']),
  })
  .openapi('Availability');

export const TitleDetailSchema = TitleSchema.extend({ availability: AvailabilitySchema }).openapi(
  'TitleDetail',
);
export const PatronProfileSchema = z
  .object({
    id: z.string(),
    cardNumber: z.string(),
    name: z.string(),
    email: z.string().optional(),
    language: z.enum(['id', 'en']).optional().openapi({ description: 'Set by the patron (My account)' }),
    status: z.enum(['active', 'blocked']),
    roles: z.array(z.enum(['patron', 'librarian'])),
    loanLimit: z.number().int(),
    holdLimit: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('PatronProfile');

export const SignedInSchema = z
  .object({
    accessToken: z
      .string()
      .openapi({ description: 'EdDSA JWT (typ at+jwt), verifiable with /.well-known/jwks.json' }),
    refreshToken: z.string().openapi({ description: 'Opaque; single use: each refresh returns a new one' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
    patron: PatronProfileSchema,
  })
  .openapi('SignedIn');

export const MemberSignedInSchema = z
  .object({
    accessToken: z.string().openapi({
      description: 'EdDSA JWT (typ at+jwt): sub = the member’s pseudonym, partner_id, entitlements, no roles',
    }),
    refreshToken: z.string().openapi({
      description:
        'Opaque; single use: each refresh returns a new one. The session ends 12 hours after the federated ' +
        'sign-in, or earlier when the partner is suspended',
    }),
    expiresIn: z.number().int().openapi({ description: 'Seconds until the access token expires' }),
    partnerId: z.string(),
    entitlements: z.array(z.string()),
  })
  .openapi('FederatedSignIn');

export const JwksSchema = z
  .object({
    keys: z.array(
      z.object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal('sig') }).passthrough(),
    ),
  })
  .openapi('JsonWebKeySet');
