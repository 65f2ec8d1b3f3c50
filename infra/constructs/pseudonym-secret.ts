import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The HMAC secret partner members' pseudonymous ids are derived from (functions/adapters/pseudonyms.ts):
 * SecretString is a plain random string that Secrets Manager generates at deploy time, so no key material is
 * in the template or the repository.
 *
 * NEVER rotate or replace it casually: every partner member's id would change, and with it the link to their
 * reading positions, bookmarks and sessions. For the same reason it is retained when the stack is deleted,
 * like the table whose items carry those ids.
 */
export class PseudonymSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.secret = new Secret(this, 'Secret', {
      description:
        'Pustaka: HMAC secret for partner members\u2019 pseudonymous ids. Do not rotate: every member id would change.',
      generateSecretString: {
        passwordLength: 64,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Deliberately never rotated: partner members are known only by HMAC(secret, issuer + sub), so a new ' +
        'secret would give every member a new id and cut them off from their reading positions, bookmarks and ' +
        'sessions. There is no rotation Lambda and no manual rotation procedure.',
    });
  }

  /** Only secretsmanager:GetSecretValue, on this secret only (no DescribeSecret, no wildcard ARN suffix). */
  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadPseudonymSecret',
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
  }
}
