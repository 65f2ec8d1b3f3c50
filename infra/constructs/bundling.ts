import type { BuildOptions } from 'esbuild';
import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import path from 'node:path';

/**
 * The one description of how a Lambda handler is bundled. The CDK functions (NodejsFunction) and
 * `bench/bundle.ts` both derive their esbuild settings from here, so the benchmark measures exactly
 * what is deployed.
 */
export const lambdaBundle = {
  /** Lambda's runtime (library-function.ts), which is also the Node.js the project pins and tests on. */
  target: 'node24',
  format: 'esm',
  minify: true,
  sourceMap: true,
  /** Source maps without embedded sources: a smaller map for `--enable-source-maps` to load at init. */
  sourcesContent: false,
  /** Prefer the ES module builds of dependencies so esbuild can tree-shake them. */
  mainFields: ['module', 'main'],
  /** Some CommonJS dependencies call `require` for Node built-ins; give the ESM bundle one. */
  banner:
    "import{createRequire as __pustakaCreateRequire}from'node:module';const require=__pustakaCreateRequire(import.meta.url);",
  /**
   * The SDK's credential providers that can never answer on Lambda, left out of the bundle. Lambda puts the
   * role's credentials in the environment, so the default chain stops at its first link (`fromEnv`, which is
   * bundled); these later links are only reached through lazy `import()`s when the environment has no
   * credentials (shared config files, SSO, a credential process, a web-identity token file, container or
   * instance metadata). Leaving them out drops about 128 KB (the STS/SSO/sign-in clients they carry) and
   * about 7 ms of cold start. Where they would be needed (the bundle run outside Lambda without credentials
   * in the environment) the import fails with ERR_MODULE_NOT_FOUND instead of a credential error.
   */
  credentialProvidersNeverReachedOnLambda: [
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/credential-provider-process',
    '@aws-sdk/credential-provider-web-identity',
    '@aws-sdk/credential-provider-http',
    '@smithy/credential-provider-imds',
  ],
  /**
   * Native image libraries (.node binaries esbuild cannot bundle), loaded with `import()` by the publication
   * inspector: sharp reads a cover's size, @napi-rs/canvas draws a PDF's first page. Where a function does not
   * ship them (a layer would), the import fails and the title is published without a size or a drawn image.
   */
  nativeModulesLoadedApart: ['@napi-rs/canvas', 'sharp'],
} as const;

/**
 * NodejsFunction bundling options: the settings above, the AWS SDK bundled (apart from the credential providers
 * Lambda never reaches), local esbuild.
 */
export function cdkBundlingOptions(assets: readonly string[] = []): BundlingOptions {
  return {
    target: lambdaBundle.target,
    format: OutputFormat.ESM,
    minify: lambdaBundle.minify,
    sourceMap: lambdaBundle.sourceMap,
    sourcesContent: lambdaBundle.sourcesContent,
    mainFields: [...lambdaBundle.mainFields],
    banner: lambdaBundle.banner,
    // Bundle the AWS SDK: a pinned, tree-shaken SDK starts faster than the runtime's full copy.
    externalModules: [
      ...lambdaBundle.credentialProvidersNeverReachedOnLambda,
      ...lambdaBundle.nativeModulesLoadedApart,
    ],
    // esbuild is a dev dependency: never fall back to Docker.
    forceDockerBundling: false,
    ...(assets.length ? { commandHooks: copyBesideBundle(assets) } : {}),
  };
}

/** The OpenAPI document (`npm run contract`), which both APIs serve from beside their bundle. */
export const contractDocumentAsset = 'functions/http/openapi.json';
/** The problem pages' messages (`npm run contract`), read beside the bundle on the first GET /problems/{code}. */
export const problemMessagesAsset = 'functions/http/problem-messages.json';
/** The generated files both API functions carry beside their bundle (functions/adapters/bundled-files.ts). */
export const apiBundleAssets = [contractDocumentAsset, problemMessagesAsset] as const;

/** Copies repository files (paths from the root) beside the bundle's index.mjs, under their own names. */
function copyBesideBundle(assets: readonly string[]): NonNullable<BundlingOptions['commandHooks']> {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) =>
      assets.map((file) => `cp "${inputDir}/${file}" "${outputDir}/${path.basename(file)}"`),
  };
}

/**
 * The same settings as esbuild JavaScript API options, mirroring the command line NodejsFunction runs
 * (`--bundle --platform=node --target --format --minify --sourcemap --sources-content=false --main-fields --banner:js
 * --external`).
 */
export function esbuildOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: lambdaBundle.target,
    format: lambdaBundle.format,
    minify: lambdaBundle.minify,
    sourcemap: lambdaBundle.sourceMap,
    sourcesContent: lambdaBundle.sourcesContent,
    mainFields: [...lambdaBundle.mainFields],
    banner: { js: lambdaBundle.banner },
    external: [
      ...lambdaBundle.credentialProvidersNeverReachedOnLambda,
      ...lambdaBundle.nativeModulesLoadedApart,
    ],
    logLevel: 'warning',
  };
}
