import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UsageEvent, UsageRecorder } from '../domain/ports';
import { recordOf } from './dynamo-item';
import { usageKeys } from './keys';

/** Usage events (COUNTER-style), one item each, partitioned by UTC day. */
export class DynamoUsageRecorder implements UsageRecorder {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(event: UsageEvent): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...usageKeys.event(event.at.slice(0, 10), event.at, randomUUID()), ...event },
      }),
    );
  }

  /** One day's events in time order (reports; tests). */
  async ofDay(day: string): Promise<UsageEvent[]> {
    const events: UsageEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :p',
          ExpressionAttributeValues: { ':p': usageKeys.dayPartition(day) },
          ExclusiveStartKey: startKey,
        }),
      );
      events.push(...(page.Items ?? []).map((item) => recordOf<UsageEvent>(item)));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return events;
  }
}
