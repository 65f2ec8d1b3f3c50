import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { SigningKeys } from '../../infra/constructs/signing-keys.js';
import { constructStack, logicalId, roleStatements } from './helpers.js';

describe('SigningKeys', () => {
  it('has Secrets Manager generate the current seed at deploy time (no key material in the template)', () => {
    // Prepare
    const stack = constructStack();
    // Act
    new SigningKeys(stack, 'SigningKeys');
    const template = Template.fromStack(stack);
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: '{}',
        GenerateStringKey: 'current',
        PasswordLength: 64,
        ExcludePunctuation: true,
      },
    });
    const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secret?.Properties).not.toHaveProperty('SecretString');
  });

  it('grants only secretsmanager:GetSecretValue on this one secret', () => {
    // Prepare
    const stack = constructStack();
    const keys = new SigningKeys(stack, 'SigningKeys');
    const role = new Role(stack, 'Api', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    keys.grantRead(role);
    const template = Template.fromStack(stack);
    // Assess
    const secretId = logicalId(template, 'AWS::SecretsManager::Secret', 'SigningKeys');
    expect(roleStatements(template, 'Api')).toEqual([
      {
        Sid: 'ReadSigningKeySeeds',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: secretId },
      },
    ]);
  });
});
