import {
  buildReport,
  counterCreatedBy,
  dataTypeOf,
  libraryInstitutionId,
  libraryInstitutionName,
  parseReportRequest,
  yopOf,
  type CounterInstitution,
  type CounterReport,
  type CounterTitle,
  type ReportId,
  type ReportRequest,
} from '../domain/counter';
import type { CounterStore } from '../domain/counter-ports';
import type { Clock, PartnerRepository, TitleRepository } from '../domain/ports';
import type { Title } from '../domain/title';

/** What the COUNTER reports read: the aggregates, and the catalogue and partners to name them. */
export interface CounterReportDeps {
  counter: CounterStore;
  titles: Pick<TitleRepository, 'get'>;
  partners: Pick<PartnerRepository, 'get' | 'list'>;
  clock: Clock;
}

/** Pustaka is not (yet) in the COUNTER Registry: the header says so with an empty Registry_Record. */
export const registryRecord = '';

/** The institutions reports can be made for: the library itself and every partner. */
export async function counterInstitutions(
  deps: Pick<CounterReportDeps, 'partners'>,
): Promise<CounterInstitution[]> {
  const partners = await deps.partners.list();
  return [
    { id: libraryInstitutionId, name: libraryInstitutionName },
    ...partners.map((p) => ({ id: p.id, name: p.name })),
  ];
}

export async function counterInstitution(
  deps: Pick<CounterReportDeps, 'partners'>,
  id: string,
): Promise<CounterInstitution | undefined> {
  if (id === libraryInstitutionId) return { id, name: libraryInstitutionName };
  const partner = await deps.partners.get(id);
  return partner ? { id: partner.id, name: partner.name } : undefined;
}

function counterTitleOf(title: Title): CounterTitle {
  const dataType = dataTypeOf(title);
  const issn = title.identifiers.issn?.[0];
  return {
    id: title.id,
    title: title.title,
    ...(title.publisher ? { publisher: title.publisher } : {}),
    dataType,
    yop: yopOf(title.published),
    ...(title.identifiers.doi?.[0] ? { doi: title.identifiers.doi[0] } : {}),
    ...(title.identifiers.isbn?.[0] ? { isbn: title.identifiers.isbn[0] } : {}),
    // The catalogue does not tell print from electronic ISSNs; what it reads is an e-publication's.
    ...(issn ? { onlineIssn: issn } : {}),
  };
}

/**
 * A COUNTER report for an institution: parameters checked (CounterApiError for the ones that stop it), the
 * months' aggregates read, and the titles and partners named as the catalogue has them now.
 */
export async function counterReport(
  deps: CounterReportDeps,
  reportId: ReportId,
  institution: CounterInstitution,
  query: Record<string, string | undefined>,
): Promise<{ report: CounterReport; request: ReportRequest }> {
  const now = deps.clock.now();
  const request = parseReportRequest(reportId, query, now);
  const rows = await deps.counter.rows(institution.id, request.months);
  const titleIds = [...new Set(rows.flatMap((r) => (r.kind === 'title' ? [r.titleId] : [])))];
  const [titles, partners] = await Promise.all([
    Promise.all(titleIds.map((id) => deps.titles.get(id))),
    deps.partners.list(),
  ]);
  const report = buildReport(request, rows, {
    institution,
    titles: new Map(titles.flatMap((t) => (t ? [[t.id, counterTitleOf(t)] as const] : []))),
    partnerNames: new Map(partners.map((p) => [p.id, p.name])),
    createdBy: counterCreatedBy,
    registryRecord,
    now,
  });
  return { report, request };
}
