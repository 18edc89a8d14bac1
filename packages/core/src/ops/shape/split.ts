/**
 * Splitting into views: split (size or sizes), chunk, unbind, tensorSplit (sections or indices).
 * Every piece is a view of the input (narrow/select/slice), so writes through it reach the input.
 */
import { RuntimeError } from '../../errors.js';
import { fmtShape, wrapDim } from '../../shape.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import { narrowOp, selectOp, sliceOp } from '../view.js';

type DimArg = number | { dim?: number };

function dimOf(arg: DimArg | undefined): number {
  if (arg === undefined) return 0;
  return typeof arg === 'number' ? arg : arg.dim ?? 0;
}

function checkInt(name: string, what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name}(): argument '${what}' must be int, not ${typeof v}`);
  return v;
}

export function splitWithSizes(self: Tensor, splitSizes: readonly number[], dim: DimArg = 0): Tensor[] {
  if (self._shape.length === 0) throw new RuntimeError('split expects at least a 1-dimensional tensor');
  const d = wrapDim(dimOf(dim), self._shape.length);
  const size = self._shape[d]!;
  let sum = 0;
  for (const s of splitSizes) {
    checkInt('split_with_sizes', 'split_sizes', s);
    if (s < 0) throw new RuntimeError(`split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=${fmtShape(splitSizes)}`);
    sum += s;
  }
  if (sum !== size) {
    throw new RuntimeError(`split_with_sizes expects split_sizes to sum exactly to ${size} (input tensor's size at dimension ${d}), but got split_sizes=${fmtShape(splitSizes)}`);
  }
  let start = 0;
  return splitSizes.map((s) => {
    const v = narrowOp.call(self, d, start, s);
    start += s;
    return v;
  });
}

/** `torch.split(x, 2)` (pieces of 2, the last smaller) or `torch.split(x, [1, 3])`. */
export function split(self: Tensor, splitSizeOrSections: number | readonly number[], dim: DimArg = 0): Tensor[] {
  if (Array.isArray(splitSizeOrSections)) return splitWithSizes(self, splitSizeOrSections, dim);
  const splitSize = checkInt('split', 'split_size', splitSizeOrSections);
  if (self._shape.length === 0) throw new RuntimeError('split expects at least a 1-dimensional tensor');
  if (splitSize < 0) throw new RuntimeError(`split expects split_size be non-negative, but got split_size=${splitSize}`);
  const d = wrapDim(dimOf(dim), self._shape.length);
  const size = self._shape[d]!;
  if (splitSize === 0 && size !== 0) {
    throw new RuntimeError(`split_size can only be 0 if dimension size is 0, but got dimension size of ${size}`);
  }
  const n = splitSize === 0 ? 1 : Math.max(Math.ceil(size / splitSize), 1);
  const last = splitSize - (splitSize * n - size);
  const out: Tensor[] = [];
  for (let i = 0; i < n; i++) out.push(narrowOp.call(self, d, i * splitSize, i < n - 1 ? splitSize : last));
  return out;
}

export function chunk(self: Tensor, chunks: number, dim: DimArg = 0): Tensor[] {
  checkInt('chunk', 'chunks', chunks);
  if (self._shape.length === 0) throw new RuntimeError('chunk expects at least a 1-dimensional tensor');
  if (chunks <= 0) throw new RuntimeError(`chunk expects \`chunks\` to be greater than 0, got: ${chunks}`);
  const d = wrapDim(dimOf(dim), self._shape.length);
  const size = self._shape[d]!;
  const splitSize = Math.ceil(size / chunks);
  // Zero-size dims keep the number of chunks (split would give one piece).
  if (splitSize === 0 && size === 0) return splitWithSizes(self, new Array<number>(chunks).fill(0), d);
  return split(self, splitSize, d);
}

export function unbind(self: Tensor, dim: DimArg = 0): Tensor[] {
  const d = wrapDim(dimOf(dim), self._shape.length, false);
  const out: Tensor[] = [];
  for (let i = 0; i < self._shape[d]!; i++) out.push(selectOp.call(self, d, i));
  return out;
}

/** numpy.array_split: `n` near-equal sections, or cut before each index of `indices`. */
export function tensorSplit(self: Tensor, indicesOrSections: number | readonly number[] | Tensor, dim: DimArg = 0): Tensor[] {
  if (self._shape.length === 0) {
    throw new RuntimeError(`tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims`);
  }
  let spec = indicesOrSections;
  if (spec instanceof Tensor) {
    if (spec._dtype !== 'int64') throw new RuntimeError(`tensor_split expected tensor_indices_or_sections to have dtype of long, but got ${scalarTypeName(spec._dtype)}`);
    if (spec._shape.length > 1) {
      throw new RuntimeError(`tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional tensor, but got a tensor with ${spec._shape.length} dims`);
    }
    spec = spec._shape.length === 0 ? spec.item() : (spec.tolist() as number[]);
  }
  const d = wrapDim(dimOf(dim), self._shape.length);
  const size = self._shape[d]!;
  const out: Tensor[] = [];
  if (typeof spec === 'number') {
    checkInt('tensor_split', 'sections', spec);
    if (spec <= 0) throw new RuntimeError(`number of sections must be larger than 0, got ${spec}`);
    const extra = size % spec;
    const base = Math.floor(size / spec);
    let start = 0;
    for (let i = 0; i < spec; i++) {
      const len = base + (i < extra ? 1 : 0);
      out.push(sliceOp.call(self, d, start, start + len, 1));
      start += len;
    }
    return out;
  }
  let start = 0;
  for (const idx of spec) {
    checkInt('tensor_split', 'indices', idx);
    out.push(sliceOp.call(self, d, start, idx, 1));
    start = idx;
  }
  out.push(sliceOp.call(self, d, start, size, 1));
  return out;
}

declare module '../../tensor.js' {
  interface Tensor {
    split(splitSizeOrSections: number | readonly number[], dim?: DimArg): Tensor[];
    splitWithSizes(splitSizes: readonly number[], dim?: DimArg): Tensor[];
    chunk(chunks: number, dim?: DimArg): Tensor[];
    unbind(dim?: DimArg): Tensor[];
    tensorSplit(indicesOrSections: number | readonly number[] | Tensor, dim?: DimArg): Tensor[];
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.split = function (this: Tensor, s: number | number[], dim?: DimArg) {
  return split(this, s, dim);
};
proto.splitWithSizes = function (this: Tensor, s: number[], dim?: DimArg) {
  return splitWithSizes(this, s, dim);
};
proto.chunk = function (this: Tensor, chunks: number, dim?: DimArg) {
  return chunk(this, chunks, dim);
};
proto.unbind = function (this: Tensor, dim?: DimArg) {
  return unbind(this, dim);
};
proto.tensorSplit = function (this: Tensor, s: number | number[] | Tensor, dim?: DimArg) {
  return tensorSplit(this, s, dim);
};
