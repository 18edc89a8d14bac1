/** RandomRotation, RandomAffine and RandomPerspective. */
import { ValueError } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import type { InterpolationMode } from './functional/index.js';
import { getDimensions, roundHalfEven } from './functional/image.js';
import { RandomTransform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { coin, randInt, uniform } from './random.js';

type Fill = number | readonly number[];

/** A range [min, max] from a number d (meaning [-d, d]) or a pair. */
function symmetricRange(v: number | readonly number[], name: string, op: string): [number, number] {
  if (typeof v === 'number') {
    if (v < 0) throw new ValueError(`${op}(): if ${name} is a single number, it must be positive.`);
    return [-v, v];
  }
  if (v.length !== 2) throw new ValueError(`${op}(): if ${name} is a sequence, it must be of len 2.`);
  return [v[0]!, v[1]!];
}

interface WarpTransformOptions extends RandomTransformOptions {
  interpolation?: InterpolationMode;
  fill?: Fill;
  center?: readonly number[] | null;
}

/** RandomRotation(degrees, { interpolation = 'nearest', expand, center, fill }): angle uniform in the range. */
export class RandomRotation extends RandomTransform {
  readonly degrees: [number, number];
  constructor(degrees: number | readonly number[], readonly opts: WarpTransformOptions & { expand?: boolean } = {}) {
    super(opts);
    this.degrees = symmetricRange(degrees, 'degrees', 'RandomRotation');
  }
  static getParams(degrees: readonly number[], generator?: Generator | null): number {
    return uniform(degrees[0]!, degrees[1]!, generator);
  }
  forward(img: Tensor): Tensor {
    const angle = RandomRotation.getParams(this.degrees, this.generator);
    return F.rotate(img, angle, { interpolation: this.opts.interpolation, expand: this.opts.expand, center: this.opts.center, fill: this.opts.fill ?? 0 });
  }
  override extraRepr(): string {
    return `degrees=[${this.degrees.join(', ')}]`;
  }
}

export interface RandomAffineOptions extends WarpTransformOptions {
  /** Maximum fractions [a, b] of width and height to translate by. */
  translate?: readonly [number, number] | null;
  /** Scale range [min, max]. */
  scale?: readonly [number, number] | null;
  /** Shear range: s (x in [-s, s]), [min, max] (x) or [xmin, xmax, ymin, ymax], in degrees. */
  shear?: number | readonly number[] | null;
}

export interface AffineParams {
  angle: number;
  translate: [number, number];
  scale: number;
  shear: [number, number];
}

/** RandomAffine(degrees, { translate, scale, shear, interpolation, fill, center }). */
export class RandomAffine extends RandomTransform {
  readonly degrees: [number, number];
  readonly translate: readonly [number, number] | null;
  readonly scale: readonly [number, number] | null;
  readonly shear: number[] | null;
  constructor(degrees: number | readonly number[], readonly opts: RandomAffineOptions = {}) {
    super(opts);
    this.degrees = symmetricRange(degrees, 'degrees', 'RandomAffine');
    this.translate = opts.translate ?? null;
    if (this.translate && !this.translate.every((t) => t >= 0 && t <= 1)) {
      throw new ValueError('RandomAffine(): translation values should be between 0 and 1');
    }
    this.scale = opts.scale ?? null;
    if (this.scale && !this.scale.every((s) => s > 0)) throw new ValueError('RandomAffine(): scale values should be positive');
    const sh = opts.shear ?? null;
    if (sh === null) this.shear = null;
    else if (typeof sh === 'number') this.shear = symmetricRange(sh, 'shear', 'RandomAffine');
    else if (sh.length === 2 || sh.length === 4) this.shear = [...sh];
    else throw new ValueError('RandomAffine(): shear should be a number or a sequence of 2 or 4 numbers');
  }

  /** torchvision's get_params, draw for draw; imgSize is [width, height]. */
  static getParams(
    degrees: readonly number[], translate: readonly number[] | null, scaleRange: readonly number[] | null, shears: readonly number[] | null,
    imgSize: readonly [number, number], generator?: Generator | null,
  ): AffineParams {
    const angle = uniform(degrees[0]!, degrees[1]!, generator);
    let tr: [number, number] = [0, 0];
    if (translate) {
      const maxDx = translate[0]! * imgSize[0];
      const maxDy = translate[1]! * imgSize[1];
      tr = [Math.trunc(roundHalfEven(uniform(-maxDx, maxDx, generator))), Math.trunc(roundHalfEven(uniform(-maxDy, maxDy, generator)))];
    }
    const scale = scaleRange ? uniform(scaleRange[0]!, scaleRange[1]!, generator) : 1;
    const shear: [number, number] = [0, 0];
    if (shears) {
      shear[0] = uniform(shears[0]!, shears[1]!, generator);
      if (shears.length === 4) shear[1] = uniform(shears[2]!, shears[3]!, generator);
    }
    return { angle, translate: tr, scale, shear };
  }

  forward(img: Tensor): Tensor {
    const [, h, w] = getDimensions(img);
    const p = RandomAffine.getParams(this.degrees, this.translate, this.scale, this.shear, [w, h], this.generator);
    return F.affine(img, p.angle, p.translate, p.scale, p.shear, { interpolation: this.opts.interpolation, fill: this.opts.fill ?? 0, center: this.opts.center });
  }
  override extraRepr(): string {
    return `degrees=[${this.degrees.join(', ')}]`;
  }
}

export interface RandomPerspectiveOptions extends RandomTransformOptions {
  distortionScale?: number;
  p?: number;
  interpolation?: InterpolationMode;
  fill?: Fill;
}

/** RandomPerspective({ distortionScale = 0.5, p = 0.5, interpolation = 'bilinear', fill = 0 }). */
export class RandomPerspective extends RandomTransform {
  readonly distortionScale: number;
  readonly p: number;
  constructor(readonly opts: RandomPerspectiveOptions = {}) {
    super(opts);
    this.distortionScale = opts.distortionScale ?? 0.5;
    this.p = opts.p ?? 0.5;
    if (!(this.distortionScale >= 0 && this.distortionScale <= 1)) throw new ValueError('RandomPerspective(): distortion_scale should be in [0, 1]');
  }

  /** [startpoints, endpoints] (corners TL, TR, BR, BL), torchvision's get_params draw for draw. */
  static getParams(width: number, height: number, distortionScale: number, generator?: Generator | null): [number[][], number[][]] {
    const hw = Math.trunc(distortionScale * Math.floor(width / 2));
    const hh = Math.trunc(distortionScale * Math.floor(height / 2));
    const r = (lo: number, hi: number): number => randInt(lo, hi, generator);
    const topleft = [r(0, hw + 1), r(0, hh + 1)];
    const topright = [r(width - hw - 1, width), r(0, hh + 1)];
    const botright = [r(width - hw - 1, width), r(height - hh - 1, height)];
    const botleft = [r(0, hw + 1), r(height - hh - 1, height)];
    return [[[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], [topleft, topright, botright, botleft]];
  }

  forward(img: Tensor): Tensor {
    if (!coin(this.p, this.generator)) return img;
    const [, h, w] = getDimensions(img);
    const [start, end] = RandomPerspective.getParams(w, h, this.distortionScale, this.generator);
    return F.perspective(img, start, end, { interpolation: this.opts.interpolation ?? 'bilinear', fill: this.opts.fill ?? 0 });
  }
}
