import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// 500 iterations of each style in float32 with the plain TypeScript kernels take a while.
export default defineTorchtsConfig({ test: { testTimeout: 300_000 } });
