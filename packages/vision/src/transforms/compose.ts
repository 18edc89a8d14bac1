/** Containers: Compose, Lambda, RandomApply, RandomChoice, RandomOrder. */
import { Module } from '@torchts/nn';
import { ValueError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { applyTransform } from './transform.js';
import type { RandomTransformOptions, TransformLike } from './transform.js';
import { permutation, rand1 } from './random.js';

const describe = (t: TransformLike): string => (t instanceof Module ? String(t.constructor.name) : 'function');

/** Compose([t1, t2, ...]): applies the transforms in order; `Compose<I, O>` types its input and output (tensors by default). */
export class Compose<I = Tensor, O = Tensor> extends Module {
  readonly transforms: TransformLike[];
  constructor(transforms: readonly TransformLike[]) {
    super();
    if (!Array.isArray(transforms)) throw new TypeError('Compose(): transforms should be an array of transforms');
    this.transforms = [...transforms];
  }
  forward(x: I): O {
    let y: unknown = x;
    for (const t of this.transforms) y = applyTransform(t, y);
    return y as O;
  }
  override extraRepr(): string {
    return this.transforms.map(describe).join(', ');
  }
}

/** Lambda(fn): a function as a transform. */
export class Lambda<I = Tensor, O = Tensor> extends Module {
  constructor(readonly lambd: (x: I) => O) {
    super();
    if (typeof lambd !== 'function') throw new TypeError(`Lambda(): argument should be callable, got ${typeof lambd}`);
  }
  forward(x: I): O {
    return this.lambd(x);
  }
}

/** RandomApply(transforms, p = 0.5): applies all of them, in order, with probability p. */
export class RandomApply<T = Tensor> extends Module {
  readonly transforms: TransformLike[];
  readonly generator;
  constructor(transforms: readonly TransformLike[], readonly p = 0.5, opts: RandomTransformOptions = {}) {
    super();
    this.transforms = [...transforms];
    this.generator = opts.generator ?? null;
  }
  forward(x: T): T {
    // torchvision: `if self.p < torch.rand(1): return img`.
    if (Math.fround(this.p) < rand1(this.generator)) return x;
    let y = x;
    for (const t of this.transforms) y = applyTransform(t, y);
    return y;
  }
}

/** RandomChoice(transforms, p = uniform): applies one transform picked with probabilities p. */
export class RandomChoice<T = Tensor> extends Module {
  readonly transforms: TransformLike[];
  readonly p: number[];
  readonly generator;
  constructor(transforms: readonly TransformLike[], p: readonly number[] | null = null, opts: RandomTransformOptions = {}) {
    super();
    if (p !== null && p.length !== transforms.length) {
      throw new ValueError(`RandomChoice(): the number of p (${p.length}) and transforms (${transforms.length}) should match`);
    }
    this.transforms = [...transforms];
    const w = p ? [...p] : transforms.map(() => 1);
    const total = w.reduce((a, b) => a + b, 0);
    this.p = w.map((v) => v / total);
    this.generator = opts.generator ?? null;
  }
  forward(x: T): T {
    const u = rand1(this.generator);
    let k = 0;
    for (let acc = this.p[0]!; k < this.p.length - 1 && u >= acc; acc += this.p[++k]!);
    return applyTransform(this.transforms[k]!, x);
  }
}

/** RandomOrder(transforms): applies all of them in a random order. */
export class RandomOrder<T = Tensor> extends Module {
  readonly transforms: TransformLike[];
  readonly generator;
  constructor(transforms: readonly TransformLike[], opts: RandomTransformOptions = {}) {
    super();
    this.transforms = [...transforms];
    this.generator = opts.generator ?? null;
  }
  forward(x: T): T {
    let y = x;
    for (const i of permutation(this.transforms.length, this.generator)) y = applyTransform(this.transforms[i]!, y);
    return y;
  }
}
