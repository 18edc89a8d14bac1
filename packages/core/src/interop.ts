/**
 * Tensor <-> JS typed arrays.
 * - `toTypedArray()` copies the elements (row-major, any layout, any device) into a fresh typed
 *   array of the dtype's JS type: float32 -> Float32Array, float64 -> Float64Array, int32 ->
 *   Int32Array, int64 -> BigInt64Array (exact), int16/int8 -> Int16Array/Int8Array, uint8 and
 *   bool -> Uint8Array (bool as 0/1), float16/bfloat16 -> Float32Array (decoded; JS has no
 *   half-precision array).
 * - `asTypedArray()` is zero-copy: a typed array over the tensor's own memory, for contiguous CPU
 *   tensors of a dtype JS can view (not float16/bfloat16). It aliases the tensor — writes go both
 *   ways — and must not be used after the tensor (and every view of its storage) is disposed: the
 *   allocator hands that memory to the next tensor. It lives on the CPU heap's SharedArrayBuffer.
 * - `dataSync()` is `toTypedArray()`; `await data()` gives the same, asynchronously (devices whose
 *   memory needs a transfer to be read make it truly asynchronous).
 */
import type { DType } from './dtype.js';
import { itemsize } from './dtype.js';
import { RuntimeError } from './errors.js';
import { decodeRange, hostArray } from './dtypeio.js';
import { Tensor } from './tensor.js';
import { contiguous } from './ops/copy.js';

export type TypedArray = Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | BigInt64Array;

/** A fresh copy of the tensor's elements in row-major order, as little-endian bytes. */
export function contiguousBytes(t: Tensor): Uint8Array {
  const isz = itemsize(t._dtype);
  const n = t.numel();
  const c = t.isContiguous() ? t : contiguous(t);
  try {
    const s = c._storage;
    if (s.buffer) return new Uint8Array(s.buffer, s.ptr + c._offset * isz, n * isz).slice();
    return s.backend.readBytes(s, c._offset * isz, n * isz);
  } finally {
    if (c !== t) c.dispose();
  }
}

/** The typed array (over `bytes`, no copy) that holds `dtype` elements as toTypedArray returns them. */
export function typedArrayFromBytes(bytes: Uint8Array, dtype: DType): TypedArray {
  const n = bytes.byteLength / itemsize(dtype);
  // Typed arrays need element-aligned offsets; a device readback might hand out any slice.
  if (bytes.byteOffset % itemsize(dtype) !== 0) bytes = bytes.slice();
  const { buffer, byteOffset } = bytes;
  switch (dtype) {
    case 'int64': return new BigInt64Array(buffer, byteOffset, n);
    case 'float16': case 'bfloat16': return Float32Array.from(decodeRange(hostArray(buffer, byteOffset, n, dtype), dtype, 0, n));
    default: return hostArray(buffer, byteOffset, n, dtype) as TypedArray;
  }
}

export function toTypedArray(t: Tensor): TypedArray {
  return typedArrayFromBytes(contiguousBytes(t), t._dtype);
}

/** The elements as doubles, row-major (int64 beyond 2^53 rounds). */
export function readNumbers(t: Tensor): Float64Array {
  let bytes = contiguousBytes(t);
  if (bytes.byteOffset % itemsize(t._dtype) !== 0) bytes = bytes.slice();
  const n = t.numel();
  return decodeRange(hostArray(bytes.buffer, bytes.byteOffset, n, t._dtype), t._dtype, 0, n);
}

export function asTypedArray(t: Tensor): TypedArray {
  if (t.isDisposed) throw new RuntimeError('asTypedArray(): the tensor has been disposed');
  const s = t._storage;
  if (!s.buffer) {
    throw new RuntimeError(`asTypedArray(): the tensor is on device '${t.device}', whose memory JS cannot view; use toTypedArray() or await data() (they copy)`);
  }
  if (!t.isContiguous()) {
    throw new RuntimeError('asTypedArray(): the tensor is not contiguous; call .contiguous() first, or use toTypedArray() (which copies)');
  }
  if (t._dtype === 'float16' || t._dtype === 'bfloat16') {
    throw new RuntimeError(`asTypedArray(): ${t._dtype} has no JS typed array; use toTypedArray() (decodes to Float32Array) or view the bits with .view('int16')`);
  }
  const byteOffset = s.ptr + t._offset * itemsize(t._dtype);
  const n = t.numel();
  if (t._dtype === 'int64') return new BigInt64Array(s.buffer, byteOffset, n);
  return hostArray(s.buffer, byteOffset, n, t._dtype) as TypedArray;
}

declare module './tensor.js' {
  interface Tensor {
    /** A copy of the elements in a typed array of the dtype's JS type (float16/bfloat16 decode to Float32Array, int64 is a BigInt64Array). */
    toTypedArray(): TypedArray;
    /** A zero-copy typed array over this contiguous CPU tensor's memory; invalid after dispose(). */
    asTypedArray(): TypedArray;
    /** Same as toTypedArray(). */
    dataSync(): TypedArray;
    /** toTypedArray(), as a Promise (asynchronous readback on devices that need it). */
    data(): Promise<TypedArray>;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.toTypedArray = function (this: Tensor) {
  return toTypedArray(this);
};
proto.asTypedArray = function (this: Tensor) {
  return asTypedArray(this);
};
proto.dataSync = function (this: Tensor) {
  return toTypedArray(this);
};
proto.data = async function (this: Tensor) {
  return toTypedArray(this);
};
