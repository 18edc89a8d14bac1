/**
 * gather and the scatter family (scatter(_), scatterAdd(_), scatterReduce(_)) and takeAlongDim.
 * Index tensors must be int64; shapes follow PyTorch's gather/scatter shape checks; indices are
 * bounds-checked by the kernels (no negative indices, as in PyTorch).
 *
 * Kernel signatures:
 *   gather  (out, self, dim, index)
 *   scatter (self, dim, index, src: Tensor | number, reduce, includeSelf) — writes into self;
 *           reduce is 'none' | 'sum' | 'prod' | 'mean' | 'amax' | 'amin'. One kernel serves
 *           scatter, scatter_add and scatter_reduce (their in-place and out-of-place forms).
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { broadcastShapes, fmtShape, wrapDim } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone } from '../copy.js';
import { expandOp, reshape } from '../view.js';
import { checkedScalar, isOptions, nonemptyDim, nonemptySize, requireInt, requireTensor, typeName } from './util.js';

export type ScatterReduce = 'none' | 'sum' | 'prod' | 'mean' | 'amax' | 'amin';

function checkIndexDtype(name: string, index: Tensor): void {
  if (index._dtype !== 'int64') throw new RuntimeError(`${name}(): Expected dtype int64 for index`);
}

function gatherShapeCheck(self: Tensor, d: number, index: Tensor): void {
  if (nonemptyDim(self) !== nonemptyDim(index)) throw new RuntimeError('Index tensor must have the same number of dimensions as input tensor');
  for (let i = 0; i < nonemptyDim(self); i++) {
    if (i !== d && nonemptySize(index, i) > nonemptySize(self, i)) {
      throw new RuntimeError(`Size does not match at dimension ${i} expected index ${fmtShape(index._shape)} to be smaller than self ${fmtShape(self._shape)} apart from dimension ${d}`);
    }
  }
}

function scatterShapeCheck(self: Tensor, d: number, index: Tensor, src: Tensor | null): void {
  if (index.numel() === 0) return;
  if (nonemptyDim(self) !== nonemptyDim(index)) throw new RuntimeError('Index tensor must have the same number of dimensions as self tensor');
  let wrong = false;
  for (let i = 0; i < nonemptyDim(self) && !wrong; i++) {
    if (i !== d && nonemptySize(index, i) > nonemptySize(self, i)) wrong = true;
  }
  if (!wrong && src) {
    for (let i = 0; i < nonemptyDim(self) && !wrong; i++) {
      if (i >= nonemptyDim(src) || nonemptySize(index, i) > nonemptySize(src, i)) wrong = true;
    }
  }
  if (!wrong) return;
  const base = `Expected index ${fmtShape(index._shape)} to be smaller than self ${fmtShape(self._shape)} apart from dimension ${d}`;
  throw new RuntimeError(src ? `${base} and to be smaller size than src ${fmtShape(src._shape)}` : base);
}

export const gatherOp = defineOp('gather', (self: Tensor, dim: number, index: Tensor): Tensor => {
  requireTensor('gather', 'index', index);
  const d = wrapDim(requireInt('gather', 'dim', dim), self._shape.length);
  const out = emptyTensor([...index._shape], self._dtype, self.device);
  try {
    checkIndexDtype('gather', index);
    if (index.numel() > 0) gatherShapeCheck(self, d, index);
  } catch (e) {
    out.dispose();
    throw e;
  }
  try {
    if (out.numel() > 0) gatherOp.kernel(self.device)(out, self, d, index);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
});

export function gather(self: Tensor, dim: number, index: Tensor, _opts?: { sparseGrad?: boolean }): Tensor {
  return gatherOp.call(self, dim, index);
}

/** Validates and runs the scatter kernel on `target` (already a copy for out-of-place forms). */
function scatterInto(name: string, target: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, reduce: ScatterReduce, includeSelf: boolean): Tensor {
  requireTensor(name, 'index', index);
  const d = wrapDim(requireInt(name, 'dim', dim), target._shape.length);
  checkIndexDtype('scatter', index);
  let value: Tensor | number;
  if (src instanceof Tensor) {
    if (src._dtype !== target._dtype) throw new RuntimeError('scatter(): Expected self.dtype to be equal to src.dtype');
    scatterShapeCheck(target, d, index, src);
    value = src;
  } else if (typeof src === 'number' || typeof src === 'boolean') {
    scatterShapeCheck(target, d, index, null);
    value = checkedScalar(src, target._dtype);
  } else {
    throw new TypeError(`${name}(): argument 'src' must be Tensor or Number, not ${src === null ? 'null' : typeof src}`);
  }
  if (index.numel() > 0) scatterOp.kernel(target.device)(target, d, index, value, reduce, includeSelf);
  target._bumpVersion();
  return target;
}

function scatterReduceArg(reduce: unknown): ScatterReduce {
  if (reduce === undefined || reduce === null) return 'none';
  if (reduce === 'add') return 'sum';
  if (reduce === 'multiply') return 'prod';
  throw new RuntimeError('reduce argument must be either add or multiply.');
}

function reduceTwoArg(reduce: unknown): ScatterReduce {
  if (reduce === 'sum' || reduce === 'prod' || reduce === 'mean' || reduce === 'amax' || reduce === 'amin') return reduce;
  throw new RuntimeError('reduce argument must be either sum, prod, mean, amax or amin.');
}

export const scatterOp = defineOp('scatter', (self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, reduce: string | null = null): Tensor => {
  const r = scatterReduceArg(reduce);
  const out = clone(self);
  try {
    return scatterInto('scatter', out, dim, index, src, r, true);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const scatterInplaceOp = defineOp('scatter_', (self: Tensor, dim: number, index: Tensor, src: Tensor | number | boolean, reduce: string | null = null): Tensor => {
  return scatterInto('scatter_', self, dim, index, src, scatterReduceArg(reduce), true);
}, { inplace: true });

export const scatterAddOp = defineOp('scatter_add', (self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor => {
  requireTensor('scatter_add', 'src', src);
  const out = clone(self);
  try {
    return scatterInto('scatter_add', out, dim, index, src, 'sum', true);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const scatterAddInplaceOp = defineOp('scatter_add_', (self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor => {
  requireTensor('scatter_add_', 'src', src);
  return scatterInto('scatter_add_', self, dim, index, src, 'sum', true);
}, { inplace: true });

export const scatterReduceOp = defineOp('scatter_reduce', (self: Tensor, dim: number, index: Tensor, src: Tensor, reduce: string, includeSelf = true): Tensor => {
  requireTensor('scatter_reduce', 'src', src);
  const r = reduceTwoArg(reduce);
  const out = clone(self);
  try {
    return scatterInto('scatter_reduce', out, dim, index, src, r, includeSelf);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const scatterReduceInplaceOp = defineOp('scatter_reduce_', (self: Tensor, dim: number, index: Tensor, src: Tensor, reduce: string, includeSelf = true): Tensor => {
  requireTensor('scatter_reduce_', 'src', src);
  return scatterInto('scatter_reduce_', self, dim, index, src, reduceTwoArg(reduce), includeSelf);
}, { inplace: true });

interface ScatterOptions {
  reduce?: 'add' | 'multiply';
  value?: number | boolean;
  src?: Tensor;
}
interface ScatterReduceOptions {
  reduce?: string;
  includeSelf?: boolean;
}

/** `(dim, index, src | value, {reduce})`; src or value may also come in the options. */
function scatterArgs(rest: unknown[]): [Tensor | number | boolean, string | null] {
  const last = rest[rest.length - 1];
  const opts = (isOptions(last) ? last : {}) as ScatterOptions;
  const src = (isOptions(rest[0]) ? undefined : rest[0]) as Tensor | number | boolean | undefined;
  return [src ?? opts.src ?? opts.value ?? (undefined as never), opts.reduce ?? (typeof rest[1] === 'string' ? rest[1] : null)];
}

function reduceArgs(rest: unknown[]): [string, boolean] {
  const last = rest[rest.length - 1];
  const opts = (isOptions(last) ? last : {}) as ScatterReduceOptions;
  const reduce = typeof rest[0] === 'string' ? rest[0] : opts.reduce;
  const include = typeof rest[1] === 'boolean' ? rest[1] : opts.includeSelf ?? true;
  return [reduce as string, include];
}

export function scatter(self: Tensor, dim: number, index: Tensor, ...rest: unknown[]): Tensor {
  return scatterOp.call(self, dim, index, ...scatterArgs(rest));
}
export function scatterAdd(self: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterAddOp.call(self, dim, index, src);
}
export function scatterReduce(self: Tensor, dim: number, index: Tensor, src: Tensor, ...rest: unknown[]): Tensor {
  return scatterReduceOp.call(self, dim, index, src, ...reduceArgs(rest));
}

/** `take_along_dim`: gather after broadcasting input and indices outside `dim`; no dim = flat. */
export function takeAlongDim(self: Tensor, indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor {
  requireTensor('take_along_dim', 'indices', indices);
  const dd = isOptions(dim) ? (dim as { dim?: number | null }).dim : (dim as number | null | undefined);
  if (dd === undefined || dd === null) {
    const flat = reshape(self, [-1]);
    const flatIdx = reshape(indices, [-1]);
    try {
      return gatherOp.call(flat, 0, flatIdx);
    } finally {
      if (flat !== self) flat.dispose();
      if (flatIdx !== indices) flatIdx.dispose();
    }
  }
  const nd = self._shape.length;
  if (nd !== indices._shape.length) {
    throw new RuntimeError(`torch.take_along_dim(): input and indices should have the same number of dimensions, but got ${nd} dimensions for input, and ${indices._shape.length} dimensions for indices`);
  }
  if (indices._dtype !== 'int64') throw new RuntimeError(`torch.take_along_dim(): dtype of indices should be Long but got ${typeName(indices._dtype)}`);
  const d = wrapDim(dd, nd);
  const selfSizes = [...self._shape];
  selfSizes[d] = indices._shape[d]!;
  const idxShape = broadcastShapes(selfSizes, indices._shape);
  const idxSizes = [...indices._shape];
  idxSizes[d] = self._shape[d]!;
  const selfShape = broadcastShapes(idxSizes, self._shape);
  const idx = expandOp.call(indices, [...idxShape]);
  const src = expandOp.call(self, [...selfShape]);
  try {
    return gatherOp.call(src, d, idx);
  } finally {
    idx.dispose();
    src.dispose();
  }
}

declare module '../../tensor.js' {
  interface Tensor {
    gather(dim: number, index: Tensor, opts?: { sparseGrad?: boolean }): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number | boolean, opts?: { reduce?: 'add' | 'multiply' }): Tensor;
    scatter_(dim: number, index: Tensor, src: Tensor | number | boolean, opts?: { reduce?: 'add' | 'multiply' }): this;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    scatterAdd_(dim: number, index: Tensor, src: Tensor): this;
    scatterReduce(dim: number, index: Tensor, src: Tensor, reduce: 'sum' | 'prod' | 'mean' | 'amax' | 'amin', opts?: { includeSelf?: boolean }): Tensor;
    scatterReduce_(dim: number, index: Tensor, src: Tensor, reduce: 'sum' | 'prod' | 'mean' | 'amax' | 'amin', opts?: { includeSelf?: boolean }): this;
    takeAlongDim(indices: Tensor, dim?: number | null | { dim?: number | null }): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.gather = function (this: Tensor, dim: number, index: Tensor) {
  return gatherOp.call(this, dim, index);
};
proto.scatter = function (this: Tensor, dim: number, index: Tensor, ...rest: unknown[]) {
  return scatterOp.call(this, dim, index, ...scatterArgs(rest));
};
proto.scatter_ = function (this: Tensor, dim: number, index: Tensor, ...rest: unknown[]) {
  return scatterInplaceOp.call(this, dim, index, ...scatterArgs(rest));
};
proto.scatterAdd = function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  return scatterAddOp.call(this, dim, index, src);
};
proto.scatterAdd_ = function (this: Tensor, dim: number, index: Tensor, src: Tensor) {
  return scatterAddInplaceOp.call(this, dim, index, src);
};
proto.scatterReduce = function (this: Tensor, dim: number, index: Tensor, src: Tensor, ...rest: unknown[]) {
  return scatterReduceOp.call(this, dim, index, src, ...reduceArgs(rest));
};
proto.scatterReduce_ = function (this: Tensor, dim: number, index: Tensor, src: Tensor, ...rest: unknown[]) {
  return scatterReduceInplaceOp.call(this, dim, index, src, ...reduceArgs(rest));
};
proto.takeAlongDim = function (this: Tensor, indices: Tensor, dim?: number | null | { dim?: number | null }) {
  return takeAlongDim(this, indices, dim);
};
