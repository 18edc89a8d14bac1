/** CenterCrop, RandomCrop, FiveCrop, TenCrop and Pad. */
import { Module } from '@torchts/nn';
import { ValueError } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import type { PaddingMode } from './functional/index.js';
import { getDimensions } from './functional/image.js';
import { pairSize } from './functional/crop.js';
import { RandomTransform, Transform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { randInt } from './random.js';

/** CenterCrop(size): pads with zeros when the image is smaller. */
export class CenterCrop extends Transform {
  readonly size: [number, number];
  constructor(size: number | readonly number[]) {
    super();
    this.size = pairSize(size, 'CenterCrop');
  }
  forward(img: Tensor): Tensor {
    return F.centerCrop(img, this.size);
  }
  override extraRepr(): string {
    return `size=[${this.size.join(', ')}]`;
  }
}

export interface PadTransformOptions {
  fill?: number | readonly number[];
  paddingMode?: PaddingMode;
}

/** Pad(padding, { fill = 0, paddingMode = 'constant' }). */
export class Pad extends Transform {
  constructor(readonly padding: number | readonly number[], readonly opts: PadTransformOptions = {}) {
    super();
    F.parsePadding(padding, 'Pad');
  }
  forward(img: Tensor): Tensor {
    return F.pad(img, this.padding, this.opts);
  }
}

export interface RandomCropOptions extends PadTransformOptions, RandomTransformOptions {
  /** Padding applied before cropping. */
  padding?: number | readonly number[] | null;
  /** Pad images smaller than the crop. */
  padIfNeeded?: boolean;
}

/** RandomCrop(size, { padding, padIfNeeded, fill, paddingMode }). */
export class RandomCrop extends RandomTransform {
  readonly size: [number, number];
  constructor(size: number | readonly number[], readonly opts: RandomCropOptions = {}) {
    super(opts);
    this.size = pairSize(size, 'RandomCrop');
    if (opts.padding !== null && opts.padding !== undefined) F.parsePadding(opts.padding, 'RandomCrop');
  }

  /** [top, left, height, width] of a random crop of `outputSize` (torchvision's get_params). */
  static getParams(img: Tensor, outputSize: readonly [number, number], generator?: Generator | null): [number, number, number, number] {
    const [, h, w] = getDimensions(img);
    const [th, tw] = outputSize;
    if (h < th || w < tw) throw new ValueError(`Required crop size (${th}, ${tw}) is larger than input image size (${h}, ${w})`);
    if (w === tw && h === th) return [0, 0, h, w];
    return [randInt(0, h - th + 1, generator), randInt(0, w - tw + 1, generator), th, tw];
  }

  forward(img: Tensor): Tensor {
    const pad = { fill: this.opts.fill, paddingMode: this.opts.paddingMode };
    let x = img;
    const swap = (y: Tensor): void => {
      if (x !== img) x.dispose();
      x = y;
    };
    if (this.opts.padding !== null && this.opts.padding !== undefined) swap(F.pad(x, this.opts.padding, pad));
    const [, h, w] = getDimensions(x);
    if (this.opts.padIfNeeded && w < this.size[1]) swap(F.pad(x, [this.size[1] - w, 0], pad));
    if (this.opts.padIfNeeded && h < this.size[0]) swap(F.pad(x, [0, this.size[0] - h], pad));
    const [i, j, th, tw] = RandomCrop.getParams(x, this.size, this.generator);
    const out = F.crop(x, i, j, th, tw);
    if (x !== img) x.dispose();
    return out;
  }
  override extraRepr(): string {
    return `size=[${this.size.join(', ')}], padding=${JSON.stringify(this.opts.padding ?? null)}`;
  }
}

/** FiveCrop(size): the four corner crops and the centre crop. */
export class FiveCrop extends Module {
  readonly size: [number, number];
  constructor(size: number | readonly number[]) {
    super();
    this.size = pairSize(size, 'FiveCrop');
  }
  forward(img: Tensor): Tensor[] {
    return F.fiveCrop(img, this.size);
  }
}

/** TenCrop(size, verticalFlip = false): FiveCrop of the image and of its flip. */
export class TenCrop extends Module {
  readonly size: [number, number];
  constructor(size: number | readonly number[], readonly verticalFlip = false) {
    super();
    this.size = pairSize(size, 'TenCrop');
  }
  forward(img: Tensor): Tensor[] {
    return F.tenCrop(img, this.size, this.verticalFlip);
  }
}
