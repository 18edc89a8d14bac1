/**
 * @torchts/core: Tensor, dtypes and promotion, broadcasting, the op registry and dispatcher,
 * deterministic memory, and every op's definition. Kernels come from backend packages.
 */
export * from './dtype.js';
export * from './errors.js';
export * from './shape.js';
export * from './dtypeio.js';
export * from './storage.js';
export * from './device.js';
export * from './dispatcher.js';
export * from './memory.js';
export * from './files.js';
export * from './promotion.js';
export { Tensor, emptyTensor, makeView, isTensor, hostTensor } from './tensor.js';
export type { Scalar, TensorOrScalar, RemovableHandle, BackwardOptions } from './tensor.js';
export * from './ops/index.js';
