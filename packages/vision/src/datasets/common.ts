/**
 * What every dataset here shares: transforms (applied by transforms.applyTransform: a function, or
 * anything with `call` such as an nn Module or a transforms.Compose), index checks with PyTorch's
 * message, the no-download rule, and uint8 tensors made from raw bytes without a per-element loop.
 */
import * as torch from '@torchts/core';
import { IndexError, RuntimeError, type Tensor } from '@torchts/core';

import type { TransformLike } from '../transforms/transform.js';

export { applyTransform } from '../transforms/transform.js';
export type { TransformLike } from '../transforms/transform.js';

/** Options shared by the datasets that read fixed files. */
export interface VisionDatasetOptions<I, T> {
  /** Applied to the image tensor (uint8, CHW) of each item. */
  transform?: TransformLike<Tensor, I>;
  /** Applied to the integer target of each item. */
  targetTransform?: TransformLike<number, T>;
  /** torchts never downloads: `true` throws. */
  download?: boolean;
}

export function refuseDownload(dataset: string, where: string): void {
  throw new RuntimeError(
    `${dataset}: download=true is not supported: torchts never downloads datasets. ` +
      `Fetch the files yourself and place them ${where}.`,
  );
}

/** A Python-style index (negative counts from the end) checked against the dataset's length. */
export function checkIndex(index: number, length: number): number {
  if (!Number.isInteger(index)) throw new TypeError(`dataset indices must be integers, got ${index}`);
  const i = index < 0 ? index + length : index;
  if (i < 0 || i >= length) throw new IndexError(`index ${index} is out of bounds for dimension 0 with size ${length}`);
  return i;
}

/** A fresh uint8 tensor holding `bytes` (copied) with the given shape. */
export function uint8Tensor(bytes: Uint8Array, shape: number[]): Tensor {
  const t = torch.empty(shape, { dtype: 'uint8' });
  (torch.asTypedArray(t) as Uint8Array).set(bytes);
  return t;
}

/** An int64 tensor of class indices. */
export function int64Tensor(values: ArrayLike<number>): Tensor {
  return torch.fromTypedArray(Int32Array.from(values), [values.length], { dtype: 'int64' });
}

/** `{ name: index }` for a class list, as torchvision's `class_to_idx`. */
export function classToIdxOf(classes: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  classes.forEach((c, i) => (out[c] = i));
  return out;
}

/** Splits `(root?, options?)` / `(options?)` constructor arguments. */
export function rootAndOptions<O extends object>(rootOrOptions: string | O | undefined, options: O | undefined): { root: string | undefined; opts: O } {
  if (typeof rootOrOptions === 'string') return { root: rootOrOptions, opts: options ?? ({} as O) };
  if (rootOrOptions !== undefined && options !== undefined) throw new TypeError('expected (root, options) or (options), got two options objects');
  return { root: (rootOrOptions as { root?: string } | undefined)?.root, opts: rootOrOptions ?? options ?? ({} as O) };
}
