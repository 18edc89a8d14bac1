/**
 * Joining tensors: cat (concat, concatenate), stack, hstack, vstack, dstack.
 *
 * cat follows PyTorch 1.13: inputs are promoted to their common dtype (result_type), and legacy
 * empty 1-D tensors (shape [0]) are skipped whatever the other inputs' rank. It is an op (autograd
 * gives it its own derivative) whose implementation copies each input into a narrowed view of
 * the output with the device's copy_ kernel, so every backend with copy_ has cat.
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { fmtShape, shapeEqual, wrapDim } from '../../shape.js';
import { resultType } from '../../promotion.js';
import { Tensor, emptyTensor, makeView } from '../../tensor.js';
import { copyOp } from '../copy.js';
import { reshape, unsqueezeOp } from '../view.js';
import { deviceOf } from '../elementwise/define.js';

type DimArg = number | { dim?: number };

function dimOf(arg: DimArg | undefined, dflt = 0): number {
  if (arg === undefined) return dflt;
  if (typeof arg === 'number') return arg;
  return arg.dim ?? dflt;
}

function tensorList(name: string, tensors: unknown): Tensor[] {
  if (!Array.isArray(tensors)) {
    throw new TypeError(`${name}(): argument 'tensors' must be a list of Tensors, not ${tensors instanceof Tensor ? 'Tensor' : typeof tensors}`);
  }
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`${name}(): expected Tensor as element ${i} in argument 0, but got ${t === null ? 'null' : typeof t}`);
  });
  return tensors as Tensor[];
}

/** PyTorch's legacy rule: 1-D tensors of size 0 take no part in cat. */
function skipped(t: Tensor): boolean {
  return t._shape.length === 1 && t._shape[0] === 0;
}

export const catOp = defineOp('cat', (tensors: Tensor[], dim: number): Tensor => {
  if (tensors.length === 0) throw new RuntimeError('torch.cat(): expected a non-empty list of Tensors');
  tensors.forEach((t, i) => {
    if (t._shape.length === 0) throw new RuntimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const dtype = resultType(...tensors);
  const device = deviceOf(tensors);
  const refIndex = tensors.findIndex((t) => !skipped(t));
  if (refIndex < 0) return emptyTensor([0], dtype, device);
  const ref = tensors[refIndex]!;
  const nd = ref._shape.length;
  const d = wrapDim(dim, nd);
  const shape = [...ref._shape];
  shape[d] = 0;
  tensors.forEach((t, i) => {
    if (skipped(t)) return;
    if (t._shape.length !== nd) throw new RuntimeError(`Tensors must have same number of dimensions: got ${nd} and ${t._shape.length}`);
    for (let k = 0; k < nd; k++) {
      if (k !== d && t._shape[k] !== ref._shape[k]) {
        throw new RuntimeError(`Sizes of tensors must match except in dimension ${d}. Expected size ${ref._shape[k]} but got size ${t._shape[k]} for tensor number ${i} in the list.`);
      }
    }
    shape[d]! += t._shape[d]!;
  });
  const out = emptyTensor(shape, dtype, device);
  if (out.numel() === 0) return out;
  const copy = copyOp.kernel(device);
  let offset = 0;
  for (const t of tensors) {
    if (skipped(t) || t._shape[d] === 0) continue;
    const part = [...shape];
    part[d] = t._shape[d]!;
    const view = makeView(out, part, [...out._strides], offset * out._strides[d]!);
    copy(view, t);
    view.dispose();
    offset += t._shape[d]!;
  }
  return out;
});

export function cat(tensors: Tensor[], dim?: DimArg): Tensor {
  return catOp.call(tensorList('cat', tensors), dimOf(dim));
}
export const concat = cat;
export const concatenate = cat;

export function stack(tensors: Tensor[], dim?: DimArg): Tensor {
  const list = tensorList('stack', tensors);
  if (list.length === 0) throw new RuntimeError('stack expects a non-empty TensorList');
  const first = list[0]!;
  list.forEach((t, i) => {
    if (!shapeEqual(t._shape, first._shape)) {
      throw new RuntimeError(`stack expects each tensor to be equal size, but got ${fmtShape(first._shape)} at entry 0 and ${fmtShape(t._shape)} at entry ${i}`);
    }
  });
  const d = wrapDim(dimOf(dim), first._shape.length + 1);
  const parts = list.map((t) => unsqueezeOp.call(t, d));
  const out = catOp.call(parts, d);
  parts.forEach((p) => p.dispose());
  return out;
}

/** atleast_{1,2,3}d as views: [] -> [1]..., [n] -> [1, n] / [1, n, 1], [m, n] -> [m, n, 1]. */
function atLeast(t: Tensor, n: 1 | 2 | 3): Tensor {
  const s = t._shape;
  if (s.length >= n) return reshape(t, [...s]);
  if (s.length === 0) return reshape(t, new Array<number>(n).fill(1));
  if (n === 2) return reshape(t, [1, ...s]);
  return reshape(t, s.length === 1 ? [1, s[0]!, 1] : [...s, 1]);
}

function stackAlong(name: string, tensors: Tensor[], n: 1 | 2 | 3, dimFor: (parts: Tensor[]) => number): Tensor {
  const list = tensorList(name, tensors);
  if (list.length === 0) throw new RuntimeError(`${name} expects a non-empty TensorList`);
  const parts = list.map((t) => atLeast(t, n));
  const out = catOp.call(parts, dimFor(parts));
  parts.forEach((p) => p.dispose());
  return out;
}

export function hstack(tensors: Tensor[]): Tensor {
  return stackAlong('hstack', tensors, 1, (parts) => (parts[0]!._shape.length === 1 ? 0 : 1));
}
export function vstack(tensors: Tensor[]): Tensor {
  return stackAlong('vstack', tensors, 2, () => 0);
}
export const rowStack = vstack;
export function dstack(tensors: Tensor[]): Tensor {
  return stackAlong('dstack', tensors, 3, () => 2);
}
