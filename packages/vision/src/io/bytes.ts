/** Conversions between 1-D uint8 tensors (torchvision's byte buffers) and Node buffers. */
import { RuntimeError, Tensor, contiguousBytes, fromTypedArray } from '@torchts/core';

/** The bytes of a 1-D uint8 tensor, checked as torchvision checks its decoders' input. */
export function tensorBytes(input: Tensor, op: string): Uint8Array {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor, not ${typeof input}`);
  if (input.dtype !== 'uint8') throw new RuntimeError(`${op}(): expected a uint8 tensor, got ${input.dtype}`);
  if (input.dim() !== 1) throw new RuntimeError(`${op}(): expected a one dimensional tensor, got ${input.dim()} dimensions [${input.shape.join(', ')}]`);
  if (input.numel() === 0) throw new RuntimeError(`${op}(): expected a non empty tensor`);
  return contiguousBytes(input);
}

/** A 1-D uint8 tensor copying `bytes`. */
export function bytesTensor(bytes: Uint8Array): Tensor {
  return fromTypedArray(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), [bytes.byteLength], { dtype: 'uint8' });
}
