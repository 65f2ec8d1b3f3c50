import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { LibraryHttpApi } from '../../infra/constructs/library-http-api.js';
import { constructStack, logicalId } from './helpers.js';

function prepare() {
  const stack = constructStack();
  const fn = (id: string) =>
    new Function(stack, id, {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: Code.fromInline('0'),
    });
  const api = new LibraryHttpApi(stack, 'HttpApi');
  api.route({ patronApi: fn('Patron'), librarianApi: fn('Librarian') });
  return { template: Template.fromStack(stack) };
}

describe('LibraryHttpApi', () => {
  it('throttles the $default stage and deploys it automatically', () => {
    // Prepare
    const { template } = prepare();
    // Act
    const stages = template.findResources('AWS::ApiGatewayV2::Stage');
    // Assess
    expect(Object.keys(stages)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 }),
    });
  });

  it('writes JSON access logs with the request id to its own log group with retention', () => {
    // Prepare
    const { template } = prepare();
    const format = new Capture();
    // Act
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: {
          'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', 'HttpApiAccessLogs'), 'Arn'],
        },
        Format: format,
      },
    });
    // Assess
    expect(JSON.parse(format.asString())).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('sends /admin/{proxy+} to the librarian function and $default to the patron function', () => {
    // Prepare
    const { template } = prepare();
    const routes = template.findResources('AWS::ApiGatewayV2::Route');
    const integrations = template.toJSON().Resources as Record<
      string,
      { Properties: { IntegrationUri?: unknown } }
    >;
    // Act
    const targetOf = (routeKey: string) => {
      const route = Object.values(routes).find((r) => r.Properties.RouteKey === routeKey);
      const integrationId = (route?.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] })[
        'Fn::Join'
      ][1][1].Ref;
      return integrations[integrationId]?.Properties.IntegrationUri;
    };
    // Assess
    expect(
      Object.values(routes)
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(['$default', 'ANY /admin/{proxy+}']);
    expect(targetOf('ANY /admin/{proxy+}')).toEqual({
      'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'Librarian'), 'Arn'],
    });
    expect(targetOf('$default')).toEqual({
      'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'Patron'), 'Arn'],
    });
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' }, 2);
  });

  it('lets only API Gateway invoke the functions', () => {
    // Prepare
    const { template } = prepare();
    // Act
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    // Assess
    expect(permissions).toHaveLength(2);
    for (const permission of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
    }
  });
});
