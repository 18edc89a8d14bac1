/**
 * torchts: PyTorch for TypeScript. `import * as torch from 'torchts'` gives core's ops and
 * tensors with every backend and autograd registered.
 */
import '@torchts/backend-cpu';
import * as autogradModule from '@torchts/autograd';

export * from '@torchts/core';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled } from '@torchts/autograd';

/** `torch.autograd`: backward, grad, anomaly detection, and the derivative registry. */
export const autograd = autogradModule;
