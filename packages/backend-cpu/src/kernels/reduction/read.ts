/**
 * Read access for the reduction kernels whose array is always a Float32Array or a Float64Array:
 * other dtypes are converted into a Float64Array covering the view's span. The hot loops then
 * see at most two array kinds; a V8 load site that has seen many typed-array kinds goes
 * megamorphic and runs about ten times slower for every dtype afterwards (measured: a float32
 * sum went from 2 ms to 40 ms per 1M elements once bool and int8 tensors had been summed).
 */
import { decodeRange, isNativeDtype } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import type { Access } from '../access.js';
import { readAccess, spanOf } from '../access.js';

export function readFloat(t: Tensor): Access {
  const dtype = t._dtype;
  if (dtype === 'float32' || dtype === 'float64') return readAccess(t);
  const count = spanOf(t._shape, t._strides) + 1;
  const host = t._storage.host(dtype);
  let arr: Float64Array;
  if (isNativeDtype(dtype)) {
    // TypedArray.prototype.set converts natively, without a per-element JS loop.
    arr = new Float64Array(count);
    arr.set(host.subarray(t._offset, t._offset + count));
  } else arr = decodeRange(host, dtype, t._offset, count);
  return { arr, off: 0, strides: t._strides };
}
