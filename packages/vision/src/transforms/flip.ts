/** RandomHorizontalFlip and RandomVerticalFlip. */
import type { Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import { RandomTransform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { coin } from './random.js';

/** RandomHorizontalFlip(p = 0.5). */
export class RandomHorizontalFlip extends RandomTransform {
  constructor(readonly p = 0.5, opts: RandomTransformOptions = {}) {
    super(opts);
  }
  forward(img: Tensor): Tensor {
    return coin(this.p, this.generator) ? F.hflip(img) : img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

/** RandomVerticalFlip(p = 0.5). */
export class RandomVerticalFlip extends RandomTransform {
  constructor(readonly p = 0.5, opts: RandomTransformOptions = {}) {
    super(opts);
  }
  forward(img: Tensor): Tensor {
    return coin(this.p, this.generator) ? F.vflip(img) : img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}
