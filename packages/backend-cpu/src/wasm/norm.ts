/**
 * The normalisation passes (kernels/nn/norm-planes.ts) through the WebAssembly kernels
 * (assembly/norm.ts) for float32/float64 tensors (contiguous, as the ops pass them), split over
 * the threads by planes (columns for columnSums); each returns false where it does not apply.
 * Per-plane float64 parameters go in and sums come out through one heap scratch block.
 */
import type { Tensor } from '@torchts/core';
import { heap } from '../device.js';
import { runSplit } from './parallel.js';
import { simd } from './simd.js';

/** Elements one thread should get at least (a few microseconds of work). */
const MIN_ELEMENTS_PER_THREAD = 16384;

type Suffix = 'F32' | 'F64';

/** The kernel suffix when every tensor is float32 (or every one float64), else null. */
export function suffixOf(...ts: (Tensor | null)[]): Suffix | null {
  if (!simd()) return null;
  const dtype = ts[0]!._dtype;
  if (dtype !== 'float32' && dtype !== 'float64') return null;
  return ts.every((t) => !t || t._dtype === dtype) ? (dtype === 'float32' ? 'F32' : 'F64') : null;
}

export const addr = (t: Tensor | null): number => (t ? t._storage.ptr + t._offset * (t._dtype === 'float32' ? 4 : 8) : 0);
const flagsOf = (y: Tensor | null, w: Tensor | null, b: Tensor | null = null): number => (y ? 1 : 0) | (w ? 2 : 0) | (b ? 4 : 0);

/** Copies float64 arrays into one scratch block; returns their addresses and the block's end. */
function stage(arrays: Float64Array[], extra = 0): { ptrs: number[]; end: number } {
  const total = arrays.reduce((n, a) => n + a.length, 0) + extra;
  const base = heap.scratch('norm.params', Math.max(8, total * 8));
  const ptrs: number[] = [];
  let at = base;
  for (const a of arrays) {
    new Float64Array(heap.heapBuffer, at, a.length).set(a);
    ptrs.push(at);
    at += a.length * 8;
  }
  return { ptrs, end: at };
}

export const minPlanes = (len: number): number => Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, len));

export function simdPlaneSums(out: Float64Array, x: Tensor, y: Tensor | null, w: Tensor | null, shift: Float64Array, P: number, len: number): boolean {
  const sfx = suffixOf(x, y, w);
  if (!sfx) return false;
  const { ptrs: [s], end } = stage([shift], 2 * P);
  const sz = x._dtype === 'float32' ? 4 : 8;
  const xp = addr(x), yp = addr(y), wp = addr(w), flags = flagsOf(y, w);
  runSplit(`planeSums${sfx}`, { items: P, minItems: minPlanes(len) }, (a, b) => [
    xp + a * len * sz, y ? yp + a * len * sz : 0, wp, s! + a * 8, end + a * 16, b - a, len, flags,
  ]);
  out.set(new Float64Array(heap.heapBuffer, end, 2 * P));
  return true;
}

export function simdPlaneAffine(
  out: Tensor, x: Tensor, y: Tensor | null, w: Tensor | null, A: Float64Array, B: Float64Array, C: Float64Array, P: number, len: number,
): boolean {
  const sfx = suffixOf(out, x, y, w);
  if (!sfx) return false;
  const { ptrs: [a, b, c] } = stage([A, B, C]);
  const sz = x._dtype === 'float32' ? 4 : 8;
  const op = addr(out), xp = addr(x), yp = addr(y), wp = addr(w), flags = flagsOf(y, w);
  runSplit(`planeAffine${sfx}`, { items: P, minItems: minPlanes(len) }, (s, e) => [
    op + s * len * sz, xp + s * len * sz, y ? yp + s * len * sz : 0, wp, a! + s * 8, b! + s * 8, c! + s * 8, e - s, len, flags,
  ]);
  return true;
}

export function simdRowNormalize(
  out: Tensor, x: Tensor, mean: Float64Array, rstd: Float64Array, w: Tensor | null, b: Tensor | null, P: number, len: number,
): boolean {
  const sfx = suffixOf(out, x, w, b);
  if (!sfx) return false;
  const { ptrs: [m, r] } = stage([mean, rstd]);
  const sz = x._dtype === 'float32' ? 4 : 8;
  const op = addr(out), xp = addr(x), wp = addr(w), bp = addr(b), flags = flagsOf(null, w, b);
  runSplit(`rowNormalize${sfx}`, { items: P, minItems: minPlanes(len) }, (s, e) => [
    op + s * len * sz, xp + s * len * sz, m! + s * 8, r! + s * 8, wp, bp, e - s, len, flags,
  ]);
  return true;
}

export function simdColumnSums(
  dw: Float64Array, db: Float64Array, dy: Tensor, x: Tensor, mean: Float64Array, rstd: Float64Array, P: number, len: number,
): boolean {
  const sfx = suffixOf(dy, x);
  if (!sfx) return false;
  const { ptrs: [m, r], end } = stage([mean, rstd], 2 * len);
  const sz = x._dtype === 'float32' ? 4 : 8;
  const gp = addr(dy), xp = addr(x), wOut = end, bOut = end + len * 8;
  runSplit(`columnSums${sfx}`, { items: len, minItems: Math.ceil(MIN_ELEMENTS_PER_THREAD / Math.max(1, P)), align: 4 }, (s, e) => [
    gp + s * sz, xp + s * sz, m!, r!, wOut + s * 8, bOut + s * 8, P, len, e - s,
  ]);
  dw.set(new Float64Array(heap.heapBuffer, wOut, len));
  db.set(new Float64Array(heap.heapBuffer, bOut, len));
  return true;
}
