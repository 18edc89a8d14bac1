/**
 * The fused normalisation ops, PyTorch's aten::native_layer_norm / native_batch_norm /
 * native_group_norm and their backward ops. Each forward also returns the statistics its backward
 * needs (mean and reciprocal standard deviation), so backward is one kernel call rather than
 * autograd's chain of mean/var/sub/mul nodes.
 *
 *   nativeLayerNorm(input, normalizedShape, weight, bias, eps) -> [out, mean, rstd]
 *     mean/rstd: input's leading dims then a 1 per normalized dim.
 *   nativeLayerNormBackward(gradOut, input, normalizedShape, mean, rstd, weight, bias, outputMask)
 *     -> [gradInput, gradWeight, gradBias] (null where outputMask is false or there is no weight/bias)
 *   nativeBatchNorm(input, weight, bias, runningMean, runningVar, training, momentum, eps)
 *     -> [out, saveMean, saveInvstd] ([C] in training, empty in evaluation, as PyTorch 1.13 on CPU);
 *     in training the running buffers are updated in place: r = (1 - momentum) r + momentum s, with
 *     the unbiased batch variance for runningVar (computed in float64).
 *   nativeBatchNormBackward(gradOut, input, weight, runningMean, runningVar, saveMean, saveInvstd,
 *     training, eps, outputMask) -> [gradInput, gradWeight, gradBias]
 *   nativeGroupNorm(input, weight, bias, N, C, HxW, group, eps) -> [out, mean [N, group], rstd [N, group]]
 *   nativeGroupNormBackward(gradOut, input, mean, rstd, weight, N, C, HxW, group, outputMask)
 *     -> [gradInput, gradWeight, gradBias]
 *
 * Kernels get contiguous tensors of one floating dtype (statistics in the input's dtype) with the
 * sizes already flattened: layer norm (M rows of K), batch/group norm (N, C, HxW).
 */
import { defineOp } from '../../dispatcher.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { contig } from './contig.js';

export type Maybe = Tensor | null | undefined;
export type GradTriple = [Tensor | null, Tensor | null, Tensor | null];

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const SCALAR: Record<string, string> = { float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16' };

function requireFloatInput(name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`${name}(): argument 'input' must be Tensor, not ${x === null ? 'null' : typeof x}`);
  if (!isFloatingPoint(x._dtype)) throw new RuntimeError(`"${name}" not implemented for '${x._dtype}'`);
}

/** Optional operands must be tensors of the input's dtype and device (PyTorch's "expected scalar type"). */
function checkOperand(name: string, what: string, t: Maybe, like: Tensor, numel: number | null): void {
  if (t === null || t === undefined) return;
  if (!(t instanceof Tensor)) throw new TypeError(`${name}(): argument '${what}' must be Tensor or null`);
  if (t._dtype !== like._dtype) {
    throw new RuntimeError(`${name}: expected ${what} of scalar type ${SCALAR[like._dtype] ?? like._dtype} (the input's), but found ${SCALAR[t._dtype] ?? t._dtype}`);
  }
  if (t.device !== like.device) throw new RuntimeError(`${name}: expected ${what} on device ${like.device}, but got ${t.device}`);
  if (numel !== null && t.numel() !== numel) {
    throw new RuntimeError(`${name}: expected ${what} to have ${numel} elements, but got a tensor of shape ${fmt(t._shape)}`);
  }
}

const contigMaybe = (t: Maybe, keep: Tensor[]): Tensor | null => (t ? contig(t, keep) : null);

function checkMask(name: string, mask: readonly boolean[]): void {
  if (!Array.isArray(mask) || mask.length !== 3) throw new RuntimeError(`${name}: expected outputMask to be a list of 3 booleans`);
}

function checkSameShape(name: string, what: string, t: Tensor, shape: readonly number[]): void {
  if (!(t instanceof Tensor) || t._shape.join() !== shape.join()) {
    throw new RuntimeError(`${name}: expected ${what} of size ${fmt(shape)}, but got ${t instanceof Tensor ? fmt(t._shape) : String(t)}`);
  }
}

/** The backward outputs outputMask asks for: gradInput like input, gradWeight/gradBias of the given shapes (null: none). */
function gradOutputs(mask: readonly boolean[], input: Tensor, wShape: readonly number[] | null, bShape: readonly number[] | null): GradTriple {
  const make = (want: boolean | undefined, shape: readonly number[] | null): Tensor | null =>
    (want && shape ? emptyTensor([...shape], input._dtype, input.device) : null);
  return [make(mask[0], input._shape), make(mask[1], wShape), make(mask[2], bShape)];
}

/** Backward with nothing to reduce over: zero parameter gradients (gradInput is empty). */
function emptyGrads(grads: GradTriple): GradTriple {
  grads[1]?.zero_();
  grads[2]?.zero_();
  return grads;
}

// ---------------------------------------------------------------- layer norm

/** PyTorch's _check_layer_norm_inputs: returns [M, K]. */
function layerNormSizes(input: Tensor, normalizedShape: readonly number[], weight: Maybe, bias: Maybe): [number, number] {
  const ns = normalizedShape;
  if (!Array.isArray(ns) || ns.length === 0) {
    throw new RuntimeError(`Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, but got normalized_shape = ${fmt(ns ?? [])}`);
  }
  for (const [what, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && t._shape.join() !== ns.join()) {
      throw new RuntimeError(`Expected ${what} to be of same shape as normalized_shape, but got ${what} of shape ${fmt(t._shape)} and normalized_shape = ${fmt(ns)}`);
    }
  }
  const nd = input._shape.length;
  if (nd < ns.length || input._shape.slice(nd - ns.length).join() !== ns.join()) {
    throw new RuntimeError(`Given normalized_shape=${fmt(ns)}, expected input with shape [*, ${ns.join(', ')}], but got input of size${fmt(input._shape)}`);
  }
  const K = prod(ns);
  return [K === 0 ? 0 : input.numel() / K, K];
}

const statShape = (input: Tensor, k: number): number[] => [...input._shape.slice(0, input._shape.length - k), ...new Array<number>(k).fill(1)];

export const nativeLayerNormOp = defineOp('native_layer_norm', (
  input: Tensor, normalizedShape: number[], weight: Maybe, bias: Maybe, eps: number,
): Tensor[] => {
  requireFloatInput('native_layer_norm', input);
  checkOperand('native_layer_norm', 'weight', weight, input, null);
  checkOperand('native_layer_norm', 'bias', bias, input, null);
  const [M, K] = layerNormSizes(input, normalizedShape, weight, bias);
  const out = emptyTensor([...input._shape], input._dtype, input.device);
  const mean = emptyTensor(statShape(input, normalizedShape.length), input._dtype, input.device);
  const rstd = emptyTensor(statShape(input, normalizedShape.length), input._dtype, input.device);
  if (M > 0) {
    const keep: Tensor[] = [];
    nativeLayerNormOp.kernel(input.device)(out, mean, rstd, contig(input, keep), contigMaybe(weight, keep), contigMaybe(bias, keep), M, K, eps);
    keep.forEach((t) => t.dispose());
  }
  return [out, mean, rstd];
}, { writes: [0, 1, 2] });

export const nativeLayerNormBackwardOp = defineOp('native_layer_norm_backward', (
  gradOut: Tensor, input: Tensor, normalizedShape: number[], mean: Tensor, rstd: Tensor, weight: Maybe, bias: Maybe, outputMask: boolean[],
): GradTriple => {
  const name = 'native_layer_norm_backward';
  requireFloatInput(name, input);
  checkMask(name, outputMask);
  const [M, K] = layerNormSizes(input, normalizedShape, weight, bias);
  checkSameShape(name, 'grad_out', gradOut, input._shape);
  checkOperand(name, 'grad_out', gradOut, input, null);
  checkOperand(name, 'weight', weight, input, null);
  for (const [what, t] of [['mean', mean], ['rstd', rstd]] as const) {
    checkOperand(name, what, t, input, M);
  }
  const grads = gradOutputs(outputMask, input, weight ? weight._shape : null, bias ? bias._shape : null);
  if (M === 0 || K === 0) return emptyGrads(grads);
  const [dx, dw, db] = grads;
  const keep: Tensor[] = [];
  nativeLayerNormBackwardOp.kernel(input.device)(
    dx, dw, db, contig(gradOut, keep), contig(input, keep), contig(mean, keep), contig(rstd, keep), contigMaybe(weight, keep), M, K,
  );
  keep.forEach((t) => t.dispose());
  return [dx, dw, db];
}, { writes: [0, 1, 2] });

// ---------------------------------------------------------------- batch norm

/** (N, C, HxW) of an (N, C, *) input. */
function channelSizes(input: Tensor): [number, number, number] {
  const [N, C] = input._shape as [number, number];
  return [N, C, prod(input._shape.slice(2))];
}

export const nativeBatchNormOp = defineOp('native_batch_norm', (
  input: Tensor, weight: Maybe, bias: Maybe, runningMean: Maybe, runningVar: Maybe, training: boolean, momentum: number, eps: number,
): Tensor[] => {
  const name = 'native_batch_norm';
  requireFloatInput(name, input);
  if (input._shape.length < 2) throw new RuntimeError(`${name}: expected 2D or higher input (got ${input._shape.length}D input)`);
  const [N, C, HW] = channelSizes(input);
  checkOperand(name, 'weight', weight, input, C);
  checkOperand(name, 'bias', bias, input, C);
  for (const [what, t] of [['running_mean', runningMean], ['running_var', runningVar]] as const) {
    if (t && t.numel() !== C) throw new RuntimeError(`${what} should contain ${C} elements not ${t.numel()}`);
    if (t && !isFloatingPoint(t._dtype)) throw new RuntimeError(`${name}: expected a floating point ${what}, got ${t._dtype}`);
  }
  if (!training && (!runningMean || !runningVar)) {
    throw new RuntimeError(`${name}: running_mean and running_var must be defined in evaluation mode`);
  }
  if (training && N * HW <= 1 && C > 0) {
    throw new RuntimeError(`Expected more than 1 value per channel when training, got input size ${fmt(input._shape)}`);
  }
  const out = emptyTensor([...input._shape], input._dtype, input.device);
  const saveMean = emptyTensor([training ? C : 0], input._dtype, input.device);
  const saveInvstd = emptyTensor([training ? C : 0], input._dtype, input.device);
  if (C > 0) {
    const keep: Tensor[] = [];
    nativeBatchNormOp.kernel(input.device)(
      out, saveMean, saveInvstd, contig(input, keep), contigMaybe(weight, keep), contigMaybe(bias, keep),
      runningMean ?? null, runningVar ?? null, training, momentum, eps, N, C, HW,
    );
    keep.forEach((t) => t.dispose());
    // The running buffers were written in place (autograd's saved-tensor checks see it).
    if (training) for (const t of [runningMean, runningVar]) t?._bumpVersion();
  }
  return [out, saveMean, saveInvstd];
}, { writes: [0, 1, 2, 6, 7] });

export const nativeBatchNormBackwardOp = defineOp('native_batch_norm_backward', (
  gradOut: Tensor, input: Tensor, weight: Maybe, runningMean: Maybe, runningVar: Maybe, saveMean: Maybe, saveInvstd: Maybe,
  training: boolean, eps: number, outputMask: boolean[],
): GradTriple => {
  const name = 'native_batch_norm_backward';
  requireFloatInput(name, input);
  checkMask(name, outputMask);
  if (input._shape.length < 2) throw new RuntimeError(`${name}: expected 2D or higher input (got ${input._shape.length}D input)`);
  const [N, C, HW] = channelSizes(input);
  checkSameShape(name, 'grad_out', gradOut, input._shape);
  checkOperand(name, 'grad_out', gradOut, input, null);
  checkOperand(name, 'weight', weight, input, C);
  const stats = training ? [['save_mean', saveMean], ['save_invstd', saveInvstd]] as const : [['running_mean', runningMean], ['running_var', runningVar]] as const;
  for (const [what, t] of stats) {
    if (!t || t.numel() !== C) throw new RuntimeError(`${name}: expected ${what} with ${C} elements, but got ${t ? fmt(t._shape) : 'none'}`);
  }
  const [dx, dw, db] = gradOutputs(outputMask, input, [C], [C]);
  if (C === 0 || (!dx && !dw && !db)) return [dx, dw, db];
  const keep: Tensor[] = [];
  const [m, v] = (training ? [saveMean, saveInvstd] : [runningMean, runningVar]) as [Tensor, Tensor];
  nativeBatchNormBackwardOp.kernel(input.device)(
    dx, dw, db, contig(gradOut, keep), contig(input, keep), contigMaybe(weight, keep), contig(m, keep), contig(v, keep), training, eps, N, C, HW,
  );
  keep.forEach((t) => t.dispose());
  return [dx, dw, db];
}, { writes: [0, 1, 2] });

// ---------------------------------------------------------------- group norm

function checkGroupSizes(name: string, input: Tensor, N: number, C: number, HW: number, group: number): void {
  if (![N, C, HW, group].every((v) => Number.isInteger(v) && v >= 0) || group === 0) {
    throw new RuntimeError(`${name}: expected non-negative integer N, C, HxW and a positive group, got N=${N}, C=${C}, HxW=${HW}, group=${group}`);
  }
  if (C % group !== 0) {
    throw new RuntimeError(`Expected number of channels in input to be divisible by num_groups, but got input of shape ${fmt(input._shape)} and num_groups=${group}`);
  }
  if (input.numel() !== N * C * HW || input._shape[0] !== N) {
    throw new RuntimeError(`${name}: input of size ${fmt(input._shape)} does not match N=${N}, C=${C}, HxW=${HW}`);
  }
}

export const nativeGroupNormOp = defineOp('native_group_norm', (
  input: Tensor, weight: Maybe, bias: Maybe, N: number, C: number, HW: number, group: number, eps: number,
): Tensor[] => {
  const name = 'native_group_norm';
  requireFloatInput(name, input);
  checkGroupSizes(name, input, N, C, HW, group);
  checkOperand(name, 'weight', weight, input, C);
  checkOperand(name, 'bias', bias, input, C);
  const out = emptyTensor([...input._shape], input._dtype, input.device);
  const mean = emptyTensor([N, group], input._dtype, input.device);
  const rstd = emptyTensor([N, group], input._dtype, input.device);
  if (N > 0) {
    const keep: Tensor[] = [];
    nativeGroupNormOp.kernel(input.device)(out, mean, rstd, contig(input, keep), contigMaybe(weight, keep), contigMaybe(bias, keep), N, C, HW, group, eps);
    keep.forEach((t) => t.dispose());
  }
  return [out, mean, rstd];
}, { writes: [0, 1, 2] });

export const nativeGroupNormBackwardOp = defineOp('native_group_norm_backward', (
  gradOut: Tensor, input: Tensor, mean: Tensor, rstd: Tensor, weight: Maybe, N: number, C: number, HW: number, group: number, outputMask: boolean[],
): GradTriple => {
  const name = 'native_group_norm_backward';
  requireFloatInput(name, input);
  checkMask(name, outputMask);
  checkGroupSizes(name, input, N, C, HW, group);
  checkSameShape(name, 'grad_out', gradOut, input._shape);
  checkOperand(name, 'grad_out', gradOut, input, null);
  checkOperand(name, 'weight', weight, input, C);
  checkOperand(name, 'mean', mean, input, N * group);
  checkOperand(name, 'rstd', rstd, input, N * group);
  const grads = gradOutputs(outputMask, input, [C], [C]);
  if (N === 0 || C === 0) return emptyGrads(grads);
  const [dx, dw, db] = grads;
  const keep: Tensor[] = [];
  nativeGroupNormBackwardOp.kernel(input.device)(
    dx, dw, db, contig(gradOut, keep), contig(input, keep), contig(mean, keep), contig(rstd, keep), contigMaybe(weight, keep), N, C, HW, group,
  );
  keep.forEach((t) => t.dispose());
  return [dx, dw, db];
}, { writes: [0, 1, 2] });

// ---------------------------------------------------------------- functional forms

export function nativeLayerNorm(input: Tensor, normalizedShape: number[], weight: Maybe, bias: Maybe, eps: number): Tensor[] {
  return nativeLayerNormOp.call(input, normalizedShape, weight ?? null, bias ?? null, eps);
}
export function nativeLayerNormBackward(
  gradOut: Tensor, input: Tensor, normalizedShape: number[], mean: Tensor, rstd: Tensor, weight: Maybe, bias: Maybe, outputMask: boolean[],
): GradTriple {
  return nativeLayerNormBackwardOp.call(gradOut, input, normalizedShape, mean, rstd, weight ?? null, bias ?? null, outputMask);
}
export function nativeBatchNorm(
  input: Tensor, weight: Maybe, bias: Maybe, runningMean: Maybe, runningVar: Maybe, training: boolean, momentum: number, eps: number,
): Tensor[] {
  return nativeBatchNormOp.call(input, weight ?? null, bias ?? null, runningMean ?? null, runningVar ?? null, training, momentum, eps);
}
export function nativeBatchNormBackward(
  gradOut: Tensor, input: Tensor, weight: Maybe, runningMean: Maybe, runningVar: Maybe, saveMean: Maybe, saveInvstd: Maybe,
  training: boolean, eps: number, outputMask: boolean[],
): GradTriple {
  return nativeBatchNormBackwardOp.call(gradOut, input, weight ?? null, runningMean ?? null, runningVar ?? null, saveMean ?? null, saveInvstd ?? null, training, eps, outputMask);
}
export function nativeGroupNorm(input: Tensor, weight: Maybe, bias: Maybe, N: number, C: number, HW: number, group: number, eps: number): Tensor[] {
  return nativeGroupNormOp.call(input, weight ?? null, bias ?? null, N, C, HW, group, eps);
}
export function nativeGroupNormBackward(
  gradOut: Tensor, input: Tensor, mean: Tensor, rstd: Tensor, weight: Maybe, N: number, C: number, HW: number, group: number, outputMask: boolean[],
): GradTriple {
  return nativeGroupNormBackwardOp.call(gradOut, input, mean, rstd, weight ?? null, N, C, HW, group, outputMask);
}
