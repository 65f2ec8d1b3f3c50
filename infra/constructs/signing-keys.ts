import { Validations } from 'aws-cdk-lib';
import { Effect, PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * The seeds the API derives its Ed25519 token-signing keys from: SecretString
 * `{"current":"<random>","previous":"<optional older random>"}`. Secrets Manager generates `current` at
 * deploy time, so no key material is in the template or the repository.
 */
export class SigningKeys extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.secret = new Secret(this, 'Secret', {
      description: 'Pustaka token signing key seeds: {"current": "...", "previous": "..."}',
      generateSecretString: {
        secretStringTemplate: '{}',
        generateStringKey: 'current',
        passwordLength: 64,
        excludePunctuation: true,
      },
    });

    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is a documented manual procedure, not a rotation Lambda: move "current" to "previous" and ' +
        'write a new random "current". Tokens signed with the previous key keep verifying (its public key stays ' +
        'in the JWKS) until they expire; an automatic single-value rotation would log every patron out.',
    });
  }

  /** Only secretsmanager:GetSecretValue, on this secret only (no DescribeSecret, no wildcard ARN suffix). */
  grantRead(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadSigningKeySeeds',
        effect: Effect.ALLOW,
        actions: ['secretsmanager:GetSecretValue'],
        resources: [this.secret.secretArn],
      }),
    );
  }
}
