import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function, Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { createLibrarianApp } from '../../functions/http/librarian-api';
import { createPartnerApp } from '../../functions/http/partner-api';
import { partnerApiPaths } from '../../functions/http/partner-paths';
import { createPatronApp } from '../../functions/http/patron-api';
import type { App } from '../../functions/http/shell';
import { contractDeps } from '../../functions/local/contract-build';
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
  api.route({ patronApi: fn('Patron'), partnerApi: fn('Partner'), librarianApi: fn('Librarian') });
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

  it('sends /admin/{proxy+} to the librarian function, the partner paths to the partner function and $default to the patron function', () => {
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
    const functionArn = (id: string) => ({
      'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', id), 'Arn'],
    });
    // Assess
    expect(
      Object.values(routes)
        .map((r) => r.Properties.RouteKey)
        .sort(),
    ).toEqual(
      [
        '$default',
        'ANY /admin/{proxy+}',
        'ANY /auth/federated',
        'ANY /auth/oidc/{proxy+}',
        'ANY /sushi/{proxy+}',
      ].sort(),
    );
    expect(targetOf('ANY /admin/{proxy+}')).toEqual(functionArn('Librarian'));
    for (const path of partnerApiPaths) expect(targetOf(`ANY ${path}`)).toEqual(functionArn('Partner'));
    expect(targetOf('$default')).toEqual(functionArn('Patron'));
    template.resourcePropertiesCountIs('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' }, 3);
  });

  it('sends every operation of the contract to a function that serves it', () => {
    // Prepare: each function's app as its Lambda builds it, and API Gateway's choice of route for a path
    // (an exact route before a greedy {proxy+} one, which needs at least one segment below it; else $default)
    const apps: Record<string, App> = {
      librarian: createLibrarianApp(contractDeps()),
      partner: createPartnerApp(contractDeps()),
      patron: createPatronApp(contractDeps()),
    };
    const routeKeys = [
      ...partnerApiPaths.map((path) => ({ path, fn: 'partner' })),
      { path: '/admin/{proxy+}', fn: 'librarian' },
    ];
    const matches = (routePath: string, path: string) => {
      if (!routePath.endsWith('/{proxy+}')) return routePath === path;
      const below = routePath.slice(0, -'{proxy+}'.length); // keeps the slash: `/sushi/`
      return path.startsWith(below) && path.length > below.length;
    };
    const chosen = (path: string) =>
      routeKeys.find((key) => !key.path.endsWith('{proxy+}') && matches(key.path, path))?.fn ??
      routeKeys.find((key) => matches(key.path, path))?.fn ??
      'patron';
    const operations = Object.values(apps).flatMap((app) =>
      app.routeConfigs.map((route) => `${route.method.toUpperCase()} ${route.path}`),
    );
    // Act: where each operation's path (its parameters filled in) is sent
    const misrouted = [...new Set(operations)].filter((operation) => {
      const [method, path] = operation.split(' ') as [string, string];
      const served = apps[chosen(path.replace(/\{[^}]+\}/g, 'x'))]!.routeConfigs;
      return !served.some((route) => route.method.toUpperCase() === method && route.path === path);
    });
    // Assess: nothing is sent where it is not served; and the split is real (each function has routes)
    expect(misrouted).toEqual([]);
    expect(operations.length).toBeGreaterThan(100);
    for (const app of Object.values(apps)) expect(app.routeConfigs.length).toBeGreaterThan(3);
    expect(operations).toContain('POST /auth/federated');
    expect(chosen('/auth/federated')).toBe('partner');
    expect(chosen('/sushi/r51/reports/tr')).toBe('partner');
    expect(chosen('/auth/login')).toBe('patron');
    expect(chosen('/admin')).toBe('patron');
  });

  it('lets only API Gateway invoke the functions', () => {
    // Prepare
    const { template } = prepare();
    // Act
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission'));
    // Assess
    // One per route (each names its route in SourceArn): the librarian's, the three partner paths, $default.
    expect(permissions).toHaveLength(5);
    for (const permission of permissions) {
      expect(permission.Properties).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
      });
    }
  });
});
