/**
 * unique / unique_consecutive, over every element or over slices along a dim. The output size
 * depends on the data, so these kernels allocate and return [values, inverse, counts].
 * Values are compared as numbers: each NaN is distinct from every value, itself included.
 */
import { emptyTensor } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { forEachOffset, gather, reducePlan } from './plan.js';
import { Order, PairSeq } from './stl.js';

/** Every element of `t` in row-major order. */
function flatValues(t: Tensor): Float64Array {
  const r = readFloat(t);
  const plan = reducePlan(t._shape, r.strides, t._shape.map((_, d) => d));
  const out = new Float64Array(plan.count);
  if (plan.count > 0) gather(r.arr, r.off, plan.innerShape, plan.innerStrides, out);
  return out;
}

function fill(t: Tensor, values: ArrayLike<number>): Tensor {
  const w = writeAccess(t);
  for (let i = 0; i < values.length; i++) w.arr[w.off + i] = values[i]!;
  w.commit();
  return t;
}

/**
 * Groups `count` items (visited in `order`) into runs where `same(prev, cur)` holds: returns
 * the first item of each run, the run id of every item and each run's length.
 */
function runs(order: ArrayLike<number>, count: number, same: (a: number, b: number) => boolean) {
  const firsts: number[] = [];
  const counts: number[] = [];
  const inverse = new Float64Array(count);
  for (let k = 0; k < count; k++) {
    const item = order[k]!;
    if (k === 0 || !same(order[k - 1]!, item)) {
      firsts.push(item);
      counts.push(0);
    }
    counts[counts.length - 1]!++;
    inverse[item] = firsts.length - 1;
  }
  return { firsts, counts, inverse };
}

function identity(n: number): Float64Array {
  const o = new Float64Array(n);
  for (let i = 0; i < n; i++) o[i] = i;
  return o;
}

/** Element positions sorted by value (NaN last), ties kept in order. */
function sortedOrder(values: Float64Array): Float64Array {
  const seq = new PairSeq(Float64Array.from(values), identity(values.length), Order.ascNanLastStable);
  seq.sort(0, values.length);
  return seq.x;
}

function flatUnique(input: Tensor, sort: boolean): [Tensor, Tensor, Tensor] {
  const values = flatValues(input);
  const order = sort ? sortedOrder(values) : identity(values.length);
  const { firsts, counts, inverse } = runs(order, values.length, (a, b) => values[a] === values[b]);
  return [
    fill(emptyTensor([firsts.length], input._dtype, input.device), firsts.map((i) => values[i]!)),
    fill(emptyTensor([...input._shape], 'int64', input.device), inverse),
    fill(emptyTensor([counts.length], 'int64', input.device), counts),
  ];
}

/** Slices along `dim` as rows of a [size, rest] matrix (row-major over the other dims). */
function slices(input: Tensor, dim: number): { data: Float64Array; size: number; rest: number } {
  const r = readFloat(input);
  const size = input._shape[dim]!;
  const otherDims = input._shape.map((_, d) => d).filter((d) => d !== dim);
  const plan = reducePlan(input._shape, r.strides, otherDims);
  const rest = plan.count;
  const data = new Float64Array(size * rest);
  if (rest > 0) {
    const row = new Float64Array(rest);
    for (let i = 0; i < size; i++) {
      gather(r.arr, r.off + i * r.strides[dim]!, plan.innerShape, plan.innerStrides, row);
      data.set(row, i * rest);
    }
  }
  return { data, size, rest };
}

function dimUnique(input: Tensor, dim: number, sort: boolean): [Tensor, Tensor, Tensor] {
  const { data, size, rest } = slices(input, dim);
  const sameSlice = (a: number, b: number): boolean => {
    for (let j = 0; j < rest; j++) if (data[a * rest + j] !== data[b * rest + j]) return false;
    return true;
  };
  let order = identity(size);
  if (sort) {
    // Slices in lexicographic order (PyTorch compares elements with < and >), ties kept in order.
    const seq = new PairSeq(identity(size), identity(size), Order.custom, (a, ai, b, bi) => lexLess(data, rest, a, b) || (ai < bi && !lexLess(data, rest, b, a)));
    seq.sort(0, size);
    order = seq.x;
  }
  const { firsts, counts, inverse } = runs(order, size, sameSlice);
  const shape = [...input._shape];
  shape[dim] = firsts.length;
  const values = emptyTensor(shape, input._dtype, input.device);
  const w = writeAccess(values);
  const others = shape.map((_, d) => d).filter((d) => d !== dim);
  firsts.forEach((src, k) => {
    forEachOffset(others.map((d) => shape[d]!), others.map((d) => w.strides[d]!), w.off + k * w.strides[dim]!, (j, off) => {
      w.arr[off] = data[src * rest + j]!;
    });
  });
  w.commit();
  return [
    values,
    fill(emptyTensor([size], 'int64', input.device), inverse),
    fill(emptyTensor([counts.length], 'int64', input.device), counts),
  ];
}

function lexLess(data: Float64Array, rest: number, a: number, b: number): boolean {
  for (let j = 0; j < rest; j++) {
    const x = data[a * rest + j]!, y = data[b * rest + j]!;
    if (x < y) return true;
    if (x > y) return false;
  }
  return false;
}

export function uniqueKernel(input: Tensor): [Tensor, Tensor, Tensor] {
  return flatUnique(input, true);
}

export function uniqueDimKernel(input: Tensor, dim: number): [Tensor, Tensor, Tensor] {
  return dimUnique(input, dim, true);
}

export function uniqueConsecutiveKernel(input: Tensor, dim: number | null): [Tensor, Tensor, Tensor] {
  return dim === null ? flatUnique(input, false) : dimUnique(input, dim, false);
}
