import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../functions/local/gateway';

/**
 * Lambda runs Node.js 24 (NODEJS_24_X); so must everything npm runs here, even on a machine whose own Node is
 * older: the `node` devDependency puts a Node 24 binary first on the PATH of every npm script.
 */
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};
const nvmrc = readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim();

describe('the Node.js the project runs on', () => {
  it('is the pinned Node 24 in the test process itself', () => {
    // Assess
    expect(nvmrc).toBe('24');
    expect(packageJson.devDependencies.node).toMatch(/^24\.\d+\.\d+$/);
    expect(process.version).toBe(`v${packageJson.devDependencies.node}`);
    expect(packageJson.engines.node).toMatch(/^>=24\b/);
  });

  it('is the one a child process gets from PATH (what npm scripts, cdk and npx start)', () => {
    // Act
    const child = spawnSync('node', ['-p', 'process.version'], { encoding: 'utf8' });
    // Assess
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe(process.version);
    expect(child.stdout.trim().startsWith('v24.')).toBe(true);
  });
});
