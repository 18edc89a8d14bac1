/**
 * View ops: each returns a tensor over the same storage with new sizes/strides/offset; writes
 * through a view are seen by its base. Defined as ops (info.view) so autograd can track bases.
 */
import { defineOp } from '../dispatcher.js';
import { IndexError, RuntimeError, ValueError } from '../errors.js';
import { fmtShape, inferSize, numelOf, wrapDim, wrapDims } from '../shape.js';
import { Tensor, makeView } from '../tensor.js';
import type { DType } from '../dtype.js';
import { clone } from './copy.js';
import { scalarTypeName } from '../promotion.js';

/** PyTorch's computeStride: strides for viewing (shape, strides) as newShape, or null. */
export function viewStrides(shape: readonly number[], strides: readonly number[], newShape: readonly number[]): number[] | null {
  const numel = numelOf(shape);
  const out = new Array<number>(newShape.length);
  if (numel === 0 || shape.length === 0 || newShape.length === 0) {
    // Any strides work for an empty or one-element tensor; use contiguous ones.
    let s = 1;
    for (let i = newShape.length - 1; i >= 0; i--) {
      out[i] = s;
      s *= Math.max(newShape[i]!, 1);
    }
    return out;
  }
  let viewD = newShape.length - 1;
  let chunkBaseStride = strides.length ? strides[strides.length - 1]! : 1;
  let tensorNumel = 1;
  let viewNumel = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    tensorNumel *= shape[d]!;
    if (d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== tensorNumel * chunkBaseStride)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] === 1)) {
        out[viewD] = viewNumel * chunkBaseStride;
        viewNumel *= newShape[viewD]!;
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBaseStride = strides[d - 1]!;
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return out;
}

function sizesArg(args: readonly unknown[]): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return raw.map((s) => {
    if (typeof s !== 'number' || !Number.isInteger(s)) throw new TypeError(`expected a sequence of integers, got ${String(s)}`);
    return s;
  });
}

export const viewOp = defineOp('view', (self: Tensor, shape: number[]): Tensor => {
  const newShape = inferSize(shape, self.numel());
  const strides = viewStrides(self._shape, self._strides, newShape);
  if (!strides) {
    throw new RuntimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  }
  return makeView(self, newShape, strides, self._offset);
}, { view: true });

/** Reinterprets the bytes as another dtype of the same element size (`x.view(torch.int32)`). */
export const viewDtypeOp = defineOp('view_dtype', (self: Tensor, dtype: DType): Tensor => {
  const a = self.elementSize();
  const probe = { float32: 4, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1, float16: 2, bfloat16: 2 }[dtype];
  if (a !== probe) {
    throw new RuntimeError(`self.element_size() must equal the new dtype's size for view(dtype) here (${a} vs ${probe})`);
  }
  return makeView(self, [...self._shape], [...self._strides], self._offset, dtype);
}, { view: true });

export function reshape(self: Tensor, shape: number[]): Tensor {
  const newShape = inferSize(shape, self.numel());
  if (viewStrides(self._shape, self._strides, newShape)) return viewOp.call(self, newShape);
  const c = clone(self);
  const v = viewOp.call(c, newShape);
  c.dispose();
  return v;
}

export const asStridedOp = defineOp('as_strided', (self: Tensor, size: number[], stride: number[], storageOffset?: number): Tensor => {
  if (size.length !== stride.length) {
    throw new RuntimeError(`mismatch in length of strides and shape`);
  }
  const offset = storageOffset ?? self._offset;
  let maxIndex = offset;
  for (let i = 0; i < size.length; i++) {
    if (size[i]! < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${size[i]}: ${fmtShape(size)}`);
    if (stride[i]! < 0) throw new RuntimeError('as_strided: Negative strides are not supported at the moment');
    if (size[i] === 0) maxIndex = -1;
    else if (maxIndex >= 0) maxIndex += (size[i]! - 1) * stride[i]!;
  }
  const capacity = Math.floor(self._storage.nbytes / Math.max(self.elementSize(), 1));
  if (maxIndex >= capacity) {
    throw new RuntimeError(
      `setStorage: sizes ${fmtShape(size)}, strides ${fmtShape(stride)}, storage offset ${offset}, and itemsize ${self.elementSize()} requiring a storage size of ${(maxIndex + 1) * self.elementSize()} are out of bounds for storage of size ${self._storage.nbytes}`,
    );
  }
  return makeView(self, [...size], [...stride], offset);
}, { view: true });

export const permuteOp = defineOp('permute', (self: Tensor, dims: number[]): Tensor => {
  const nd = self._shape.length;
  if (dims.length !== nd) {
    throw new RuntimeError(`permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ${nd} is not equal to len(dims) = ${dims.length}`);
  }
  const w = wrapDims(dims, nd);
  return makeView(self, w.map((d) => self._shape[d]!), w.map((d) => self._strides[d]!), self._offset);
}, { view: true });

export const transposeOp = defineOp('transpose', (self: Tensor, dim0: number, dim1: number): Tensor => {
  const nd = self._shape.length;
  const a = wrapDim(dim0, nd);
  const b = wrapDim(dim1, nd);
  const shape = [...self._shape];
  const strides = [...self._strides];
  if (nd > 0) {
    [shape[a], shape[b]] = [shape[b]!, shape[a]!];
    [strides[a], strides[b]] = [strides[b]!, strides[a]!];
  }
  return makeView(self, shape, strides, self._offset);
}, { view: true });

export function t(self: Tensor): Tensor {
  if (self._shape.length > 2) throw new RuntimeError(`t() expects a tensor with <= 2 dimensions, but self is ${self._shape.length}D`);
  return self._shape.length < 2 ? transposeOp.call(self, 0, 0) : transposeOp.call(self, 0, 1);
}

export const expandOp = defineOp('expand', (self: Tensor, sizes: number[]): Tensor => {
  const nd = sizes.length;
  const snd = self._shape.length;
  if (nd < snd) {
    throw new RuntimeError(`expand(torch.${scalarTypeName(self._dtype)}Tensor{${fmtShape(self._shape)}}, size=${fmtShape(sizes)}): the number of sizes provided (${nd}) must be greater or equal to the number of dimensions in the tensor (${snd})`);
  }
  const shape = new Array<number>(nd);
  const strides = new Array<number>(nd);
  for (let i = nd - 1; i >= 0; i--) {
    const j = i - (nd - snd);
    const want = sizes[i]!;
    if (j < 0) {
      if (want < 0) throw new RuntimeError(`The expanded size of the tensor (${want}) isn't allowed in a leading, non-existing dimension ${i}`);
      shape[i] = want;
      strides[i] = 0;
      continue;
    }
    const have = self._shape[j]!;
    const target = want === -1 ? have : want;
    if (have === target) {
      shape[i] = have;
      strides[i] = self._strides[j]!;
    } else if (have === 1) {
      shape[i] = target;
      strides[i] = 0;
    } else {
      throw new RuntimeError(`The expanded size of the tensor (${target}) must match the existing size (${have}) at non-singleton dimension ${i}.  Target sizes: ${fmtShape(sizes)}.  Tensor sizes: ${fmtShape(self._shape)}`);
    }
  }
  return makeView(self, shape, strides, self._offset);
}, { view: true });

export const narrowOp = defineOp('narrow', (self: Tensor, dim: number, start: number, length: number): Tensor => {
  if (self._shape.length === 0) throw new RuntimeError('narrow() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, self._shape.length);
  const size = self._shape[d]!;
  if (start < -size || start > size) {
    throw new IndexError(`start out of range (expected to be in range of [${-size}, ${size}], but got ${start})`);
  }
  const s = start < 0 ? start + size : start;
  if (length < 0 || s + length > size) {
    throw new RuntimeError(`start (${s}) + length (${length}) exceeds dimension size (${size}).`);
  }
  const shape = [...self._shape];
  shape[d] = length;
  return makeView(self, shape, [...self._strides], self._offset + s * self._strides[d]!);
}, { view: true });

/** Python's `x[start:stop:step]` along one dim (clamped like Python slicing; step > 0). */
export const sliceOp = defineOp('slice', (self: Tensor, dim: number, start: number | null = null, end: number | null = null, step = 1): Tensor => {
  if (self._shape.length === 0) throw new IndexError('slice() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, self._shape.length);
  if (!Number.isInteger(step) || step <= 0) throw new ValueError('step must be greater than zero');
  const size = self._shape[d]!;
  const clampIdx = (i: number | null, dflt: number) => {
    if (i === null) return dflt;
    const j = i < 0 ? i + size : i;
    return Math.min(Math.max(j, 0), size);
  };
  const s = clampIdx(start, 0);
  const e = Math.max(clampIdx(end, size), s);
  const shape = [...self._shape];
  const strides = [...self._strides];
  shape[d] = Math.ceil((e - s) / step);
  strides[d] = strides[d]! * step;
  return makeView(self, shape, strides, self._offset + s * self._strides[d]!);
}, { view: true });


export const selectOp = defineOp('select', (self: Tensor, dim: number, index: number): Tensor => {
  const nd = self._shape.length;
  if (nd === 0) throw new IndexError('select() cannot be applied to a 0-dim tensor.');
  const d = wrapDim(dim, nd);
  const size = self._shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new IndexError(`select(): index ${index} out of range for tensor of size ${fmtShape(self._shape)} at dimension ${d}`);
  }
  const i = index < 0 ? index + size : index;
  const shape = self._shape.filter((_, k) => k !== d);
  const strides = self._strides.filter((_, k) => k !== d);
  return makeView(self, shape, strides, self._offset + i * self._strides[d]!);
}, { view: true });

export const squeezeOp = defineOp('squeeze', (self: Tensor, dims?: number[]): Tensor => {
  const nd = self._shape.length;
  const drop = new Set(dims === undefined ? self._shape.map((_, i) => i) : wrapDims(dims, nd));
  const shape: number[] = [];
  const strides: number[] = [];
  self._shape.forEach((s, i) => {
    if (!(drop.has(i) && s === 1)) {
      shape.push(s);
      strides.push(self._strides[i]!);
    }
  });
  return makeView(self, shape, strides, self._offset);
}, { view: true });

export const unsqueezeOp = defineOp('unsqueeze', (self: Tensor, dim: number): Tensor => {
  const nd = self._shape.length;
  const d = wrapDim(dim, nd + 1);
  const shape = [...self._shape];
  const strides = [...self._strides];
  const stride = d < nd ? shape[d]! * strides[d]! : 1;
  shape.splice(d, 0, 1);
  strides.splice(d, 0, stride);
  return makeView(self, shape, strides, self._offset);
}, { view: true });

export function flatten(self: Tensor, startDim = 0, endDim = -1): Tensor {
  const nd = self._shape.length;
  if (nd === 0) return reshape(self, [1]);
  const s = wrapDim(startDim, nd);
  const e = wrapDim(endDim, nd);
  if (s > e) throw new RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim');
  if (s === e) return viewOp.call(self, [...self._shape]);
  const shape = [...self._shape.slice(0, s), self._shape.slice(s, e + 1).reduce((a, b) => a * b, 1), ...self._shape.slice(e + 1)];
  return reshape(self, shape);
}

export function unflatten(self: Tensor, dim: number, sizes: number[]): Tensor {
  const d = wrapDim(dim, self._shape.length);
  if (sizes.length === 0) throw new RuntimeError('unflatten: sizes must be non-empty');
  const inner = inferSize(sizes, self._shape[d]!);
  const shape = [...self._shape.slice(0, d), ...inner, ...self._shape.slice(d + 1)];
  return viewOp.call(self, shape);
}

export const unfoldOp = defineOp('unfold', (self: Tensor, dimension: number, size: number, step: number): Tensor => {
  const nd = self._shape.length;
  const d = wrapDim(dimension, nd);
  const len = nd === 0 ? 1 : self._shape[d]!;
  if (size > len) throw new RuntimeError(`maximum size for tensor at dimension ${d} is ${len} but size is ${size}`);
  if (step <= 0) throw new RuntimeError(`step is ${step} but must be > 0`);
  const shape = nd === 0 ? [] : [...self._shape];
  const strides = nd === 0 ? [] : [...self._strides];
  const st = nd === 0 ? 1 : self._strides[d]!;
  if (nd > 0) {
    shape[d] = Math.floor((len - size) / step) + 1;
    strides[d] = st * step;
  }
  shape.push(size);
  strides.push(st);
  return makeView(self, shape, strides, self._offset);
}, { view: true });

export const diagonalOp = defineOp('diagonal', (self: Tensor, offset = 0, dim1 = 0, dim2 = 1): Tensor => {
  const nd = self._shape.length;
  const a = wrapDim(dim1, nd);
  const b = wrapDim(dim2, nd);
  if (a === b) throw new RuntimeError(`diagonal dimensions cannot be identical ${dim1}, ${dim2}`);
  let off = self._offset;
  let len: number;
  if (offset >= 0) {
    len = Math.max(Math.min(self._shape[a]!, self._shape[b]! - offset), 0);
    off += offset * self._strides[b]!;
  } else {
    len = Math.max(Math.min(self._shape[a]! + offset, self._shape[b]!), 0);
    off -= offset * self._strides[a]!;
  }
  if (len === 0) off = self._offset;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < nd; i++) {
    if (i === a || i === b) continue;
    shape.push(self._shape[i]!);
    strides.push(self._strides[i]!);
  }
  shape.push(len);
  strides.push(self._strides[a]! + self._strides[b]!);
  return makeView(self, shape, strides, off);
}, { view: true });

export function movedim(self: Tensor, source: number | number[], destination: number | number[]): Tensor {
  const nd = self._shape.length;
  const src = wrapDims(Array.isArray(source) ? source : [source], nd);
  const dst = wrapDims(Array.isArray(destination) ? destination : [destination], nd);
  if (src.length !== dst.length) {
    throw new RuntimeError(`movedim: Invalid source or destination dims: source (${fmtShape(src)} dims) should contain the same number of dims as destination (${fmtShape(dst)} dims)`);
  }
  const order = new Array<number>(nd).fill(-1);
  src.forEach((s, i) => (order[dst[i]!] = s));
  const rest = [...Array(nd).keys()].filter((d) => !src.includes(d));
  let k = 0;
  for (let i = 0; i < nd; i++) if (order[i] === -1) order[i] = rest[k++]!;
  return permuteOp.call(self, order);
}

declare module '../tensor.js' {
  interface Tensor {
    view(...shape: number[]): Tensor;
    view(shape: number[]): Tensor;
    view(dtype: DType): Tensor;
    viewAs(other: Tensor): Tensor;
    reshape(...shape: number[]): Tensor;
    reshape(shape: number[]): Tensor;
    reshapeAs(other: Tensor): Tensor;
    asStrided(size: number[], stride: number[], storageOffset?: number): Tensor;
    permute(...dims: number[]): Tensor;
    permute(dims: number[]): Tensor;
    transpose(dim0: number, dim1: number): Tensor;
    swapaxes(dim0: number, dim1: number): Tensor;
    swapdims(dim0: number, dim1: number): Tensor;
    t(): Tensor;
    /** Reverses all dims (PyTorch's `x.T`). */
    readonly T: Tensor;
    /** Transposes the last two dims (PyTorch's `x.mT`). */
    readonly mT: Tensor;
    expand(...sizes: number[]): Tensor;
    expand(sizes: number[]): Tensor;
    expandAs(other: Tensor): Tensor;
    narrow(dim: number, start: number, length: number): Tensor;
    select(dim: number, index: number): Tensor;
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    squeeze(dim?: number | number[]): Tensor;
    unsqueeze(dim: number): Tensor;
    flatten(startDim?: number, endDim?: number): Tensor;
    unflatten(dim: number, sizes: number[]): Tensor;
    unfold(dimension: number, size: number, step: number): Tensor;
    diagonal(offset?: number, dim1?: number, dim2?: number): Tensor;
    diagonal(opts: { offset?: number; dim1?: number; dim2?: number }): Tensor;
    movedim(source: number | number[], destination: number | number[]): Tensor;
    moveaxis(source: number | number[], destination: number | number[]): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.view = function (this: Tensor, ...args: unknown[]) {
  if (args.length === 1 && typeof args[0] === 'string') return viewDtypeOp.call(this, args[0] as DType);
  return viewOp.call(this, sizesArg(args));
};
proto.viewAs = function (this: Tensor, other: Tensor) {
  return viewOp.call(this, [...other._shape]);
};
proto.reshape = function (this: Tensor, ...args: unknown[]) {
  return reshape(this, sizesArg(args));
};
proto.reshapeAs = function (this: Tensor, other: Tensor) {
  return reshape(this, [...other._shape]);
};
proto.asStrided = function (this: Tensor, size: number[], stride: number[], off?: number) {
  return asStridedOp.call(this, size, stride, off);
};
proto.permute = function (this: Tensor, ...args: unknown[]) {
  return permuteOp.call(this, sizesArg(args));
};
proto.transpose = proto.swapaxes = proto.swapdims = function (this: Tensor, a: number, b: number) {
  return transposeOp.call(this, a, b);
};
proto.t = function (this: Tensor) {
  return t(this);
};
Object.defineProperty(proto, 'T', {
  get(this: Tensor) {
    return permuteOp.call(this, this._shape.map((_, i) => this._shape.length - 1 - i));
  },
});
Object.defineProperty(proto, 'mT', {
  get(this: Tensor) {
    if (this._shape.length < 2) throw new RuntimeError('tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.');
    return transposeOp.call(this, -2, -1);
  },
});
proto.expand = function (this: Tensor, ...args: unknown[]) {
  return expandOp.call(this, sizesArg(args));
};
proto.expandAs = function (this: Tensor, other: Tensor) {
  return expandOp.call(this, [...other._shape]);
};
proto.narrow = function (this: Tensor, dim: number, start: number, length: number) {
  return narrowOp.call(this, dim, start, length);
};
proto.select = function (this: Tensor, dim: number, index: number) {
  return selectOp.call(this, dim, index);
};
proto.slice = function (this: Tensor, dim: number, start?: number | null, end?: number | null, step?: number) {
  return sliceOp.call(this, dim, start ?? null, end ?? null, step ?? 1);
};
proto.squeeze = function (this: Tensor, dim?: number | number[]) {
  return squeezeOp.call(this, dim === undefined ? undefined : Array.isArray(dim) ? dim : [dim]);
};
proto.unsqueeze = function (this: Tensor, dim: number) {
  return unsqueezeOp.call(this, dim);
};
proto.flatten = function (this: Tensor, s?: number, e?: number) {
  return flatten(this, s, e);
};
proto.unflatten = function (this: Tensor, dim: number, sizes: number[]) {
  return unflatten(this, dim, sizes);
};
proto.unfold = function (this: Tensor, d: number, size: number, step: number) {
  return unfoldOp.call(this, d, size, step);
};
proto.diagonal = function (this: Tensor, a?: number | { offset?: number; dim1?: number; dim2?: number }, b?: number, c?: number) {
  if (typeof a === 'object') return diagonalOp.call(this, a.offset ?? 0, a.dim1 ?? 0, a.dim2 ?? 1);
  return diagonalOp.call(this, a ?? 0, b ?? 0, c ?? 1);
};
proto.movedim = proto.moveaxis = function (this: Tensor, s: number | number[], d: number | number[]) {
  return movedim(this, s, d);
};

// Functional forms (`torch.transpose(x, 0, 1)`), as PyTorch exposes them.
export const transpose = (input: Tensor, dim0: number, dim1: number): Tensor => transposeOp.call(input, dim0, dim1);
export const swapaxes = transpose;
export const swapdims = transpose;
export const permute = (input: Tensor, ...dims: Array<number | number[]>): Tensor => permuteOp.call(input, sizesArg(dims));
export const squeeze = (input: Tensor, dim?: number | number[]): Tensor =>
  squeezeOp.call(input, dim === undefined ? undefined : Array.isArray(dim) ? dim : [dim]);
export const unsqueeze = (input: Tensor, dim: number): Tensor => unsqueezeOp.call(input, dim);
export const narrow = (input: Tensor, dim: number, start: number, length: number): Tensor => narrowOp.call(input, dim, start, length);
export const select = (input: Tensor, dim: number, index: number): Tensor => selectOp.call(input, dim, index);
export const diagonal = (input: Tensor, offset?: number | { offset?: number; dim1?: number; dim2?: number }, dim1?: number, dim2?: number): Tensor =>
  input.diagonal(offset as number, dim1, dim2);
export const asStrided = (input: Tensor, size: number[], stride: number[], storageOffset?: number): Tensor =>
  asStridedOp.call(input, size, stride, storageOffset);
export const moveaxis = movedim;
