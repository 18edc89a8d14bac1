/** copy_ (strided, broadcasting, casting) and fill_. */
import { isNativeDtype } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from './access.js';
import { forEachRow } from './iterate.js';
import { simdCopy, simdFill, simdRowCopy } from '../wasm/copy.js';

export function copyKernel(dst: Tensor, src: Tensor): void {
  const w = writeAccess(dst, src._dtype === 'bool');
  const r = readAccess(src, dst._shape);
  const O = w.arr, A = r.arr;
  if (dst._dtype === src._dtype && dst.isContiguous() && src.isContiguous() && src._shape.length === dst._shape.length && src.numel() === dst.numel() && A !== O) {
    const n = dst.numel();
    if (!simdCopy(O, w.off, A, r.off, n)) (O as Float32Array).set((A as Float32Array).subarray(r.off, r.off + n), w.off);
  } else {
    // Reading through a temporary when the views overlap keeps `x.copy_(x.flip())`-style copies right.
    const same = O === A || (src._storage === dst._storage);
    const S = same ? A.slice() : A;
    // Same element type and unit inner strides: copy whole rows with TypedArray.set (a memcpy);
    // strided rows and the common conversions go to the wasm row kernels.
    const sameType = O.constructor === S.constructor;
    const wasm = simdRowCopy(O, S);
    const oz = O.BYTES_PER_ELEMENT, az = S.BYTES_PER_ELEMENT;
    forEachRow(dst._shape, [w.strides, r.strides], [w.off, r.off], (off, n, s) => {
      const o0 = off[0]!, a0 = off[1]!, so = s[0]!, sa = s[1]!;
      if (sameType && so === 1 && sa === 1 && n > 16) {
        if (!simdCopy(O, o0, S, a0, n)) (O as Float32Array).set((S as Float32Array).subarray(a0, a0 + n), o0);
      }
      else if (wasm && n >= 8) wasm(n, O.byteOffset + o0 * oz, so, S.byteOffset + a0 * az, sa);
      else for (let i = 0; i < n; i++) O[o0 + i * so] = S[a0 + i * sa]!;
    });
  }
  w.commit();
}

export function fillKernel(self: Tensor, value: number): void {
  const w = writeAccess(self, false);
  const O = w.arr;
  if (self.isContiguous() && isNativeDtype(self._dtype) && self._dtype !== 'bool') {
    if (!simdFill(O, w.off, self.numel(), value)) O.fill(value, w.off, w.off + self.numel());
  } else {
    forEachRow(self._shape, [w.strides], [w.off], (off, n, s) => {
      const o0 = off[0]!, so = s[0]!;
      for (let i = 0; i < n; i++) O[o0 + i * so] = value;
    });
  }
  w.commit();
}
