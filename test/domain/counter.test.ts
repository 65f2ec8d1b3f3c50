import { describe, expect, it } from 'vitest';
import {
  buildReport,
  CounterApiError,
  dataTypeOf,
  monthsBetween,
  parseReportRequest,
  reportToTsv,
  tabularMonth,
  userSessionOf,
  yopOf,
  type CounterRow,
  type CounterTitle,
} from '../../functions/domain/counter';
import { FakeClock } from '../helpers/clock';

/** COUNTER report computation, pure: the request's rules, the report's shape, its tabular form. */

const clock = new FakeClock('2026-03-01T00:00:00.000Z');

const journal: CounterTitle = {
  id: 'j1',
  title: 'Jurnal Kelautan',
  publisher: 'Universitas Lautan',
  dataType: 'Journal',
  yop: '2024',
  onlineIssn: '1234-5678',
};
const book: CounterTitle = {
  id: 'b1',
  title: 'Buku',
  dataType: 'Book',
  yop: '2001',
  isbn: '978-0-00-000000-0',
};
const context = {
  institution: { id: 'library', name: 'Perpustakaan Kota Nusantara' },
  titles: new Map([
    ['j1', journal],
    ['b1', book],
  ]),
  partnerNames: new Map<string, string>(),
  createdBy: 'Pustaka',
  registryRecord: '',
  now: clock.now(),
};
const all = {
  Total_Item_Investigations: 4,
  Total_Item_Requests: 3,
  Unique_Item_Investigations: 2,
  Unique_Item_Requests: 2,
  Unique_Title_Investigations: 2,
  Unique_Title_Requests: 2,
};
const rows: CounterRow[] = [
  { kind: 'title', month: '2025-12', titleId: 'j1', accessType: 'Controlled', counts: all },
  {
    kind: 'title',
    month: '2026-02',
    titleId: 'j1',
    accessType: 'Open',
    counts: { ...all, Total_Item_Requests: 1 },
  },
  { kind: 'title', month: '2026-01', titleId: 'b1', accessType: 'Controlled', counts: all },
];

describe('the request', () => {
  it('takes months across a year boundary, and a day in yyyy-mm-dd', () => {
    const request = parseReportRequest(
      'TR_J1',
      { begin_date: '2025-11-15', end_date: '2026-02-03' },
      clock.now(),
    );
    expect(request.months).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
    expect([request.beginDate, request.endDate]).toEqual(['2025-11-01', '2026-02-28']);
    expect(monthsBetween('2024-02', '2024-02')).toEqual(['2024-02']);
  });

  it('on the first instant of a month, the month before is the last complete one', () => {
    // 2026-03-01T00:00Z: February is complete, March is not.
    expect(() =>
      parseReportRequest('TR_B1', { begin_date: '2026-03', end_date: '2026-03' }, clock.now()),
    ).toThrow(CounterApiError);
    const february = parseReportRequest('TR_B1', { begin_date: '2026-02', end_date: '2026-02' }, clock.now());
    expect(february.exceptions).toEqual([]);
    const late = new FakeClock('2026-02-28T23:59:59.999Z');
    const refused = (() => {
      try {
        parseReportRequest('TR_B1', { begin_date: '2026-02', end_date: '2026-02' }, late.now());
      } catch (error) {
        return error as CounterApiError;
      }
    })();
    expect(refused?.body.Code).toBe(3020);
    expect(refused?.status).toBe(400);
  });

  it.each([
    [{ begin_date: '2026-01' }, 1030, 400],
    [{ begin_date: '2026-1', end_date: '2026-01' }, 3020, 400],
    [{ begin_date: '2026-01-32', end_date: '2026-01' }, 3020, 400],
    [{ begin_date: '2025-02-29', end_date: '2025-03' }, 3020, 400],
  ])('%o: %i', (query, code, status) => {
    try {
      parseReportRequest('TR', query, clock.now());
      expect.fail('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(CounterApiError);
      expect((error as CounterApiError).body.Code).toBe(code);
      expect((error as CounterApiError).status).toBe(status);
    }
  });

  it('yop ranges on the master title report; a bad one is 3060 and ignored', () => {
    const request = parseReportRequest(
      'TR',
      { begin_date: '2025-12', end_date: '2026-02', yop: '2000-2010|20x1' },
      clock.now(),
    );
    expect(request.yop).toEqual([{ from: 2000, to: 2010 }]);
    expect(request.exceptions.map((e) => e.Code)).toEqual([3060]);
    const report = buildReport(request, rows, context);
    expect(report.Report_Items.map((i) => i.Title)).toEqual(['Buku']);
    expect(report.Report_Header.Report_Filters.YOP).toEqual(['2000-2010']);
  });
});

describe('journals', () => {
  it('TR_J1: Controlled only, Online_ISSN and no ISBN, no Data_Type or YOP, no Unique_Title metrics', () => {
    const request = parseReportRequest('TR_J1', { begin_date: '2025-12', end_date: '2026-02' }, clock.now());
    const report = buildReport(request, rows, context);
    expect(report.Report_Items).toEqual([
      {
        Title: 'Jurnal Kelautan',
        Publisher: 'Universitas Lautan',
        Platform: 'Pustaka',
        Item_ID: { Proprietary: 'Pustaka:j1', Online_ISSN: '1234-5678' },
        Attribute_Performance: [
          {
            Performance: { Total_Item_Requests: { '2025-12': 3 }, Unique_Item_Requests: { '2025-12': 2 } },
          },
        ],
      },
    ]);
  });

  it('TR_J3: both access types, and the TSV has no ISBN column', () => {
    const request = parseReportRequest('TR_J3', { begin_date: '2025-12', end_date: '2026-02' }, clock.now());
    const report = buildReport(request, rows, context);
    expect(report.Report_Items[0]!.Attribute_Performance.map((a) => a.Access_Type)).toEqual([
      'Controlled',
      'Open',
    ]);
    const lines = reportToTsv(report, request.months)
      .replace(/^\uFEFF/, '')
      .split('\n');
    expect(lines[14]!.split('\t')).toEqual([
      'Title',
      'Publisher',
      'Publisher_ID',
      'Platform',
      'DOI',
      'Proprietary_ID',
      'Print_ISSN',
      'Online_ISSN',
      'URI',
      'Access_Type',
      'Metric_Type',
      'Reporting_Period_Total',
      'Dec-2025',
      'Jan-2026',
      'Feb-2026',
    ]);
    expect(lines[15]!.split('\t')).toEqual([
      'Jurnal Kelautan',
      'Universitas Lautan',
      '',
      'Pustaka',
      '',
      'Pustaka:j1',
      '',
      '1234-5678',
      '',
      'Controlled',
      'Total_Item_Investigations',
      '4',
      '4',
      '0',
      '0',
    ]);
  });
});

describe('tabular form', () => {
  it('leaves out rows totalling 0 and writes the exceptions row as COUNTER does', () => {
    const request = parseReportRequest(
      'TR',
      { begin_date: '2025-12', end_date: '2026-02', metric_type: 'No_License|Nope' },
      clock.now(),
    );
    const report = buildReport(request, rows, context);
    const lines = reportToTsv(report, request.months)
      .replace(/^\uFEFF/, '')
      .split('\n');
    expect(lines[8]!.split('\t')[1]).toBe(
      '3030: No Usage Available for Requested Dates (No usage from 2025-12-01 to 2026-02-28.); ' +
        '3060: Invalid ReportFilter Value (metric_type=Nope)',
    );
    expect(lines[5]!.split('\t')[1]).toBe('No_License');
    expect(lines.slice(15).filter(Boolean)).toEqual([]);
  });

  it('months as Mmm-yyyy', () => {
    expect(['2026-01', '2025-12', '2024-05'].map(tabularMonth)).toEqual(['Jan-2026', 'Dec-2025', 'May-2024']);
  });
});

describe('the catalogue in COUNTER’s terms', () => {
  it('a serial (ISSN, no ISBN) is a Journal; YOP from the date, 0001 when unknown', () => {
    expect(dataTypeOf({ identifiers: { issn: ['1'] } })).toBe('Journal');
    expect(dataTypeOf({ identifiers: { issn: ['1'], isbn: ['2'] } })).toBe('Book');
    expect([yopOf('2019-03-01'), yopOf('2019'), yopOf(undefined), yopOf('circa 1900')]).toEqual([
      '2019',
      '2019',
      '0001',
      '0001',
    ]);
  });

  it('a user-session is the user and the clock hour', () => {
    expect(userSessionOf('u', new Date('2026-01-05T09:59:59Z'))).not.toBe(
      userSessionOf('u', new Date('2026-01-05T10:00:00Z')),
    );
    expect(userSessionOf('u', new Date('2026-01-05T09:00:00Z'))).toBe(
      userSessionOf('u', new Date('2026-01-05T09:59:59Z')),
    );
  });
});
