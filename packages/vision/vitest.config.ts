import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// --expose-gc lets the memory test check the FinalizationRegistry safety net.
export default defineTorchtsConfig({ test: { execArgv: ['--expose-gc'] } });
