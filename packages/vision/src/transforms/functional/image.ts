/**
 * Shared checks and conversions of the functional transforms. Images are tensors [..., C, H, W]
 * (or [H, W]) of uint8 or a float dtype, as in torchvision; integer images hold 0..max of their
 * dtype, float images 0..1.
 */
import { Tensor, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';

export function checkImage(img: unknown, op: string, minDims = 2): asserts img is Tensor {
  if (!(img instanceof Tensor)) throw new TypeError(`${op}(): img should be a Tensor. Got ${typeof img}`);
  if (img.dim() < minDims) {
    throw new TypeError(`${op}(): input image tensor should have at least ${minDims} dimensions, but found ${img.dim()} (shape [${img.shape.join(', ')}])`);
  }
}

/** [C, H, W] of an image (C = 1 for a 2-D image), torchvision's get_dimensions. */
export function getDimensions(img: Tensor): [number, number, number] {
  checkImage(img, 'get_dimensions');
  const s = img.shape;
  return [img.dim() === 2 ? 1 : s[s.length - 3]!, s[s.length - 2]!, s[s.length - 1]!];
}

export function checkChannels(img: Tensor, allowed: readonly number[], op: string): void {
  const c = getDimensions(img)[0];
  if (!allowed.includes(c)) {
    throw new TypeError(`${op}(): input image tensor permitted channel values are [${allowed.join(', ')}], but found ${c} (shape [${img.shape.join(', ')}])`);
  }
}

export const isFloat = (dtype: DType): boolean => dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';

/** The value of full intensity: 1 for floats, the dtype's maximum for integers. */
export function maxValue(dtype: DType): number {
  switch (dtype) {
    case 'uint8': return 255;
    case 'int8': return 127;
    case 'int16': return 32767;
    case 'int32': return 2147483647;
    case 'int64': return 2 ** 63 - 1;
    case 'bool': return 1;
    default: return 1;
  }
}

/** The float dtype computations on `img` run in: its own if float, else float32 (torchvision's rule). */
export const workDtype = (img: Tensor): DType => (isFloat(img.dtype) ? img.dtype : 'float32');

/**
 * Runs `fn` on `img` viewed as an NCHW batch (cast to float32 for integer images unless
 * `float: false`) and returns its result in `img`'s dtype (integers rounded and clamped to
 * `clampMax` first, as torchvision's _cast_squeeze_out) and leading shape. `fn` may change C, H, W.
 * Intermediates are freed (tidy).
 */
export function onBatch(img: Tensor, fn: (x: Tensor) => Tensor, opts: { float?: boolean; clampMax?: number } = {}): Tensor {
  return tidy(() => {
    const lead = img.shape.slice(0, -3);
    const [c, h, w] = getDimensions(img);
    const dtype = img.dtype;
    const cast = (opts.float ?? true) && !isFloat(dtype);
    const batch = img.reshape([-1, c, h, w]);
    let out = fn(cast ? batch.to('float32') : batch);
    if (cast) {
      if (opts.clampMax !== undefined) out = out.clamp(0, opts.clampMax);
      out = out.round().to(dtype);
    }
    const [, oc, oh, ow] = out.shape as [number, number, number, number];
    return out.reshape(img.dim() === 2 ? [oh, ow] : [...lead, oc, oh, ow]);
  });
}

/** A tensor argument that must be an image, with the op's name in the error. */
export function requireDims(img: Tensor, op: string, min: number, max = Infinity): void {
  if (img.dim() < min || img.dim() > max) {
    const range = max === Infinity ? `at least ${min}` : min === max ? `${min}` : `${min} to ${max}`;
    throw new TypeError(`${op}(): input image tensor should have ${range} dimensions, but found ${img.dim()} (shape [${img.shape.join(', ')}])`);
  }
}

export const requireUint8 = (img: Tensor, op: string): void => {
  if (img.dtype !== 'uint8') throw new TypeError(`${op}(): only uint8 image tensors are supported, but found ${img.dtype}`);
};

/** Python's round(): halves to even (torchvision rounds crop offsets and sizes with it). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
