import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StackVariable } from '../../functions/config-variables.js';
import path from 'node:path';
import { cdkBundlingOptions } from './bundling.js';
import { repoRoot } from './paths.js';

/**
 * The newest Node.js Lambda runtime aws-cdk-lib 2.276 offers (cdk-nag AwsSolutions-L1 checks this).
 * The bundles target it (esbuild target node24, bundling.ts); the project pins the same Node.js and tests on it.
 */
export const libraryRuntime = Runtime.NODEJS_24_X;

export interface LibraryFunctionProps {
  /** Absolute path of the handler module (exports `handler`). */
  readonly entry: string;
  readonly description: string;
  /**
   * Configuration read by functions/config.ts, typed per function by functions/config-variables.ts
   * (FunctionEnvironment); MODE=aws and NODE_OPTIONS are added here.
   */
  readonly environment: Partial<Record<Exclude<StackVariable, 'MODE'>, string>>;
  /** @default 512 MiB: Lambda CPU scales with memory and cold starts matter for patrons. */
  readonly memorySize?: number;
  /** @default 10 seconds: API Gateway HTTP APIs give up after 30 s anyway. */
  readonly timeout?: Duration;
  /** @default one month */
  readonly logRetention?: RetentionDays;
  /** @default arm64 (cheaper per GB-second); a function given native binaries runs on theirs. */
  readonly architecture?: Architecture;
  /** @default none */
  readonly layers?: ILayerVersion[];
  /** Files of the repository copied beside the bundle's index.mjs (by name). @default none */
  readonly assets?: readonly string[];
}

/**
 * One Lambda function the library's way: arm64 unless told otherwise, newest Node.js runtime, bundled with the shared esbuild
 * settings, its own log group with retention, and its own role that starts with nothing but the right to
 * write to that log group (no AWSLambdaBasicExecutionRole managed policy, which allows every log group).
 */
export class LibraryFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LibraryFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      // Logs are operational, not records: they go with the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${props.description}`,
    });
    // logs:CreateLogStream + logs:PutLogEvents on this function's own log group only.
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: libraryRuntime,
      architecture: props.architecture ?? Architecture.ARM_64,
      layers: props.layers,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      projectRoot: repoRoot,
      depsLockFilePath: path.join(repoRoot, 'package-lock.json'),
      bundling: cdkBundlingOptions(props.assets ?? []),
      environment: {
        MODE: 'aws',
        // The bundle ships a source map; stack traces in the logs point at the TypeScript sources.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    });
  }
}
