import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import { NotFoundError, ValidationError } from '../../domain/errors';
import {
  checkNewProgramme,
  groupCardNumbers,
  milestones,
  programmeOrThrow,
  progressOf,
  ranked,
  type NewProgramme,
  type PatronGroup,
  type Programme,
} from '../../domain/programme';
import { noteAudit } from '../admin';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';
import { ProgrammeSchema } from './programmes';

const text = (max: number) => z.string().check(z.trim(), z.minLength(1), z.maxLength(max));
const bilingual = (max: number) => z.strictObject({ id: text(max), en: text(max) });
const id = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/));

const NewProgrammeBody = doc(
  z.strictObject({
    name: bilingual(120),
    description: bilingual(2000),
    startsAt: z.iso.datetime({ offset: true }),
    endsAt: z.iso.datetime({ offset: true }),
    audience: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('everyone') }),
      z.strictObject({ kind: z.literal('group'), groupId: id }),
    ]),
    goal: z.strictObject({
      kind: z.enum(['books', 'minutes']),
      target: z.int().check(z.gte(1), z.lte(100_000)),
    }),
    titleIds: z.optional(
      z.array(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/))).check(z.minLength(1), z.maxLength(200)),
    ),
    collectionId: z.optional(id),
  }),
  { id: 'NewProgramme' },
);

const PatronGroupSchema = doc(
  z.object({ id: z.string(), name: z.string(), memberCount: z.int(), createdAt: z.string() }),
  { id: 'PatronGroup' },
);

const ParticipantSchema = doc(
  z.object({
    patronId: z.string(),
    patronName: z.string(),
    cardNumber: z.string(),
    joinedAt: z.string(),
    finishedTitles: z.array(z.string()),
    minutes: z.int(),
    progress: z.object({ value: z.int(), target: z.int(), percent: z.int() }),
    badges: z.array(z.int()),
    completedAt: z.optional(z.string()),
  }),
  { id: 'ProgrammeParticipant' },
);

const tags = ['Reading programmes (librarians)'];
const bearer = [{ bearer: [] }];
const json = <T extends z.ZodMiniType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

const createProgrammeRoute = createRoute({
  method: 'post',
  path: '/admin/programmes',
  operationId: 'createProgramme',
  tags,
  security: bearer,
  summary: 'Creates a reading programme',
  request: { body: json(NewProgrammeBody) },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: ProgrammeSchema } } },
    400: problemContent('Invalid programme (dates, unknown title or collection)', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
    404: problemContent('No such patron group', ['PATRON_GROUP_NOT_FOUND']),
  },
});

const listProgrammesRoute = createRoute({
  method: 'get',
  path: '/admin/programmes',
  operationId: 'listAllProgrammes',
  tags,
  security: bearer,
  summary: 'Every programme, newest start first',
  responses: {
    200: {
      description: 'Programmes',
      content: { 'application/json': { schema: z.object({ data: z.array(ProgrammeSchema) }) } },
    },
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
  },
});

const participantsRoute = createRoute({
  method: 'get',
  path: '/admin/programmes/{id}/participants',
  operationId: 'listProgrammeParticipants',
  tags,
  security: bearer,
  summary: 'Participation and completion of a programme: totals and every participant',
  request: { params: z.object({ id: doc(id, { param: { name: 'id', in: 'path' } }) }) },
  responses: {
    200: {
      description: 'Totals and participants, most advanced first',
      content: {
        'application/json': {
          schema: doc(
            z.object({
              programme: ProgrammeSchema,
              totals: z.object({
                participants: z.int(),
                completed: z.int(),
                badges: doc(z.record(z.string(), z.int()), {
                  description: 'Participants per milestone reached (25, 50, 75, 100)',
                }),
              }),
              data: z.array(ParticipantSchema),
            }),
            { id: 'ProgrammeParticipation' },
          ),
        },
      },
    },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
    404: problemContent('No such programme', ['PROGRAMME_NOT_FOUND']),
  },
});

const createGroupRoute = createRoute({
  method: 'post',
  path: '/admin/patron-groups',
  operationId: 'createPatronGroup',
  tags,
  security: bearer,
  summary: 'Creates a patron group (a school class) from a CSV with a cardNumber column',
  request: {
    body: json(
      z.strictObject({ name: text(120), csv: z.string().check(z.minLength(1), z.maxLength(15_000)) }),
    ),
  },
  responses: {
    201: {
      description: 'Created; card numbers of no patron are listed and left out',
      content: {
        'application/json': {
          schema: doc(z.object({ group: PatronGroupSchema, unknownCards: z.array(z.string()) }), {
            id: 'PatronGroupCreated',
          }),
        },
      },
    },
    400: problemContent('Unreadable CSV, no cardNumber column, or no known card', ['VALIDATION_FAILED']),
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
  },
});

const listGroupsRoute = createRoute({
  method: 'get',
  path: '/admin/patron-groups',
  operationId: 'listPatronGroups',
  tags,
  security: bearer,
  summary: 'Every patron group, in name order',
  responses: {
    200: {
      description: 'Groups',
      content: { 'application/json': { schema: z.object({ data: z.array(PatronGroupSchema) }) } },
    },
    401: problemContent('No or invalid access token'),
    403: problemContent('Not a librarian', ['FORBIDDEN']),
  },
});

/** Checks what a new programme refers to, and fixes a collection to its titles. */
async function resolveProgramme(deps: AppDeps, input: NewProgramme): Promise<NewProgramme> {
  checkNewProgramme(input);
  if (input.audience.kind === 'group' && !(await deps.programmes.getGroup(input.audience.groupId)))
    throw new NotFoundError({
      code: 'PATRON_GROUP_NOT_FOUND',
      detail: `Patron group ${input.audience.groupId} was not found.`,
      context: { id: input.audience.groupId },
    });
  if (input.collectionId) {
    const titleIds = await deps.programmeCollections?.titleIdsOf(input.collectionId);
    if (!titleIds?.length)
      throw new ValidationError({
        code: 'VALIDATION_FAILED',
        detail: `Collection ${input.collectionId} was not found or holds no title.`,
        context: { field: 'collectionId' },
      });
    return { ...input, titleIds };
  }
  if (input.titleIds) {
    const found = await Promise.all(input.titleIds.map((t) => deps.titles.get(t)));
    const missing = input.titleIds.filter((_, i) => !found[i]);
    if (missing.length)
      throw new ValidationError({
        code: 'VALIDATION_FAILED',
        detail: `No such titles: ${missing.join(', ')}.`,
        context: { field: 'titleIds', missing },
      });
  }
  return input;
}

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}

export function adminProgrammeRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(createProgrammeRoute, async (c) => {
    const deps = c.get('deps');
    const body = c.req.valid('json');
    noteAudit(c, { action: 'programme.create' });
    const resolved = await resolveProgramme(deps, {
      ...body,
      startsAt: new Date(body.startsAt).toISOString(),
      endsAt: new Date(body.endsAt).toISOString(),
    });
    const programme: Programme = {
      id: `prog-${randomUUID().slice(0, 12)}`,
      ...resolved,
      createdAt: deps.clock.now().toISOString(),
    };
    await deps.programmes.create(programme);
    noteAudit(c, { action: 'programme.create', details: { programmeId: programme.id } });
    c.header('Location', `/programmes/${programme.id}`);
    return c.json(programme, 201);
  });

  app.openapi(listProgrammesRoute, async (c) => {
    return c.json({ data: await c.get('deps').programmes.list() }, 200);
  });

  app.openapi(participantsRoute, async (c) => {
    const deps = c.get('deps');
    const programme = await programmeOrThrow(deps, c.req.valid('param').id);
    const participations = ranked(programme.goal, await deps.programmes.listParticipations(programme.id));
    const badges = Object.fromEntries(
      milestones.map((m) => [String(m), participations.filter((p) => p.badges.includes(m)).length]),
    );
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        programme,
        totals: {
          participants: participations.length,
          completed: participations.filter((p) => p.completedAt).length,
          badges,
        },
        data: participations.map((p) => ({
          patronId: p.patronId,
          patronName: p.patronName,
          cardNumber: p.cardNumber,
          joinedAt: p.joinedAt,
          finishedTitles: p.finishedTitles,
          minutes: Math.floor(p.seconds / 60),
          progress: progressOf(programme.goal, p),
          badges: p.badges,
          ...(p.completedAt ? { completedAt: p.completedAt } : {}),
        })),
      },
      200,
    );
  });

  app.openapi(createGroupRoute, async (c) => {
    const deps = c.get('deps');
    const { name, csv } = c.req.valid('json');
    noteAudit(c, { action: 'patron-group.create' });
    const cards = groupCardNumbers(csv);
    const patrons = await inBatches(cards, 8, (card) => deps.patrons.getByCard(card));
    const patronIds = [...new Set(patrons.flatMap((p) => (p ? [p.id] : [])))];
    const unknownCards = cards.filter((_, i) => !patrons[i]);
    if (!patronIds.length)
      throw new ValidationError({
        code: 'VALIDATION_FAILED',
        detail: 'None of the card numbers belongs to a patron.',
        context: { field: 'csv', unknownCards },
      });
    const group: PatronGroup = {
      id: `grp-${randomUUID().slice(0, 12)}`,
      name,
      memberCount: patronIds.length,
      createdAt: deps.clock.now().toISOString(),
    };
    await deps.programmes.createGroup(group, patronIds);
    noteAudit(c, {
      action: 'patron-group.create',
      details: { groupId: group.id, members: patronIds.length },
    });
    return c.json({ group, unknownCards }, 201);
  });

  app.openapi(listGroupsRoute, async (c) => {
    return c.json({ data: await c.get('deps').programmes.listGroups() }, 200);
  });
}
