/**
 * Batches across threads. Tensors travel as {dtype, shape, bytes} with `bytes` a transferred
 * ArrayBuffer (moved, not copied), and are rebuilt on the receiving side with one copy into that
 * thread's heap. Arrays, plain objects and Maps are walked; everything else is structured-cloned.
 */
import { Tensor, contiguousBytes, emptyTensor } from '@torchts/core';
import type { DType } from '@torchts/core';
import { isPlainObject } from './values.js';

const TAG = '__torchtsTensor';

interface EncodedTensor {
  [TAG]: true;
  dtype: DType;
  shape: number[];
  bytes: ArrayBuffer;
}

/** Replaces tensors by transferable records; pushes their buffers onto `transfer`. `owned` collects the tensors met. */
export function encode(value: unknown, transfer: ArrayBuffer[], owned: Tensor[]): unknown {
  if (value instanceof Tensor) {
    const bytes = contiguousBytes(value);
    // contiguousBytes returns a fresh copy; slice only if it does not span its whole buffer.
    const buffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
    transfer.push(buffer);
    owned.push(value);
    return { [TAG]: true, dtype: value.dtype, shape: [...value.shape], bytes: buffer } satisfies EncodedTensor;
  }
  if (Array.isArray(value)) return value.map((v) => encode(v, transfer, owned));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, encode(v, transfer, owned)]));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, transfer, owned)]));
  return value;
}

export function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, decode(v)]));
  if (isPlainObject(value)) {
    if (value[TAG] === true) {
      const { dtype, shape, bytes } = value as unknown as EncodedTensor;
      const t = emptyTensor(shape, dtype);
      if (bytes.byteLength > 0) t._storage.backend.writeBytes(t._storage, 0, new Uint8Array(bytes));
      return t;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}
