import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { MetricFilter } from 'aws-cdk-lib/aws-logs';

export interface MonitoringProps {
  readonly api: HttpApi;
  /** Functions by a short name used in alarm names, e.g. { PatronApi: fn }. */
  readonly functions: Record<string, IFunction>;
  /** Who is told when an alarm fires. @default no subscription (subscribe to the topic later) */
  readonly alarmEmail?: string;
  /** Mails given up after their last retry (a failed run itself is the sweeper's Errors alarm). */
  readonly notifications?: { failedDeliveries: MetricFilter };
}

/**
 * Alarms on what patrons notice: API 5xx answers, and errors or throttles of any function. Each alarm
 * notifies one SNS topic (TLS-only publishing).
 */
export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    this.topic = new Topic(this, 'AlarmTopic', { displayName: 'Pustaka alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.alarm('Api5xx', props.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }), {
      threshold: 5,
      description: 'The API answered 5xx more than 5 times in 5 minutes',
    });

    if (props.notifications) this.notificationAlarms(props.notifications);

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), {
        threshold: 1,
        description: `${name} threw (function error, timeout or out of memory) in the last 5 minutes`,
      });
      this.alarm(`${name}Throttles`, fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }), {
        threshold: 1,
        description: `${name} was throttled (account or reserved concurrency reached) in the last 5 minutes`,
      });
    }
  }

  private notificationAlarms(notifications: NonNullable<MonitoringProps['notifications']>): void {
    this.alarm(
      'FailedDeliveries',
      notifications.failedDeliveries.metric({ period: Duration.minutes(5), statistic: 'Sum' }),
      {
        threshold: 1,
        description:
          'A notice e-mail was given up after its last retry (librarians can retry it in the console)',
      },
    );
  }

  private alarm(id: string, metric: IMetric, options: { threshold: number; description: string }): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: options.threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}
