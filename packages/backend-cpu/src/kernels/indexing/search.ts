/**
 * searchsorted / bucketize: PyTorch's lower/upper bound loops (`!(mid >= v)` moves right, so a
 * NaN value lands past the end), optionally through a `sorter` permutation. All inputs are
 * contiguous; row r of `values` (its last dim) searches row r of `sorted` (row 0 when 1-D).
 */
import { RuntimeError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';

export function searchsortedKernel(out: Tensor, sorted: Tensor, values: Tensor, right: boolean, sorter: Tensor | null): void {
  const b = readAccess(sorted);
  const v = readAccess(values);
  const so = sorter ? readAccess(sorter) : null;
  const w = writeAccess(out);
  const B = b.arr, V = v.arr, O = w.arr, S = so?.arr;
  const len = sorted._shape[sorted._shape.length - 1]!;
  const perRow = sorted._shape.length === 1 ? Infinity : Math.max(values._shape[values._shape.length - 1] ?? 1, 1);
  const n = values.numel();
  for (let k = 0; k < n; k++) {
    const row = perRow === Infinity ? 0 : Math.floor(k / perRow);
    const base = b.off + row * len;
    const sbase = so ? so.off + row * len : 0;
    const val = V[v.off + k]!;
    let lo = 0, hi = len;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      let at = mid;
      if (S) {
        at = S[sbase + mid]!;
        if (at < 0 || at >= len) throw new RuntimeError(`torch.searchsorted(): sorter index out of range: ${at} for boundaries of size ${len}`);
      }
      const m = B[base + at]!;
      if (right ? !(m > val) : !(m >= val)) lo = mid + 1;
      else hi = mid;
    }
    O[w.off + k] = lo;
  }
  w.commit();
}
