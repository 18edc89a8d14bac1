/**
 * Row kernels for copy_ (assembly/copy.ts): bit copies of 4- and 8-byte elements (any strides) and
 * the conversions uint8/bool -> float32 and float32 <-> float64, for arrays in the heap. Returns
 * null when none applies (the TS loop runs then).
 */
import type { NumArray } from '../kernels/access.js';
import { inHeap, simd } from './simd.js';

/** Copies n elements: o[i * os] = convert(a[i * as]); o and a are byte addresses. */
export type RowCopy = (n: number, o: number, os: number, a: number, as: number) => void;

export function simdRowCopy(dst: NumArray, src: NumArray): RowCopy | null {
  const ex = simd();
  if (!ex || !inHeap(dst) || !inHeap(src)) return null;
  if (dst.constructor === src.constructor) {
    if (dst.BYTES_PER_ELEMENT === 4) return ex.copyRow32;
    if (dst.BYTES_PER_ELEMENT === 8) return ex.copyRow64;
    return null;
  }
  if (dst instanceof Float32Array && src instanceof Uint8Array) return ex.convertRowU8F32;
  if (dst instanceof Float64Array && src instanceof Float32Array) return ex.convertRowF32F64;
  if (dst instanceof Float32Array && src instanceof Float64Array) return ex.convertRowF64F32;
  return null;
}
