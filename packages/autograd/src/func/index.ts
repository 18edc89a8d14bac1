/**
 * `torch.func`: composable function transforms — grad, gradAndValue, vjp, jvp, jacrev, jacfwd,
 * hessian and vmap. Exported as the `func` namespace of @torchts/autograd.
 */
export { grad, gradAndValue, vjp } from './grad.js';
export type { GradTransformOptions, VjpFn, VjpFnOptions } from './grad.js';
export { jvp } from './jvp.js';
export type { JvpOptions } from './jvp.js';
export { jacrev, jacfwd, hessian } from './jacobian.js';
export type { JacobianOptions } from './jacobian.js';
export { vmap } from './vmap.js';
export type { VmapOptions, InDims, OutDims } from './vmap.js';
