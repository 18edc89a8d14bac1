import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// Shared settings (test/**/*.test.ts, "source" resolve condition, 60 s timeout)
// live in tooling/vitest.base.ts; add package-specific overrides here.
export default defineTorchtsConfig({});
