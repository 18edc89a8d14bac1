/**
 * Shared vitest configuration for every workspace package.
 *
 * - Tests live in `test/**\/*.test.ts`.
 * - Workspace packages export a `"source"` condition pointing at `src/index.ts`;
 *   adding it to the resolve conditions makes tests import the TypeScript
 *   sources of workspace dependencies directly, so no build is needed to run
 *   tests (and edits to a dependency are seen without rebuilding it).
 * - Reporters are NOT set here: each package's `test` script passes
 *   `--reporter=default --reporter=json --outputFile.json=.vitest-report.json`,
 *   and `tooling/scripts/test-summary.mjs` sums those report files into the
 *   final `N passed, N failed` line of `pnpm test`.
 */
import { defineConfig, mergeConfig, type ViteUserConfig } from 'vitest/config';

// Vite replaces (does not extend) its default conditions when these are set,
// so the defaults are repeated after "source".
const clientConditions = ['source', 'module', 'browser', 'development|production'];
const serverConditions = ['source', 'module', 'node', 'development|production'];

export const baseConfig = defineConfig({
  resolve: { conditions: clientConditions },
  ssr: { resolve: { conditions: serverConditions } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

/** Package vitest config = shared base + per-package overrides. */
export function defineTorchtsConfig(overrides: ViteUserConfig = {}): ViteUserConfig {
  return mergeConfig(baseConfig, overrides);
}
