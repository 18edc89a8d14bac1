/**
 * Row iteration with a plan computed once and reused for many starts: indexing kernels walk the
 * same slice shape once per index entry, so they coalesce it once (iterate.ts's forEachRow
 * would re-plan on every call).
 */
import type { Tensor } from '@torchts/core';
import { readAccess } from '../access.js';
import type { Access } from '../access.js';
import { coalesce, forEachRow } from '../iterate.js';

export type RowFn = (offsets: number[], n: number, inner: number[]) => void;
export type RowIterator = (starts: readonly number[], row: RowFn) => void;

export function rowIterator(shape: readonly number[], strides: readonly (readonly number[])[]): RowIterator {
  if (shape.some((s) => s === 0)) return () => {};
  const plan = coalesce(shape, strides);
  const nd = plan.shape.length;
  const n = plan.shape[nd - 1]!;
  const inner = plan.strides.map((s) => s[nd - 1]!);
  let rows = 1;
  for (let d = 0; d < nd - 1; d++) rows *= plan.shape[d]!;
  const k = strides.length;
  const idx = new Array<number>(Math.max(nd - 1, 0));
  const offsets = new Array<number>(k);
  return (starts, row) => {
    for (let j = 0; j < k; j++) offsets[j] = starts[j]!;
    idx.fill(0);
    for (let r = 0; r < rows; r++) {
      row(offsets, n, inner);
      for (let d = nd - 2; d >= 0; d--) {
        const size = plan.shape[d]!;
        idx[d]!++;
        for (let j = 0; j < k; j++) offsets[j]! += plan.strides[j]![d]!;
        if (idx[d]! < size) break;
        idx[d] = 0;
        for (let j = 0; j < k; j++) offsets[j]! -= plan.strides[j]![d]! * size;
      }
    }
  };
}

/** `arr` without element `d`. */
export function without<T>(arr: readonly T[], d: number): T[] {
  return arr.filter((_, i) => i !== d);
}

/**
 * Read access to an index tensor. int64 indices are read in place as the low words of the
 * Int32Array over their storage when every value fits in int32 (then each high word is just
 * the sign of its low word); that skips decoding them into a Float64Array.
 */
export function indexAccess(t: Tensor): Access {
  if (t._dtype !== 'int64') return readAccess(t);
  const words = t._storage.host('int64') as Int32Array;
  const strides = t._strides.map((s) => 2 * s);
  let fits = true;
  forEachRow(t._shape, [strides], [2 * t._offset], (off, n, s) => {
    const o0 = off[0]!, so = s[0]!;
    for (let i = 0; i < n; i++) {
      const p = o0 + i * so;
      if (words[p + 1] !== words[p]! >> 31) fits = false;
    }
  });
  return fits ? { arr: words, off: 2 * t._offset, strides } : readAccess(t);
}
