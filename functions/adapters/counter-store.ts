import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  counterMetrics,
  doubleClickMs,
  libraryInstitutionId,
  monthOf,
  userSessionOf,
  type AccessType,
  type CounterCounts,
  type CounterMetric,
  type CounterRow,
} from '../domain/counter';
import type { CounterStore, DailyTitleUse, DailyUsageReader } from '../domain/counter-ports';
import type { UsageEvent, UsageRecorder } from '../domain/lending-ports';
import { counterMonthsIndex, dailyTitleUseEntity, indexQuery } from './entities';
import { counterKeys, dashboardKeys, type ItemKey } from './keys';

/**
 * How long a reading goes on without a fresh link before a "renewal" counts as a new request: the reader asks
 * again only when its link has expired and it needs more bytes, so a patron reading on keeps the marker alive.
 */
export const readingWindowMs = 60 * 60_000;

/** Markers hold only a hash of (user, item): enough to tell "seen", nothing to tell who. */
const markerHash = (...parts: string[]) =>
  createHash('sha256')
    .update(`pustaka-counter\u0000${parts.join('\u0000')}`)
    .digest('base64url');

const epochSeconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * COUNTER R5.1 processing over DynamoDB. Each event is a few single-item writes: a double-click marker (same
 * user, item and action within 30 s: counted once), a user-session marker (unique item / title counts), and one
 * ADD to the month's aggregate for the institution. Markers are keyed by a hash and expire through the table's
 * TTL; the aggregates keep only numbers. Every failure is logged and swallowed: counting never costs a patron
 * their request.
 */
export class DynamoCounterStore implements CounterStore, DailyUsageReader {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly logger?: Logger,
  ) {}

  /** Title use (requests, investigations, denials) with COUNTER's filtering. */
  async recordTitle(event: UsageEvent): Promise<void> {
    const institution = event.institution ?? libraryInstitutionId;
    const accessType: AccessType = event.accessType ?? 'Controlled';
    const key = counterKeys.title(institution, monthOf(event.at), event.titleId, accessType);
    try {
      if (event.metric === 'Loan_Started') {
        // A loan is no COUNTER metric: only the dashboard's day counts it.
        await this.addDay(event.titleId, institution, event.at, { loans: 1 });
        return;
      }
      const counts = await this.processed({
        user: event.user,
        item: `title:${event.titleId}`,
        metric: event.metric,
        renewal: event.renewal === true,
        at: event.at,
      });
      if (!counts) return;
      await Promise.all([
        this.add(key, institution, event.at, counts, {
          kind: 'title',
          titleId: event.titleId,
          accessType,
        }),
        this.addDay(event.titleId, institution, event.at, {
          requests: counts.Total_Item_Requests ?? 0,
          investigations: counts.Total_Item_Investigations ?? 0,
          limitExceeded: counts.Limit_Exceeded ?? 0,
          noLicense: counts.No_License ?? 0,
        }),
      ]);
    } catch (error) {
      this.logger?.warn('COUNTER usage not recorded', { titleId: event.titleId, error: error as Error });
    }
  }

  async recordSearch({ institution, at }: { institution: string; at: Date }): Promise<void> {
    try {
      await this.add(
        counterKeys.platform(institution, monthOf(at)),
        institution,
        at,
        { Searches_Platform: 1 },
        {
          kind: 'platform',
        },
      );
    } catch (error) {
      this.logger?.warn('COUNTER search not recorded', { error: error as Error });
    }
  }

  async recordDatabase(event: Parameters<CounterStore['recordDatabase']>[0]): Promise<void> {
    const { institution, partnerId, database, at } = event;
    try {
      const counts = await this.processed({
        user: event.user,
        item: `database:${partnerId}:${database}`,
        metric: event.metric,
        renewal: false,
        at,
      });
      if (!counts) return;
      await this.add(
        counterKeys.database(institution, monthOf(at), partnerId, database),
        institution,
        at,
        counts,
        {
          kind: 'database',
          partnerId,
          database,
        },
      );
    } catch (error) {
      this.logger?.warn('COUNTER database use not recorded', { partnerId, error: error as Error });
    }
  }

  /**
   * What one event adds, after COUNTER's filters; undefined when it adds nothing (a double click, a renewal
   * of a reading still going).
   */
  private async processed(event: {
    user: string | undefined;
    item: string;
    metric: CounterMetric;
    renewal: boolean;
    at: Date;
  }): Promise<CounterCounts | undefined> {
    const now = event.at.getTime();
    const isRequest = event.metric === 'Total_Item_Requests';
    const isUse = isRequest || event.metric === 'Total_Item_Investigations';
    if (!event.user) {
      // No user to tell clicks or sessions apart (should not happen): totals only.
      return isRequest ? { Total_Item_Requests: 1, Total_Item_Investigations: 1 } : { [event.metric]: 1 };
    }
    const user = event.user;
    if (isRequest) {
      // Every request (first or renewal) keeps the reading alive; a renewal inside it adds nothing.
      const previous = await this.touch(
        counterKeys.reading(markerHash('reading', user, event.item)),
        now,
        now + readingWindowMs + 60_000,
      );
      if (event.renewal && previous !== undefined && now - previous <= readingWindowMs) return undefined;
    }
    const last = await this.touch(
      counterKeys.click(markerHash('click', user, event.item, event.metric)),
      now,
      now + doubleClickMs * 2,
    );
    if (last !== undefined && now - last <= doubleClickMs) return undefined;
    if (!isUse) return { [event.metric]: 1 };

    const session = userSessionOf(user, event.at);
    const hourEnds = Math.floor(now / 3_600_000) * 3_600_000 + 3_600_000;
    const { Attributes: seen } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: counterKeys.session(markerHash('session', session, event.item)),
        UpdateExpression: isRequest
          ? 'SET inv = :yes, req = :yes, #ttl = :ttl'
          : 'SET inv = :yes, #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':yes': true, ':ttl': epochSeconds(hourEnds + 60_000) },
        ReturnValues: 'ALL_OLD',
      }),
    );
    const firstInvestigation = seen?.inv !== true ? 1 : 0;
    const counts: CounterCounts = {
      Total_Item_Investigations: 1,
      Unique_Item_Investigations: firstInvestigation,
      Unique_Title_Investigations: firstInvestigation,
    };
    if (isRequest) {
      const firstRequest = seen?.req !== true ? 1 : 0;
      counts.Total_Item_Requests = 1;
      counts.Unique_Item_Requests = firstRequest;
      counts.Unique_Title_Requests = firstRequest;
    }
    return counts;
  }

  /** Sets a marker's time to now; answers the time it held before (undefined when it was new or expired). */
  private async touch(key: ItemKey, now: number, expiresAt: number): Promise<number | undefined> {
    const { Attributes: old } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET lastAt = :now, #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': now, ':ttl': epochSeconds(expiresAt) },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    // DynamoDB deletes expired items late (up to days): an expired marker counts as none.
    const ttl = typeof old?.ttl === 'number' ? old.ttl : undefined;
    if (ttl !== undefined && ttl * 1000 < now) return undefined;
    return typeof old?.lastAt === 'number' ? old.lastAt : undefined;
  }

  private async add(
    key: ItemKey,
    institution: string,
    at: Date,
    counts: CounterCounts,
    describe: Record<string, string>,
  ): Promise<void> {
    const metrics = Object.entries(counts).filter(([, n]) => n) as [CounterMetric, number][];
    if (!metrics.length) return;
    const listed = counterMonthsIndex.keyOf(institution, monthOf(at), key.sk);
    const names: Record<string, string> = {
      '#month': 'month',
      '#gpk': counterMonthsIndex.index.partitionKey,
      '#gsk': counterMonthsIndex.index.sortKey,
    };
    const values: Record<string, unknown> = { ':gpk': listed.pk, ':gsk': listed.sk, ':month': monthOf(at) };
    const adds = metrics.map(([metric, n], i) => {
      names[`#m${i}`] = metric;
      values[`:m${i}`] = n;
      return `#m${i} :m${i}`;
    });
    const sets = ['#gpk = :gpk', '#gsk = :gsk', '#month = :month'];
    Object.entries(describe).forEach(([name, value], i) => {
      names[`#d${i}`] = name;
      values[`:d${i}`] = value;
      sets.push(`#d${i} = :d${i}`);
    });
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: `ADD ${adds.join(', ')} SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** One ADD to the title's day (dashboard figures); zero counts are left out. */
  private async addDay(
    titleId: string,
    institution: string,
    at: Date,
    counts: Partial<Record<DailyMetric, number>>,
  ): Promise<void> {
    const metrics = Object.entries(counts).filter(([, n]) => n) as [DailyMetric, number][];
    if (!metrics.length) return;
    const day = at.toISOString().slice(0, 10);
    const names: Record<string, string> = { '#day': 'day', '#title': 'titleId', '#inst': 'institution' };
    const values: Record<string, unknown> = { ':day': day, ':title': titleId, ':inst': institution };
    const adds = metrics.map(([metric, n], i) => {
      names[`#m${i}`] = metric;
      values[`:m${i}`] = n;
      return `#m${i} :m${i}`;
    });
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: dailyTitleUseEntity.key(day, institution, titleId),
        UpdateExpression: `ADD ${adds.join(', ')} SET #day = :day, #title = :title, #inst = :inst`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async dailyTitleUse(fromDay: string, toDay: string): Promise<DailyTitleUse[]> {
    const months: string[] = [];
    for (let month = fromDay.slice(0, 7); month <= toDay.slice(0, 7); month = nextMonth(month))
      months.push(month);
    const perMonth = await Promise.all(
      months.map(async (month) => {
        const found: DailyTitleUse[] = [];
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.documents.send(
            new QueryCommand({
              TableName: this.tableName,
              KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
              ExpressionAttributeValues: {
                ':pk': dashboardKeys.dayPartition(`${month}-01`),
                ':from': `${fromDay}#`,
                ':to': `${toDay}#\uffff`,
              },
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          );
          for (const item of page.Items ?? []) {
            const use = dailyTitleUseEntity.fromItem(item);
            found.push({
              day: use.day,
              titleId: use.titleId,
              institution: use.institution,
              requests: use.requests ?? 0,
              investigations: use.investigations ?? 0,
              limitExceeded: use.limitExceeded ?? 0,
              noLicense: use.noLicense ?? 0,
              loans: use.loans ?? 0,
            });
          }
          start = page.LastEvaluatedKey;
        } while (start);
        return found;
      }),
    );
    return perMonth.flat();
  }

  async rows(institution: string, months: readonly string[]): Promise<CounterRow[]> {
    const perMonth = await Promise.all(months.map((month) => this.monthRows(institution, month)));
    return perMonth.flat();
  }

  private async monthRows(institution: string, month: string): Promise<CounterRow[]> {
    const rows: CounterRow[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': counterKeys.monthPartition(institution, month) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const counts: CounterCounts = {};
        for (const metric of counterMetrics)
          if (typeof item[metric] === 'number') counts[metric] = item[metric];
        if (item.kind === 'title')
          rows.push({
            kind: 'title',
            month,
            titleId: String(item.titleId),
            accessType: item.accessType === 'Open' ? 'Open' : 'Controlled',
            counts,
          });
        else if (item.kind === 'platform') rows.push({ kind: 'platform', month, counts });
        else if (item.kind === 'database')
          rows.push({
            kind: 'database',
            month,
            partnerId: String(item.partnerId),
            database: String(item.database),
            counts,
          });
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return rows;
  }

  async monthsWithUsage(institution: string): Promise<{ first?: string; last?: string }> {
    const edge = async (forward: boolean) => {
      const { Items } = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(counterMonthsIndex.index, counterKeys.monthsPartition(institution), { limit: 1 }),
          ScanIndexForward: forward,
        }),
      );
      const month = Items?.[0]?.month;
      return typeof month === 'string' ? month : undefined;
    };
    const [first, last] = await Promise.all([edge(true), edge(false)]);
    return { ...(first ? { first } : {}), ...(last ? { last } : {}) };
  }
}

type DailyMetric = 'requests' | 'investigations' | 'limitExceeded' | 'noLicense' | 'loans';

const nextMonth = (month: string) => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
};

/**
 * The usage port as the routes see it: the raw daily counters as before (the dashboard's per-day figures) and
 * COUNTER's processed monthly ones, side by side. Neither ever throws.
 */
export class CountingUsageRecorder implements UsageRecorder {
  constructor(
    private readonly daily: UsageRecorder,
    private readonly counter: DynamoCounterStore,
  ) {}

  async record(event: UsageEvent): Promise<void> {
    // The raw daily figures count link renewals no more than COUNTER does; loans have their own count.
    await Promise.all([
      event.renewal || event.metric === 'Loan_Started' ? undefined : this.daily.record(event),
      this.counter.recordTitle(event),
    ]);
  }
}
