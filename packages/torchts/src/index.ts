/**
 * torchts: PyTorch for TypeScript. `import * as torch from 'torchts'` gives core's ops and
 * tensors with every backend, autograd, nn and optim registered.
 */
import '@torchts/backend-cpu';
import * as autogradModule from '@torchts/autograd';
import { checkpoint } from '@torchts/autograd';
import * as nnModule from '@torchts/nn';
import * as optimModule from '@torchts/optim';

export * from '@torchts/core';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled } from '@torchts/autograd';
export { save, load, saveFile, loadFile } from '@torchts/nn';

/** `torch.autograd`: backward, grad, Function, gradcheck, anomaly detection, the derivative registry. */
export const autograd = autogradModule;
/** `torch.func`: grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian, vmap. */
export const func = autogradModule.func;
/** `torch.nn`: Module, layers, losses, `nn.functional`, `nn.init`, `nn.utils`. */
export const nn = nnModule;
/** `torch.optim`: optimizers, and `torch.optim.lrScheduler`. */
export const optim = optimModule;
/** `torch.utils`: checkpoint (more utilities join it as their packages land). */
export const utils = { checkpoint };
