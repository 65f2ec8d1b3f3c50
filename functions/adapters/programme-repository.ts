import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  badgesFor,
  countsTitle,
  creditedSeconds,
  isRunning,
  libraryDay,
  type Milestone,
  type Participation,
  type PatronGroup,
  type Programme,
  type ProgrammeRepository,
  type ReadingEvent,
} from '../domain/programme';
import { isConditionalCheckFailure, isTransactionCancelled } from './dynamo-item';
import {
  dayTallyEntity,
  groupMemberEntity,
  groupMemberItem,
  indexQuery,
  joinedTermsEntity,
  joinedTermsItem,
  participationEntity,
  patronGroupEntity,
  programmeEntity,
  titleTallyEntity,
  type JoinedTerms,
} from './entities';
import { programmeKeys } from './keys';
import { indexes } from './table-schema';

/** A day's tally is kept a little past the day, for a save that arrives late. */
const dayTallyTtlSeconds = 3 * 24 * 3600;

function asArray<T>(value: unknown): T[] {
  if (value instanceof Set) return [...(value as Set<T>)];
  return Array.isArray(value) ? (value as T[]) : [];
}

function participationOf(item: Record<string, unknown>): Participation {
  const record = participationEntity.fromItem(item);
  return {
    ...record,
    finishedTitles: asArray<string>(item.finishedTitles).sort(),
    badges: asArray<Milestone>(item.badges).sort((a, b) => a - b),
    seconds: typeof item.seconds === 'number' ? item.seconds : 0,
  };
}

/** Programmes, groups, participations and the reading tallies (see `programmeKeys`). */
export class DynamoProgrammeRepository implements ProgrammeRepository {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(programme: Programme): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: programmeEntity.toItem(programme),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(programmeId: string): Promise<Programme | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: programmeEntity.key(programmeId),
        ConsistentRead: true,
      }),
    );
    return programmeEntity.fromMaybe(Item);
  }

  async list(): Promise<Programme[]> {
    return (
      await this.queryAll({
        ...indexQuery(indexes.gsi1, programmeKeys.listPartition),
        ScanIndexForward: false,
      })
    ).map((item) => programmeEntity.fromItem(item));
  }

  /** Members first, the group's record last: a group half-written by a failure is never visible. */
  async createGroup(group: PatronGroup, patronIds: string[]): Promise<void> {
    // Item writes, a few at a time (the table's grants allow no batch writes); the SDK retries throttling.
    for (let i = 0; i < patronIds.length; i += 25) {
      await Promise.all(
        patronIds
          .slice(i, i + 25)
          .map((patronId) =>
            this.documents.send(
              new PutCommand({ TableName: this.tableName, Item: groupMemberItem(group.id, patronId) }),
            ),
          ),
      );
    }
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: patronGroupEntity.toItem(group),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getGroup(groupId: string): Promise<PatronGroup | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: patronGroupEntity.key(groupId),
        ConsistentRead: true,
      }),
    );
    return patronGroupEntity.fromMaybe(Item);
  }

  async listGroups(): Promise<PatronGroup[]> {
    return (await this.queryAll(indexQuery(indexes.gsi1, programmeKeys.groupsPartition))).map((item) =>
      patronGroupEntity.fromItem(item),
    );
  }

  async isMember(groupId: string, patronId: string): Promise<boolean> {
    const [group, member] = await Promise.all([
      this.getGroup(groupId),
      this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: groupMemberEntity.key(groupId, patronId),
          ConsistentRead: true,
        }),
      ),
    ]);
    return Boolean(group && groupMemberEntity.fromMaybe(member.Item));
  }

  async join(programme: Programme, participation: Participation): Promise<Participation> {
    const { finishedTitles: _f, badges: _b, ...record } = participation;
    const terms: JoinedTerms = {
      programmeId: programme.id,
      startsAt: programme.startsAt,
      endsAt: programme.endsAt,
      goal: programme.goal,
      ...(programme.titleIds ? { titleIds: programme.titleIds } : {}),
    };
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: participationEntity.toItem(record),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: joinedTermsItem(participation.patronId, terms),
              },
            },
          ],
        }),
      );
      return participation;
    } catch (error) {
      if (!isTransactionCancelled(error) || error.CancellationReasons?.[0]?.Code !== 'ConditionalCheckFailed')
        throw error;
      const stored = await this.getParticipation(programme.id, participation.patronId);
      if (!stored) throw error;
      return stored;
    }
  }

  async getParticipation(programmeId: string, patronId: string): Promise<Participation | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: participationEntity.key(programmeId, patronId),
        ConsistentRead: true,
      }),
    );
    return Item ? participationOf(Item) : undefined;
  }

  async listParticipations(programmeId: string): Promise<Participation[]> {
    return (
      await this.queryAll({
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
        ExpressionAttributeValues: {
          ':p': programmeKeys.participantPartition(programmeId),
          ':s': programmeKeys.participantPrefix,
        },
      })
    ).map(participationOf);
  }

  async joinedBy(patronId: string): Promise<string[]> {
    return (await this.joinedTerms(patronId)).map((t) => t.programmeId);
  }

  /**
   * One query of the patron's joined programmes; only when one of them runs and counts the title does it
   * read and move the tallies (two items, in one transaction conditioned on what was read, so two devices
   * saving at once cannot both be credited) and then add to each such participation.
   */
  async recordReading(event: ReadingEvent): Promise<void> {
    const counting = (await this.joinedTerms(event.patronId)).filter(
      (terms) => isRunning(terms, event.at) && countsTitle(terms, event.titleId),
    );
    if (!counting.length) return;
    const credit = await this.creditTallies(event);
    if (credit === 0 && !event.finished) return;
    for (const terms of counting) await this.addToParticipation(terms, event, credit);
  }

  private async joinedTerms(patronId: string): Promise<JoinedTerms[]> {
    return (
      await this.queryAll({
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': programmeKeys.joinedPartition(patronId) },
      })
    ).map((item) => joinedTermsEntity.fromItem(item));
  }

  private async creditTallies(event: ReadingEvent): Promise<number> {
    const day = libraryDay(event.at);
    const titleKey = titleTallyEntity.key(event.patronId, event.titleId);
    const dayKey = dayTallyEntity.key(event.patronId, day);
    const [titleRead, dayRead] = await Promise.all([
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: titleKey, ConsistentRead: true })),
      this.documents.send(new GetCommand({ TableName: this.tableName, Key: dayKey, ConsistentRead: true })),
    ]);
    const titleTally = titleTallyEntity.fromMaybe(titleRead.Item);
    const dayTally = dayTallyEntity.fromMaybe(dayRead.Item);
    const lastAt = titleTally?.lastAt;
    const titleSecondsToday = titleTally?.day === day ? titleTally.daySeconds : 0;
    const secondsToday = dayTally?.seconds ?? 0;
    const credit = creditedSeconds(event.at, {
      ...(lastAt ? { lastAt } : {}),
      titleSecondsToday,
      secondsToday,
    });
    const at = event.at.toISOString();
    // A save from a clock behind the last one does not move the last save back.
    const newLastAt = lastAt && lastAt > at ? lastAt : at;
    try {
      await this.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: { ...titleKey, lastAt: newLastAt, day, daySeconds: titleSecondsToday + credit },
                ...(lastAt
                  ? {
                      ConditionExpression: 'lastAt = :last',
                      ExpressionAttributeValues: { ':last': lastAt },
                    }
                  : { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            },
            ...(credit > 0
              ? [
                  {
                    Put: {
                      TableName: this.tableName,
                      Item: {
                        ...dayKey,
                        seconds: secondsToday + credit,
                        ttl: Math.floor(event.at.getTime() / 1000) + dayTallyTtlSeconds,
                      },
                      ...(dayTally
                        ? {
                            ConditionExpression: 'seconds = :s',
                            ExpressionAttributeValues: { ':s': secondsToday },
                          }
                        : { ConditionExpression: 'attribute_not_exists(pk)' }),
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (error) {
      // Another save of this patron moved the tallies first: that one is credited, this one is not.
      if (isTransactionCancelled(error)) return 0;
      throw error;
    }
    return credit;
  }

  private async addToParticipation(terms: JoinedTerms, event: ReadingEvent, credit: number): Promise<void> {
    const key = participationEntity.key(terms.programmeId, event.patronId);
    let updated: Record<string, unknown> | undefined;
    try {
      ({ Attributes: updated } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: event.finished ? 'ADD seconds :c, finishedTitles :t' : 'ADD seconds :c',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':c': credit,
            ...(event.finished ? { ':t': new Set([event.titleId]) } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      ));
    } catch (error) {
      if (isConditionalCheckFailure(error)) return;
      throw error;
    }
    if (!updated) return;
    const participation = participationOf(updated);
    const earned = badgesFor(terms.goal, participation).filter((m) => !participation.badges.includes(m));
    if (!earned.length) return;
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: earned.includes(100)
          ? 'ADD badges :b SET completedAt = if_not_exists(completedAt, :now)'
          : 'ADD badges :b',
        ExpressionAttributeValues: {
          ':b': new Set(earned),
          ...(earned.includes(100) ? { ':now': event.at.toISOString() } : {}),
        },
      }),
    );
  }

  private async queryAll(
    input: Omit<ConstructorParameters<typeof QueryCommand>[0], 'TableName'>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const result = await this.documents.send(
        new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: startKey }),
      );
      items.push(...(result.Items ?? []));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  }
}
