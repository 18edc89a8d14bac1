import { defineTorchtsConfig } from '../../tooling/vitest.base.ts';

// No test script yet: add "test": "vitest run --reporter=default --reporter=json
// --outputFile.json=.vitest-report.json" to package.json when tests are added.
export default defineTorchtsConfig({});
