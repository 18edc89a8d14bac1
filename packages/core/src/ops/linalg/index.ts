// Ops of the 'linalg' family: matrix products (one `_gemm` primitive underneath), einsum,
// tensordot, kron, trace and chained products.
export { gemmOp } from './gemm.js';
export { mm, bmm, mv, dot, vdot, mmOp, bmmOp, mvOp, dotOp, vdotOp } from './products.js';
export { matmul, inner, outer, ger } from './matmul.js';
export { addmm, addmv, baddbmm, addbmm, addmmOp, addmvOp, baddbmmOp, addbmmOp } from './addmm.js';
export { _addmmActivation, addmmActivationOp } from './addmm-activation.js';
export type { AddmmActivationOptions } from './addmm-activation.js';
export type { ScaleOptions } from './checks.js';
export { einsum } from './einsum.js';
export type { Sublist } from './einsum.js';
export { tensordot, kron } from './tensordot.js';
export type { TensordotDims } from './tensordot.js';
export { trace } from './trace.js';
export { multiDot, chainMatmul, matrixPower } from './chain.js';
export { diag, diagEmbed } from './diag.js';
export type { DiagEmbedOptions } from './diag.js';
export { cross } from './cross.js';
export { matrixExp } from './matrix-exp.js';
export { geqrf, householderProduct } from './householder.js';
export { solve } from './solve.js';
