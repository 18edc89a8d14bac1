import { defineTorchtsConfig } from '../tooling/vitest.base.ts';

// Tests check the bench's arithmetic and bookkeeping only; nothing asserts on time.
export default defineTorchtsConfig({});
