import { createHash, randomUUID } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { CheckedSuggestion, Suggestion, SuggestionStore } from '../domain/acquisitions';
import { isConditionalCheckFailure, isTransactionCancelled } from './dynamo-item';
import {
  indexQuery,
  suggestionEntity,
  suggestionLookupEntity,
  suggestionVoteEntity,
  type StoredSuggestion,
} from './entities';
import { suggestionKeys } from './keys';
import { indexes } from './table-schema';
import type { TransactItem } from './transactions';

/** Notes kept per suggestion (the newest); a librarian reads a few, not every one. */
const maxNotes = 20;
/** Rounds of "read the keys, write conditionally" before giving up on a suggestion others keep changing. */
const maxAttempts = 4;

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** The lookup item's key part: a hash, so a long title never makes a long key. */
const lookupHash = (dedupKey: string) => sha256(`pustaka-suggestion-key\u0000${dedupKey}`);

/**
 * Who voted, as a hash of the suggestion and the patron: enough to count a patron once per suggestion, nothing
 * to list what one patron suggested (each suggestion salts it differently) and no patron id stored in clear.
 */
export const voterHashOf = (suggestionId: string, patronId: string) =>
  sha256(`pustaka-suggestion-vote\u0000${suggestionId}\u0000${patronId}`);

const toSuggestion = ({ titleKey: _t, isbnKey: _i, ...s }: StoredSuggestion): Suggestion => ({
  ...s,
  notes: [...s.notes].reverse().slice(0, 5),
});

/**
 * Patrons' suggestions over DynamoDB, with single-item conditional writes and transactions only: a new
 * suggestion is its record, its lookup items and the first vote in one transaction (each conditioned on not
 * existing); a further patron's vote is their vote item and the count's ADD in one transaction (the vote
 * conditioned on not existing, so a repeat counts nothing).
 */
export class DynamoSuggestionStore implements SuggestionStore {
  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async suggest(
    patronId: string,
    suggestion: CheckedSuggestion,
    at: Date,
  ): Promise<{ suggestion: Suggestion; counted: boolean; created: boolean }> {
    for (let attempt = 1; ; attempt++) {
      const existing = await this.find(suggestion);
      try {
        if (!existing) return { ...(await this.create(patronId, suggestion, at)), created: true };
        return { ...(await this.vote(patronId, existing, suggestion, at)), created: false };
      } catch (error) {
        // Someone else created (or changed) the same suggestion meanwhile: read again and join theirs.
        if (attempt < maxAttempts && isTransactionCancelled(error)) {
          const reasons = error.CancellationReasons ?? [];
          const repeatVote = existing && reasons[0]?.Code === 'ConditionalCheckFailed';
          if (repeatVote) return { suggestion: toSuggestion(existing), counted: false, created: false };
          if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict'))
            continue;
        }
        throw error;
      }
    }
  }

  async list(): Promise<Suggestion[]> {
    const found: Suggestion[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ...indexQuery(indexes.gsi1, suggestionKeys.listPartition),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) found.push(toSuggestion(suggestionEntity.fromItem(item)));
      start = page.LastEvaluatedKey;
    } while (start);
    return found;
  }

  /** The suggestion the ISBN or the normalised title and author already belongs to (the ISBN first). */
  private async find(suggestion: CheckedSuggestion): Promise<StoredSuggestion | undefined> {
    for (const key of [suggestion.isbnKey, suggestion.titleKey]) {
      if (!key) continue;
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: suggestionKeys.lookup(lookupHash(key)),
          ConsistentRead: true,
        }),
      );
      const lookup = suggestionLookupEntity.fromMaybe(Item);
      if (!lookup) continue;
      const record = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: suggestionKeys.item(lookup.suggestionId),
          ConsistentRead: true,
        }),
      );
      const stored = suggestionEntity.fromMaybe(record.Item);
      if (stored) return stored;
    }
    return undefined;
  }

  private lookupPut(dedupKey: string, suggestionId: string): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...suggestionKeys.lookup(lookupHash(dedupKey)), suggestionId },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private votePut(suggestionId: string, patronId: string, at: Date): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...suggestionVoteEntity.key(suggestionId, voterHashOf(suggestionId, patronId)),
          at: at.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }

  private async create(
    patronId: string,
    suggestion: CheckedSuggestion,
    at: Date,
  ): Promise<{ suggestion: Suggestion; counted: boolean }> {
    const now = at.toISOString();
    const stored: StoredSuggestion = {
      id: `s-${randomUUID()}`,
      title: suggestion.title,
      author: suggestion.author,
      ...(suggestion.isbn ? { isbn: suggestion.isbn } : {}),
      count: 1,
      notes: suggestion.note ? [suggestion.note] : [],
      createdAt: now,
      lastSuggestedAt: now,
      titleKey: suggestion.titleKey,
      ...(suggestion.isbnKey ? { isbnKey: suggestion.isbnKey } : {}),
    };
    await this.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          this.votePut(stored.id, patronId, at),
          {
            Put: {
              TableName: this.tableName,
              Item: suggestionEntity.toItem(stored),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          this.lookupPut(suggestion.titleKey, stored.id),
          ...(suggestion.isbnKey ? [this.lookupPut(suggestion.isbnKey, stored.id)] : []),
        ],
      }),
    );
    return { suggestion: toSuggestion(stored), counted: true };
  }

  private async vote(
    patronId: string,
    existing: StoredSuggestion,
    suggestion: CheckedSuggestion,
    at: Date,
  ): Promise<{ suggestion: Suggestion; counted: boolean }> {
    const note = suggestion.note && existing.notes.length < maxNotes ? suggestion.note : undefined;
    // An ISBN given now for a suggestion first made without one: it joins the record and its lookups.
    const addsIsbn = suggestion.isbn && suggestion.isbnKey && !existing.isbnKey;
    const sets = ['lastSuggestedAt = :at'];
    const values: Record<string, unknown> = { ':one': 1, ':at': at.toISOString() };
    if (note) {
      sets.push('notes = list_append(notes, :note)');
      values[':note'] = [note];
    }
    if (addsIsbn) {
      sets.push('isbn = :isbn', 'isbnKey = :isbnKey');
      values[':isbn'] = suggestion.isbn;
      values[':isbnKey'] = suggestion.isbnKey;
    }
    await this.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          this.votePut(existing.id, patronId, at),
          {
            Update: {
              TableName: this.tableName,
              Key: suggestionKeys.item(existing.id),
              UpdateExpression: `ADD #count :one SET ${sets.join(', ')}`,
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: values,
            },
          },
        ],
      }),
    );
    if (addsIsbn) await this.claimLookup(suggestion.isbnKey!, existing.id);
    const updated: StoredSuggestion = {
      ...existing,
      count: existing.count + 1,
      lastSuggestedAt: at.toISOString(),
      notes: note ? [...existing.notes, note] : existing.notes,
      ...(addsIsbn ? { isbn: suggestion.isbn!, isbnKey: suggestion.isbnKey! } : {}),
    };
    return { suggestion: toSuggestion(updated), counted: true };
  }

  /** Points an ISBN at a suggestion unless it points at one already (then that one keeps it). */
  private async claimLookup(dedupKey: string, suggestionId: string): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...suggestionKeys.lookup(lookupHash(dedupKey)), suggestionId },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailure(error)) throw error;
    }
  }
}
