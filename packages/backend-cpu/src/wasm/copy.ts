/**
 * Row kernels for copy_ and fill_ (assembly/copy.ts): bit copies of 4- and 8-byte elements (any
 * strides), the conversions uint8/bool -> float32 and float32 <-> float64, contiguous byte copies
 * and fills, for arrays in the heap. V8's TypedArray set() and fill() are 2.4x and 4.4x slower on
 * shared memory than on an ordinary buffer; these run at memmove/memset speed.
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

/** Below this many bytes the TypedArray methods' call costs less than crossing into wasm. */
const MIN_BYTES = 256;

/** o[oOff, oOff + n) = a[aOff, aOff + n) for arrays of one element type; false when not in the heap. */
export function simdCopy(o: NumArray, oOff: number, a: NumArray, aOff: number, n: number): boolean {
  const bytes = n * o.BYTES_PER_ELEMENT;
  const ex = simd();
  if (!ex || bytes < MIN_BYTES || !inHeap(o) || !inHeap(a)) return false;
  ex.copyBytes(o.byteOffset + oOff * o.BYTES_PER_ELEMENT, a.byteOffset + aOff * a.BYTES_PER_ELEMENT, bytes);
  return true;
}

const bits32 = new Uint32Array(2);
const views = { f32: new Float32Array(bits32.buffer), i32: new Int32Array(bits32.buffer), f64: new Float64Array(bits32.buffer) };

/** o[off, off + n) = value, stored as o's element type would store it; false when it does not apply. */
export function simdFill(o: NumArray, off: number, n: number, value: number): boolean {
  const ex = simd();
  const sz = o.BYTES_PER_ELEMENT;
  if (!ex || n * sz < MIN_BYTES || !inHeap(o)) return false;
  const p = o.byteOffset + off * sz;
  if (o instanceof Float32Array) views.f32[0] = value;
  else if (o instanceof Int32Array || o instanceof Uint32Array) views.i32[0] = value;
  else if (o instanceof Float64Array) views.f64[0] = value;
  else if (sz === 1) {
    // The byte the array would store (uint8 wraps, bool is 0/1 by the caller's value).
    const one = new (o.constructor as Uint8ArrayConstructor)(1);
    one[0] = value;
    ex.fillBytes(p, n, one[0]!);
    return true;
  } else return false;
  if (sz === 4) ex.fill32(p, n, bits32[0]!);
  else ex.fill64(p, n, bits32[0]!, bits32[1]!);
  return true;
}
