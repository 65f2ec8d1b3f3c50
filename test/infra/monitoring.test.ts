import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { Monitoring } from '../../infra/constructs/monitoring.js';
import { constructStack, logicalId } from './helpers.js';

function prepare(alarmEmail?: string) {
  const stack: Stack = constructStack();
  const fn = new Function(stack, 'Patron', {
    runtime: Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: Code.fromInline('0'),
  });
  const api = new HttpApi(stack, 'Api');
  new Monitoring(stack, 'Monitoring', {
    api,
    functions: { PatronApi: fn },
    ...(alarmEmail ? { alarmEmail } : {}),
  });
  return Template.fromStack(stack);
}

describe('Monitoring', () => {
  it('alarms on API 5xx and on each function’s errors and throttles, notifying the alarm topic', () => {
    // Prepare
    const template = prepare();
    // Act
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    // Assess
    const topic = { Ref: logicalId(template, 'AWS::SNS::Topic', 'MonitoringAlarmTopic') };
    expect(alarms.map((a) => `${a.Namespace}/${a.MetricName}`).sort()).toEqual([
      'AWS/ApiGateway/5xx',
      'AWS/Lambda/Errors',
      'AWS/Lambda/Throttles',
    ]);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5xx',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(template, 'AWS::ApiGatewayV2::Api', 'Api') } }],
      Statistic: 'Sum',
      TreatMissingData: 'notBreaching',
    });
  });

  it('publishes alarms over TLS only and subscribes the given address', () => {
    // Prepare
    const template = prepare('it@perpustakaan.example');
    // Act / Assess
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'it@perpustakaan.example',
    });
  });
});
