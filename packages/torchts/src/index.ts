/**
 * torchts: PyTorch for TypeScript. `import * as torch from 'torchts'` gives core's ops and
 * tensors with every backend and autograd registered.
 */
import '@torchts/backend-cpu';
import * as autogradModule from '@torchts/autograd';
import { checkpoint } from '@torchts/autograd';

export * from '@torchts/core';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled } from '@torchts/autograd';

/** `torch.autograd`: backward, grad, Function, gradcheck, anomaly detection, the derivative registry. */
export const autograd = autogradModule;
/** `torch.func`: grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian, vmap. */
export const func = autogradModule.func;
/** `torch.utils`: checkpoint (more utilities join it as their packages land). */
export const utils = { checkpoint };
