/**
 * torchts: PyTorch for TypeScript. `import * as torch from 'torchts'` gives core's ops and
 * tensors with every backend registered.
 */
import '@torchts/backend-cpu';

export * from '@torchts/core';
