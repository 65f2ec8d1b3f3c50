import { Duration } from 'aws-cdk-lib';
import { MetricFilter, FilterPattern } from 'aws-cdk-lib/aws-logs';
import type { ContentBucket } from './content-bucket.js';
import type { MailSender } from './mail-sender.js';
import type { PseudonymSecret } from './pseudonym-secret.js';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { FunctionEnvironment } from '../../functions/config-variables.js';
import { LibraryFunction } from './library-function.js';
import { tableActions, type LibraryTable } from './library-table.js';
import { handlerEntry } from './paths.js';

export interface SweeperProps {
  readonly table: LibraryTable;
  /**
   * The content bucket: with it, each run also rebuilds the catalogue index snapshot under `search/` when the
   * catalogue moved (functions/adapters/catalogue-index.ts), which the API functions load on a cold start.
   */
  readonly content?: ContentBucket;
  /** @default every 5 minutes */
  readonly every?: Duration;
  /** @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * The library's mail: with it, each run also sends the notices that are due (functions/application/notify.ts)
   * through SES; without it, notices are recorded (in the app) but no mail goes out.
   */
  readonly mail?: {
    sender: MailSender;
    /** The reader's origin (links into the app) and the API's URL (unsubscribe and confirmation links). */
    appUrl: string;
    apiUrl: string;
    /** The server secret the mail links are signed with (a key derived from it). */
    linkSecret: PseudonymSecret;
    /** @default 'Asia/Jakarta' */
    timeZone?: string;
  };
}

/**
 * Returns expired loans, lapses missed reservations and advances hold queues on a schedule. Loans end at
 * `expiresAt` whether or not it has run (links are refused after), so a late sweep delays only the queue.
 * It touches the table only: no bucket, no signing keys, and no PutItem (it ends records, never creates one).
 */
export class Sweeper extends Construct {
  readonly sweeper: LibraryFunction;
  readonly schedule: Rule;
  /** Mails given up after their last retry, counted from the function's log (see Monitoring). */
  readonly failedDeliveries: MetricFilter;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);

    this.sweeper = new LibraryFunction(this, 'Sweeper', {
      entry: handlerEntry('sweeper'),
      description: 'Pustaka sweeper (expired loans, lapsed reservations, hold queues)',
      // Only what functions/config-variables.ts says the sweeper requires (the table), and its log level.
      environment: {
        TABLE_NAME: props.table.table.tableName,
        LOG_LEVEL: props.logLevel ?? 'INFO',
        ...(props.content ? { CONTENT_BUCKET: props.content.bucketName } : {}),
        ...(props.mail
          ? {
              MAIL_FROM: props.mail.sender.from,
              SES_CONFIGURATION_SET: props.mail.sender.configurationSet.configurationSetName,
              WEB_ORIGIN: props.mail.appUrl,
              PUBLIC_API_URL: props.mail.apiUrl,
              PSEUDONYM_SECRET_ARN: props.mail.linkSecret.secret.secretArn,
              LIBRARY_TIME_ZONE: props.mail.timeZone ?? 'Asia/Jakarta',
            }
          : {}),
      } satisfies FunctionEnvironment<'sweeper'>,
      // Longer than a run's sends may take, shorter than a delivery's lease (2 minutes), so a run cut off
      // mid-send never overlaps the next claim of the same mail.
      timeout: Duration.seconds(90),
      // Building the catalogue index holds every title at once (~500 MB at 100,000 titles).
      ...(props.content ? { memorySize: 1024 } : {}),
    });
    props.table.grant(this.sweeper.role, tableActions.sweeper);
    props.content?.grantWriteCatalogueSnapshots(this.sweeper.role);
    if (props.mail) {
      props.mail.sender.grantSend(this.sweeper.role);
      props.mail.linkSecret.grantRead(this.sweeper.role);
    }

    this.failedDeliveries = new MetricFilter(this, 'FailedDeliveries', {
      logGroup: this.sweeper.logGroup,
      metricNamespace: 'Pustaka',
      metricName: 'FailedDeliveries',
      filterPattern: FilterPattern.all(
        FilterPattern.stringValue('$.message', '=', 'delivery failed'),
        FilterPattern.stringValue('$.state', '=', 'failed'),
      ),
      metricValue: '1',
    });

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
