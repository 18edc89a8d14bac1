/** convertImageDtype / toDtype: change an image's dtype, rescaling values to the new range (torchvision's rules). */
import { RuntimeError, tidy } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { checkImage, isFloat, maxValue } from './image.js';

/**
 * convertImageDtype(img, dtype = 'float32'): ints -> floats divide by the int maximum; floats ->
 * ints multiply by (max + 1 - 1e-3) and truncate; ints -> ints shift by the ratio of ranges.
 */
export function convertImageDtype(img: Tensor, dtype: DType = 'float32'): Tensor {
  checkImage(img, 'convert_image_dtype', 0);
  if (img.dtype === dtype) return img.clone();
  return tidy(() => {
    if (isFloat(img.dtype)) {
      if (isFloat(dtype)) return img.to(dtype);
      if ((img.dtype === 'float32' && (dtype === 'int32' || dtype === 'int64')) || (img.dtype === 'float64' && dtype === 'int64')) {
        throw new RuntimeError(`The cast from ${img.dtype} to ${dtype} cannot be performed safely.`);
      }
      return img.mul(maxValue(dtype) + 1 - 1e-3).to(dtype);
    }
    const inMax = maxValue(img.dtype);
    if (isFloat(dtype)) return img.to(dtype).div(inMax);
    const outMax = maxValue(dtype);
    if (inMax > outMax) {
      const factor = Math.floor((inMax + 1) / (outMax + 1));
      return img.div(factor, { roundingMode: 'floor' }).to(dtype);
    }
    const factor = Math.floor((outMax + 1) / (inMax + 1));
    return img.to(dtype).mul(factor);
  });
}

/** torchvision v2's to_dtype: a plain cast, or with `scale` a convertImageDtype. */
export function toDtype(img: Tensor, dtype: DType = 'float32', scale = false): Tensor {
  return scale ? convertImageDtype(img, dtype) : img.to(dtype);
}
