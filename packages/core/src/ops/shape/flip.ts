/**
 * Reordering copies: flip (a kernel: reads with negated strides), fliplr/flipud, roll (narrow +
 * cat per dim) and rot90 (flip + transpose), all as in PyTorch.
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { wrapDim, wrapDims } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import { clone } from '../copy.js';
import { narrowOp, reshape, transposeOp } from '../view.js';
import { catOp } from './cat.js';

function intList(name: string, what: string, args: readonly unknown[]): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return raw.map((d) => {
    if (typeof d !== 'number' || !Number.isInteger(d)) throw new TypeError(`${name}(): argument '${what}' must be tuple of ints, but found ${String(d)}`);
    return d;
  });
}

/** Kernel signature: (out, self, dims) with `dims` wrapped, unique and sorted. */
export const flipOp = defineOp('flip', (self: Tensor, dims: number[]): Tensor => {
  const wrapped = wrapDims(dims, self._shape.length).sort((a, b) => a - b);
  const out = emptyTensor([...self._shape], self._dtype, self.device);
  flipOp.kernel(self.device)(out, self, wrapped);
  return out;
});

export function flip(self: Tensor, ...dims: Array<number | number[]>): Tensor {
  return flipOp.call(self, intList('flip', 'dims', dims));
}

export function fliplr(self: Tensor): Tensor {
  if (self._shape.length < 2) throw new RuntimeError('Input must be >= 2-d.');
  return flipOp.call(self, [1]);
}

export function flipud(self: Tensor): Tensor {
  if (self._shape.length < 1) throw new RuntimeError('Input must be >= 1-d.');
  return flipOp.call(self, [0]);
}

function rollOne(self: Tensor, shift: number, dim: number): Tensor {
  if (self.numel() === 0) return clone(self);
  const d = wrapDim(dim, self._shape.length, false);
  const size = self._shape[d]!;
  let start = (size - shift) % size;
  if (start < 0) start += size;
  const a = narrowOp.call(self, d, start, size - start);
  const b = narrowOp.call(self, d, 0, start);
  const out = catOp.call([a, b], d);
  a.dispose();
  b.dispose();
  return out;
}

/** `torch.roll(x, shifts, dims?)`: without dims the flattened tensor is rolled. */
export interface RollOptions {
  shifts?: number | readonly number[];
  dims?: number | readonly number[] | null;
}

export function roll(self: Tensor, shifts: number | readonly number[] | RollOptions, dims?: number | readonly number[] | null | RollOptions): Tensor {
  if (typeof shifts === 'object' && !Array.isArray(shifts)) return roll(self, (shifts as RollOptions).shifts ?? [], (shifts as RollOptions).dims);
  if (dims !== null && typeof dims === 'object' && !Array.isArray(dims)) return roll(self, shifts, (dims as RollOptions).dims);
  const s = typeof shifts === 'number' ? [shifts] : [...(shifts as readonly number[])];
  const d = dims === undefined || dims === null ? [] : typeof dims === 'number' ? [dims] : [...(dims as readonly number[])];
  if (s.length === 0) throw new RuntimeError('`shifts` required');
  if (d.length === 0 && s.length === 1) {
    const flat = reshape(self, [-1]);
    const rolled = rollOne(flat, s[0]!, 0);
    const out = reshape(rolled, [...self._shape]);
    flat.dispose();
    if (out !== rolled) rolled.dispose();
    return out;
  }
  if (s.length !== d.length) throw new RuntimeError(`shifts and dimensions must align. shifts: ${s.length}, dims:${d.length}`);
  let cur = self;
  for (let i = 0; i < s.length; i++) {
    const next = rollOne(cur, s[i]!, d[i]!);
    if (cur !== self) cur.dispose();
    cur = next;
  }
  return cur;
}

export function rot90(self: Tensor, k = 1, dims: readonly number[] = [0, 1]): Tensor {
  const nd = self._shape.length;
  if (dims.length !== 2) throw new RuntimeError(`expected total rotation dims == 2, but got dims = ${dims.length}`);
  if (nd < 2) throw new RuntimeError(`expected total dims >= 2, but got total dims = ${nd}`);
  const [d0, d1] = dims as [number, number];
  if (d0 === d1 || Math.abs(d0 - d1) === nd) {
    throw new RuntimeError(`expected rotation dims to be different, but got dim0 = ${d0} and dim1 = ${d1}`);
  }
  if (d0 >= nd || d0 < -nd) throw new RuntimeError(`Rotation dim0 out of range, dim0 = ${d0}`);
  if (d1 >= nd || d1 < -nd) throw new RuntimeError(`Rotation dim1 out of range, dim1 = ${d1}`);
  const turns = ((k % 4) + 4) % 4;
  if (turns === 0) return clone(self);
  if (turns === 2) return flipOp.call(self, [d0, d1]);
  const flipped = flipOp.call(self, [turns === 1 ? d1 : d0]);
  const out = transposeOp.call(flipped, d0, d1);
  flipped.dispose();
  return out;
}

declare module '../../tensor.js' {
  interface Tensor {
    flip(...dims: number[]): Tensor;
    flip(dims: number[]): Tensor;
    fliplr(): Tensor;
    flipud(): Tensor;
    roll(shifts: number | readonly number[] | RollOptions, dims?: number | readonly number[] | null | RollOptions): Tensor;
    rot90(k?: number, dims?: readonly number[]): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.flip = function (this: Tensor, ...dims: Array<number | number[]>) {
  return flip(this, ...dims);
};
proto.fliplr = function (this: Tensor) {
  return fliplr(this);
};
proto.flipud = function (this: Tensor) {
  return flipud(this);
};
proto.roll = function (this: Tensor, shifts: number | number[] | RollOptions, dims?: number | number[] | null | RollOptions) {
  return roll(this, shifts, dims);
};
proto.rot90 = function (this: Tensor, k?: number, dims?: number[]) {
  return rot90(this, k, dims);
};
