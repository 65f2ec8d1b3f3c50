import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../domain/ports';
import type { Plan } from '../transactions';
import type { LendingPlans } from './plans';
import type { LendingReads } from './reads';

/** What every transaction family of lending is built on: the reads, the plan builder and the runner. */
export interface LendingContext {
  documents: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  reads: LendingReads;
  plans: LendingPlans;
  /** read → decide → write until it commits, refuses, or gives up with 503 (../transactions.ts). */
  transact<T>(attempt: () => Promise<Plan<T>>): Promise<T>;
}

/** Waiting holds reserved per transaction when slots are added (a transaction writes at most 100 items). */
// Each reservation writes three items (the hold, its in-app notification and its e-mail delivery).
export const advanceBatch = 20;
