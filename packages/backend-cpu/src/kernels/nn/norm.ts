/**
 * CPU kernels of native_layer_norm / native_batch_norm / native_group_norm and their backward ops,
 * each a few passes of norm-planes.ts (wasm where it applies). Statistics: one pass of float64
 * sums shifted by each set's first element (see moments). Backward formulas (xhat = (x - mean) rstd, g = dy w):
 *   dx = rstd (g - mean(g) - xhat mean(g xhat)) over the normalised set,
 * written per plane as dx = dy w A + x B + C with per-plane A, B, C.
 */
import type { Tensor } from '@torchts/core';
import { readAccess } from '../access.js';
import { simdLayerNorm, simdLayerNormBackward } from '../../wasm/layer-norm.js';
import { float64Of, layerNormParamGrads, planeAffine, planeSums, readF64, rowNormalize, writeF64 } from './norm-planes.js';

interface Moments {
  mean: Float64Array;
  /** Biased variance (sum of squared deviations / count). */
  variance: Float64Array;
}

/**
 * Mean and biased variance of `groups` sets of `per` planes each (consecutive planes of `len`
 * elements), `count` elements a set: set s holds planes s*per ... s*per+per-1 when `strided` is
 * false, planes n*groups + s (n < per) when true (batch norm's channels).
 *
 * One pass of shifted sums (the shifted-data algorithm): with k = the set's first element,
 * S1 = sum(x - k), S2 = sum((x - k)^2) in float64, mean = k + S1/n, var = S2/n - (S1/n)^2. The
 * variance's relative error is about n * 2^-53 * (1 + (k - mean)^2 / var): below float32's
 * rounding unless the first element is ~10^4 standard deviations from the mean.
 */
function moments(x: Tensor, groups: number, per: number, len: number, strided: boolean): Moments {
  const P = groups * per;
  const setOf = (p: number): number => (strided ? p % groups : Math.floor(p / per));
  const count = per * len;
  const X = readAccess(x);
  const first = (s: number): number => (len === 0 ? 0 : X.arr[X.off + (strided ? s : s * per) * len]!);
  const shift = float64Of(groups, first);
  const sums = planeSums(x, null, null, float64Of(P, (p) => shift[setOf(p)]!), P, len);
  const s1 = new Float64Array(groups), s2 = new Float64Array(groups);
  for (let p = 0; p < P; p++) {
    s1[setOf(p)] += sums[2 * p]!;
    s2[setOf(p)] += sums[2 * p + 1]!;
  }
  const mean = new Float64Array(groups), variance = new Float64Array(groups);
  for (let s = 0; s < groups; s++) {
    const d = s1[s]! / count;
    mean[s] = shift[s]! + d;
    variance[s] = Math.max(0, s2[s]! / count - d * d);
  }
  return { mean, variance };
}

const rsqrt = (v: Float64Array, eps: number): Float64Array => v.map((x) => 1 / Math.sqrt(x + eps));

// ---------------------------------------------------------------- layer norm

export function nativeLayerNormKernel(
  out: Tensor, mean: Tensor, rstd: Tensor, x: Tensor, w: Tensor | null, b: Tensor | null, M: number, K: number, eps: number,
): void {
  if (simdLayerNorm(out, mean, rstd, x, w, b, M, K, eps)) return;
  const m = moments(x, M, 1, K, false);
  const r = rsqrt(m.variance, eps);
  rowNormalize(out, x, m.mean, r, w, b, M, K);
  writeF64(mean, m.mean);
  writeF64(rstd, r);
}

export function nativeLayerNormBackwardKernel(
  dx: Tensor | null, dw: Tensor | null, db: Tensor | null, dy: Tensor, x: Tensor, meanT: Tensor, rstdT: Tensor, w: Tensor | null, M: number, K: number,
): void {
  if (simdLayerNormBackward(dx, dw, db, dy, x, meanT, rstdT, w, M, K)) return;
  const mean = readF64(meanT), r = readF64(rstdT);
  if (dx) {
    const s = planeSums(x, dy, w, mean, M, K);
    const A = new Float64Array(M), B = new Float64Array(M), C = new Float64Array(M);
    for (let p = 0; p < M; p++) {
      const r3 = r[p]! * r[p]! * r[p]! * s[2 * p + 1]! / K;
      A[p] = r[p]!;
      B[p] = -r3;
      C[p] = mean[p]! * r3 - r[p]! * s[2 * p]! / K;
    }
    planeAffine(dx, x, dy, w, A, B, C, M, K);
  }
  if (dw || db) layerNormParamGrads(dw, db, dy, x, mean, r, M, K);
}

// ---------------------------------------------------------------- batch norm

/** Per-plane values of a per-channel array (planes are (n, c), channel-fastest). */
const perPlane = (v: ArrayLike<number>, N: number, C: number): Float64Array => float64Of(N * C, (p) => v[p % C]!);

export function nativeBatchNormKernel(
  out: Tensor, saveMean: Tensor, saveInvstd: Tensor, x: Tensor, w: Tensor | null, b: Tensor | null,
  runningMean: Tensor | null, runningVar: Tensor | null, training: boolean, momentum: number, eps: number, N: number, C: number, HW: number,
): void {
  let mean: Float64Array, invstd: Float64Array;
  if (training) {
    const m = moments(x, C, N, HW, true);
    mean = m.mean;
    invstd = rsqrt(m.variance, eps);
    writeF64(saveMean, mean);
    writeF64(saveInvstd, invstd);
    const count = N * HW;
    if (runningMean) writeF64(runningMean, readF64(runningMean).map((v, c) => (1 - momentum) * v + momentum * mean[c]!));
    if (runningVar) writeF64(runningVar, readF64(runningVar).map((v, c) => (1 - momentum) * v + momentum * m.variance[c]! * count / (count - 1)));
  } else {
    mean = readF64(runningMean!);
    invstd = rsqrt(readF64(runningVar!), eps);
  }
  const gamma = w ? readF64(w) : null, beta = b ? readF64(b) : null;
  const scale = invstd.map((r, c) => r * (gamma ? gamma[c]! : 1));
  const shift = scale.map((s, c) => (beta ? beta[c]! : 0) - mean[c]! * s);
  planeAffine(out, x, null, null, scale, perPlane(scale, N, C), perPlane(shift, N, C), N * C, HW);
}

export function nativeBatchNormBackwardKernel(
  dx: Tensor | null, dw: Tensor | null, db: Tensor | null, dy: Tensor, x: Tensor, w: Tensor | null, meanT: Tensor, varT: Tensor,
  training: boolean, eps: number, N: number, C: number, HW: number,
): void {
  const mean = readF64(meanT);
  const invstd = training ? readF64(varT) : rsqrt(readF64(varT), eps);
  const gamma = w ? readF64(w) : new Float64Array(C).fill(1);
  const P = N * C;
  const sumDy = new Float64Array(C), sumDyXmu = new Float64Array(C);
  if (dw || db || training) {
    const s = planeSums(x, dy, null, perPlane(mean, N, C), P, HW);
    for (let p = 0; p < P; p++) {
      sumDy[p % C] += s[2 * p]!;
      sumDyXmu[p % C] += s[2 * p + 1]!;
    }
  }
  if (dw) writeF64(dw, sumDyXmu.map((v, c) => v * invstd[c]!));
  if (db) writeF64(db, sumDy);
  if (!dx) return;
  const M = N * HW;
  const A = invstd.map((r, c) => r * gamma[c]!);
  const B = new Float64Array(C), Cc = new Float64Array(C);
  if (training) {
    for (let c = 0; c < C; c++) {
      const k = A[c]! * invstd[c]! * invstd[c]! * sumDyXmu[c]! / M;
      B[c] = -k;
      Cc[c] = mean[c]! * k - A[c]! * sumDy[c]! / M;
    }
  }
  planeAffine(dx, x, dy, null, perPlane(A, N, C), perPlane(B, N, C), perPlane(Cc, N, C), P, HW);
}

// ---------------------------------------------------------------- group norm

export function nativeGroupNormKernel(
  out: Tensor, meanT: Tensor, rstdT: Tensor, x: Tensor, w: Tensor | null, b: Tensor | null, N: number, C: number, HW: number, G: number, eps: number,
): void {
  const D = C / G;
  const m = moments(x, N * G, 1, D * HW, false);
  const r = rsqrt(m.variance, eps);
  writeF64(meanT, m.mean);
  writeF64(rstdT, r);
  const gamma = w ? readF64(w) : null, beta = b ? readF64(b) : null;
  const P = N * C;
  const scale = new Float64Array(P), shift = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const c = p % C, s = Math.floor(p / D); // s: the (n, g) group of plane (n, c)
    scale[p] = r[s]! * (gamma ? gamma[c]! : 1);
    shift[p] = (beta ? beta[c]! : 0) - m.mean[s]! * scale[p]!;
  }
  planeAffine(out, x, null, null, scale, scale, shift, P, HW);
}

export function nativeGroupNormBackwardKernel(
  dx: Tensor | null, dw: Tensor | null, db: Tensor | null, dy: Tensor, x: Tensor, meanT: Tensor, rstdT: Tensor, w: Tensor | null,
  N: number, C: number, HW: number, G: number,
): void {
  const D = C / G, P = N * C;
  const mean = readF64(meanT), r = readF64(rstdT);
  const gamma = w ? readF64(w) : new Float64Array(C).fill(1);
  const s = planeSums(x, dy, null, float64Of(P, (p) => mean[Math.floor(p / D)]!), P, HW);
  if (dw) {
    const gw = new Float64Array(C);
    for (let p = 0; p < P; p++) gw[p % C] += r[Math.floor(p / D)]! * s[2 * p + 1]!;
    writeF64(dw, gw);
  }
  if (db) {
    const gb = new Float64Array(C);
    for (let p = 0; p < P; p++) gb[p % C] += s[2 * p]!;
    writeF64(db, gb);
  }
  if (!dx) return;
  const M = D * HW;
  const u = new Float64Array(N * G), v = new Float64Array(N * G);
  for (let p = 0; p < P; p++) {
    const g = Math.floor(p / D), c = p % C;
    u[g] += gamma[c]! * s[2 * p]!;
    v[g] += gamma[c]! * s[2 * p + 1]!;
  }
  const A = new Float64Array(P), B = new Float64Array(P), Cc = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    const g = Math.floor(p / D), rg = r[g]!;
    const k = rg * rg * rg * v[g]! / M;
    A[p] = rg * gamma[p % C]!;
    B[p] = -k;
    Cc[p] = mean[g]! * k - rg * u[g]! / M;
  }
  planeAffine(dx, x, dy, null, A, B, Cc, P, HW);
}
