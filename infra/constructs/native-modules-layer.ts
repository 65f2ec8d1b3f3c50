import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Architecture, Code, LayerVersion } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lambdaBundle } from './bundling.js';
import { libraryRuntime } from './library-function.js';
import { repoRoot } from './paths.js';

/**
 * The platform packages holding the linux-x64 glibc binaries (what `npm install` picks on the x86_64 Linux
 * machines that synthesize and test the stack). They are optional dependencies of sharp and @napi-rs/canvas,
 * so they are named here rather than followed from package.json, where every other platform is listed too.
 */
export const linuxX64Binaries = [
  '@img/sharp-linux-x64',
  '@img/sharp-libvips-linux-x64',
  '@napi-rs/canvas-linux-x64-gnu',
] as const;

/** The Lambda architecture those binaries run on. */
export const nativeModulesArchitecture = Architecture.X86_64;

const nodeModules = path.join(repoRoot, 'node_modules');

/**
 * The installed packages a layer needs: the native modules, their platform binaries and, transitively, their
 * `dependencies` (sharp's @img/colour, detect-libc, semver). Each is found where Node would find it from the
 * package that needs it (a nested node_modules first, then the top one).
 */
export function nativeModulesClosure(): string[] {
  const found = new Set<string>();
  const visit = (name: string, from: string): void => {
    const dir = packageDir(name, from);
    if (found.has(dir)) return;
    found.add(dir);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir);
  };
  for (const name of [...lambdaBundle.nativeModulesLoadedApart, ...linuxX64Binaries])
    visit(name, nodeModules);
  return [...found].map((dir) => path.relative(nodeModules, dir)).sort();
}

function packageDir(name: string, from: string): string {
  for (let dir = from; dir.startsWith(nodeModules); dir = path.dirname(dir)) {
    const base = path.basename(dir) === 'node_modules' ? dir : path.join(dir, 'node_modules');
    const candidate = path.join(base, name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(
    `${name} is not installed in ${nodeModules}: the native-modules layer copies it from there ` +
      '(run npm ci on linux-x64 so that the linux-x64 binaries are installed).',
  );
}

/**
 * A Lambda layer with the native modules publication loads apart from the bundle (`nativeModulesLoadedApart`),
 * copied from the repository's node_modules into `nodejs/node_modules/`, which Lambda mounts at
 * /opt/nodejs/node_modules. The copy is a local bundling step: no Docker and no network at synth time (the
 * Docker image named is never pulled, since the local step always succeeds or throws).
 */
export class NativeModulesLayer extends Construct {
  readonly layer: LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new LayerVersion(this, 'Layer', {
      description: `Native modules for publication (${lambdaBundle.nativeModulesLoadedApart.join(', ')}), linux-x64 glibc`,
      compatibleRuntimes: [libraryRuntime],
      compatibleArchitectures: [nativeModulesArchitecture],
      code: Code.fromAsset(path.join(repoRoot, 'infra', 'constructs'), {
        // The asset's hash is the list of packages and their versions, not the source folder's contents.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: closureFingerprint(),
        bundling: {
          image: DockerImage.fromRegistry('none'),
          local: {
            tryBundle(outputDir: string): boolean {
              const target = path.join(outputDir, 'nodejs', 'node_modules');
              for (const relative of nativeModulesClosure()) {
                // A package nested in one already copied came along with it.
                if (existsSync(path.join(target, relative))) continue;
                cpSync(path.join(nodeModules, relative), path.join(target, relative), { recursive: true });
              }
              return true;
            },
          },
        },
      }),
    });
  }
}

/** The packages and their versions: the layer changes when one of them is upgraded. */
function closureFingerprint(): string {
  return nativeModulesClosure()
    .map((relative) => {
      const { version } = JSON.parse(
        readFileSync(path.join(nodeModules, relative, 'package.json'), 'utf8'),
      ) as { version: string };
      return `${relative}@${version}`;
    })
    .join(',');
}
