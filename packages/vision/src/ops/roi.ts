/**
 * What roiAlign and roiPool share: boxes given as a Tensor [K, 5] (batch index, x1, y1, x2, y2)
 * or as one Tensor [L, 4] per image (torchvision's two forms), the input check, the output size,
 * and the arithmetic of the input's dtype (float32 inputs are computed with float32 rounding, as
 * torchvision's kernels do in scalar_t).
 */
import * as torch from '@torchts/core';
import { RuntimeError, ValueError, type Tensor } from '@torchts/core';

export type RoiBoxes = Tensor | Tensor[];

export interface Roi {
  batch: number;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** The rois as plain numbers, validated against the input's batch size. */
export function readRois(input: Tensor, boxes: RoiBoxes, op: string): Roi[] {
  if (!torch.isTensor(input) || input.dim() !== 4) {
    throw new RuntimeError(`${op}(): input should be a 4d tensor [N, C, H, W], got ${torch.isTensor(input) ? `[${input.shape.join(', ')}]` : typeof input}`);
  }
  if (!input.isFloatingPoint()) throw new RuntimeError(`${op}(): input must be a floating point tensor, got ${input.dtype}`);
  const rois: Roi[] = [];
  if (Array.isArray(boxes)) {
    boxes.forEach((b, img) => {
      if (!torch.isTensor(b) || b.dim() !== 2 || b.shape[1] !== 4) throw new RuntimeError('The shape of the tensor in the boxes list is not correct as List[Tensor[L, 4]]');
      const v = torch.readNumbers(b);
      for (let i = 0; i < v.length; i += 4) rois.push({ batch: img, x1: v[i]!, y1: v[i + 1]!, x2: v[i + 2]!, y2: v[i + 3]! });
    });
  } else if (torch.isTensor(boxes)) {
    if (boxes.dim() !== 2 || boxes.shape[1] !== 5) throw new RuntimeError('The boxes tensor shape is not correct as Tensor[K, 5]');
    const v = torch.readNumbers(boxes);
    for (let i = 0; i < v.length; i += 5) rois.push({ batch: v[i]!, x1: v[i + 1]!, y1: v[i + 2]!, x2: v[i + 3]!, y2: v[i + 4]! });
  } else {
    throw new RuntimeError('boxes is expected to be a Tensor[L, 5] or a List[Tensor[K, 4]]');
  }
  const n = input.shape[0]!;
  rois.forEach((r, k) => {
    if (!Number.isInteger(r.batch) || r.batch < 0 || r.batch >= n) {
      throw new RuntimeError(`${op}(): box ${k} has batch index ${r.batch}, but the input holds ${n} image${n === 1 ? '' : 's'}`);
    }
  });
  return rois;
}

/** `outputSize` as [height, width] (an int means a square). */
export function pairOf(outputSize: number | readonly number[], op: string): [number, number] {
  const [h, w] = typeof outputSize === 'number' ? [outputSize, outputSize] : outputSize;
  if (!Number.isInteger(h) || !Number.isInteger(w) || h! <= 0 || w! <= 0 || (typeof outputSize !== 'number' && outputSize.length !== 2)) {
    throw new ValueError(`${op}(): output_size should be a positive int or a pair of positive ints, got ${JSON.stringify(outputSize)}`);
  }
  return [h!, w!];
}

/** Rounds to the input's floating type (float32 for every non-double dtype). */
export function rounding(input: Tensor): (x: number) => number {
  return input.dtype === 'float64' ? (x) => x : Math.fround;
}

/** An int64 tensor of indices. */
export function indexTensor(values: ArrayLike<number>): Tensor {
  return torch.fromTypedArray(Float64Array.from(values), [values.length], { dtype: 'int64' });
}
