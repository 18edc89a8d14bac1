import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// --expose-gc lets the memory test check the FinalizationRegistry safety net.
// The global setup compiles the WebAssembly kernels when they are missing or stale.
export default defineTorchtsConfig({ test: { execArgv: ['--expose-gc'], globalSetup: ['./scripts/vitest-setup.mjs'] } });
