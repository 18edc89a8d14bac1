/**
 * Colour adjustments of torchvision (F.adjust_*, rgb_to_grayscale, invert, solarize, posterize,
 * autocontrast) with its arithmetic: integer images compute in float32 and are truncated back
 * (torchvision's _blend casts without rounding), floats stay in their dtype; results clamp to 0..max.
 */
import { Tensor, ValueError, full, tidy, where, zerosLike } from '@torchts/core';
import { checkChannels, checkImage, getDimensions, isFloat, maxValue, requireDims, requireUint8, workDtype } from './image.js';
import { convertImageDtype } from './dtype.js';

/** ratio * img1 + (1 - ratio) * img2, clamped to the image range, in img1's dtype. */
export function blend(img1: Tensor, img2: Tensor, ratio: number): Tensor {
  const bound = isFloat(img1.dtype) ? 1 : 255;
  // Float math even for integer images and integral ratios (PyTorch's Python-float scalars promote; JS numbers do not).
  const dtype = workDtype(img1);
  return tidy(() => img1.to(dtype).mul(ratio).add(img2.to(dtype).mul(1 - ratio)).clamp(0, bound).to(img1.dtype));
}

function nonNegative(v: number, name: string, op: string): void {
  if (!(v >= 0)) throw new ValueError(`${op}(): ${name} (${v}) is not non-negative.`);
}

/** rgbToGrayscale(img [..., 1 | 3, H, W], numOutputChannels = 1): 0.2989 R + 0.587 G + 0.114 B. */
export function rgbToGrayscale(img: Tensor, numOutputChannels: 1 | 3 = 1): Tensor {
  checkImage(img, 'rgb_to_grayscale', 3);
  checkChannels(img, [1, 3], 'rgb_to_grayscale');
  if (numOutputChannels !== 1 && numOutputChannels !== 3) throw new ValueError('rgb_to_grayscale(): num_output_channels should be either 1 or 3');
  return tidy(() => {
    let l: Tensor;
    if (img.shape[img.dim() - 3] === 3) {
      const [r, g, b] = img.unbind(-3) as [Tensor, Tensor, Tensor];
      l = r.mul(0.2989).add(g.mul(0.587)).add(b.mul(0.114)).to(img.dtype).unsqueeze(-3);
    } else l = img.clone();
    return numOutputChannels === 3 ? l.expand(img.shape as number[]).contiguous() : l;
  });
}

/** adjustBrightness(img, factor): blends with black; 0 gives black, 1 the original. */
export function adjustBrightness(img: Tensor, brightnessFactor: number): Tensor {
  checkImage(img, 'adjust_brightness');
  nonNegative(brightnessFactor, 'brightness_factor', 'adjust_brightness');
  checkChannels(img, [1, 3], 'adjust_brightness');
  return tidy(() => blend(img, zerosLike(img), brightnessFactor));
}

/** adjustContrast(img, factor): blends with the mean gray level of each image. */
export function adjustContrast(img: Tensor, contrastFactor: number): Tensor {
  checkImage(img, 'adjust_contrast', 3);
  nonNegative(contrastFactor, 'contrast_factor', 'adjust_contrast');
  checkChannels(img, [1, 3], 'adjust_contrast');
  return tidy(() => {
    const dtype = workDtype(img);
    const gray = getDimensions(img)[0] === 3 ? rgbToGrayscale(img) : img;
    const mean = gray.to(dtype).mean({ dim: [-3, -2, -1], keepdim: true });
    return blend(img, mean, contrastFactor);
  });
}

/** adjustSaturation(img, factor): blends with the grayscale image; 0 gives gray, 1 the original. */
export function adjustSaturation(img: Tensor, saturationFactor: number): Tensor {
  checkImage(img, 'adjust_saturation', 3);
  nonNegative(saturationFactor, 'saturation_factor', 'adjust_saturation');
  checkChannels(img, [1, 3], 'adjust_saturation');
  if (getDimensions(img)[0] === 1) return img.clone();
  return tidy(() => blend(img, rgbToGrayscale(img), saturationFactor));
}

/** adjustGamma(img, gamma, gain = 1): gain * img^gamma on the 0..1 scale. */
export function adjustGamma(img: Tensor, gamma: number, gain = 1): Tensor {
  checkImage(img, 'adjust_gamma', 3);
  checkChannels(img, [1, 3], 'adjust_gamma');
  if (!(gamma >= 0)) throw new ValueError('adjust_gamma(): gamma should be a non-negative real number');
  return tidy(() => {
    const x = isFloat(img.dtype) ? img : convertImageDtype(img, 'float32');
    return convertImageDtype(x.pow(gamma).mul(gain).clamp(0, 1), img.dtype);
  });
}

/** invert(img): max - img. */
export function invert(img: Tensor): Tensor {
  checkImage(img, 'invert', 3);
  checkChannels(img, [1, 3], 'invert');
  return tidy(() => full([], maxValue(img.dtype), { dtype: img.dtype, device: img.device }).sub(img));
}

/** solarize(img, threshold): inverts the pixels at or above threshold. */
export function solarize(img: Tensor, threshold: number): Tensor {
  checkImage(img, 'solarize', 3);
  checkChannels(img, [1, 3], 'solarize');
  const bound = maxValue(img.dtype);
  if (threshold > bound) throw new TypeError(`solarize(): threshold (${threshold}) should be less than bound of img (${bound})`);
  return tidy(() => where(img.ge(threshold), invert(img), img));
}

/** posterize(img, bits): keeps the top `bits` bits of uint8 values; floats are quantised to 2^bits levels (torchvision v2). */
export function posterize(img: Tensor, bits: number): Tensor {
  checkImage(img, 'posterize', 3);
  checkChannels(img, [1, 3], 'posterize');
  if (!Number.isInteger(bits) || bits < 0 || bits > 8) throw new ValueError(`posterize(): bits should be an integer in [0, 8], got ${bits}`);
  if (isFloat(img.dtype)) {
    const levels = 2 ** bits;
    return tidy(() => img.mul(levels).floor().clamp(0, levels - 1).mul(1 / levels));
  }
  requireUint8(img, 'posterize');
  const mask = (0xff << (8 - bits)) & 0xff;
  return tidy(() => img.bitwiseAnd(full([], mask, { dtype: 'uint8', device: img.device })));
}

/** autocontrast(img): stretches each channel of each image to the full range. */
export function autocontrast(img: Tensor): Tensor {
  checkImage(img, 'autocontrast', 3);
  requireDims(img, 'autocontrast', 3);
  checkChannels(img, [1, 3], 'autocontrast');
  const bound = isFloat(img.dtype) ? 1 : 255;
  return tidy(() => {
    const dtype = workDtype(img);
    const lo = img.amin({ dim: [-2, -1], keepdim: true }).to(dtype);
    const hi = img.amax({ dim: [-2, -1], keepdim: true }).to(dtype);
    // bound / t is t.reciprocal() * bound in PyTorch; the same rounding keeps results exact.
    const scale = hi.sub(lo).reciprocal().mul(bound);
    // Flat channels (max == min) stay as they are.
    const flat = scale.isfinite().logicalNot();
    const lo2 = where(flat, 0, lo);
    const scale2 = where(flat, 1, scale);
    return img.sub(lo2).mul(scale2).clamp(0, bound).to(img.dtype);
  });
}
