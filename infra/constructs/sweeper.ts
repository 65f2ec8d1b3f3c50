import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { FunctionEnvironment } from '../../functions/config-variables.js';
import { LibraryFunction } from './library-function.js';
import { tableActions, type LibraryTable } from './library-table.js';
import { handlerEntry } from './paths.js';

export interface SweeperProps {
  readonly table: LibraryTable;
  /** @default every 5 minutes */
  readonly every?: Duration;
  /** @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * Returns expired loans, lapses missed reservations and advances hold queues on a schedule. Loans end at
 * `expiresAt` whether or not it has run (links are refused after), so a late sweep delays only the queue.
 * It touches the table only: no bucket, no signing keys, and no PutItem (it ends records, never creates one).
 */
export class Sweeper extends Construct {
  readonly sweeper: LibraryFunction;
  readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);

    this.sweeper = new LibraryFunction(this, 'Sweeper', {
      entry: handlerEntry('sweeper'),
      description: 'Pustaka sweeper (expired loans, lapsed reservations, hold queues)',
      // Only what functions/config-variables.ts says the sweeper requires (the table), and its log level.
      environment: {
        TABLE_NAME: props.table.table.tableName,
        LOG_LEVEL: props.logLevel ?? 'INFO',
      } satisfies FunctionEnvironment<'sweeper'>,
      timeout: Duration.minutes(1),
    });
    props.table.grant(this.sweeper.role, tableActions.sweeper);

    this.schedule = new Rule(this, 'Schedule', {
      description: 'Runs the Pustaka sweeper',
      schedule: Schedule.rate(props.every ?? Duration.minutes(5)),
      // A missed run is made up by the next one; retrying a late one only doubles work.
      targets: [
        new LambdaFunction(this.sweeper.function, { retryAttempts: 0, maxEventAge: Duration.minutes(5) }),
      ],
    });
  }
}
