/**
 * The transform classes are nn.Modules, so `t.call(img)` is PyTorch's `t(img)` (hooks included);
 * anything with a `call` method, or a plain function, composes with them (`applyTransform`).
 */
import { Module } from '@torchts/nn';
import type { Generator, Tensor } from '@torchts/core';

/** A transform: a function, or an object (a Module) with `call`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TransformLike<I = any, O = any> = ((x: I) => O) | { call(x: I): O };

/** Applies a function or a callable object (a transform Module) to `x`. */
export function applyTransform<I, O>(t: (x: I) => O, x: I): O;
export function applyTransform<I, O>(t: TransformLike<I, O>, x: I): O;
export function applyTransform<I, O>(t: TransformLike<I, O>, x: I): O {
  if (typeof t === 'function') return t(x);
  if (t !== null && typeof t === 'object' && typeof t.call === 'function') return t.call(x);
  throw new TypeError(`applyTransform(): expected a function or an object with a call method, got ${t === null ? 'null' : typeof t}`);
}

/** Options every random transform takes: the generator to draw from (default: torch's default generator). */
export interface RandomTransformOptions {
  generator?: Generator | null;
}

/** Base of the image transforms: forward(img) -> img. */
export abstract class Transform extends Module {
  abstract override forward(img: Tensor): Tensor;
}

/** Base of the random transforms: the generator they draw from. */
export abstract class RandomTransform extends Transform {
  generator: Generator | null;
  constructor(opts: RandomTransformOptions = {}) {
    super();
    this.generator = opts.generator ?? null;
  }
}
