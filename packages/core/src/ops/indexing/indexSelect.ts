/**
 * Indexing along one dim with a vector of indices: indexSelect, indexAdd(_), indexCopy(_),
 * indexFill(_), and take (flat indices). Argument checks and messages are PyTorch 1.13's; index
 * bounds are checked by the kernels while they run, as in PyTorch.
 *
 * Kernel signatures (in-place ops write into `self`; the out-of-place forms clone first):
 *   index_select (out, self, dim, index)          index_add_  (self, dim, index, source, alpha)
 *   index_copy_  (self, dim, index, source)       index_fill_ (self, dim, index, value)
 *   take         (out, self, index)
 */
import { defineOp } from '../../dispatcher.js';
import { IndexError, RuntimeError } from '../../errors.js';
import { fmtShape, wrapDim } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone } from '../copy.js';
import { checkedScalar, requireInt, requireTensor, scalarArg, typeName } from './util.js';

export const indexSelectOp = defineOp('index_select', (self: Tensor, dim: number, index: Tensor): Tensor => {
  requireTensor('index_select', 'index', index);
  const d = wrapDim(requireInt('index_select', 'dim', dim), self._shape.length);
  const numel = index.numel();
  if (index._shape.length > 1) throw new IndexError('index_select(): Index is supposed to be a vector');
  if (self._shape.length === 0 && numel !== 1) {
    throw new IndexError(`index_select(): Index to scalar can have only 1 value, got ${numel} value(s)`);
  }
  if (index._dtype !== 'int64' && index._dtype !== 'int32') throw new RuntimeError('index_select(): Expected dtype int32 or int64 for index');
  const shape = [...self._shape];
  if (shape.length > 0) shape[d] = numel;
  const out = emptyTensor(shape, self._dtype, self.device);
  if (self._shape.length > 1 && numel > 0 && self.numel() === 0 && self._shape[d] === 0) {
    out.dispose();
    throw new RuntimeError('index_select(): self indexing axis dim should be positive');
  }
  try {
    if (out.numel() > 0) indexSelectOp.kernel(self.device)(out, self, d, index);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
});

export function indexSelect(self: Tensor, dim: number, index: Tensor): Tensor {
  return indexSelectOp.call(self, dim, index);
}

/** index_add_ / index_copy_ share their shape rules (with different messages). */
function checkIndexAdd(self: Tensor, d: number, index: Tensor, source: Tensor): void {
  if (index._shape.length > 1) {
    throw new IndexError(`index_add_(): Index is supposed to be a vector, but got dim: ${index._shape.length} with type: ${typeName(index._dtype)} and size: ${fmtShape(index._shape)}`);
  }
  if (index._dtype !== 'int64' && index._dtype !== 'int32') {
    throw new RuntimeError(`index_add_(): Expected dtype int32/int64 for index but got: ${typeName(index._dtype)}`);
  }
  if (self._dtype !== source._dtype) {
    throw new RuntimeError(`index_add_(): self (${typeName(self._dtype)}) and source (${typeName(source._dtype)}) must have the same scalar type`);
  }
  if (!(d === 0 || d < source._shape.length)) {
    throw new RuntimeError(`index_add_(): Indexing dim ${d} is out of bounds of the source tensor with dim ${source._shape.length}`);
  }
  const n = source._shape.length === 0 ? 1 : source._shape[d]!;
  if (index.numel() !== n) {
    throw new RuntimeError(`index_add_(): Number of indices (${index.numel()}) should be equal to source.size(dim): (${n}), for dim: ${d}`);
  }
  checkSlices(self, d, source, (k, a, b) => `The size of tensor a (${a}) must match the size of tensor b (${b}) at non-singleton dimension ${k}`);
}

/** Self and source must agree outside `d` (unless either is 0-d). */
function checkSlices(self: Tensor, d: number, source: Tensor, message: (k: number, a: number, b: number) => string): void {
  if (self._shape.length === 0 || source._shape.length === 0) return;
  const a = self._shape.filter((_, i) => i !== d);
  const b = source._shape.filter((_, i) => i !== d);
  if (a.length !== b.length) throw new RuntimeError(message(0, a[0] ?? 1, b[0] ?? 1));
  a.forEach((s, k) => {
    if (s !== b[k]) throw new RuntimeError(message(k, s, b[k]!));
  });
}

function checkIndexCopy(self: Tensor, d: number, index: Tensor, source: Tensor): void {
  if (index._shape.length >= 2) throw new IndexError(`index_copy_(): Index should have dimension 1 or 0 (got ${index._shape.length})`);
  const n = index.numel();
  if (source._shape.length === 0 && n !== 1) {
    throw new IndexError(`index_copy_(): When source is scalar, index should have one element (got ${n})`);
  }
  if (source._shape.length !== self._shape.length && source._shape.length !== 0 && self._shape.length !== 0) {
    throw new IndexError(`index_copy_(): When source and destination are not scalars, their dimensionality must match. Source dimensionality (${source._shape.length}), destination dimensionality (${self._shape.length})`);
  }
  if (index._dtype !== 'int64') throw new RuntimeError(`index_copy_(): Expected a long tensor for index, but got ${typeName(index._dtype)}`);
  if (self._dtype !== source._dtype) {
    throw new RuntimeError(`index_copy_(): self and source expected to have the same dtype, but got (self) ${typeName(self._dtype)} and (source) ${typeName(source._dtype)}`);
  }
  const a = self._shape.filter((_, i) => i !== d);
  const b = source._shape.filter((_, i) => i !== d);
  if (a.length !== b.length || a.some((s, k) => s !== b[k])) {
    throw new RuntimeError(`index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: ${a.join(' ')} at dimension ${d} and source slice shape: ${b.join(' ')} at dimension 0.`);
  }
  if (source._shape.length !== 0 && n !== source._shape[d]) {
    throw new IndexError(`index_copy_(): Number of indices (${n}) should be equal to source.size(dim) (${source._shape[d]})`);
  }
}

function checkIndexFill(index: Tensor): void {
  if (index._dtype !== 'int64') throw new IndexError('index_fill_(): Expected dtype int64 for index.');
  if (index._shape.length > 1) throw new RuntimeError('Index has to be a vector/scalar');
}

export const indexAddInplaceOp = defineOp('index_add_', (self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number = 1): Tensor => {
  requireTensor('index_add_', 'index', index);
  requireTensor('index_add_', 'source', source);
  const d = wrapDim(requireInt('index_add_', 'dim', dim), self._shape.length);
  checkIndexAdd(self, d, index, source);
  if (index.numel() > 0) indexAddInplaceOp.kernel(self.device)(self, d, index, source, alpha);
  self._bumpVersion();
  return self;
}, { inplace: true });

export const indexAddOp = defineOp('index_add', (self: Tensor, dim: number, index: Tensor, source: Tensor, alpha: number = 1): Tensor => {
  const out = clone(self);
  try {
    return indexAddInplaceOp.call(out, dim, index, source, alpha);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const indexCopyInplaceOp = defineOp('index_copy_', (self: Tensor, dim: number, index: Tensor, source: Tensor): Tensor => {
  requireTensor('index_copy_', 'index', index);
  requireTensor('index_copy_', 'source', source);
  const d = wrapDim(requireInt('index_copy_', 'dim', dim), self._shape.length);
  checkIndexCopy(self, d, index, source);
  if (index.numel() > 0) indexCopyInplaceOp.kernel(self.device)(self, d, index, source);
  self._bumpVersion();
  return self;
}, { inplace: true });

export const indexCopyOp = defineOp('index_copy', (self: Tensor, dim: number, index: Tensor, source: Tensor): Tensor => {
  const out = clone(self);
  try {
    return indexCopyInplaceOp.call(out, dim, index, source);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const indexFillInplaceOp = defineOp('index_fill_', (self: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor => {
  requireTensor('index_fill_', 'index', index);
  const v = checkedScalar(scalarArg('index_fill_', value), self._dtype);
  checkIndexFill(index);
  const d = wrapDim(requireInt('index_fill_', 'dim', dim), self._shape.length);
  if (index.numel() > 0) indexFillInplaceOp.kernel(self.device)(self, d, index, v);
  self._bumpVersion();
  return self;
}, { inplace: true });

export const indexFillOp = defineOp('index_fill', (self: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor => {
  const out = clone(self);
  try {
    return indexFillInplaceOp.call(out, dim, index, value);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const takeOp = defineOp('take', (self: Tensor, index: Tensor): Tensor => {
  requireTensor('take', 'index', index);
  if (index._dtype !== 'int64') throw new RuntimeError(`take(): Expected a long tensor for index, but got ${typeName(index._dtype)}`);
  if (self.numel() === 0 && index.numel() > 0) throw new IndexError('take(): tried to take from an empty tensor');
  const out = emptyTensor([...index._shape], self._dtype, self.device);
  try {
    if (out.numel() > 0) takeOp.kernel(self.device)(out, self, index);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
});

export function take(self: Tensor, index: Tensor): Tensor {
  return takeOp.call(self, index);
}

export function indexAdd(self: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number } | number): Tensor {
  const alpha = typeof opts === 'number' ? opts : opts?.alpha ?? 1;
  return indexAddOp.call(self, dim, index, source, alpha);
}
export function indexCopy(self: Tensor, dim: number, index: Tensor, source: Tensor): Tensor {
  return indexCopyOp.call(self, dim, index, source);
}
export function indexFill(self: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor): Tensor {
  return indexFillOp.call(self, dim, index, value);
}

declare module '../../tensor.js' {
  interface Tensor {
    indexSelect(dim: number, index: Tensor): Tensor;
    indexAdd(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): Tensor;
    indexAdd_(dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }): this;
    indexCopy(dim: number, index: Tensor, source: Tensor): Tensor;
    indexCopy_(dim: number, index: Tensor, source: Tensor): this;
    indexFill(dim: number, index: Tensor, value: number | boolean | Tensor): Tensor;
    indexFill_(dim: number, index: Tensor, value: number | boolean | Tensor): this;
    take(index: Tensor): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.indexSelect = function (this: Tensor, dim: number, index: Tensor) {
  return indexSelectOp.call(this, dim, index);
};
proto.indexAdd = function (this: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) {
  return indexAddOp.call(this, dim, index, source, opts?.alpha ?? 1);
};
proto.indexAdd_ = function (this: Tensor, dim: number, index: Tensor, source: Tensor, opts?: { alpha?: number }) {
  return indexAddInplaceOp.call(this, dim, index, source, opts?.alpha ?? 1);
};
proto.indexCopy = function (this: Tensor, dim: number, index: Tensor, source: Tensor) {
  return indexCopyOp.call(this, dim, index, source);
};
proto.indexCopy_ = function (this: Tensor, dim: number, index: Tensor, source: Tensor) {
  return indexCopyInplaceOp.call(this, dim, index, source);
};
proto.indexFill = function (this: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor) {
  return indexFillOp.call(this, dim, index, value);
};
proto.indexFill_ = function (this: Tensor, dim: number, index: Tensor, value: number | boolean | Tensor) {
  return indexFillInplaceOp.call(this, dim, index, value);
};
proto.take = function (this: Tensor, index: Tensor) {
  return takeOp.call(this, index);
};
