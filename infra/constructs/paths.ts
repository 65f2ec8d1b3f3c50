import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, found from this file so synth works from any working directory. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** A Lambda entry point under functions/handlers. */
export const handlerEntry = (name: 'api' | 'partner' | 'admin' | 'sweeper'): string =>
  path.join(repoRoot, 'functions', 'handlers', `${name}.ts`);
