/**
 * Helpers for indexing kernels. They walk the same slice shape once per index entry, so they use
 * iterate.ts's rowIterator (planned once, run for many starts).
 */
import type { Tensor } from '@torchts/core';
import { readAccess } from '../access.js';
import type { Access } from '../access.js';
import { forEachRow } from '../iterate.js';

export { rowIterator } from '../iterate.js';
export type { RowFn, RowIterator } from '../iterate.js';

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
