/**
 * Colour transforms: ColorJitter, Grayscale, RandomGrayscale, GaussianBlur, and the random
 * one-op transforms (RandomInvert, RandomPosterize, RandomSolarize, RandomAdjustSharpness,
 * RandomAutocontrast, RandomEqualize).
 */
import { ValueError } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import { getDimensions } from './functional/image.js';
import { RandomTransform, Transform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { coin, permutation, uniform } from './random.js';

type Range = number | readonly [number, number];

/** torchvision's ColorJitter._check_input: a number v means [center - v, center + v]; null when it changes nothing. */
function jitterRange(v: Range | undefined, name: string, center: number, bound: [number, number], clipFirstOnZero: boolean): [number, number] | null {
  if (v === undefined) return null;
  let r: [number, number];
  if (typeof v === 'number') {
    if (v < 0) throw new ValueError(`ColorJitter(): if ${name} is a single number, it must be non negative.`);
    r = [center - v, center + v];
    if (clipFirstOnZero) r[0] = Math.max(r[0], 0);
  } else {
    if (v.length !== 2) throw new ValueError(`ColorJitter(): ${name} should be a single number or a list/tuple with length 2.`);
    r = [v[0], v[1]];
  }
  if (!(bound[0] <= r[0] && r[0] <= r[1] && r[1] <= bound[1])) {
    throw new ValueError(`ColorJitter(): ${name} values should be between [${bound.join(', ')}], but got [${r.join(', ')}].`);
  }
  return r[0] === center && r[1] === center ? null : r;
}

export interface ColorJitterOptions extends RandomTransformOptions {
  brightness?: Range;
  contrast?: Range;
  saturation?: Range;
  hue?: Range;
}

export interface ColorJitterParams {
  order: number[];
  brightness: number | null;
  contrast: number | null;
  saturation: number | null;
  hue: number | null;
}

/** ColorJitter({ brightness, contrast, saturation, hue }): the four adjustments with random factors, in random order. */
export class ColorJitter extends RandomTransform {
  readonly brightness: [number, number] | null;
  readonly contrast: [number, number] | null;
  readonly saturation: [number, number] | null;
  readonly hue: [number, number] | null;
  constructor(opts: ColorJitterOptions = {}) {
    super(opts);
    this.brightness = jitterRange(opts.brightness, 'brightness', 1, [0, Infinity], true);
    this.contrast = jitterRange(opts.contrast, 'contrast', 1, [0, Infinity], true);
    this.saturation = jitterRange(opts.saturation, 'saturation', 1, [0, Infinity], true);
    this.hue = jitterRange(opts.hue, 'hue', 0, [-0.5, 0.5], false);
  }

  static getParams(
    brightness: readonly number[] | null, contrast: readonly number[] | null, saturation: readonly number[] | null, hue: readonly number[] | null,
    generator?: Generator | null,
  ): ColorJitterParams {
    const order = permutation(4, generator);
    const draw = (r: readonly number[] | null): number | null => (r ? uniform(r[0]!, r[1]!, generator) : null);
    const b = draw(brightness);
    const c = draw(contrast);
    const s = draw(saturation);
    const h = draw(hue);
    return { order, brightness: b, contrast: c, saturation: s, hue: h };
  }

  /** Applies jitter parameters to an image (what forward does after drawing them). */
  static applyParams(img: Tensor, p: ColorJitterParams): Tensor {
    let x = img;
    for (const id of p.order) {
      let y: Tensor | null = null;
      if (id === 0 && p.brightness !== null) y = F.adjustBrightness(x, p.brightness);
      else if (id === 1 && p.contrast !== null) y = F.adjustContrast(x, p.contrast);
      else if (id === 2 && p.saturation !== null) y = F.adjustSaturation(x, p.saturation);
      else if (id === 3 && p.hue !== null) y = F.adjustHue(x, p.hue);
      if (y) {
        if (x !== img) x.dispose();
        x = y;
      }
    }
    return x;
  }

  forward(img: Tensor): Tensor {
    return ColorJitter.applyParams(img, ColorJitter.getParams(this.brightness, this.contrast, this.saturation, this.hue, this.generator));
  }
}

/** Grayscale(numOutputChannels = 1). */
export class Grayscale extends Transform {
  constructor(readonly numOutputChannels: 1 | 3 = 1) {
    super();
  }
  forward(img: Tensor): Tensor {
    return F.rgbToGrayscale(img, this.numOutputChannels);
  }
}

/** RandomGrayscale(p = 0.1): grayscale with as many channels as the input, with probability p. */
export class RandomGrayscale extends RandomTransform {
  constructor(readonly p = 0.1, opts: RandomTransformOptions = {}) {
    super(opts);
  }
  forward(img: Tensor): Tensor {
    const c = getDimensions(img)[0] as 1 | 3;
    return coin(this.p, this.generator) ? F.rgbToGrayscale(img, c) : img;
  }
}

/** GaussianBlur(kernelSize, sigma = [0.1, 2]): sigma drawn uniformly per call. */
export class GaussianBlur extends RandomTransform {
  readonly kernelSize: [number, number];
  readonly sigma: [number, number];
  constructor(kernelSize: number | readonly number[], sigma: number | readonly [number, number] = [0.1, 2], opts: RandomTransformOptions = {}) {
    super(opts);
    const k = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : [...kernelSize];
    if (k.length !== 2 || !k.every((v) => Number.isInteger(v) && v > 0 && v % 2 === 1)) {
      throw new ValueError('GaussianBlur(): kernel size value should be an odd and positive number.');
    }
    this.kernelSize = [k[0]!, k[1]!];
    const s = typeof sigma === 'number' ? [sigma, sigma] : [...sigma];
    if (!(s[0]! > 0 && s[0]! <= s[1]!)) throw new ValueError('GaussianBlur(): sigma values should be positive and of the form (min, max).');
    this.sigma = [s[0]!, s[1]!];
  }
  static getParams(sigmaMin: number, sigmaMax: number, generator?: Generator | null): number {
    return uniform(sigmaMin, sigmaMax, generator);
  }
  forward(img: Tensor): Tensor {
    const s = GaussianBlur.getParams(this.sigma[0], this.sigma[1], this.generator);
    return F.gaussianBlur(img, this.kernelSize, [s, s]);
  }
}

/** A transform applying `fn` with probability p. */
abstract class RandomOp extends RandomTransform {
  constructor(readonly p: number, opts: RandomTransformOptions) {
    super(opts);
  }
  protected abstract op(img: Tensor): Tensor;
  forward(img: Tensor): Tensor {
    return coin(this.p, this.generator) ? this.op(img) : img;
  }
  override extraRepr(): string {
    return `p=${this.p}`;
  }
}

export class RandomInvert extends RandomOp {
  constructor(p = 0.5, opts: RandomTransformOptions = {}) {
    super(p, opts);
  }
  protected op(img: Tensor): Tensor {
    return F.invert(img);
  }
}

export class RandomPosterize extends RandomOp {
  constructor(readonly bits: number, p = 0.5, opts: RandomTransformOptions = {}) {
    super(p, opts);
  }
  protected op(img: Tensor): Tensor {
    return F.posterize(img, this.bits);
  }
}

export class RandomSolarize extends RandomOp {
  constructor(readonly threshold: number, p = 0.5, opts: RandomTransformOptions = {}) {
    super(p, opts);
  }
  protected op(img: Tensor): Tensor {
    return F.solarize(img, this.threshold);
  }
}

export class RandomAdjustSharpness extends RandomOp {
  constructor(readonly sharpnessFactor: number, p = 0.5, opts: RandomTransformOptions = {}) {
    super(p, opts);
  }
  protected op(img: Tensor): Tensor {
    return F.adjustSharpness(img, this.sharpnessFactor);
  }
}

export class RandomAutocontrast extends RandomOp {
  constructor(p = 0.5, opts: RandomTransformOptions = {}) {
    super(p, opts);
  }
  protected op(img: Tensor): Tensor {
    return F.autocontrast(img);
  }
}

export class RandomEqualize extends RandomOp {
  constructor(p = 0.5, opts: RandomTransformOptions = {}) {
    super(p, opts);
  }
  protected op(img: Tensor): Tensor {
    return F.equalize(img);
  }
}
