/** resize: torchvision's F.resize on tensors through nn.functional.interpolate (antialias included). */
import { ValueError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { functional as nnF } from '@torchts/nn';
import { checkImage, getDimensions, onBatch } from './image.js';
import { checkInterpolation } from './interpolation.js';
import type { InterpolationMode } from './interpolation.js';

export interface ResizeOptions {
  interpolation?: InterpolationMode;
  /** Longest edge bound when `size` gives the shorter edge. */
  maxSize?: number | null;
  /**
   * Antialias when downsampling with bilinear / bicubic (ignored for nearest). Default true, as
   * torchvision >= 0.17; torchvision 0.14 defaulted to false for tensors.
   */
  antialias?: boolean;
}

/** An int (or [int]) sizes the shorter edge keeping the aspect ratio; [h, w] is the exact size. */
export type SizeArg = number | readonly number[];

/** torchvision's _compute_resized_output_size: [newH, newW]. */
export function resizedOutputSize(h: number, w: number, size: SizeArg, maxSize: number | null = null): [number, number] {
  const s = typeof size === 'number' ? [size] : [...size];
  if (s.length === 0 || s.length > 2 || !s.every((v) => Number.isInteger(v) && v > 0)) {
    throw new ValueError(`resize(): size must be a positive int or a sequence of one or two positive ints, got [${s.join(', ')}]`);
  }
  if (s.length === 2) {
    if (maxSize !== null) {
      throw new ValueError('max_size should only be passed if size specifies the length of the smaller edge, i.e. size should be an int or a sequence of length 1');
    }
    return [s[0]!, s[1]!];
  }
  const [short, long] = w <= h ? [w, h] : [h, w];
  const requested = s[0]!;
  let newShort = requested;
  let newLong = Math.trunc((requested * long) / short);
  if (maxSize !== null) {
    if (maxSize <= requested) {
      throw new ValueError(`max_size = ${maxSize} must be strictly greater than the requested size for the smaller edge size = ${requested}`);
    }
    if (newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  }
  return w <= h ? [newLong, newShort] : [newShort, newLong];
}

/** resize(img [..., C, H, W], size, { interpolation = 'bilinear', maxSize, antialias = true }). */
export function resize(img: Tensor, size: SizeArg, opts: ResizeOptions = {}): Tensor {
  checkImage(img, 'resize');
  const mode = checkInterpolation(opts.interpolation ?? 'bilinear', 'resize');
  const [, h, w] = getDimensions(img);
  const [oh, ow] = resizedOutputSize(h, w, size, opts.maxSize ?? null);
  const smooth = mode === 'bilinear' || mode === 'bicubic';
  const antialias = smooth && (opts.antialias ?? true);
  return onBatch(
    img,
    (x) => nnF.interpolate(x, { size: [oh, ow], mode, alignCorners: smooth ? false : null, antialias }),
    { clampMax: mode === 'bicubic' ? 255 : undefined },
  );
}
