import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { partnerApiPaths } from '../../functions/http/partner-paths.js';

export interface LibraryHttpApiProps {
  /** Steady-state requests per second for the whole stage. @default 200 */
  readonly rateLimit?: number;
  /** Burst bucket size. @default 400 */
  readonly burstLimit?: number;
  /** @default three months */
  readonly accessLogRetention?: RetentionDays;
}

/** One JSON object per request; only HTTP API ($context) variables that HTTP APIs support. */
const accessLogFields = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  method: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  userAgent: '$context.identity.userAgent',
};

/**
 * The public HTTP API (API Gateway v2). `/admin/{proxy+}` goes to the librarian function, the partner API's
 * paths (partner members' sign-in and SUSHI: `partnerApiPaths`, functions/http/partner-paths.ts) to the partner
 * function, everything else (`$default`) to the patron function. The `$default` stage throttles all routes and writes JSON access logs.
 *
 * CORS: the reader's origin is answered by the API itself (WEB_ORIGIN), not by an API Gateway CORS
 * configuration: the reader site's CSP names this API's URL, so an API Gateway CORS rule naming the site's
 * CloudFront domain would make the API and the distribution depend on each other (a cycle CloudFormation
 * cannot deploy). The functions know the exact origin and answer preflights with it.
 */
export class LibraryHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: LibraryHttpApiProps = {}) {
    super(scope, id);

    this.api = new HttpApi(this, 'Api', {
      description: 'Pustaka public API',
      createDefaultStage: false,
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 200, burstLimit: props.burstLimit ?? 400 },
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });
  }

  /** The invoke URL without a trailing slash, e.g. `https://abc123.execute-api.ap-southeast-3.amazonaws.com`. */
  get url(): string {
    return this.api.apiEndpoint;
  }

  /** Wires the three API functions; call once. */
  route(targets: { patronApi: IFunction; partnerApi: IFunction; librarianApi: IFunction }): void {
    const librarian = new HttpRoute(this, 'LibrarianRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.with('/admin/{proxy+}', HttpMethod.ANY),
      integration: new HttpLambdaIntegration('LibrarianIntegration', targets.librarianApi),
    });
    const partnerIntegration = new HttpLambdaIntegration('PartnerIntegration', targets.partnerApi);
    const partner = partnerApiPaths.map(
      (path, i) =>
        new HttpRoute(this, `PartnerRoute${i}`, {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(path, HttpMethod.ANY),
          integration: partnerIntegration,
        }),
    );
    const patron = new HttpRoute(this, 'PatronRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('PatronIntegration', targets.patronApi),
    });

    for (const route of [librarian, ...partner, patron]) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Authorization is done in the functions: patrons, librarians and partner members present EdDSA tokens ' +
          '(API Gateway JWT authorizers cannot verify Ed25519), and catalogue, OPDS, login and JWKS routes are ' +
          'public by design.',
      });
    }
  }
}
