import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LibraryStack } from './library-stack.js';

/**
 * Feature flags the stack is written for: cdk.json's "context" (what a new CDK app of the installed aws-cdk-lib
 * gets, plus ours), read here too so that tests synthesize exactly what `cdk synth` does.
 */
export const featureFlags: Record<string, unknown> = (
  JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * Builds the app: the library stack plus cdk-nag's AwsSolutions pack (an unacknowledged error fails synth).
 * Tests pass their own App (for example with bundling skipped); `cdk synth` runs this file.
 */
export function buildApp(app: App = new App()): { app: App; stack: LibraryStack } {
  for (const [key, value] of Object.entries(featureFlags)) {
    if (app.node.tryGetContext(key) === undefined) app.node.setContext(key, value);
  }
  const alarmEmail: unknown = app.node.tryGetContext('pustaka:alarmEmail');
  const mailFrom: unknown = app.node.tryGetContext('pustaka:mailFrom');
  const mailDomain: unknown = app.node.tryGetContext('pustaka:mailDomain');
  const stack = new LibraryStack(app, 'Pustaka', {
    description: 'Pustaka digital-library gateway',
    // Account and region come from the deploy environment; synth needs neither.
    ...(typeof alarmEmail === 'string' && alarmEmail ? { alarmEmail } : {}),
    ...(typeof mailFrom === 'string' && mailFrom ? { mailFrom } : {}),
    ...(typeof mailDomain === 'string' && mailDomain ? { mailDomain } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
