/**
 * The four passes every fused normalisation kernel is built from (norm.ts). The data is a run of
 * P contiguous "planes" of `len` elements (layer-norm rows, group-norm groups, (n, c) planes of
 * batch/group norm); per-plane parameters are float64 arrays; `w`/`b` are optional per-column
 * vectors of length `len` (layer norm's affine parameters). All tensors are contiguous.
 *
 * - planeSums(x, y, w, shift): per plane, S1 = sum(yw), S2 = sum(yw (x - shift)), where y defaults
 *   to x - shift (then S1 = sum(x - shift), S2 = the sum of squared deviations) and w to 1.
 * - planeAffine(out, x, y, w, A, B, C): out = y w A + x B + C per plane (no y: out = x B + C).
 * - rowNormalize(out, x, mean, rstd, w, b): out = (x - mean) rstd w + b per plane.
 * - columnSums(dy, x, mean, rstd): per column k, sum over planes of dy (x - mean) rstd and of dy.
 *
 * Sums accumulate in float64. The wasm kernels (wasm/norm.ts) take float32/float64 data in the
 * heap and split planes (columns for columnSums) over the threads; this file is the reference
 * for every dtype.
 */
import type { Tensor } from '@torchts/core';
import { readAccess, writeAccess } from '../access.js';
import { simdColumnSums, simdPlaneAffine, simdPlaneSums, simdRowNormalize } from '../../wasm/norm.js';

export function planeSums(x: Tensor, y: Tensor | null, w: Tensor | null, shift: Float64Array, P: number, len: number): Float64Array {
  const out = new Float64Array(2 * P);
  if (simdPlaneSums(out, x, y, w, shift, P, len)) return out;
  const X = readAccess(x), Y = y ? readAccess(y) : null, W = w ? readAccess(w) : null;
  for (let p = 0; p < P; p++) {
    const c = shift[p]!;
    const xo = X.off + p * len, yo = Y ? Y.off + p * len : 0;
    // One accumulator per index mod 4 (the wasm kernel's vector lanes), then the tail in order.
    const a1 = [0, 0, 0, 0], a2 = [0, 0, 0, 0];
    const body = len - (len % 4);
    let s1 = 0, s2 = 0;
    for (let k = 0; k < len; k++) {
      const d = X.arr[xo + k]! - c;
      let v = Y ? Y.arr[yo + k]! : d;
      if (W) v *= W.arr[W.off + k]!;
      if (k === body) {
        s1 = (a1[0]! + a1[2]!) + (a1[1]! + a1[3]!);
        s2 = (a2[0]! + a2[2]!) + (a2[1]! + a2[3]!);
      }
      if (k < body) {
        a1[k & 3] += v;
        a2[k & 3] += v * d;
      } else {
        s1 += v;
        s2 += v * d;
      }
    }
    if (body === len) {
      s1 = (a1[0]! + a1[2]!) + (a1[1]! + a1[3]!);
      s2 = (a2[0]! + a2[2]!) + (a2[1]! + a2[3]!);
    }
    out[2 * p] = s1;
    out[2 * p + 1] = s2;
  }
  return out;
}

export function planeAffine(
  out: Tensor, x: Tensor, y: Tensor | null, w: Tensor | null, A: Float64Array, B: Float64Array, C: Float64Array, P: number, len: number,
): void {
  if (simdPlaneAffine(out, x, y, w, A, B, C, P, len)) return;
  const O = writeAccess(out), X = readAccess(x), Y = y ? readAccess(y) : null, W = w ? readAccess(w) : null;
  for (let p = 0; p < P; p++) {
    const a = A[p]!, b = B[p]!, c = C[p]!;
    const oo = O.off + p * len, xo = X.off + p * len, yo = Y ? Y.off + p * len : 0;
    for (let k = 0; k < len; k++) {
      const yw = Y ? Y.arr[yo + k]! * (W ? W.arr[W.off + k]! : 1) * a : 0;
      O.arr[oo + k] = yw + X.arr[xo + k]! * b + c;
    }
  }
  O.commit();
}

export function rowNormalize(
  out: Tensor, x: Tensor, mean: Float64Array, rstd: Float64Array, w: Tensor | null, b: Tensor | null, P: number, len: number,
): void {
  if (simdRowNormalize(out, x, mean, rstd, w, b, P, len)) return;
  const O = writeAccess(out), X = readAccess(x), W = w ? readAccess(w) : null, Bv = b ? readAccess(b) : null;
  for (let p = 0; p < P; p++) {
    const m = mean[p]!, r = rstd[p]!;
    const oo = O.off + p * len, xo = X.off + p * len;
    for (let k = 0; k < len; k++) {
      let v = (X.arr[xo + k]! - m) * r;
      if (W) v *= W.arr[W.off + k]!;
      if (Bv) v += Bv.arr[Bv.off + k]!;
      O.arr[oo + k] = v;
    }
  }
  O.commit();
}

/** [sum over planes of dy (x - mean) rstd, sum over planes of dy], per column. */
export function columnSums(dy: Tensor, x: Tensor, mean: Float64Array, rstd: Float64Array, P: number, len: number): [Float64Array, Float64Array] {
  const dw = new Float64Array(len), db = new Float64Array(len);
  if (simdColumnSums(dw, db, dy, x, mean, rstd, P, len)) return [dw, db];
  const G = readAccess(dy), X = readAccess(x);
  for (let p = 0; p < P; p++) {
    const m = mean[p]!, r = rstd[p]!;
    const go = G.off + p * len, xo = X.off + p * len;
    for (let k = 0; k < len; k++) {
      const g = G.arr[go + k]!;
      dw[k] += g * (X.arr[xo + k]! - m) * r;
      db[k] += g;
    }
  }
  return [dw, db];
}

/** Layer norm's weight and bias gradients (columnSums over its rows), written into dw / db where given. */
export function layerNormParamGrads(
  dw: Tensor | null, db: Tensor | null, dy: Tensor, x: Tensor, mean: Float64Array, rstd: Float64Array, P: number, len: number,
): void {
  const [gw, gb] = columnSums(dy, x, mean, rstd, P, len);
  if (dw) writeF64(dw, gw);
  if (db) writeF64(db, gb);
}

/** Element stride of a contiguous or 1-d tensor (running buffers may be strided vectors). */
const step = (t: Tensor, strides: readonly number[]): number => (t._shape.length === 1 ? strides[0]! : 1);

/** The values of a contiguous or 1-d tensor as float64. */
export function readF64(t: Tensor): Float64Array {
  const a = readAccess(t);
  const s = step(t, a.strides);
  return float64Of(t.numel(), (i) => a.arr[a.off + i * s]!);
}

/**
 * A float64 array of `at(i)` for i < n. (`Float64Array.from({ length }, fn)` takes V8's generic
 * iterable path: 6x slower, ~12 µs for 64 elements — a tenth of a small layer norm.)
 */
export function float64Of(n: number, at: (i: number) => number): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = at(i);
  return a;
}

/** Writes float64 values into a contiguous or 1-d tensor (rounded to its dtype). */
export function writeF64(t: Tensor, values: ArrayLike<number>): void {
  const a = writeAccess(t);
  const s = step(t, a.strides);
  for (let i = 0; i < values.length; i++) a.arr[a.off + i * s] = values[i]!;
  a.commit();
}
