import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// Worker threads run the dist build: global-setup makes sure it is current.
export default defineTorchtsConfig({ test: { execArgv: ['--expose-gc'], globalSetup: ['test/global-setup.ts'] } });
