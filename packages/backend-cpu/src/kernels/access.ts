/**
 * How TS kernels see tensor memory: a numeric array plus an element offset and strides.
 * Native dtypes (float32/64, int32/16/8, uint8, bool) are read and written in place through
 * typed arrays over the shared heap. int64, float16 and bfloat16 are decoded into a Float64Array
 * covering just the span the view touches, and written back the same way (`commit`).
 */
import { decodeRange, encodeRange, isNativeDtype, numelOf } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';

export type NumArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint16Array;

export interface Access {
  arr: NumArray;
  off: number;
  /** Strides broadcast to the iteration shape (0 on broadcast dims). */
  strides: number[];
}

/** Highest element index a view touches, relative to its offset (strides are non-negative). */
export function spanOf(shape: readonly number[], strides: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 0) return -1;
    s += (shape[i]! - 1) * strides[i]!;
  }
  return s;
}

/** Strides of `t` seen with `shape` (right-aligned broadcasting): 0 where t has size 1 or no dim. */
export function broadcastStrides(t: Tensor, shape: readonly number[]): number[] {
  const nd = shape.length;
  const tnd = t._shape.length;
  const out = new Array<number>(nd).fill(0);
  for (let i = 0; i < tnd; i++) {
    const size = t._shape[i]!;
    out[nd - tnd + i] = size === 1 ? 0 : t._strides[i]!;
  }
  return out;
}

export function readAccess(t: Tensor, shape: readonly number[] = t._shape): Access {
  const strides = shape === t._shape ? t._strides : broadcastStrides(t, shape);
  const dtype = t._dtype;
  const host = t._storage.host(dtype);
  if (isNativeDtype(dtype)) return { arr: host, off: t._offset, strides };
  const span = spanOf(t._shape, t._strides);
  return { arr: decodeRange(host, dtype, t._offset, span + 1), off: 0, strides };
}

export function scalarAccess(v: number, ndim: number): Access {
  return { arr: Float64Array.of(v), off: 0, strides: new Array<number>(ndim).fill(0) };
}

export function operandAccess(x: Tensor | number | boolean, shape: readonly number[]): Access {
  if (typeof x === 'number') return scalarAccess(x, shape.length);
  if (typeof x === 'boolean') return scalarAccess(x ? 1 : 0, shape.length);
  return readAccess(x, shape);
}

export interface WriteAccess extends Access {
  /** Writes decoded values back (no-op for native dtypes). */
  commit(): void;
}

/**
 * Write access to `t`. `exactValues` says the kernel produces values already valid for the dtype
 * (0/1 for bool); otherwise bool outputs go through the `!= 0` cast.
 */
export function writeAccess(t: Tensor, exactValues = true): WriteAccess {
  const dtype: DType = t._dtype;
  const host = t._storage.host(dtype);
  if (isNativeDtype(dtype) && (dtype !== 'bool' || exactValues)) {
    return { arr: host, off: t._offset, strides: t._strides, commit: noop };
  }
  const span = spanOf(t._shape, t._strides);
  const tmp = decodeRange(host, dtype, t._offset, span + 1);
  return {
    arr: tmp,
    off: 0,
    strides: t._strides,
    commit: () => encodeRange(host, dtype, t._offset, tmp),
  };
}

function noop(): void {}

export function numel(t: Tensor): number {
  return numelOf(t._shape);
}
