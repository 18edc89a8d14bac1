/** RandomErasing: blanks a random rectangle (Zhong et al., "Random Erasing Data Augmentation"). */
import { ValueError, empty, tensor } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import { RandomTransform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { coin, drawBox, randInt } from './random.js';

export interface RandomErasingOptions extends RandomTransformOptions {
  p?: number;
  /** Range of the erased area relative to the image's (default [0.02, 0.33]). */
  scale?: readonly [number, number];
  /** Range of the erased rectangle's aspect ratio (default [0.3, 3.3]). */
  ratio?: readonly [number, number];
  /** Erasing value: a number, one per channel, or 'random' (standard normal noise). Default 0. */
  value?: number | readonly number[] | 'random';
  inplace?: boolean;
}

/** [i, j, h, w, v] of an erasure, or the whole image and the image itself when no rectangle fits after 10 tries. */
export type ErasingParams = [number, number, number, number, Tensor];

/** RandomErasing({ p = 0.5, scale, ratio, value = 0, inplace }) on [..., C, H, W] tensors. */
export class RandomErasing extends RandomTransform {
  readonly p: number;
  readonly scale: readonly [number, number];
  readonly ratio: readonly [number, number];
  readonly value: number | readonly number[] | 'random';
  readonly inplace: boolean;
  constructor(opts: RandomErasingOptions = {}) {
    super(opts);
    this.p = opts.p ?? 0.5;
    this.scale = opts.scale ?? [0.02, 0.33];
    this.ratio = opts.ratio ?? [0.3, 3.3];
    this.value = opts.value ?? 0;
    this.inplace = opts.inplace ?? false;
    if (typeof this.value === 'string' && this.value !== 'random') {
      throw new ValueError(`RandomErasing(): if value is str, it should be 'random', got '${this.value}'`);
    }
    if (this.scale[0] > this.scale[1] || this.ratio[0] > this.ratio[1]) throw new ValueError('RandomErasing(): scale and ratio should be of kind (min, max)');
    if (this.scale[0] < 0 || this.scale[1] > 1) throw new ValueError('RandomErasing(): scale should be between 0 and 1');
    if (!(this.p >= 0 && this.p <= 1)) throw new ValueError('RandomErasing(): random erasing probability should be between 0 and 1');
  }

  /** torchvision's get_params, draw for draw; `value` null means random normal values. */
  static getParams(img: Tensor, scale: readonly number[], ratio: readonly number[], value: readonly number[] | null, generator?: Generator | null): ErasingParams {
    const s = img.shape;
    const [c, H, W] = [s[s.length - 3]!, s[s.length - 2]!, s[s.length - 1]!];
    for (let attempt = 0; attempt < 10; attempt++) {
      const [h, w] = drawBox(H * W, scale, ratio, generator);
      if (!(h < H && w < W)) continue;
      const v = value === null ? empty([c, h, w], { device: img.device }).normal_(0, 1, generator ? { generator } : {}) : tensor([...value], { device: img.device }).reshape([-1, 1, 1]);
      const i = randInt(0, H - h + 1, generator);
      const j = randInt(0, W - w + 1, generator);
      return [i, j, h, w, v];
    }
    return [0, 0, H, W, img];
  }

  forward(img: Tensor): Tensor {
    if (!coin(this.p, this.generator)) return img;
    const c = img.shape[img.dim() - 3]!;
    const value = this.value === 'random' ? null : typeof this.value === 'number' ? [this.value] : [...this.value];
    if (value && value.length !== 1 && value.length !== c) {
      throw new ValueError(`RandomErasing(): if value is a sequence, it should have either a single value or ${c} (number of input channels)`);
    }
    const [i, j, h, w, v] = RandomErasing.getParams(img, this.scale, this.ratio, value, this.generator);
    if (v === img) return img;
    const out = F.erase(img, i, j, h, w, v, this.inplace);
    v.dispose();
    return out;
  }
}
