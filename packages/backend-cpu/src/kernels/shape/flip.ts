/** flip: a strided copy that reads the flipped dims backwards (negated strides). */
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { forEachRow } from '../iterate.js';

export function flipKernel(out: Tensor, self: Tensor, dims: readonly number[]): void {
  const w = writeAccess(out);
  const r = readAccess(self);
  const strides = [...r.strides];
  let start = r.off;
  for (const d of dims) {
    start += (self._shape[d]! - 1) * strides[d]!;
    strides[d] = -strides[d]!;
  }
  const O = w.arr, A = r.arr;
  forEachRow(out._shape, [w.strides, strides], [w.off, start], (off, n, s) => {
    const o0 = off[0]!, a0 = off[1]!, so = s[0]!, sa = s[1]!;
    for (let i = 0; i < n; i++) O[o0 + i * so] = A[a0 + i * sa]!;
  });
  w.commit();
}
