import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { featureFlags } from '../../infra/app.js';

/**
 * A stack for testing one construct alone. Bundling is skipped (`aws:cdk:bundling-stacks: []`): the
 * NodejsFunction settings still reach the template, only esbuild does not run. The real bundled synth is
 * covered by synth.test.ts.
 */
export function constructStack(): Stack {
  const app = new App({ context: { ...featureFlags, 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test');
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** The statements of the role's inline (default) policy, found by the role's logical id. */
export function roleStatements(template: Template, roleLogicalIdPrefix: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy', {
    Properties: { Roles: Match.arrayWith([{ Ref: Match.stringLikeRegexp(`^${roleLogicalIdPrefix}`) }]) },
  });
  return Object.values(policies).flatMap(
    (policy) =>
      (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Logical id of the only resource of a type whose logical id starts with `prefix`. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ')}`);
  return ids[0] as string;
}
