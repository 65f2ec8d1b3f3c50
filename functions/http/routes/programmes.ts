import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc } from '../schema-doc';
import {
  certificateOf,
  isFinished,
  joinProgramme,
  participationOrThrow,
  programmeOrThrow,
  progressOf,
  ranked,
  type Participation,
  type Programme,
} from '../../domain/programme';
import type { ReadingProgress } from '../../domain/reading';
import { requireCaller } from '../auth';
import type { AppDeps, AppEnv } from '../deps';
import { problemContent } from '../schemas';

const Bilingual = doc(z.object({ id: z.string(), en: z.string() }), { id: 'BilingualText' });

export const ProgrammeSchema = doc(
  z.object({
    id: z.string(),
    name: Bilingual,
    description: Bilingual,
    startsAt: doc(z.string(), { format: 'date-time' }),
    endsAt: doc(z.string(), { format: 'date-time' }),
    audience: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('everyone') }),
      z.object({ kind: z.literal('group'), groupId: z.string() }),
    ]),
    goal: z.object({ kind: z.enum(['books', 'minutes']), target: z.int() }),
    titleIds: z.optional(z.array(z.string())),
    collectionId: z.optional(z.string()),
    createdAt: z.string(),
  }),
  { id: 'Programme' },
);

const ProgressSchema = doc(
  z.object({
    value: doc(z.int(), { description: 'Books finished, or whole minutes read' }),
    target: z.int(),
    percent: z.int().check(z.gte(0), z.lte(100)),
  }),
  { id: 'ProgrammeProgress' },
);

const MyParticipationSchema = doc(
  z.object({
    programmeId: z.string(),
    joinedAt: z.string(),
    finishedTitles: z.array(z.string()),
    minutes: z.int(),
    progress: ProgressSchema,
    badges: doc(z.array(z.int()), { description: 'Milestones reached, in per cent of the goal' }),
    completedAt: z.optional(z.string()),
  }),
  { id: 'MyProgrammeParticipation' },
);

const PublicProgrammeSchema = doc(
  z.object({
    programme: ProgrammeSchema,
    running: z.boolean(),
    ended: z.boolean(),
    participants: z.int(),
    completed: z.int(),
    leaderboard: doc(
      z.array(
        z.object({
          displayName: doc(z.string(), { description: 'Initials only, never a full name' }),
          progress: ProgressSchema,
          completed: z.boolean(),
        }),
      ),
      { description: 'The ten most advanced participants' },
    ),
  }),
  { id: 'PublicProgramme' },
);

const CertificateSchema = doc(
  z.object({
    programmeId: z.string(),
    programmeName: Bilingual,
    patronName: z.string(),
    goal: ProgrammeSchema.shape.goal,
    completedAt: z.string(),
  }),
  { id: 'ProgrammeCertificate' },
);

const programmeId = doc(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)), {
  param: { name: 'id', in: 'path' },
});
const tags = ['Reading programmes'];
const bearer = [{ bearer: [] }];
const signedIn = requireCaller();

const listRoute = createRoute({
  method: 'get',
  path: '/programmes',
  operationId: 'listProgrammes',
  tags,
  security: [],
  summary: 'Reading programmes that have not ended, soonest start first',
  responses: {
    200: {
      description: 'Programmes',
      content: { 'application/json': { schema: z.object({ data: z.array(ProgrammeSchema) }) } },
    },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/programmes/{id}',
  operationId: 'getProgramme',
  tags,
  security: [],
  summary: 'A programme with its totals and leaderboard (initials only)',
  request: { params: z.object({ id: programmeId }) },
  responses: {
    200: { description: 'The programme', content: { 'application/json': { schema: PublicProgrammeSchema } } },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    404: problemContent('No such programme', ['PROGRAMME_NOT_FOUND']),
  },
});

const joinRoute = createRoute({
  method: 'post',
  path: '/me/programmes/{id}',
  operationId: 'joinProgramme',
  tags,
  security: bearer,
  middleware: [signedIn] as const,
  summary: 'Joins the caller to a programme (again: the same participation)',
  request: { params: z.object({ id: programmeId }) },
  responses: {
    200: {
      description: 'Joined (now or before)',
      content: { 'application/json': { schema: MyParticipationSchema } },
    },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('Not signed in'),
    403: problemContent('The programme is for another group, or the caller holds no card', [
      'NOT_IN_PROGRAMME_GROUP',
      'FORBIDDEN',
    ]),
    404: problemContent('No such programme', ['PROGRAMME_NOT_FOUND']),
    409: problemContent('The programme has ended', ['PROGRAMME_ENDED']),
  },
});

const joinedRoute = createRoute({
  method: 'get',
  path: '/me/programmes',
  operationId: 'listMyProgrammes',
  tags,
  security: bearer,
  middleware: [signedIn] as const,
  summary: 'The programmes the caller has joined',
  responses: {
    200: {
      description: 'Joined programmes (ids)',
      content: {
        'application/json': {
          schema: doc(z.object({ data: z.array(z.object({ programmeId: z.string() })) }), {
            id: 'MyProgrammes',
          }),
        },
      },
    },
    401: problemContent('Not signed in'),
  },
});

const mineRoute = createRoute({
  method: 'get',
  path: '/me/programmes/{id}',
  operationId: 'getMyProgrammeParticipation',
  tags,
  security: bearer,
  middleware: [signedIn] as const,
  summary: 'The caller’s progress and badges in a programme',
  request: { params: z.object({ id: programmeId }) },
  responses: {
    200: { description: 'Progress', content: { 'application/json': { schema: MyParticipationSchema } } },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('Not signed in'),
    404: problemContent('No such programme', ['PROGRAMME_NOT_FOUND']),
    409: problemContent('Not joined', ['PROGRAMME_NOT_JOINED']),
  },
});

const certificateRoute = createRoute({
  method: 'get',
  path: '/me/programmes/{id}/certificate',
  operationId: 'getProgrammeCertificate',
  tags,
  security: bearer,
  middleware: [signedIn] as const,
  summary: 'What the caller’s certificate says, once they reached the goal',
  request: { params: z.object({ id: programmeId }) },
  responses: {
    200: { description: 'The certificate', content: { 'application/json': { schema: CertificateSchema } } },
    400: problemContent('A bad id', ['VALIDATION_FAILED']),
    401: problemContent('Not signed in'),
    404: problemContent('No such programme', ['PROGRAMME_NOT_FOUND']),
    409: problemContent('Not joined, or the goal is not reached', [
      'PROGRAMME_NOT_JOINED',
      'PROGRAMME_GOAL_NOT_REACHED',
    ]),
  },
});

export function myParticipation(programme: Programme, participation: Participation) {
  return {
    programmeId: programme.id,
    joinedAt: participation.joinedAt,
    finishedTitles: participation.finishedTitles,
    minutes: Math.floor(participation.seconds / 60),
    progress: progressOf(programme.goal, participation),
    badges: participation.badges,
    ...(participation.completedAt ? { completedAt: participation.completedAt } : {}),
  };
}

/** The programme counting must never fail or hold up a position save: it gets this long, then is let go. */
const countingBudgetMs = 1500;

/**
 * Counts a saved position towards the caller's running programmes. A failure is logged, never the save's
 * failure; work still running after the budget finishes on its own and only logs.
 */
export async function countTowardsProgrammes(
  deps: AppDeps,
  patronId: string,
  progress: ReadingProgress,
): Promise<void> {
  const work = deps.programmes
    .recordReading({
      patronId,
      titleId: progress.titleId,
      finished: isFinished(progress.locator),
      at: deps.clock.now(),
    })
    .catch((error: unknown) => {
      deps.logger.warn('reading not counted towards programmes', {
        titleId: progress.titleId,
        error: error as Error,
      });
    });
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, countingBudgetMs)))]);
  clearTimeout(timer);
}

export function programmeRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listRoute, async (c) => {
    const deps = c.get('deps');
    const now = deps.clock.now().toISOString();
    const data = (await deps.programmes.list())
      .filter((p) => p.endsAt > now)
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
    return c.json({ data }, 200);
  });

  app.openapi(getRoute, async (c) => {
    const deps = c.get('deps');
    const programme = await programmeOrThrow(deps, c.req.valid('param').id);
    const participations = await deps.programmes.listParticipations(programme.id);
    const now = deps.clock.now().getTime();
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        programme,
        running: now >= Date.parse(programme.startsAt) && now < Date.parse(programme.endsAt),
        ended: now >= Date.parse(programme.endsAt),
        participants: participations.length,
        completed: participations.filter((p) => p.completedAt).length,
        leaderboard: ranked(programme.goal, participations)
          .slice(0, 10)
          .map((p) => ({
            displayName: p.displayName,
            progress: progressOf(programme.goal, p),
            completed: Boolean(p.completedAt),
          })),
      },
      200,
    );
  });

  app.openapi(joinRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const participation = await joinProgramme(deps, id, c.get('caller').patronId, deps.clock.now());
    const programme = await programmeOrThrow(deps, id);
    return c.json(myParticipation(programme, participation), 200);
  });

  app.openapi(joinedRoute, async (c) => {
    const ids = await c.get('deps').programmes.joinedBy(c.get('caller').patronId);
    c.header('Cache-Control', 'no-store');
    return c.json({ data: ids.map((programmeId) => ({ programmeId })) }, 200);
  });

  app.openapi(mineRoute, async (c) => {
    const deps = c.get('deps');
    const { id } = c.req.valid('param');
    const programme = await programmeOrThrow(deps, id);
    const participation = await participationOrThrow(deps, id, c.get('caller').patronId);
    c.header('Cache-Control', 'no-store');
    return c.json(myParticipation(programme, participation), 200);
  });

  app.openapi(certificateRoute, async (c) => {
    const deps = c.get('deps');
    const certificate = await certificateOf(deps, c.req.valid('param').id, c.get('caller').patronId);
    c.header('Cache-Control', 'no-store');
    return c.json(certificate, 200);
  });
}
