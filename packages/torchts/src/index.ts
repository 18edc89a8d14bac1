/**
 * torchts: PyTorch for TypeScript. `import * as torch from 'torchts'` gives core's ops and
 * tensors with every backend, autograd, nn, optim and utils.data registered.
 */
import '@torchts/backend-cpu';
/** Which CPU kernels run ('relaxed' / 'simd' WebAssembly builds, or 'ts'), the switch between them, and the CPU thread count. */
export { cpuKernels, getNumThreads, setCpuKernels, setNumThreads } from '@torchts/backend-cpu';
export type { CpuKernels, CpuKernelsChoice } from '@torchts/backend-cpu';

export * from '@torchts/core';
export { noGrad, enableGrad, setGradEnabled, isGradEnabled, inferenceMode, isInferenceModeEnabled } from '@torchts/autograd';
export { save, load, saveFile, loadFile } from '@torchts/nn';

// Namespace re-exports (not `const` aliases) so that `torch.nn.Module`, `torch.optim.Optimizer` and
// friends work as types as well as values, as users write them.
/** `torch.autograd`: backward, grad, Function, gradcheck, anomaly detection, the derivative registry. */
export * as autograd from '@torchts/autograd';
/** `torch.func`: grad, gradAndValue, vjp, jvp, jacrev, jacfwd, hessian, vmap. */
export { func } from '@torchts/autograd';
/** `torch.nn`: Module, layers, losses, `nn.functional`, `nn.init`, `nn.utils`. */
export * as nn from '@torchts/nn';
/** `torch.optim`: optimizers, and `torch.optim.lrScheduler`. */
export * as optim from '@torchts/optim';
/** `torch.utils`: `checkpoint`, and `data` (Dataset, DataLoader, samplers). */
export * as utils from './utils.js';
