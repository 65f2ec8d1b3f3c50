/**
 * COUNTER Release 5.1 reports from Pustaka's monthly usage aggregates: the request's parameters checked as the
 * COUNTER_SUSHI API wants (Exceptions with their codes and HTTP statuses, Appendix D), the JSON report built
 * exactly in COUNTER's shape (only non-zero months), and the same report as tabular TSV (05-delivery_02).
 *
 * Pure: the adapters hand in the aggregate rows and the titles' and partners' names; nothing here reads a
 * clock, a table or the environment.
 */

export const counterRelease = '5.1';
export const counterPlatform = 'Pustaka';
/** Namespace of Pustaka's proprietary identifiers (`Pustaka:<id>`). */
export const counterNamespace = 'Pustaka';
/** The library itself, as a COUNTER institution (partners are institutions too, under their own ids). */
export const libraryInstitutionId = 'library';
export const libraryInstitutionName = 'Perpustakaan Kota Nusantara';
/** Created_By of every report. */
export const counterCreatedBy = 'Pustaka (Perpustakaan Kota Nusantara)';

export const counterMetrics = [
  'Limit_Exceeded',
  'No_License',
  'Searches_Automated',
  'Searches_Federated',
  'Searches_Platform',
  'Searches_Regular',
  'Total_Item_Investigations',
  'Total_Item_Requests',
  'Unique_Item_Investigations',
  'Unique_Item_Requests',
  'Unique_Title_Investigations',
  'Unique_Title_Requests',
] as const;
export type CounterMetric = (typeof counterMetrics)[number];
export type CounterCounts = Partial<Record<CounterMetric, number>>;

export type AccessType = 'Controlled' | 'Open';
export type TitleDataType = 'Book' | 'Journal';

/** One monthly aggregate: month × institution × (title and access type | the platform | a database). */
export type CounterRow =
  | { kind: 'title'; month: string; titleId: string; accessType: AccessType; counts: CounterCounts }
  | { kind: 'platform'; month: string; counts: CounterCounts }
  | { kind: 'database'; month: string; partnerId: string; database: string; counts: CounterCounts };

/** What a title report shows of a title (from the catalogue at report time). */
export interface CounterTitle {
  id: string;
  title: string;
  publisher?: string;
  dataType: TitleDataType;
  yop: string;
  doi?: string;
  isbn?: string;
  printIssn?: string;
  onlineIssn?: string;
}

/** A title's COUNTER Data_Type: a serial (an ISSN and no ISBN) is a Journal, everything else a Book. */
export function dataTypeOf(title: { identifiers: { isbn?: string[]; issn?: string[] } }): TitleDataType {
  return title.identifiers.issn?.length && !title.identifiers.isbn?.length ? 'Journal' : 'Book';
}

/** Year of publication from the catalogue's date; COUNTER's `0001` when it is unknown. */
export function yopOf(published: string | undefined): string {
  const year = /^(\d{4})/.exec(published ?? '')?.[1];
  return year && year !== '0000' ? year : '0001';
}

export function accessTypeOf(access: 'open' | 'licensed' | 'partner'): AccessType {
  return access === 'open' ? 'Open' : 'Controlled';
}

// ---- exceptions (Appendix D, Table D.1) -----------------------------------------------------------

export const counterExceptions = {
  1000: { message: 'Service Not Available', status: 503 },
  1020: { message: 'Client has made too many requests', status: 429 },
  1030: { message: 'Insufficient Information to Process Request', status: 400 },
  2000: { message: 'Requestor Not Authorized to Access Service', status: 401 },
  2010: { message: 'Requestor is Not Authorized to Access Usage for Institution', status: 403 },
  2011: { message: 'Global Reports Not Supported', status: 403 },
  2020: { message: 'APIKey Invalid', status: 401 },
  3020: { message: 'Invalid Date Arguments', status: 400 },
  3030: { message: 'No Usage Available for Requested Dates', status: 200 },
  3031: { message: 'Usage Not Ready for Requested Dates', status: 200 },
  3050: { message: 'Parameter Not Recognized in this Context', status: 200 },
  3060: { message: 'Invalid ReportFilter Value', status: 200 },
  3062: { message: 'Invalid ReportAttribute Value', status: 200 },
} as const;
export type CounterExceptionCode = keyof typeof counterExceptions;

export interface CounterExceptionBody {
  Code: number;
  Message: string;
  Data?: string;
}

export function counterException(code: CounterExceptionCode, data?: string): CounterExceptionBody {
  return { Code: code, Message: counterExceptions[code].message, ...(data ? { Data: data } : {}) };
}

/** An error that ends a COUNTER_SUSHI call: answered as one Exception with its non-200 status. */
export class CounterApiError extends Error {
  readonly status: number;
  readonly body: CounterExceptionBody;
  constructor(code: CounterExceptionCode, data?: string) {
    super(`${code} ${counterExceptions[code].message}${data ? `: ${data}` : ''}`);
    this.name = 'CounterApiError';
    this.status = counterExceptions[code].status;
    this.body = counterException(code, data);
  }
}

// ---- report definitions (04-reports) ------------------------------------------------------------------

export const reportIds = [
  'PR',
  'PR_P1',
  'DR',
  'DR_D1',
  'DR_D2',
  'TR',
  'TR_B1',
  'TR_B2',
  'TR_B3',
  'TR_J1',
  'TR_J3',
] as const;
export type ReportId = (typeof reportIds)[number];

type Family = 'PR' | 'DR' | 'TR';
type Attribute = 'Data_Type' | 'YOP' | 'Access_Type' | 'Access_Method';

interface ReportDefinition {
  name: string;
  description: string;
  family: Family;
  /** Standard views: the filters that define the view (Metric_Type first, as the samples order them). */
  view?: {
    metrics: CounterMetric[];
    dataTypes?: string[];
    accessTypes?: AccessType[];
    /** Attributes the view always shows, in column order. */
    attributes: Attribute[];
  };
}

const bookTypes = ['Book', 'Reference_Work'];
const usageMetrics: CounterMetric[] = [
  'Total_Item_Investigations',
  'Total_Item_Requests',
  'Unique_Item_Investigations',
  'Unique_Item_Requests',
  'Unique_Title_Investigations',
  'Unique_Title_Requests',
];

export const reportDefinitions: Record<ReportId, ReportDefinition> = {
  PR: { name: 'Platform Report', family: 'PR', description: 'Platform-level usage, all metrics.' },
  PR_P1: {
    name: 'Platform Usage',
    family: 'PR',
    description: 'Platform searches and requests.',
    view: {
      metrics: ['Searches_Platform', 'Total_Item_Requests', 'Unique_Item_Requests', 'Unique_Title_Requests'],
      attributes: ['Data_Type'],
    },
  },
  DR: {
    name: 'Database Report',
    family: 'DR',
    description: 'Usage of partner databases reached through /go.',
  },
  DR_D1: {
    name: 'Database Search and Item Usage',
    family: 'DR',
    description: 'Searches and item usage of partner databases.',
    view: {
      metrics: [
        'Searches_Automated',
        'Searches_Federated',
        'Searches_Regular',
        'Total_Item_Investigations',
        'Total_Item_Requests',
        'Unique_Item_Investigations',
        'Unique_Item_Requests',
      ],
      attributes: [],
    },
  },
  DR_D2: {
    name: 'Database Access Denied',
    family: 'DR',
    description: 'Denials of partner databases.',
    view: { metrics: ['Limit_Exceeded', 'No_License'], attributes: [] },
  },
  TR: { name: 'Title Report', family: 'TR', description: 'Title-level usage, all metrics.' },
  TR_B1: {
    name: 'Book Requests (Controlled)',
    family: 'TR',
    description: 'Requests of licensed books.',
    view: {
      metrics: ['Total_Item_Requests', 'Unique_Title_Requests'],
      dataTypes: bookTypes,
      accessTypes: ['Controlled'],
      attributes: ['Data_Type', 'YOP'],
    },
  },
  TR_B2: {
    name: 'Book Access Denied',
    family: 'TR',
    description: 'Books refused: no free copy (Limit_Exceeded) or no licence (No_License).',
    view: {
      metrics: ['Limit_Exceeded', 'No_License'],
      dataTypes: bookTypes,
      attributes: ['Data_Type', 'YOP'],
    },
  },
  TR_B3: {
    name: 'Book Usage by Access Type',
    family: 'TR',
    description: 'Book investigations and requests, licensed and open.',
    view: { metrics: usageMetrics, dataTypes: bookTypes, attributes: ['Data_Type', 'YOP', 'Access_Type'] },
  },
  TR_J1: {
    name: 'Journal Requests (Controlled)',
    family: 'TR',
    description: 'Requests of licensed journals.',
    view: {
      metrics: ['Total_Item_Requests', 'Unique_Item_Requests'],
      dataTypes: ['Journal'],
      accessTypes: ['Controlled'],
      attributes: [],
    },
  },
  TR_J3: {
    name: 'Journal Usage by Access Type',
    family: 'TR',
    description: 'Journal investigations and requests, licensed and open.',
    view: {
      metrics: [
        'Total_Item_Investigations',
        'Total_Item_Requests',
        'Unique_Item_Investigations',
        'Unique_Item_Requests',
      ],
      dataTypes: ['Journal'],
      attributes: ['Access_Type'],
    },
  },
};

/** Metrics each report family can carry (master reports; alphabetical as COUNTER lists them). */
const familyMetrics: Record<Family, CounterMetric[]> = {
  PR: ['Searches_Platform', ...usageMetrics],
  DR: [
    'Limit_Exceeded',
    'No_License',
    'Searches_Automated',
    'Searches_Federated',
    'Searches_Regular',
    'Total_Item_Investigations',
    'Total_Item_Requests',
    'Unique_Item_Investigations',
    'Unique_Item_Requests',
  ],
  TR: ['Limit_Exceeded', 'No_License', ...usageMetrics],
};
const familyDataTypes: Record<Family, string[]> = {
  PR: ['Book', 'Journal', 'Platform'],
  DR: ['Database_Full'],
  TR: ['Book', 'Journal'],
};
/** attributes_to_show each master report accepts (Data_Type is always shown on PR and TR). */
const familyAttributes: Record<Family, Attribute[]> = {
  PR: ['Access_Method'],
  DR: ['Access_Method'],
  TR: ['YOP', 'Access_Type', 'Access_Method'],
};

// ---- the request ---------------------------------------------------------------------------------------

export interface ReportRequest {
  reportId: ReportId;
  /** Months asked for, `yyyy-mm`, first to last (already cut to the last complete month). */
  months: string[];
  beginDate: string;
  endDate: string;
  metrics: CounterMetric[];
  dataTypes?: string[];
  accessTypes?: AccessType[];
  accessMethods?: string[];
  yop?: { from: number; to: number }[];
  /** Attributes shown, in column order (view's, or Data_Type + those asked for on a master report). */
  attributes: Attribute[];
  /** Master reports: what was asked for, echoed in Report_Filters / Report_Attributes. */
  echoFilters: [string, string[]][];
  echoAttributes?: string[];
  exceptions: CounterExceptionBody[];
}

const credentialParameters = ['customer_id', 'requestor_id', 'api_key', 'platform'];
const masterFilters: Record<Family, string[]> = {
  PR: ['metric_type', 'data_type', 'access_method'],
  DR: ['metric_type', 'access_method'],
  TR: ['metric_type', 'data_type', 'access_type', 'access_method', 'yop', 'item_id'],
};

const dateParameter = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/;

function parseMonth(value: string, edge: 'begin' | 'end'): { month: string; date: string } | undefined {
  const match = dateParameter.exec(value);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const year = Number(y);
  const month = Number(m);
  if (month < 1 || month > 12 || year < 1) return undefined;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (d !== undefined && (Number(d) < 1 || Number(d) > last)) return undefined;
  const key = `${y}-${m}`;
  return { month: key, date: edge === 'begin' ? `${key}-01` : `${key}-${String(last).padStart(2, '0')}` };
}

export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  const [ly, lm] = last.split('-').map(Number) as [number, number];
  while (y < ly || (y === ly && m <= lm)) {
    months.push(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`);
    m += 1;
    if (m === 13) {
      m = 1;
      y += 1;
    }
  }
  return months;
}

function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/**
 * Checks a report request's parameters (credentials are the route's business) against what the Code of
 * Practice allows for the report. Errors that stop the report throw CounterApiError (1030, 3020); those it
 * can go on from become header Exceptions (3031, 3050, 3060, 3062).
 */
export function parseReportRequest(
  reportId: ReportId,
  query: Record<string, string | undefined>,
  now: Date,
): ReportRequest {
  const definition = reportDefinitions[reportId];
  const exceptions: CounterExceptionBody[] = [];
  const params = new Map(
    Object.entries(query)
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
  const missing = ['begin_date', 'end_date'].filter((p) => !params.get(p));
  if (missing.length) throw new CounterApiError(1030, `Missing: ${missing.join(', ')}`);
  const begin = parseMonth(params.get('begin_date')!, 'begin');
  const end = parseMonth(params.get('end_date')!, 'end');
  if (!begin || !end)
    throw new CounterApiError(3020, 'Dates must be yyyy-mm or yyyy-mm-dd (begin_date, end_date).');
  if (end.month < begin.month) throw new CounterApiError(3020, 'end_date is before begin_date.');
  const current = now.toISOString().slice(0, 7);
  if (begin.month >= current)
    throw new CounterApiError(3020, `begin_date must be before the current month (${current}).`);
  let endDate = end.date;
  let lastMonth = end.month;
  if (end.month >= current) {
    lastMonth = previousMonth(current);
    endDate = parseMonth(lastMonth, 'end')!.date;
    exceptions.push(
      counterException(
        3031,
        `Usage is ready up to ${lastMonth}; ${monthsBetween(current, end.month).join(', ')} not yet.`,
      ),
    );
  }

  const family = definition.family;
  const allowed = new Set(['begin_date', 'end_date', ...credentialParameters]);
  if (!definition.view) {
    masterFilters[family].forEach((f) => allowed.add(f));
    allowed.add('attributes_to_show');
    allowed.add('granularity');
  }
  const unknown = [...params.keys()].filter((p) => !allowed.has(p));
  if (unknown.length) exceptions.push(counterException(3050, unknown.join(', ')));

  const request: ReportRequest = {
    reportId,
    months: monthsBetween(begin.month, lastMonth),
    beginDate: begin.date,
    endDate,
    metrics: definition.view?.metrics ?? familyMetrics[family],
    attributes: definition.view?.attributes ?? (family === 'DR' ? [] : ['Data_Type']),
    echoFilters: [],
    exceptions,
  };
  if (definition.view) {
    if (definition.view.dataTypes) request.dataTypes = definition.view.dataTypes;
    if (definition.view.accessTypes) request.accessTypes = definition.view.accessTypes;
    request.accessMethods = ['Regular'];
    return request;
  }

  // Master reports: filters and attributes as 08-api_03 allows; unsupported values ignored with 3060 / 3062.
  const badValues: string[] = [];
  const listOf = (name: string, permitted: readonly string[]): string[] | undefined => {
    const raw = params.get(name);
    if (raw === undefined) return undefined;
    const values = raw.split('|').filter(Boolean);
    const bad = values.filter((v) => !permitted.includes(v));
    if (bad.length) badValues.push(`${name}=${bad.join('|')}`);
    const good = values.filter((v) => permitted.includes(v));
    return good.length ? good : undefined;
  };
  const metrics = listOf('metric_type', familyMetrics[family]) as CounterMetric[] | undefined;
  if (metrics) {
    request.metrics = familyMetrics[family].filter((m) => metrics.includes(m));
    request.echoFilters.push(['Metric_Type', request.metrics]);
  }
  const dataTypes = masterFilters[family].includes('data_type')
    ? listOf('data_type', familyDataTypes[family])
    : undefined;
  if (dataTypes) {
    request.dataTypes = dataTypes;
    request.echoFilters.push(['Data_Type', dataTypes]);
  }
  const accessTypes = masterFilters[family].includes('access_type')
    ? (listOf('access_type', ['Controlled', 'Open']) as AccessType[] | undefined)
    : undefined;
  if (accessTypes) {
    request.accessTypes = accessTypes;
    request.echoFilters.push(['Access_Type', accessTypes]);
  }
  const accessMethods = listOf('access_method', ['Regular', 'TDM']);
  if (accessMethods) {
    request.accessMethods = accessMethods;
    request.echoFilters.push(['Access_Method', accessMethods]);
  }
  if (family === 'TR' && params.get('yop') !== undefined) {
    const ranges = params
      .get('yop')!
      .split('|')
      .map((part) => /^(\d{4})(?:-(\d{4}))?$/.exec(part))
      .map((m) => (m ? { from: Number(m[1]), to: Number(m[2] ?? m[1]) } : undefined));
    if (ranges.some((r) => !r || r.to < r.from)) badValues.push(`yop=${params.get('yop')}`);
    const good = ranges.filter((r): r is { from: number; to: number } => !!r && r.to >= r.from);
    if (good.length) {
      request.yop = good;
      request.echoFilters.push([
        'YOP',
        good.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)),
      ]);
    }
  }
  if (family === 'TR' && params.get('item_id') !== undefined) {
    // Item ids are not filtered on: said so rather than answered as if they were.
    badValues.push(`item_id=${params.get('item_id')}`);
  }
  const granularity = params.get('granularity');
  if (granularity !== undefined && granularity !== 'Month') badValues.push(`granularity=${granularity}`);
  if (badValues.length) exceptions.push(counterException(3060, badValues.join('; ')));

  const shown = params.get('attributes_to_show');
  if (shown !== undefined) {
    const permitted = familyAttributes[family];
    const asked = shown.split('|').filter(Boolean);
    const bad = asked.filter((a) => !permitted.includes(a as Attribute));
    if (bad.length) exceptions.push(counterException(3062, `attributes_to_show=${bad.join('|')}`));
    const good = permitted.filter((a) => asked.includes(a));
    if (good.length) {
      request.attributes = [...request.attributes, ...good];
      request.echoAttributes = good;
    }
  }
  return request;
}

// ---- the report ----------------------------------------------------------------------------------------

export interface CounterInstitution {
  id: string;
  name: string;
}

export type Performance = Partial<Record<CounterMetric, Record<string, number>>>;

export interface AttributePerformance {
  Data_Type?: string;
  YOP?: string;
  Access_Type?: string;
  Access_Method?: string;
  Performance: Performance;
}

export interface ReportItem {
  Title?: string;
  Database?: string;
  Publisher?: string;
  Platform: string;
  Item_ID?: Record<string, string>;
  Attribute_Performance: AttributePerformance[];
}

export interface ReportHeader {
  Release: string;
  Report_ID: ReportId;
  Report_Name: string;
  Created: string;
  Created_By: string;
  Institution_ID: Record<string, string[]>;
  Institution_Name: string;
  Registry_Record: string;
  Report_Attributes?: { Attributes_To_Show: string[] };
  Report_Filters: Record<string, string | string[]>;
  Exceptions?: CounterExceptionBody[];
}

export interface CounterReport {
  Report_Header: ReportHeader;
  Report_Items: ReportItem[];
}

export interface ReportContext {
  institution: CounterInstitution;
  titles: ReadonlyMap<string, CounterTitle>;
  partnerNames: ReadonlyMap<string, string>;
  createdBy: string;
  registryRecord: string;
  now: Date;
}

export function institutionIdOf(institution: CounterInstitution): Record<string, string[]> {
  return { Proprietary: [`${counterNamespace}:${institution.id}`] };
}

/** Created: UTC to the second, `yyyy-mm-ddThh:mm:ssZ`. */
const createdStamp = (now: Date) => `${now.toISOString().slice(0, 19)}Z`;

interface Cell {
  item: ReportItem;
  sortKey: string;
  attributes: Map<
    string,
    { attributes: Omit<AttributePerformance, 'Performance'>; performance: Performance }
  >;
}

/** Journals have no Unique_Title metrics (a journal is not a title of items: 03-specifications_03). */
const applies = (metric: CounterMetric, dataType: string) =>
  !(dataType === 'Journal' && metric.startsWith('Unique_Title_')) &&
  !(dataType === 'Platform' && metric !== 'Searches_Platform') &&
  !(dataType !== 'Platform' && metric === 'Searches_Platform');

function titleItemId(title: CounterTitle, journal: boolean): Record<string, string> {
  return {
    ...(title.doi ? { DOI: title.doi } : {}),
    Proprietary: `${counterNamespace}:${title.id}`,
    ...(!journal && title.isbn ? { ISBN: title.isbn } : {}),
    ...(title.printIssn ? { Print_ISSN: title.printIssn } : {}),
    ...(title.onlineIssn ? { Online_ISSN: title.onlineIssn } : {}),
  };
}

export function databaseItemId(partnerId: string, database: string): string {
  return `${counterNamespace}:${partnerId}/${database}`;
}

/** Builds the report a request asks for from the institution's monthly rows (only non-zero months). */
export function buildReport(
  request: ReportRequest,
  rows: readonly CounterRow[],
  context: ReportContext,
): CounterReport {
  const definition = reportDefinitions[request.reportId];
  const family = definition.family;
  const months = new Set(request.months);
  const wanted = new Set(request.metrics);
  const show = new Set(request.attributes);
  const cells = new Map<string, Cell>();
  const add = (
    itemKey: string,
    sortKey: string,
    makeItem: () => ReportItem,
    attributes: Omit<AttributePerformance, 'Performance'>,
    dataType: string,
    month: string,
    counts: CounterCounts,
  ) => {
    for (const metric of request.metrics) {
      const value = counts[metric] ?? 0;
      if (!value || !wanted.has(metric) || !applies(metric, dataType)) continue;
      let cell = cells.get(itemKey);
      if (!cell) {
        cell = { item: makeItem(), sortKey, attributes: new Map() };
        cells.set(itemKey, cell);
      }
      const attributeKey = JSON.stringify(attributes);
      let group = cell.attributes.get(attributeKey);
      if (!group) {
        group = { attributes, performance: {} };
        cell.attributes.set(attributeKey, group);
      }
      const series = (group.performance[metric] ??= {});
      series[month] = (series[month] ?? 0) + value;
    }
  };
  const methodOk = !request.accessMethods || request.accessMethods.includes('Regular');

  for (const row of rows) {
    if (!months.has(row.month) || !methodOk) continue;
    if (family === 'TR' && row.kind === 'title') {
      const title = context.titles.get(row.titleId);
      if (!title) continue;
      if (request.dataTypes && !request.dataTypes.includes(title.dataType)) continue;
      if (request.accessTypes && !request.accessTypes.includes(row.accessType)) continue;
      if (request.yop && !request.yop.some((r) => Number(title.yop) >= r.from && Number(title.yop) <= r.to))
        continue;
      const journal = title.dataType === 'Journal';
      add(
        title.id,
        `${title.title.toLowerCase()}\u0000${title.id}`,
        () => ({
          Title: title.title,
          Publisher: title.publisher ?? '',
          Platform: counterPlatform,
          Item_ID: titleItemId(title, journal),
          Attribute_Performance: [],
        }),
        {
          ...(show.has('Data_Type') ? { Data_Type: title.dataType } : {}),
          ...(show.has('YOP') ? { YOP: title.yop } : {}),
          ...(show.has('Access_Type') ? { Access_Type: row.accessType } : {}),
          ...(show.has('Access_Method') ? { Access_Method: 'Regular' } : {}),
        },
        title.dataType,
        row.month,
        row.counts,
      );
    } else if (family === 'PR' && row.kind !== 'database') {
      let dataType = 'Platform';
      if (row.kind === 'title') {
        const title = context.titles.get(row.titleId);
        if (!title) continue;
        dataType = title.dataType;
      }
      if (request.dataTypes && !request.dataTypes.includes(dataType)) continue;
      add(
        'platform',
        '',
        () => ({ Platform: counterPlatform, Attribute_Performance: [] }),
        {
          Data_Type: dataType,
          ...(show.has('Access_Method') ? { Access_Method: 'Regular' } : {}),
        },
        dataType,
        row.month,
        row.counts,
      );
    } else if (family === 'DR' && row.kind === 'database') {
      const publisher = context.partnerNames.get(row.partnerId) ?? row.partnerId;
      add(
        `${row.partnerId}\u0000${row.database}`,
        `${row.database.toLowerCase()}\u0000${row.partnerId}`,
        () => ({
          Database: row.database,
          Publisher: publisher,
          Platform: counterPlatform,
          Item_ID: { Proprietary: databaseItemId(row.partnerId, row.database) },
          Attribute_Performance: [],
        }),
        show.has('Access_Method') ? { Access_Method: 'Regular' } : {},
        'Database',
        row.month,
        row.counts,
      );
    }
  }

  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const items = [...cells.values()]
    .sort((a, b) => order(a.sortKey, b.sortKey))
    .map(({ item, attributes }) => ({
      ...item,
      Attribute_Performance: [...attributes.values()]
        .sort((a, b) => order(JSON.stringify(a.attributes), JSON.stringify(b.attributes)))
        .map(({ attributes: shown, performance }) => ({
          ...shown,
          Performance: Object.fromEntries(
            request.metrics
              .filter((m) => performance[m])
              .map((m) => [
                m,
                Object.fromEntries(
                  request.months.filter((mo) => performance[m]![mo]).map((mo) => [mo, performance[m]![mo]!]),
                ),
              ]),
          ),
        })),
    }));

  const exceptions = [...request.exceptions];
  if (!items.length)
    exceptions.push(counterException(3030, `No usage from ${request.beginDate} to ${request.endDate}.`));
  exceptions.sort((a, b) => a.Code - b.Code);

  const filters: Record<string, string | string[]> = {};
  if (definition.view) {
    filters.Metric_Type = definition.view.metrics;
    filters.Begin_Date = request.beginDate;
    filters.End_Date = request.endDate;
    if (definition.view.dataTypes) filters.Data_Type = definition.view.dataTypes;
    if (definition.view.accessTypes) filters.Access_Type = definition.view.accessTypes;
    filters.Access_Method = ['Regular'];
  } else {
    filters.Begin_Date = request.beginDate;
    filters.End_Date = request.endDate;
    for (const [name, values] of request.echoFilters) filters[name] = values;
  }
  const header: ReportHeader = {
    Release: counterRelease,
    Report_ID: request.reportId,
    Report_Name: definition.name,
    Created: createdStamp(context.now),
    Created_By: context.createdBy,
    Institution_ID: institutionIdOf(context.institution),
    Institution_Name: context.institution.name,
    Registry_Record: context.registryRecord,
    ...(request.echoAttributes ? { Report_Attributes: { Attributes_To_Show: request.echoAttributes } } : {}),
    Report_Filters: filters,
    ...(exceptions.length ? { Exceptions: exceptions } : {}),
  };
  return { Report_Header: header, Report_Items: items };
}

// ---- tabular (05-delivery_02) ---------------------------------------------------------------------------

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-01` → `Jan-2026`. */
export function tabularMonth(month: string): string {
  const [y, m] = month.split('-');
  return `${monthNames[Number(m) - 1]}-${y}`;
}

const clean = (value: string) => value.replace(/[\t\r\n]+/g, ' ');

/**
 * The report as COUNTER's tabular form: header rows 1–13 in the fixed order, row 14 empty, headings in row
 * 15, one row per item, attribute set and metric, every month cell a number (rows totalling 0 left out).
 * Line ends are LF and the file starts with a byte order mark, as in COUNTER's sample files.
 */
export function reportToTsv(report: CounterReport, months: readonly string[]): string {
  const header = report.Report_Header;
  const definition = reportDefinitions[header.Report_ID];
  const family = definition.family;
  const filters = header.Report_Filters;
  const metricTypes = Array.isArray(filters.Metric_Type) ? filters.Metric_Type.join('; ') : '';
  const otherFilters = Object.entries(filters)
    .filter(([name]) => !['Metric_Type', 'Begin_Date', 'End_Date'].includes(name))
    .map(([name, value]) => `${name}=${Array.isArray(value) ? value.join('|') : value}`)
    .join('; ');
  const attributes = header.Report_Attributes
    ? `Attributes_To_Show=${header.Report_Attributes.Attributes_To_Show.join('|')}`
    : '';
  const exceptions = (header.Exceptions ?? [])
    .map((e) => `${e.Code}: ${e.Message}${e.Data ? ` (${e.Data})` : ''}`)
    .join('; ');
  const institutionIds = Object.entries(header.Institution_ID)
    .flatMap(([type, values]) => values.map((v) => `${type}:${v}`))
    .join('; ');
  const rows: string[][] = [
    ['Report_Name', header.Report_Name],
    ['Report_ID', header.Report_ID],
    ['Release', header.Release],
    ['Institution_Name', header.Institution_Name],
    ['Institution_ID', institutionIds],
    ['Metric_Types', metricTypes],
    ['Report_Filters', otherFilters],
    ['Report_Attributes', attributes],
    ['Exceptions', exceptions],
    ['Reporting_Period', `Begin_Date=${String(filters.Begin_Date)}; End_Date=${String(filters.End_Date)}`],
    ['Created', header.Created],
    ['Created_By', header.Created_By],
    ['Registry_Record', header.Registry_Record],
    [],
  ];
  const shownAttributes: Attribute[] = definition.view
    ? definition.view.attributes
    : [
        ...(family === 'DR' ? [] : (['Data_Type'] as Attribute[])),
        ...((header.Report_Attributes?.Attributes_To_Show ?? []) as Attribute[]),
      ];
  const journalsOnly = definition.view?.dataTypes?.length === 1 && definition.view.dataTypes[0] === 'Journal';
  const identifierColumns =
    family === 'TR'
      ? ['DOI', 'Proprietary_ID', ...(journalsOnly ? [] : ['ISBN']), 'Print_ISSN', 'Online_ISSN', 'URI']
      : family === 'DR'
        ? ['Proprietary_ID']
        : [];
  const leading =
    family === 'TR'
      ? ['Title', 'Publisher', 'Publisher_ID', 'Platform']
      : family === 'DR'
        ? ['Database', 'Publisher', 'Publisher_ID', 'Platform']
        : ['Platform'];
  const attributeOrder: Attribute[] = ['Data_Type', 'YOP', 'Access_Type', 'Access_Method'];
  const attributeColumns = attributeOrder.filter((a) => shownAttributes.includes(a));
  rows.push([
    ...leading,
    ...identifierColumns,
    ...attributeColumns,
    'Metric_Type',
    'Reporting_Period_Total',
    ...months.map(tabularMonth),
  ]);
  const metricOrder = (Array.isArray(filters.Metric_Type) ? filters.Metric_Type : counterMetrics) as string[];
  for (const item of report.Report_Items) {
    const ids = item.Item_ID ?? {};
    const identifierCells = identifierColumns.map((column) =>
      column === 'Proprietary_ID' ? (ids.Proprietary ?? '') : (ids[column] ?? ''),
    );
    const leadingCells =
      family === 'TR'
        ? [item.Title ?? '', item.Publisher ?? '', '', item.Platform]
        : family === 'DR'
          ? [item.Database ?? '', item.Publisher ?? '', '', item.Platform]
          : [item.Platform];
    for (const performance of item.Attribute_Performance) {
      const metrics = Object.keys(performance.Performance).sort(
        (a, b) => metricOrder.indexOf(a) - metricOrder.indexOf(b) || (a < b ? -1 : 1),
      ) as CounterMetric[];
      for (const metric of metrics) {
        const series = performance.Performance[metric] ?? {};
        const cells = months.map((m) => series[m] ?? 0);
        const total = cells.reduce((sum, n) => sum + n, 0);
        if (!total) continue;
        rows.push([
          ...leadingCells,
          ...identifierCells,
          ...attributeColumns.map((a) => performance[a] ?? ''),
          metric,
          String(total),
          ...cells.map(String),
        ]);
      }
    }
  }
  // As COUNTER's samples: a byte order mark (so spreadsheets see UTF-8), every row as wide as the headings.
  const width = rows[14]!.length;
  const padded = rows.map((row) => [...row, ...Array<string>(Math.max(0, width - row.length)).fill('')]);
  return `\uFEFF${padded.map((row) => row.map(clean).join('\t')).join('\n')}\n`;
}

// ---- counting (07-processing) ----------------------------------------------------------------------------

/** Two clicks on the same thing by the same user within this long count as one (07-processing_02). */
export const doubleClickMs = 30_000;

/**
 * A user-session (07-processing_03): the pseudonymous user plus the clock hour, as COUNTER allows when there is
 * no session cookie ("user id + hour"). Sessions therefore never span an hour boundary.
 */
export function userSessionOf(user: string, at: Date): string {
  return `${user}|${at.toISOString().slice(0, 13)}`;
}

export function monthOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}
