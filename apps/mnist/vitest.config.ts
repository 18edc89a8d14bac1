import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// The main-job test trains a full epoch of LeNet-5 on 60k images.
export default defineTorchtsConfig({ test: { testTimeout: 300_000 } });
