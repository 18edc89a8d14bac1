/**
 * Where random kernels put their draws. PyTorch's TensorIterator visits a nullary op's output in
 * memory order (dims sorted by stride), and a seeded stream is only reproducible if we visit the
 * same way: draw i lands on the i-th element in memory order.
 */
import { isNativeDtype } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { forEachRow } from '../iterate.js';

type Out = { [i: number]: number; length: number };

/** `t`'s dims reordered outermost-first by stride (ties keep their order). */
export function memoryOrder(t: Tensor): number[] {
  const nd = t._shape.length;
  return [...Array(nd).keys()].sort((a, b) => t._strides[b]! - t._strides[a]! || a - b);
}

/** Writes `values[k]` to the k-th element of `t` in memory order (any dtype, any strides). */
export function writeSequence(t: Tensor, values: ArrayLike<number>): void {
  const w = writeAccess(t, false);
  const dims = memoryOrder(t);
  const O = w.arr;
  let k = 0;
  forEachRow(dims.map((d) => t._shape[d]!), [dims.map((d) => w.strides[d]!)], [w.off], (off, n, s) => {
    const o0 = off[0]!, so = s[0]!;
    for (let i = 0; i < n; i++) O[o0 + i * so] = values[k++]!;
  });
  w.commit();
}

/** Reads `t` (viewed with `order`'s dims, e.g. a probability tensor expanded to an output's shape) in that order. */
export function readSequence(t: Tensor, order: readonly number[]): Float64Array {
  const r = readAccess(t);
  const out = new Float64Array(t.numel());
  const A = r.arr;
  let k = 0;
  forEachRow(order.map((d) => t._shape[d]!), [order.map((d) => r.strides[d]!)], [r.off], (off, n, s) => {
    const a0 = off[0]!, sa = s[0]!;
    for (let i = 0; i < n; i++) out[k++] = A[a0 + i * sa]!;
  });
  return out;
}

/** Exact int64 writes (values beyond 2^53), in memory order, straight into the storage bytes. */
export function writeInt64Sequence(t: Tensor, values: BigInt64Array): void {
  const s = t._storage;
  const view = new BigInt64Array(s.buffer!, s.ptr, Math.floor(s.nbytes / 8));
  const dims = memoryOrder(t);
  let k = 0;
  forEachRow(dims.map((d) => t._shape[d]!), [dims.map((d) => t._strides[d]!)], [t._offset], (off, n, st) => {
    const o0 = off[0]!, so = st[0]!;
    for (let i = 0; i < n; i++) view[o0 + i * so] = values[k++]!;
  });
}

/**
 * Runs `sample(out, off, n)` to produce t's values in memory order: straight into the tensor's
 * memory when it is contiguous and JS can hold the dtype, else into a buffer written afterwards.
 */
export function sampleInto(t: Tensor, sample: (out: Out, off: number, n: number) => void): void {
  const n = t.numel();
  if (n === 0) return;
  if (t.isContiguous() && isNativeDtype(t._dtype)) {
    sample(t._storage.host(t._dtype), t._offset, n);
    return;
  }
  const tmp = new Float64Array(n);
  sample(tmp, 0, n);
  if (t._dtype === 'int64' && t.isContiguous()) encodeInt64(t._storage.host('int64') as Int32Array, t._offset, tmp);
  else writeSequence(t, tmp);
}

/** Integral doubles (|v| < 2^53) into int64 word pairs, low word first. */
function encodeInt64(words: Int32Array, off: number, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const hi = Math.floor(v / 4294967296);
    words[2 * (off + i)] = (v - hi * 4294967296) | 0;
    words[2 * (off + i) + 1] = hi | 0;
  }
}

/** Whether `t` covers its memory exactly once (a permutation of a contiguous layout). */
export function isDense(t: Tensor): boolean {
  let expected = 1;
  for (const d of memoryOrder(t).reverse()) {
    const size = t._shape[d]!;
    if (size === 1) continue;
    if (t._strides[d] !== expected) return false;
    expected *= size;
  }
  return true;
}

/** Row-major indices of t's elements, listed in t's memory order. */
export function rowMajorIndicesInMemoryOrder(t: Tensor): Float64Array {
  const nd = t._shape.length;
  const rowMajor = new Array<number>(nd);
  for (let d = nd - 1, s = 1; d >= 0; d--) {
    rowMajor[d] = s;
    s *= Math.max(t._shape[d]!, 1);
  }
  const dims = memoryOrder(t);
  const out = new Float64Array(t.numel());
  let k = 0;
  forEachRow(dims.map((d) => t._shape[d]!), [dims.map((d) => rowMajor[d]!)], [0], (off, n, s) => {
    const o0 = off[0]!, so = s[0]!;
    for (let i = 0; i < n; i++) out[k++] = o0 + i * so;
  });
  return out;
}
