/**
 * Repetition: repeat and tile (whole-tensor copies, written as view + expand + reshape so
 * autograd differentiates them for free) and repeatInterleave (element repeats, an indexSelect
 * with a computed index).
 */
import { RuntimeError } from '../../errors.js';
import { fmtShape, wrapDim } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { writeValues } from '../creation.js';
import { expandOp, reshape, viewOp } from '../view.js';
import { indexSelect } from '../indexing/indexSelect.js';

function sizesArg(name: string, args: readonly unknown[]): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return raw.map((s) => {
    if (typeof s !== 'number' || !Number.isInteger(s)) throw new TypeError(`${name}(): argument 'repeats' must be a sequence of ints, but found ${String(s)}`);
    return s;
  });
}

export function repeat(self: Tensor, ...repeats: Array<number | number[]>): Tensor {
  const reps = sizesArg('repeat', repeats);
  const nd = self._shape.length;
  if (reps.length < nd) {
    throw new RuntimeError('Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor');
  }
  const padded = [...new Array<number>(reps.length - nd).fill(1), ...self._shape];
  const target = padded.map((s, i) => s * reps[i]!);
  const bad = target.findIndex((s) => s < 0);
  if (bad >= 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${target[bad]}: ${fmtShape(target)}`);
  if (reps.length === 0) return self.clone();
  // [s0, s1] -> view [1, s0, 1, s1] -> expand [r0, s0, r1, s1] -> reshape [r0*s0, r1*s1] (a copy).
  const inter: number[] = [];
  const expanded: number[] = [];
  padded.forEach((s, i) => {
    inter.push(1, s);
    expanded.push(reps[i]!, s);
  });
  const v = viewOp.call(self, inter);
  const e = expandOp.call(v, expanded);
  const out = reshape(e, target);
  // reshape may return a view of `e` when nothing is repeated; repeat always returns a copy.
  const result = out._storage === self._storage ? out.clone() : out;
  if (result !== out) out.dispose();
  for (const t of [v, e]) if (t !== result) t.dispose();
  return result;
}

export function tile(self: Tensor, ...dims: Array<number | number[]>): Tensor {
  const reps = sizesArg('tile', dims);
  const padded = reps.length < self._shape.length ? [...new Array<number>(self._shape.length - reps.length).fill(1), ...reps] : reps;
  return repeat(self, padded);
}

export interface RepeatInterleaveOptions {
  dim?: number | null;
  outputSize?: number;
}

/** The repeat counts as JS numbers, validated as PyTorch does. */
function repeatCounts(repeats: Tensor): number[] {
  if (repeats._shape.length > 1) throw new RuntimeError('repeat_interleave only accept 1D vector as repeat');
  if (repeats._dtype !== 'int64' && repeats._dtype !== 'int32') {
    throw new RuntimeError(`"repeat_interleave_cpu" not implemented for '${{ float32: 'Float', float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', bool: 'Bool', uint8: 'Byte', int8: 'Char', int16: 'Short' }[repeats._dtype as string] ?? repeats._dtype}'`);
  }
  const counts = (repeats._shape.length === 0 ? [repeats.item()] : repeats.tolist()) as number[];
  if (counts.some((c) => c < 0)) throw new RuntimeError('repeats can not be negative');
  return counts;
}

/** `[2, 1]` -> `[0, 0, 1]` as an int64 tensor on `device`. */
function indexFromCounts(counts: readonly number[], device: string, dtype: 'int64' | 'int32' = 'int64'): Tensor {
  const idx: number[] = [];
  counts.forEach((c, i) => {
    for (let k = 0; k < c; k++) idx.push(i);
  });
  const t = emptyTensor([idx.length], dtype, device);
  writeValues(t, idx);
  return t;
}

/**
 * `torch.repeatInterleave(x, repeats, dim?)`: each element (or slice along `dim`) repeated;
 * `torch.repeatInterleave(repeatsTensor)` alone gives the index `[0]*r0 + [1]*r1 + ...`.
 */
export function repeatInterleave(self: Tensor, repeats?: number | Tensor | RepeatInterleaveOptions, dim?: number | null | RepeatInterleaveOptions, opts?: RepeatInterleaveOptions): Tensor {
  if (repeats === undefined || (typeof repeats === 'object' && !(repeats instanceof Tensor))) {
    const counts = repeatCounts(self);
    return indexFromCounts(counts, self.device, self._dtype as 'int64' | 'int32');
  }
  let o: RepeatInterleaveOptions = opts ?? {};
  let d: number | null | undefined = undefined;
  if (dim !== null && typeof dim === 'object') o = dim;
  else d = dim;
  if (d === undefined) d = o.dim ?? null;
  const input = d === null ? reshape(self, [-1]) : self;
  const axis = d === null ? 0 : wrapDim(d, input._shape.length);
  const size = input._shape.length === 0 ? 1 : input._shape[axis]!;
  let counts: number[];
  if (repeats instanceof Tensor) {
    counts = repeatCounts(repeats);
    if (counts.length === 1 || repeats._shape.length === 0) counts = new Array<number>(size).fill(counts[0]!);
    else if (counts.length !== size) throw new RuntimeError('repeats must have the same size as input along dim');
  } else {
    if (!Number.isInteger(repeats)) throw new TypeError(`repeat_interleave(): argument 'repeats' must be int or Tensor, not ${typeof repeats}`);
    if (repeats < 0) throw new RuntimeError('repeats can not be negative');
    counts = new Array<number>(size).fill(repeats);
  }
  const index = indexFromCounts(counts, self.device);
  if (o.outputSize !== undefined && o.outputSize !== index.numel()) {
    index.dispose();
    throw new RuntimeError(`allocated size does not match required size`);
  }
  const out = indexSelect(input, axis, index);
  index.dispose();
  if (input !== self) input.dispose();
  return out;
}

declare module '../../tensor.js' {
  interface Tensor {
    repeat(...repeats: number[]): Tensor;
    repeat(repeats: number[]): Tensor;
    tile(...dims: number[]): Tensor;
    tile(dims: number[]): Tensor;
    repeatInterleave(repeats: number | Tensor, dim?: number | null | RepeatInterleaveOptions, opts?: RepeatInterleaveOptions): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.repeat = function (this: Tensor, ...r: Array<number | number[]>) {
  return repeat(this, ...r);
};
proto.tile = function (this: Tensor, ...r: Array<number | number[]>) {
  return tile(this, ...r);
};
proto.repeatInterleave = function (this: Tensor, r: number | Tensor, dim?: number | null | RepeatInterleaveOptions, opts?: RepeatInterleaveOptions) {
  return repeatInterleave(this, r, dim, opts);
};
