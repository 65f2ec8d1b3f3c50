import { Template } from 'aws-cdk-lib/assertions';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { PseudonymSecret } from '../../infra/constructs/pseudonym-secret.js';
import { constructStack, logicalId, roleStatements } from './helpers.js';

describe('PseudonymSecret', () => {
  it('has Secrets Manager generate the secret at deploy time (no key material in the template), never rotated', () => {
    // Prepare
    const stack = constructStack();
    // Act
    new PseudonymSecret(stack, 'PseudonymSecret');
    const template = Template.fromStack(stack);
    // Assess
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    expect(secret?.Properties).not.toHaveProperty('SecretString');
    expect(secret?.Properties.GenerateSecretString).not.toHaveProperty('SecretStringTemplate');
    expect(template.findResources('AWS::SecretsManager::RotationSchedule')).toEqual({});
  });

  it('survives deletion of the stack (members’ ids depend on it)', () => {
    // Prepare
    const stack = constructStack();
    // Act
    new PseudonymSecret(stack, 'PseudonymSecret');
    const template = Template.fromStack(stack);
    // Assess
    template.hasResource('AWS::SecretsManager::Secret', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('grants only secretsmanager:GetSecretValue on this one secret', () => {
    // Prepare
    const stack = constructStack();
    const secret = new PseudonymSecret(stack, 'PseudonymSecret');
    const role = new Role(stack, 'Api', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // Act
    secret.grantRead(role);
    const template = Template.fromStack(stack);
    // Assess
    const secretId = logicalId(template, 'AWS::SecretsManager::Secret', 'PseudonymSecret');
    expect(roleStatements(template, 'Api')).toEqual([
      {
        Sid: 'ReadPseudonymSecret',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: secretId },
      },
    ]);
  });
});
