import { randomBytes, randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { createRoute, type ContractApp } from '../route-kit';
import { doc, extend } from '../schema-doc';
import type { Context } from 'hono';
import {
  CounterApiError,
  counterException,
  counterRelease,
  institutionIdOf,
  reportDefinitions,
  reportIds,
  reportToTsv,
  type CounterExceptionBody,
  type ReportId,
} from '../../domain/counter';
import type { SushiCredential } from '../../domain/counter-ports';
import { NotFoundError, ValidationError } from '../../domain/errors';
import { unavailableRetryAfterSeconds } from '../../domain/deadline';
import { librarianId, noteAudit } from '../admin';
import {
  counterInstitution,
  counterInstitutions,
  counterReport,
  registryRecord,
} from '../../application/counter-reports';
import type { AppEnv } from '../deps';
import { problemContent } from '../schemas';

/**
 * The COUNTER API (COUNTER_SUSHI, Release 5.1) under `/sushi/r51/`, and the librarians' side of it under
 * `/admin/counter`: issuing harvesters' credentials and downloading the same reports as TSV.
 *
 * Unlike every other route, the COUNTER API does not answer problem+json: harvesters expect COUNTER's own
 * JSON, so errors are a single COUNTER Exception object (`Code`, `Message`, `Data`) with the HTTP status
 * Appendix D gives it, and report-level warnings travel in `Report_Header.Exceptions` with 200. A path that
 * does not exist (an unknown report) is the app's ordinary 404, as the Code of Practice asks only for the
 * status there.
 */

const sushiSecurity = [{ sushiApiKey: [] }];

const ExceptionSchema = doc(
  z.object({
    Code: z.int(),
    Message: z.string(),
    Help_URL: z.optional(z.string()),
    Data: z.optional(z.string()),
  }),
  { id: 'CounterException' },
);

const exceptionResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ExceptionSchema } },
});

const credentialQuery = {
  customer_id: doc(z.optional(z.string()), { description: 'The institution (issued with the credential)' }),
  requestor_id: doc(z.optional(z.string()), { description: 'The harvester (issued with the credential)' }),
  api_key: doc(z.optional(z.string()), {
    description: 'The secret shown once when the credential was issued',
  }),
  platform: doc(z.optional(z.string()), { description: 'Ignored: Pustaka is one platform' }),
};
const CredentialQuery = z.object(credentialQuery);

const reportQuery = (master: boolean) =>
  z.object({
    ...credentialQuery,
    begin_date: doc(z.optional(z.string()), { description: 'yyyy-mm or yyyy-mm-dd', example: '2026-01' }),
    end_date: doc(z.optional(z.string()), { description: 'yyyy-mm or yyyy-mm-dd', example: '2026-02' }),
    ...(master
      ? {
          metric_type: doc(z.optional(z.string()), { description: 'Metric types, pipe-separated' }),
          data_type: doc(z.optional(z.string()), { description: 'Data types, pipe-separated' }),
          access_type: doc(z.optional(z.string()), { description: 'Controlled|Open (title reports)' }),
          access_method: doc(z.optional(z.string()), { description: 'Regular|TDM' }),
          yop: doc(z.optional(z.string()), { description: 'Years or ranges, e.g. 2019-2021|2024' }),
          item_id: doc(z.optional(z.string()), { description: 'Not supported (Exception 3060)' }),
          attributes_to_show: doc(z.optional(z.string()), { description: 'Attributes, pipe-separated' }),
          granularity: doc(z.optional(z.string()), { description: 'Month only' }),
        }
      : {}),
  });

const StatusSchema = doc(
  z.array(
    z.object({
      Description: z.string(),
      Service_Active: z.boolean(),
      Registry_Record: z.string(),
      Alerts: z.array(z.object({ Date_Time: z.string(), Alert: z.string() })),
    }),
  ),
  { id: 'CounterStatus' },
);

const MembersSchema = doc(
  z.array(
    z.object({
      Customer_ID: z.string(),
      Requestor_ID: z.string(),
      Name: z.string(),
      Institution_ID: z.record(z.string(), z.array(z.string())),
    }),
  ),
  { id: 'CounterMembers' },
);

const ReportListSchema = doc(
  z.array(
    z.object({
      Report_Name: z.string(),
      Report_ID: z.string(),
      Release: z.string(),
      Report_Description: z.string(),
      Path: z.string(),
      First_Month_Available: z.string(),
      Last_Month_Available: z.string(),
    }),
  ),
  { id: 'CounterReportList' },
);

const PerformanceSchema = z.record(z.string(), z.record(z.string(), z.int()));
const ReportSchema = doc(
  z.object({
    Report_Header: z.object({
      Release: z.string(),
      Report_ID: z.string(),
      Report_Name: z.string(),
      Created: z.string(),
      Created_By: z.string(),
      Institution_ID: z.record(z.string(), z.array(z.string())),
      Institution_Name: z.string(),
      Registry_Record: z.string(),
      Report_Attributes: z.optional(z.object({ Attributes_To_Show: z.array(z.string()) })),
      Report_Filters: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
      Exceptions: z.optional(z.array(ExceptionSchema)),
    }),
    Report_Items: z.array(
      z.object({
        Title: z.optional(z.string()),
        Database: z.optional(z.string()),
        Publisher: z.optional(z.string()),
        Platform: z.string(),
        Item_ID: z.optional(z.record(z.string(), z.string())),
        Attribute_Performance: z.array(
          z.object({
            Data_Type: z.optional(z.string()),
            YOP: z.optional(z.string()),
            Access_Type: z.optional(z.string()),
            Access_Method: z.optional(z.string()),
            Performance: PerformanceSchema,
          }),
        ),
      }),
    ),
  }),
  { id: 'CounterReport' },
);

const authResponses = {
  400: exceptionResponse('1030 Insufficient Information to Process Request (a credential is missing)'),
  401: exceptionResponse('2000 Requestor Not Authorized to Access Service; 2020 APIKey Invalid'),
  403: exceptionResponse(
    '2010 Requestor is Not Authorized to Access Usage for Institution; 2011 Global Reports',
  ),
  503: exceptionResponse('1000 Service Not Available'),
};

const statusRoute = createRoute({
  method: 'get',
  path: '/sushi/r51/status',
  operationId: 'counterStatus',
  tags: ['COUNTER'],
  summary: 'COUNTER API: is the service up',
  security: [],
  responses: {
    200: { description: 'The service status', content: { 'application/json': { schema: StatusSchema } } },
  },
});

const membersRoute = createRoute({
  method: 'get',
  path: '/sushi/r51/members',
  operationId: 'counterMembers',
  tags: ['COUNTER'],
  summary: 'COUNTER API: the institutions of the customer (only itself: no consortia)',
  security: sushiSecurity,
  request: { query: CredentialQuery },
  responses: {
    200: { description: 'The customer', content: { 'application/json': { schema: MembersSchema } } },
    ...authResponses,
  },
});

const reportsRoute = createRoute({
  method: 'get',
  path: '/sushi/r51/reports',
  operationId: 'counterReports',
  tags: ['COUNTER'],
  summary: 'COUNTER API: the reports served, with the months available',
  security: sushiSecurity,
  request: { query: CredentialQuery },
  responses: {
    200: { description: 'Supported reports', content: { 'application/json': { schema: ReportListSchema } } },
    ...authResponses,
  },
});

const reportRoute = (id: ReportId) =>
  createRoute({
    method: 'get',
    path: `/sushi/r51/reports/${id.toLowerCase()}`,
    operationId: `counterReport_${id.toLowerCase()}`,
    tags: ['COUNTER'],
    summary: `COUNTER API: ${id} ${reportDefinitions[id].name}`,
    security: sushiSecurity,
    request: { query: reportQuery(!reportDefinitions[id].view) },
    responses: {
      200: {
        description: 'The report (warnings such as 3030 No Usage in Report_Header.Exceptions)',
        content: { 'application/json': { schema: ReportSchema } },
      },
      ...authResponses,
      400: exceptionResponse('1030 (credentials or dates missing), 3020 Invalid Date Arguments'),
    },
  });

/** Checks the SUSHI credentials of a call; answers the institution it may harvest. */
async function authorize(c: Context<AppEnv>) {
  const query = c.req.query();
  const missing = ['customer_id', 'requestor_id', 'api_key'].filter((p) => !query[p]);
  if (missing.length) throw new CounterApiError(1030, `Missing: ${missing.join(', ')}`);
  if (query.customer_id === '0000000000000000') throw new CounterApiError(2011);
  const deps = c.get('deps');
  const found = await deps.sushiCredentials.check(query.requestor_id!, query.api_key!);
  if (!found) throw new CounterApiError(2000, `requestor_id ${query.requestor_id} is not known.`);
  // The key before the customer, so an unauthenticated caller learns nothing about which customers exist.
  if (!found.keyMatches) throw new CounterApiError(2020);
  if (found.credential.customerId !== query.customer_id) throw new CounterApiError(2010);
  const institution = await counterInstitution(deps, found.credential.customerId);
  if (!institution) throw new CounterApiError(2010, 'The institution no longer exists.');
  return { credential: found.credential, institution };
}

type CounterHandlerResult = Response | Promise<Response>;

/** COUNTER's error shape for everything a SUSHI call can fail with (never problem+json, see above). */
// Typed as never: the handlers answer COUNTER's shapes or its Exception with any status, which the route
// types (one body per status) cannot express; the OpenAPI document still describes both.
async function counterCall(c: Context<AppEnv>, handle: () => CounterHandlerResult): Promise<never> {
  return (await answer(c, handle)) as never;
}

async function answer(c: Context<AppEnv>, handle: () => CounterHandlerResult): Promise<Response> {
  try {
    return await handle();
  } catch (error) {
    if (error instanceof CounterApiError) return exceptionOut(c, error.body, error.status);
    c.get('deps').logger.warn('COUNTER API call failed', {
      requestId: c.get('requestId'),
      error: error as Error,
    });
    c.header('Retry-After', String(unavailableRetryAfterSeconds));
    return exceptionOut(c, counterException(1000, 'Try again shortly.'), 503);
  }
}

function exceptionOut(c: Context<AppEnv>, body: CounterExceptionBody, status: number): Response {
  c.header('Cache-Control', 'no-store');
  return c.json(body, status as 400);
}

const previousMonthOf = (now: Date) => {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
};

export function sushiRoutes(app: ContractApp<AppEnv>): void {
  app.securityScheme('sushiApiKey', {
    type: 'apiKey',
    in: 'query',
    name: 'api_key',
    description: 'With `customer_id` and `requestor_id`, as issued by the librarians (COUNTER 08-api_02)',
  });

  app.openapi(statusRoute, (c) =>
    c.json(
      [
        {
          Description: 'Pustaka COUNTER_SUSHI API, Release 5.1',
          Service_Active: true,
          Registry_Record: registryRecord,
          Alerts: [] as { Date_Time: string; Alert: string }[],
        },
      ],
      200,
    ),
  );

  app.openapi(membersRoute, (c) =>
    counterCall(c, async () => {
      const { credential, institution } = await authorize(c);
      return c.json(
        [
          {
            Customer_ID: credential.customerId,
            Requestor_ID: credential.requestorId,
            Name: institution.name,
            Institution_ID: institutionIdOf(institution),
          },
        ],
        200,
      );
    }),
  );

  app.openapi(reportsRoute, (c) =>
    counterCall(c, async () => {
      const { institution } = await authorize(c);
      const deps = c.get('deps');
      const last = previousMonthOf(deps.clock.now());
      const { first } = await deps.counter.monthsWithUsage(institution.id);
      const firstMonth = first && first <= last ? first : last;
      return c.json(
        reportIds.map((id) => ({
          Report_Name: reportDefinitions[id].name,
          Report_ID: id,
          Release: counterRelease,
          Report_Description: reportDefinitions[id].description,
          Path: `/sushi/r51/reports/${id.toLowerCase()}`,
          First_Month_Available: firstMonth,
          Last_Month_Available: last,
        })),
        200,
      );
    }),
  );

  for (const id of reportIds) {
    app.openapi(reportRoute(id), (c) =>
      counterCall(c, async () => {
        const { institution } = await authorize(c);
        const { report } = await counterReport(c.get('deps'), id, institution, c.req.query());
        c.header('Cache-Control', 'no-store');
        return c.json(report, 200);
      }),
    );
  }
}

// ---- the librarians' side: credentials and tabular reports ------------------------------------------------

const CredentialSchema = doc(
  z.object({
    customerId: z.string(),
    requestorId: z.string(),
    label: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
  { id: 'SushiCredential' },
);

const IssuedCredentialSchema = doc(
  extend(CredentialSchema, {
    apiKey: doc(z.string(), { description: 'Shown this once; only its hash is kept' }),
  }),
  { id: 'IssuedSushiCredential' },
);

const InstitutionSchema = doc(z.object({ id: z.string(), name: z.string() }), { id: 'CounterInstitution' });

const listCredentials = createRoute({
  method: 'get',
  path: '/admin/counter/credentials',
  operationId: 'listSushiCredentials',
  tags: ['COUNTER'],
  summary: 'SUSHI credentials issued to harvesters, and the institutions they can be issued for',
  security: [{ bearer: [] }],
  responses: {
    200: {
      description: 'Credentials (never their keys) and institutions',
      content: {
        'application/json': {
          schema: z.object({ data: z.array(CredentialSchema), institutions: z.array(InstitutionSchema) }),
        },
      },
    },
  },
});

const issueCredential = createRoute({
  method: 'post',
  path: '/admin/counter/credentials',
  operationId: 'issueSushiCredential',
  tags: ['COUNTER'],
  summary: 'Issue a SUSHI credential for an institution (the api_key is shown once)',
  security: [{ bearer: [] }],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            customerId: doc(z.string().check(z.minLength(1), z.maxLength(128)), {
              description: '`library` or a partner id',
            }),
            label: doc(z.string().check(z.trim(), z.minLength(1), z.maxLength(200)), {
              description: 'Who harvests with it',
            }),
          }),
        },
      },
    },
  },
  responses: {
    201: {
      description: 'The credential, with its api_key',
      content: { 'application/json': { schema: IssuedCredentialSchema } },
    },
    400: problemContent('VALIDATION_FAILED (no such institution, bad body)', ['VALIDATION_FAILED']),
  },
});

const revokeCredential = createRoute({
  method: 'delete',
  path: '/admin/counter/credentials/{requestorId}',
  operationId: 'revokeSushiCredential',
  tags: ['COUNTER'],
  summary: 'Revoke a SUSHI credential at once',
  security: [{ bearer: [] }],
  request: { params: z.object({ requestorId: z.string().check(z.minLength(1), z.maxLength(128)) }) },
  responses: {
    204: { description: 'Revoked' },
    404: problemContent('SUSHI_CREDENTIAL_NOT_FOUND', ['SUSHI_CREDENTIAL_NOT_FOUND']),
  },
});

const tabularReport = createRoute({
  method: 'get',
  path: '/admin/counter/reports/{reportId}',
  operationId: 'downloadCounterReport',
  tags: ['COUNTER'],
  summary: 'A COUNTER report of an institution as tabular TSV (or JSON), for a chosen period',
  security: [{ bearer: [] }],
  request: {
    params: z.object({
      reportId: z.enum(reportIds.map((id) => id.toLowerCase()) as [string, ...string[]]),
    }),
    query: z.object({
      institution: z._default(z.string().check(z.minLength(1), z.maxLength(128)), 'library'),
      begin_date: doc(z.string(), { example: '2026-01' }),
      end_date: doc(z.string(), { example: '2026-02' }),
      format: z._default(z.enum(['tsv', 'json']), 'tsv'),
    }),
  },
  responses: {
    200: {
      description: 'The report',
      content: {
        'text/tab-separated-values': { schema: z.string() },
        'application/json': { schema: ReportSchema },
      },
    },
    400: problemContent('COUNTER_REPORT_REFUSED (dates: COUNTER 1030 / 3020)', [
      'COUNTER_REPORT_REFUSED',
      'VALIDATION_FAILED',
    ]),
    404: problemContent('No such institution', ['INSTITUTION_NOT_FOUND']),
  },
});

export function adminCounterRoutes(app: ContractApp<AppEnv>): void {
  app.openapi(listCredentials, async (c) => {
    const deps = c.get('deps');
    const [data, institutions] = await Promise.all([deps.sushiCredentials.list(), counterInstitutions(deps)]);
    return c.json({ data, institutions }, 200);
  });

  app.openapi(issueCredential, async (c) => {
    const { customerId, label } = c.req.valid('json');
    noteAudit(c, { action: 'counter.credential.issue', details: { customerId, label } });
    const deps = c.get('deps');
    if (!(await counterInstitution(deps, customerId)))
      throw new ValidationError({
        code: 'VALIDATION_FAILED',
        detail: `No institution ${customerId}: use "library" or a partner id.`,
        context: { field: 'customerId' },
      });
    const credential: SushiCredential = {
      customerId,
      requestorId: randomUUID(),
      label,
      createdAt: deps.clock.now().toISOString(),
      createdBy: librarianId(c),
    };
    const apiKey = randomBytes(32).toString('base64url');
    await deps.sushiCredentials.issue(credential, apiKey);
    c.header('Cache-Control', 'no-store');
    return c.json({ ...credential, apiKey }, 201);
  });

  app.openapi(revokeCredential, async (c) => {
    const { requestorId } = c.req.valid('param');
    noteAudit(c, { action: 'counter.credential.revoke', details: { requestorId } });
    if (!(await c.get('deps').sushiCredentials.revoke(requestorId)))
      throw new NotFoundError({
        code: 'SUSHI_CREDENTIAL_NOT_FOUND',
        detail: `No SUSHI credential ${requestorId}.`,
        context: { requestorId },
      });
    return c.body(null, 204);
  });

  app.openapi(tabularReport, async (c) => {
    const { institution: institutionId, begin_date, end_date, format } = c.req.valid('query');
    const id = c.req.valid('param').reportId.toUpperCase() as ReportId;
    const deps = c.get('deps');
    const institution = await counterInstitution(deps, institutionId);
    if (!institution)
      throw new NotFoundError({
        code: 'INSTITUTION_NOT_FOUND',
        detail: `No institution ${institutionId}.`,
        context: { institution: institutionId },
      });
    let result;
    try {
      result = await counterReport(deps, id, institution, { begin_date, end_date });
    } catch (error) {
      if (!(error instanceof CounterApiError)) throw error;
      throw new ValidationError({
        code: 'COUNTER_REPORT_REFUSED',
        detail: `${error.body.Code} ${error.body.Message}${error.body.Data ? `: ${error.body.Data}` : ''}`,
        context: { counterCode: error.body.Code },
      });
    }
    c.header('Cache-Control', 'no-store');
    if (format === 'json') return c.json(result.report, 200);
    const name = `${id}_${institution.id}_${result.request.beginDate.slice(0, 7)}_${result.request.endDate.slice(0, 7)}.tsv`;
    c.header('Content-Disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9_.-]/g, '_')}"`);
    return c.body(reportToTsv(result.report, result.request.months), 200, {
      'Content-Type': 'text/tab-separated-values; charset=utf-8',
    });
  });
}
