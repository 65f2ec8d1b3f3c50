import { Arn, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { FunctionEnvironment } from '../../functions/config-variables.js';
import type { ContentBucket } from './content-bucket.js';
import { LibraryFunction } from './library-function.js';
import { apiBundleAssets } from './bundling.js';
import { NativeModulesLayer, nativeModulesArchitecture } from './native-modules-layer.js';
import { tableActions, type LibraryTable } from './library-table.js';
import { handlerEntry } from './paths.js';
import type { PseudonymSecret } from './pseudonym-secret.js';
import type { SigningKeys } from './signing-keys.js';

export interface ApiFunctionsProps {
  readonly table: LibraryTable;
  readonly content: ContentBucket;
  readonly signingKeys: SigningKeys;
  /**
   * The pseudonym secret: the partner API reads it for partner members' ids and the campus flow cookie, the
   * patron API for the signed links in notice mails (unsubscribe, address confirmation).
   */
  readonly pseudonymSecret: PseudonymSecret;
  /** The reader's origin (`https://...`), for CORS answered by the API. */
  readonly webOrigin: string;
  /** `iss` of the gateway's tokens. */
  readonly tokenIssuer: string;
  /** The API's public base URL: absolute links (OPDS) are built from it, never from the request's Host. */
  readonly publicApiUrl: string;
  /** @default 'pustaka-api' */
  readonly tokenAudience?: string;
  /** Lifetime of a signed content link, seconds. @default 300 */
  readonly linkTtlSeconds?: number;
  /** @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
}

/**
 * The three API functions, split so that only the librarian API can write to the content bucket and only the
 * partner API reads the partners' OIDC client secrets (and so that each bundle carries only its own routes):
 * - patron API (everything the others do not serve): the table items it uses and DescribeTable (/health),
 *   GetObject on content/* (to sign links), signing keys, the pseudonym secret (notice mails' links);
 * - partner API (partner members' sign-in, SUSHI: functions/http/partner-api.ts): the table items it uses,
 *   signing keys (it signs members in), the pseudonym secret (members' ids), the partners' OIDC client secrets;
 * - librarian API (/admin/*): the table items it uses, uploads into incoming/*, publishing into content/*,
 *   signing keys (it verifies librarian tokens).
 */
export class ApiFunctions extends Construct {
  readonly patronApi: LibraryFunction;
  readonly partnerApi: LibraryFunction;
  readonly librarianApi: LibraryFunction;
  /** sharp and @napi-rs/canvas for publication (cover sizes, drawn PDF pages): the librarian API only. */
  readonly nativeModules: NativeModulesLayer;
  /**
   * Name prefix of the partners' OIDC client secrets (campus sign-in): one secret per partner, created and
   * updated by the librarian API when a librarian sets `oidc.clientSecret`, read by the partner API at the
   * callback.
   */
  readonly partnerSecretsPrefix: string;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);

    this.partnerSecretsPrefix = `pustaka/${Stack.of(this).stackName}/partner-oidc/`;

    // Typed by functions/config-variables.ts: leaving out a variable the function requires does not compile.
    const environment = {
      TABLE_NAME: props.table.table.tableName,
      CONTENT_BUCKET: props.content.bucketName,
      LINK_TTL_SECONDS: String(props.linkTtlSeconds ?? 300),
      TOKEN_ISSUER: props.tokenIssuer,
      TOKEN_AUDIENCE: props.tokenAudience ?? 'pustaka-api',
      SIGNING_KEYS_SECRET_ARN: props.signingKeys.secret.secretArn,
      WEB_ORIGIN: props.webOrigin,
      PUBLIC_API_URL: props.publicApiUrl,
      LOG_LEVEL: props.logLevel ?? 'INFO',
    } satisfies FunctionEnvironment<'patronApi'> &
      FunctionEnvironment<'partnerApi'> &
      FunctionEnvironment<'librarianApi'>;

    this.patronApi = new LibraryFunction(this, 'PatronApi', {
      entry: handlerEntry('api'),
      description: 'Pustaka patron API (catalogue, loans, holds, reading, signed links)',
      // GET /openapi.json and /problems/{code} serve generated files (functions/adapters/bundled-files.ts).
      assets: apiBundleAssets,
      environment: {
        ...environment,
        PSEUDONYM_SECRET_ARN: props.pseudonymSecret.secret.secretArn,
      } satisfies FunctionEnvironment<'patronApi'>,
    });
    props.table.grant(this.patronApi.role, tableActions.patronApi);
    props.content.grantReadContent(this.patronApi.role);
    props.content.grantReadCatalogueSnapshots(this.patronApi.role);
    props.signingKeys.grantRead(this.patronApi.role);
    props.pseudonymSecret.grantRead(this.patronApi.role);

    this.partnerApi = new LibraryFunction(this, 'PartnerApi', {
      entry: handlerEntry('partner'),
      description: 'Pustaka partner API (partner members sign-in, campus sign-in, COUNTER SUSHI)',
      assets: apiBundleAssets,
      environment: {
        ...environment,
        PSEUDONYM_SECRET_ARN: props.pseudonymSecret.secret.secretArn,
        PARTNER_SECRETS_PREFIX: this.partnerSecretsPrefix,
      } satisfies FunctionEnvironment<'partnerApi'>,
    });
    props.table.grant(this.partnerApi.role, tableActions.partnerApi);
    props.signingKeys.grantRead(this.partnerApi.role);
    props.pseudonymSecret.grantRead(this.partnerApi.role);
    this.grantPartnerSecrets(this.partnerApi, 'ReadPartnerClientSecrets', ['secretsmanager:GetSecretValue']);

    this.nativeModules = new NativeModulesLayer(this, 'NativeModules');
    this.librarianApi = new LibraryFunction(this, 'LibrarianApi', {
      entry: handlerEntry('admin'),
      description: 'Pustaka librarian API (/admin: uploads, titles, licences, patrons)',
      assets: apiBundleAssets,
      environment: { ...environment, PARTNER_SECRETS_PREFIX: this.partnerSecretsPrefix },
      // Validating an upload (zip inspection, metadata extraction) needs more time and memory.
      memorySize: 1024,
      timeout: Duration.seconds(29),
      // Publication loads sharp and @napi-rs/canvas from this layer. Its binaries are the linux-x64 glibc ones
      // installed in the repository's node_modules (copied, not built: no Docker, no network at synth), so this
      // function runs on x86_64; the patron API and the sweeper load no native code and stay on arm64.
      architecture: nativeModulesArchitecture,
      layers: [this.nativeModules.layer],
    });
    props.table.grant(this.librarianApi.role, tableActions.librarianApi);
    props.content.grantUploadAndPublish(this.librarianApi.role);
    props.content.grantReadCatalogueSnapshots(this.librarianApi.role);
    props.signingKeys.grantRead(this.librarianApi.role);
    this.grantPartnerSecrets(this.librarianApi, 'WritePartnerClientSecrets', [
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
    ]);
  }

  /** The partners' client secrets only: names under the prefix (Secrets Manager adds a random ARN suffix). */
  private grantPartnerSecrets(grantee: LibraryFunction, sid: string, actions: string[]): void {
    const resource = Arn.format(
      {
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${this.partnerSecretsPrefix}*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      },
      Stack.of(this),
    );
    grantee.role.addToPrincipalPolicy(
      new PolicyStatement({ sid, effect: Effect.ALLOW, actions, resources: [resource] }),
    );
    Validations.of(grantee.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.partnerSecretsPrefix}*]`,
      reason:
        'One secret per partner, created when a librarian sets its OIDC client secret; the grant names the ' +
        'partner-secret prefix of this stack (the trailing wildcard is the random suffix Secrets Manager adds).',
    });
  }
}
