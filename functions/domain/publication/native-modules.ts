import { createRequire } from 'node:module';

/** The native libraries publication uses, with the shape `require` gives them (sharp is its function itself). */
interface NativeModules {
  sharp: typeof import('sharp').default;
  '@napi-rs/canvas': typeof import('@napi-rs/canvas');
}

/**
 * Loaded with CommonJS resolution on purpose. On Lambda these packages come from a layer, in
 * /opt/nodejs/node_modules, which the runtime puts on NODE_PATH; NODE_PATH is honoured by `require` but not by
 * ESM `import()`, which only walks the node_modules folders above the bundle (/var/task). Locally the same call
 * finds the repository's node_modules. Both packages ship CommonJS entry points.
 */
const requireNative = createRequire(import.meta.url);

/** Throws (MODULE_NOT_FOUND, or a load error of the .node binary) where the package is not there. */
export function loadNativeModule<N extends keyof NativeModules>(name: N): NativeModules[N] {
  return requireNative(name) as NativeModules[N];
}
