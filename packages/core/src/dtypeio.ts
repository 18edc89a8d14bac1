/**
 * Host element access for every dtype. Storage bytes are PyTorch's layout (little-endian,
 * int64 as 8 bytes, float16/bfloat16 as 2); JS sees them through "host arrays":
 * the native typed array for float32/float64/int32/int16/int8/uint8/bool, an Int32Array of
 * word pairs for int64 (exact up to 2^53) and a Uint16Array of bit patterns for float16/bfloat16.
 */
import type { DType } from './dtype.js';
import { itemsize } from './dtype.js';

export type HostArray =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

/** dtypes whose host array holds the values themselves (no decoding needed). */
export function isNativeDtype(dtype: DType): boolean {
  return dtype !== 'int64' && dtype !== 'float16' && dtype !== 'bfloat16';
}

export function hostArray(buffer: ArrayBufferLike, byteOffset: number, numel: number, dtype: DType): HostArray {
  switch (dtype) {
    case 'float32': return new Float32Array(buffer, byteOffset, numel);
    case 'float64': return new Float64Array(buffer, byteOffset, numel);
    case 'int32': return new Int32Array(buffer, byteOffset, numel);
    case 'int16': return new Int16Array(buffer, byteOffset, numel);
    case 'int8': return new Int8Array(buffer, byteOffset, numel);
    case 'uint8': case 'bool': return new Uint8Array(buffer, byteOffset, numel);
    case 'int64': return new Int32Array(buffer, byteOffset, numel * 2);
    case 'float16': case 'bfloat16': return new Uint16Array(buffer, byteOffset, numel);
  }
}

const TWO32 = 4294967296;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

let halfTable: Float32Array | null = null;
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    let v: number;
    if (exp === 0) v = frac * 2 ** -24;
    else if (exp === 31) v = frac ? NaN : Infinity;
    else v = (1 + frac / 1024) * 2 ** (exp - 15);
    halfTable[h] = sign * v;
  }
  return halfTable;
}

export function halfToFloat(h: number): number {
  return halfToFloatTable()[h]!;
}

/** float -> IEEE half bits, round to nearest even (via float32 first, as PyTorch's c10::Half). */
export function floatToHalf(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

export function bfloat16ToFloat(h: number): number {
  u32[0] = h << 16;
  return f32[0]!;
}

/** float -> bfloat16 bits, round to nearest even; NaN stays NaN. */
export function floatToBfloat16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  if (Number.isNaN(v)) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function getElement(arr: HostArray, dtype: DType, i: number): number {
  switch (dtype) {
    case 'int64': return arr[2 * i + 1]! * TWO32 + (arr[2 * i]! >>> 0);
    case 'float16': return halfToFloatTable()[arr[i]!]!;
    case 'bfloat16': return bfloat16ToFloat(arr[i]!);
    default: return arr[i]!;
  }
}

/** Stores `v` with C++ cast semantics (float -> int truncates, anything -> bool is `!= 0`). */
export function setElement(arr: HostArray, dtype: DType, i: number, v: number): void {
  switch (dtype) {
    case 'bool': arr[i] = v !== 0 ? 1 : 0; return;
    case 'int64': {
      if (!Number.isFinite(v)) { arr[2 * i] = 0; arr[2 * i + 1] = -2147483648; return; }
      const t = Math.trunc(v);
      arr[2 * i] = t | 0;
      arr[2 * i + 1] = Math.floor(t / TWO32);
      return;
    }
    case 'float16': arr[i] = floatToHalf(v); return;
    case 'bfloat16': arr[i] = floatToBfloat16(v); return;
    case 'float32': case 'float64': arr[i] = v; return;
    default: arr[i] = Number.isFinite(v) ? Math.trunc(v) : 0;
  }
}

/** Decodes `count` elements starting at element `start` into a fresh Float64Array. */
export function decodeRange(arr: HostArray, dtype: DType, start: number, count: number): Float64Array {
  const out = new Float64Array(count);
  if (dtype === 'int64') {
    for (let i = 0; i < count; i++) {
      const j = 2 * (start + i);
      out[i] = arr[j + 1]! * TWO32 + (arr[j]! >>> 0);
    }
  } else if (dtype === 'float16') {
    const table = halfToFloatTable();
    for (let i = 0; i < count; i++) out[i] = table[arr[start + i]!]!;
  } else if (dtype === 'bfloat16') {
    for (let i = 0; i < count; i++) out[i] = bfloat16ToFloat(arr[start + i]!);
  } else {
    for (let i = 0; i < count; i++) out[i] = arr[start + i]!;
  }
  return out;
}

/** Encodes `src` into `arr` starting at element `start`, with setElement's cast semantics. */
export function encodeRange(arr: HostArray, dtype: DType, start: number, src: ArrayLike<number>): void {
  const n = src.length;
  if (dtype === 'float32' || dtype === 'float64') {
    for (let i = 0; i < n; i++) arr[start + i] = src[i]!;
  } else {
    for (let i = 0; i < n; i++) setElement(arr, dtype, start + i, src[i]!);
  }
}

export function byteLength(numel: number, dtype: DType): number {
  return numel * itemsize(dtype);
}
