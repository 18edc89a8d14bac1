/**
 * AutoAugment (Cubuk et al.), RandAugment (Cubuk et al.) and TrivialAugmentWide (Müller & Hutter)
 * with torchvision's policies, magnitude bins and draw order. Float images are accepted too:
 * Solarize thresholds scale to the dtype's range and Posterize / Equalize work as in torchvision v2.
 */
import { arange, linspace, rand, randint, tidy } from '@torchts/core';
import type { Generator, Tensor } from '@torchts/core';
import * as F from './functional/index.js';
import type { InterpolationMode } from './functional/index.js';
import { getDimensions, isFloat, maxValue } from './functional/image.js';
import { RandomTransform } from './transform.js';
import type { RandomTransformOptions } from './transform.js';
import { randInt } from './random.js';

export type AugmentOp =
  | 'Identity' | 'ShearX' | 'ShearY' | 'TranslateX' | 'TranslateY' | 'Rotate' | 'Brightness' | 'Color' | 'Contrast'
  | 'Sharpness' | 'Posterize' | 'Solarize' | 'AutoContrast' | 'Equalize' | 'Invert';

/** Applies one augmentation op with its magnitude (torchvision's _apply_op). */
export function applyOp(img: Tensor, op: AugmentOp, magnitude: number, interpolation: InterpolationMode, fill: number[] | null): Tensor {
  const warp = { interpolation, fill };
  const deg = (m: number): number => (Math.atan(m) * 180) / Math.PI;
  switch (op) {
    case 'ShearX': return F.affine(img, 0, [0, 0], 1, [deg(magnitude), 0], { ...warp, center: [0, 0] });
    case 'ShearY': return F.affine(img, 0, [0, 0], 1, [0, deg(magnitude)], { ...warp, center: [0, 0] });
    case 'TranslateX': return F.affine(img, 0, [Math.trunc(magnitude), 0], 1, [0, 0], warp);
    case 'TranslateY': return F.affine(img, 0, [0, Math.trunc(magnitude)], 1, [0, 0], warp);
    case 'Rotate': return F.rotate(img, magnitude, warp);
    case 'Brightness': return F.adjustBrightness(img, 1 + magnitude);
    case 'Color': return F.adjustSaturation(img, 1 + magnitude);
    case 'Contrast': return F.adjustContrast(img, 1 + magnitude);
    case 'Sharpness': return F.adjustSharpness(img, 1 + magnitude);
    case 'Posterize': return F.posterize(img, Math.trunc(magnitude));
    case 'Solarize': return F.solarize(img, isFloat(img.dtype) ? (magnitude * maxValue(img.dtype)) / 255 : magnitude);
    case 'AutoContrast': return F.autocontrast(img);
    case 'Equalize': return isFloat(img.dtype) ? equalizeFloat(img) : F.equalize(img);
    case 'Invert': return F.invert(img);
    case 'Identity': return img.clone();
    default: throw new TypeError(`The provided operator ${op as string} is not recognized.`);
  }
}

function equalizeFloat(img: Tensor): Tensor {
  return tidy(() => F.convertImageDtype(F.equalize(F.convertImageDtype(img, 'uint8')), img.dtype));
}

/** Magnitude bins of one op (null for ops without magnitude) and whether its sign is random. */
type Space = Map<AugmentOp, { magnitudes: number[] | null; signed: boolean }>;

const lin = (a: number, b: number, n: number): number[] => tidy(() => linspace(a, b, n).tolist() as number[]);
const posterizeBins = (n: number, spread: number): number[] =>
  tidy(() => (arange(n).div((n - 1) / spread).round().to('int32').tolist() as number[]).map((v) => 8 - v));

/** The ops shared by the three policies' spaces, in torchvision's order. */
function space(numBins: number, [w, h]: [number, number], wide: boolean, identity: boolean): Space {
  const s: Space = new Map();
  if (identity) s.set('Identity', { magnitudes: null, signed: false });
  const shear = wide ? 0.99 : 0.3;
  s.set('ShearX', { magnitudes: lin(0, shear, numBins), signed: true });
  s.set('ShearY', { magnitudes: lin(0, shear, numBins), signed: true });
  s.set('TranslateX', { magnitudes: lin(0, wide ? 32 : (150 / 331) * w, numBins), signed: true });
  s.set('TranslateY', { magnitudes: lin(0, wide ? 32 : (150 / 331) * h, numBins), signed: true });
  s.set('Rotate', { magnitudes: lin(0, wide ? 135 : 30, numBins), signed: true });
  for (const op of ['Brightness', 'Color', 'Contrast', 'Sharpness'] as const) s.set(op, { magnitudes: lin(0, wide ? 0.99 : 0.9, numBins), signed: true });
  s.set('Posterize', { magnitudes: posterizeBins(numBins, wide ? 6 : 4), signed: false });
  s.set('Solarize', { magnitudes: lin(255, 0, numBins), signed: false });
  s.set('AutoContrast', { magnitudes: null, signed: false });
  s.set('Equalize', { magnitudes: null, signed: false });
  return s;
}

interface AugmentOptions extends RandomTransformOptions {
  /** 'nearest' (default) or 'bilinear', for the geometric ops. */
  interpolation?: InterpolationMode;
  /** Fill of the geometric ops (default none: zeros without blending). */
  fill?: number | readonly number[] | null;
}

function fillFor(fill: number | readonly number[] | null | undefined, img: Tensor): number[] | null {
  if (fill === null || fill === undefined) return null;
  return typeof fill === 'number' ? Array(getDimensions(img)[0]).fill(fill) : [...fill];
}

export type AutoAugmentPolicy = 'imagenet' | 'cifar10' | 'svhn';
/** torchvision.transforms.AutoAugmentPolicy. */
export const AutoAugmentPolicy = { IMAGENET: 'imagenet', CIFAR10: 'cifar10', SVHN: 'svhn' } as const;

type Step = [AugmentOp, number, number | null];
type Policy = [Step, Step];
const P = (a: AugmentOp, pa: number, ma: number | null, b: AugmentOp, pb: number, mb: number | null): Policy => [[a, pa, ma], [b, pb, mb]];

const POLICIES: Record<AutoAugmentPolicy, Policy[]> = {
  imagenet: [
    P('Posterize', 0.4, 8, 'Rotate', 0.6, 9), P('Solarize', 0.6, 5, 'AutoContrast', 0.6, null), P('Equalize', 0.8, null, 'Equalize', 0.6, null),
    P('Posterize', 0.6, 7, 'Posterize', 0.6, 6), P('Equalize', 0.4, null, 'Solarize', 0.2, 4), P('Equalize', 0.4, null, 'Rotate', 0.8, 8),
    P('Solarize', 0.6, 3, 'Equalize', 0.6, null), P('Posterize', 0.8, 5, 'Equalize', 1.0, null), P('Rotate', 0.2, 3, 'Solarize', 0.6, 8),
    P('Equalize', 0.6, null, 'Posterize', 0.4, 6), P('Rotate', 0.8, 8, 'Color', 0.4, 0), P('Rotate', 0.4, 9, 'Equalize', 0.6, null),
    P('Equalize', 0.0, null, 'Equalize', 0.8, null), P('Invert', 0.6, null, 'Equalize', 1.0, null), P('Color', 0.6, 4, 'Contrast', 1.0, 8),
    P('Rotate', 0.8, 8, 'Color', 1.0, 2), P('Color', 0.8, 8, 'Solarize', 0.8, 7), P('Sharpness', 0.4, 7, 'Invert', 0.6, null),
    P('ShearX', 0.6, 5, 'Equalize', 1.0, null), P('Color', 0.4, 0, 'Equalize', 0.6, null), P('Equalize', 0.4, null, 'Solarize', 0.2, 4),
    P('Solarize', 0.6, 5, 'AutoContrast', 0.6, null), P('Invert', 0.6, null, 'Equalize', 1.0, null), P('Color', 0.6, 4, 'Contrast', 1.0, 8),
    P('Equalize', 0.8, null, 'Equalize', 0.6, null),
  ],
  cifar10: [
    P('Invert', 0.1, null, 'Contrast', 0.2, 6), P('Rotate', 0.7, 2, 'TranslateX', 0.3, 9), P('Sharpness', 0.8, 1, 'Sharpness', 0.9, 3),
    P('ShearY', 0.5, 8, 'TranslateY', 0.7, 9), P('AutoContrast', 0.5, null, 'Equalize', 0.9, null), P('ShearY', 0.2, 7, 'Posterize', 0.3, 7),
    P('Color', 0.4, 3, 'Brightness', 0.6, 7), P('Sharpness', 0.3, 9, 'Brightness', 0.7, 9), P('Equalize', 0.6, null, 'Equalize', 0.5, null),
    P('Contrast', 0.6, 7, 'Sharpness', 0.6, 5), P('Color', 0.7, 7, 'TranslateX', 0.5, 8), P('Equalize', 0.3, null, 'AutoContrast', 0.4, null),
    P('TranslateY', 0.4, 3, 'Sharpness', 0.2, 6), P('Brightness', 0.9, 6, 'Color', 0.2, 8), P('Solarize', 0.5, 2, 'Invert', 0.0, null),
    P('Equalize', 0.2, null, 'AutoContrast', 0.6, null), P('Equalize', 0.2, null, 'Equalize', 0.6, null), P('Color', 0.9, 9, 'Equalize', 0.6, null),
    P('AutoContrast', 0.8, null, 'Solarize', 0.2, 8), P('Brightness', 0.1, 3, 'Color', 0.7, 0), P('Solarize', 0.4, 5, 'AutoContrast', 0.9, null),
    P('TranslateY', 0.9, 9, 'TranslateY', 0.7, 9), P('AutoContrast', 0.9, null, 'Solarize', 0.8, 3), P('Equalize', 0.8, null, 'Invert', 0.1, null),
    P('TranslateY', 0.7, 9, 'AutoContrast', 0.9, null),
  ],
  svhn: [
    P('ShearX', 0.9, 4, 'Invert', 0.2, null), P('ShearY', 0.9, 8, 'Invert', 0.7, null), P('Equalize', 0.6, null, 'Solarize', 0.6, 6),
    P('Invert', 0.9, null, 'Equalize', 0.6, null), P('Equalize', 0.6, null, 'Rotate', 0.9, 3), P('ShearX', 0.9, 4, 'AutoContrast', 0.8, null),
    P('ShearY', 0.9, 8, 'Invert', 0.4, null), P('ShearY', 0.9, 5, 'Solarize', 0.2, 6), P('Invert', 0.9, null, 'AutoContrast', 0.8, null),
    P('Equalize', 0.6, null, 'Rotate', 0.9, 3), P('ShearX', 0.9, 4, 'Solarize', 0.3, 3), P('ShearY', 0.8, 8, 'Invert', 0.7, null),
    P('Equalize', 0.9, null, 'TranslateY', 0.6, 6), P('Invert', 0.9, null, 'Equalize', 0.6, null), P('Contrast', 0.3, 3, 'Rotate', 0.8, 4),
    P('Invert', 0.8, null, 'TranslateY', 0.0, 2), P('ShearY', 0.7, 6, 'Solarize', 0.4, 8), P('Invert', 0.6, null, 'Rotate', 0.8, 4),
    P('ShearY', 0.3, 7, 'TranslateX', 0.9, 3), P('ShearX', 0.1, 6, 'Invert', 0.6, null), P('Solarize', 0.7, 2, 'TranslateY', 0.6, 7),
    P('ShearY', 0.8, 4, 'Invert', 0.8, null), P('ShearX', 0.7, 9, 'TranslateY', 0.8, 3), P('ShearY', 0.8, 5, 'AutoContrast', 0.7, null),
    P('ShearX', 0.7, 2, 'Invert', 0.1, null),
  ],
};

/** Applies ops in turn, disposing the intermediate images. */
function chain(img: Tensor, steps: Array<[AugmentOp, number]>, interpolation: InterpolationMode, fill: number[] | null): Tensor {
  let x = img;
  for (const [op, m] of steps) {
    const y = applyOp(x, op, m, interpolation, fill);
    if (x !== img) x.dispose();
    x = y;
  }
  return x === img ? img.clone() : x;
}

/** AutoAugment(policy = 'imagenet', { interpolation, fill }): one of the policy's sub-policies per call. */
export class AutoAugment extends RandomTransform {
  readonly policies: Policy[];
  constructor(readonly policy: AutoAugmentPolicy = 'imagenet', readonly opts: AugmentOptions = {}) {
    super(opts);
    const p = POLICIES[policy];
    if (!p) throw new TypeError(`The provided policy ${String(policy)} is not recognized.`);
    this.policies = p;
  }

  /** [policy index, the two sub-step probabilities, the two signs] (torchvision's get_params). */
  static getParams(transformNum: number, generator?: Generator | null): [number, number[], number[]] {
    const g = generator ? { generator } : {};
    const id = randInt(0, transformNum, generator);
    const probs = tidy(() => rand([2], g).tolist() as number[]);
    const signs = tidy(() => (randint(2, [2], g).tolist() as number[]).map(Number));
    return [id, probs, signs];
  }

  forward(img: Tensor): Tensor {
    const [, h, w] = getDimensions(img);
    const [id, probs, signs] = AutoAugment.getParams(this.policies.length, this.generator);
    const meta = space(10, [w, h], false, false);
    const steps: Array<[AugmentOp, number]> = [];
    this.policies[id]!.forEach(([op, p, mag], i) => {
      if (probs[i]! > Math.fround(p)) return;
      // Invert is not in the space: it takes no magnitude.
      const { magnitudes, signed } = meta.get(op) ?? { magnitudes: null, signed: false };
      let m = mag !== null && magnitudes ? magnitudes[mag]! : 0;
      if (signed && signs[i] === 0) m = -m;
      steps.push([op, m]);
    });
    return chain(img, steps, this.opts.interpolation ?? 'nearest', fillFor(this.opts.fill, img));
  }
  override extraRepr(): string {
    return `policy=${this.policy}`;
  }
}

export interface RandAugmentOptions extends AugmentOptions {
  numOps?: number;
  magnitude?: number;
  numMagnitudeBins?: number;
}

/** RandAugment({ numOps = 2, magnitude = 9, numMagnitudeBins = 31, interpolation, fill }). */
export class RandAugment extends RandomTransform {
  readonly numOps: number;
  readonly magnitude: number;
  readonly numMagnitudeBins: number;
  constructor(readonly opts: RandAugmentOptions = {}) {
    super(opts);
    this.numOps = opts.numOps ?? 2;
    this.magnitude = opts.magnitude ?? 9;
    this.numMagnitudeBins = opts.numMagnitudeBins ?? 31;
    if (!(this.magnitude >= 0 && this.magnitude < this.numMagnitudeBins)) {
      throw new RangeError(`RandAugment(): magnitude ${this.magnitude} should be in [0, ${this.numMagnitudeBins})`);
    }
  }
  forward(img: Tensor): Tensor {
    const [, h, w] = getDimensions(img);
    const meta = space(this.numMagnitudeBins, [w, h], false, true);
    const names = [...meta.keys()];
    const steps: Array<[AugmentOp, number]> = [];
    for (let k = 0; k < this.numOps; k++) {
      const op = names[randInt(0, names.length, this.generator)]!;
      const { magnitudes, signed } = meta.get(op)!;
      let m = magnitudes ? magnitudes[this.magnitude]! : 0;
      if (signed && randInt(0, 2, this.generator)) m = -m;
      steps.push([op, m]);
    }
    return chain(img, steps, this.opts.interpolation ?? 'nearest', fillFor(this.opts.fill, img));
  }
}

/** TrivialAugmentWide({ numMagnitudeBins = 31, interpolation, fill }): one op with a random magnitude per call. */
export class TrivialAugmentWide extends RandomTransform {
  readonly numMagnitudeBins: number;
  constructor(readonly opts: AugmentOptions & { numMagnitudeBins?: number } = {}) {
    super(opts);
    this.numMagnitudeBins = opts.numMagnitudeBins ?? 31;
  }
  forward(img: Tensor): Tensor {
    const [, h, w] = getDimensions(img);
    const meta = space(this.numMagnitudeBins, [w, h], true, true);
    const names = [...meta.keys()];
    const op = names[randInt(0, names.length, this.generator)]!;
    const { magnitudes, signed } = meta.get(op)!;
    let m = magnitudes ? magnitudes[randInt(0, magnitudes.length, this.generator)]! : 0;
    if (signed && randInt(0, 2, this.generator)) m = -m;
    return chain(img, [[op, m]], this.opts.interpolation ?? 'nearest', fillFor(this.opts.fill, img));
  }
}

