/**
 * Scans along one dim: cumsum, cumprod (accumulated in float64, as PyTorch's CPU kernels
 * accumulate in double), cummax/cummin and logcumsumexp. `out` may alias `input` (the in-place
 * forms): every element is read before its slot is written.
 */
import type { Tensor } from '@torchts/core';
import { writeAccess } from '../access.js';
import { readFloat } from './read.js';
import { forEachLine } from './plan.js';

function accumulateKernel(multiply: boolean) {
  return (out: Tensor, input: Tensor, dim: number): void => {
    const w = writeAccess(out, false);
    const r = readFloat(input);
    const O = w.arr, A = r.arr;
    forEachLine(input._shape, dim, [r.strides, w.strides], [r.off, w.off], (offs, n, ls) => {
      const sa = ls[0]!, so = ls[1]!;
      let acc = multiply ? 1 : 0;
      for (let i = 0, ia = offs[0]!, io = offs[1]!; i < n; i++, ia += sa, io += so) {
        acc = multiply ? acc * A[ia]! : acc + A[ia]!;
        O[io] = acc;
      }
    });
    w.commit();
  };
}

export const cumsumKernel = accumulateKernel(false);
export const cumprodKernel = accumulateKernel(true);

/** A NaN, or a value >= (cummax) / <= (cummin) the running one, takes over with its index. */
function extremumKernel(isMax: boolean) {
  return (values: Tensor, indices: Tensor, input: Tensor, dim: number): void => {
    const wv = writeAccess(values);
    const wi = writeAccess(indices);
    const r = readFloat(input);
    const V = wv.arr, I = wi.arr, A = r.arr;
    forEachLine(input._shape, dim, [r.strides, wv.strides, wi.strides], [r.off, wv.off, wi.off], (offs, n, ls) => {
      const sa = ls[0]!, sv = ls[1]!, si = ls[2]!;
      let best = A[offs[0]!]!;
      let bi = 0;
      for (let i = 0, ia = offs[0]!, iv = offs[1]!, ii = offs[2]!; i < n; i++, ia += sa, iv += sv, ii += si) {
        const x = A[ia]!;
        if (x !== x || (isMax ? x >= best : x <= best)) {
          best = x;
          bi = i;
        }
        V[iv] = best;
        I[ii] = bi;
      }
    });
    wv.commit();
    wi.commit();
  };
}

export const cummaxKernel = extremumKernel(true);
export const cumminKernel = extremumKernel(false);

/** PyTorch's _log_add_exp_helper(x, y), with std::min/std::max's NaN behaviour. */
function logAddExp(x: number, y: number): number {
  const lo = y !== y ? y : y < x ? y : x;
  const hi = y !== y ? y : x < y ? y : x;
  if (lo !== hi || Number.isFinite(lo)) return Math.log1p(Math.exp(lo - hi)) + hi;
  return x;
}

export function logcumsumexpKernel(out: Tensor, input: Tensor, dim: number): void {
  const w = writeAccess(out);
  const r = readFloat(input);
  const O = w.arr, A = r.arr;
  forEachLine(input._shape, dim, [r.strides, w.strides], [r.off, w.off], (offs, n, ls) => {
    const sa = ls[0]!, so = ls[1]!;
    let acc = -Infinity;
    for (let i = 0, ia = offs[0]!, io = offs[1]!; i < n; i++, ia += sa, io += so) {
      acc = logAddExp(A[ia]!, acc);
      O[io] = acc;
    }
  });
  w.commit();
}
