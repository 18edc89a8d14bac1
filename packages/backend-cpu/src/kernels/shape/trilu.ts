/**
 * tril/triu: element (i, j) of each matrix is kept when j - i <= diagonal (tril) or
 * j - i >= diagonal (triu), zeroed otherwise. In place (out === self) only the zeros are written.
 */
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { forEachRow } from '../iterate.js';

export function triluKernel(out: Tensor, self: Tensor, diagonal: number, upper: boolean): void {
  const nd = self._shape.length;
  const R = self._shape[nd - 2]!, C = self._shape[nd - 1]!;
  if (R === 0 || C === 0 || out.numel() === 0) return;
  const w = writeAccess(out);
  const inplace = out === self;
  const r = inplace ? w : readAccess(self);
  const O = w.arr, A = r.arr;
  const osr = w.strides[nd - 2]!, osc = w.strides[nd - 1]!;
  const asr = r.strides[nd - 2]!, asc = r.strides[nd - 1]!;
  const batch = self._shape.slice(0, -2);
  const one = (o0: number, a0: number) => {
    for (let i = 0; i < R; i++) {
      // Columns [lo, hi) are kept.
      const lo = upper ? Math.min(Math.max(i + diagonal, 0), C) : 0;
      const hi = upper ? C : Math.min(Math.max(i + diagonal + 1, 0), C);
      const orow = o0 + i * osr, arow = a0 + i * asr;
      for (let j = 0; j < lo; j++) O[orow + j * osc] = 0;
      if (!inplace) for (let j = lo; j < hi; j++) O[orow + j * osc] = A[arow + j * asc]!;
      for (let j = hi; j < C; j++) O[orow + j * osc] = 0;
    }
  };
  if (batch.length === 0) one(w.off, r.off);
  else {
    forEachRow(batch, [w.strides.slice(0, -2), r.strides.slice(0, -2)], [w.off, r.off], (off, n, s) => {
      for (let b = 0; b < n; b++) one(off[0]! + b * s[0]!, off[1]! + b * s[1]!);
    });
  }
  w.commit();
}
