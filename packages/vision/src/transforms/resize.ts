/** Resize and RandomResizedCrop. */
import { ValueError } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import type { InterpolationMode } from './functional/index.js';
import { getDimensions, roundHalfEven } from './functional/image.js';
import { pairSize } from './functional/crop.js';
import { RandomTransform, Transform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { drawBox, randInt } from './random.js';

export interface ResizeTransformOptions {
  interpolation?: InterpolationMode;
  maxSize?: number | null;
  antialias?: boolean;
}

/** Resize(size, { interpolation = 'bilinear', maxSize, antialias = true }). */
export class Resize extends Transform {
  constructor(readonly size: number | readonly number[], readonly opts: ResizeTransformOptions = {}) {
    super();
    // Validates size and maxSize now rather than at the first image.
    F.resizedOutputSize(1, 1, size, opts.maxSize ?? null);
  }
  forward(img: Tensor): Tensor {
    return F.resize(img, this.size, this.opts);
  }
  override extraRepr(): string {
    return `size=${JSON.stringify(this.size)}, interpolation=${this.opts.interpolation ?? 'bilinear'}, max_size=${this.opts.maxSize ?? null}, antialias=${this.opts.antialias ?? true}`;
  }
}

export interface RandomResizedCropOptions extends ResizeTransformOptions, RandomTransformOptions {
  /** Range of the crop's area relative to the image's (default [0.08, 1]). */
  scale?: readonly [number, number];
  /** Range of the crop's aspect ratio w / h (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
}

/** RandomResizedCrop(size, { scale, ratio, interpolation, antialias }): a random crop resized to `size`. */
export class RandomResizedCrop extends RandomTransform {
  readonly size: [number, number];
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];
  constructor(size: number | readonly number[], readonly opts: RandomResizedCropOptions = {}) {
    super(opts);
    this.size = pairSize(size, 'RandomResizedCrop');
    this.scale = opts.scale ?? [0.08, 1];
    this.ratio = opts.ratio ?? [3 / 4, 4 / 3];
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) {
      throw new ValueError('RandomResizedCrop(): scale and ratio should be of kind (min, max)');
    }
  }

  /** [top, left, height, width] of a random crop (torchvision's get_params, draw for draw). */
  static getParams(img: Tensor, scale: readonly number[], ratio: readonly number[], generator?: Generator | null): [number, number, number, number] {
    const [, height, width] = getDimensions(img);
    for (let attempt = 0; attempt < 10; attempt++) {
      const [w, h] = drawBox(height * width, scale, ratio, generator);
      if (w > 0 && w <= width && h > 0 && h <= height) {
        const i = randInt(0, height - h + 1, generator);
        const j = randInt(0, width - w + 1, generator);
        return [i, j, h, w];
      }
    }
    // Fall back to a central crop of the nearest allowed aspect ratio.
    const inRatio = width / height;
    let w = width;
    let h = height;
    if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
    else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
    return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
  }

  forward(img: Tensor): Tensor {
    const [i, j, h, w] = RandomResizedCrop.getParams(img, this.scale, this.ratio, this.generator);
    return F.resizedCrop(img, i, j, h, w, this.size, this.opts);
  }
  override extraRepr(): string {
    return `size=[${this.size.join(', ')}], scale=[${this.scale.join(', ')}], ratio=[${this.ratio.join(', ')}]`;
  }
}
