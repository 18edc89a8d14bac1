/** Test helpers: core's exports plus autograd's grad modes. */
export { Tensor, tensor, tidy, memory, zeros, ones, randn, full, keep, untracked } from '@torchts/core';
export { noGrad as noGradHelper, enableGrad } from '@torchts/autograd';
