/**
 * Non-maximum suppression, as torchvision's CPU kernel: boxes visited in decreasing score order
 * (a stable sort, so ties keep index order); a box suppresses every later box whose IoU with it
 * exceeds the threshold. Arithmetic follows the boxes' dtype (float32 boxes are computed with
 * float32 rounding), so decisions at the threshold match PyTorch's. Indices are not
 * differentiable; nothing here records autograd.
 */
import * as torch from '@torchts/core';
import { RuntimeError, type Tensor } from '@torchts/core';
import { checkBoxes } from './boxes.js';

function checkScores(boxes: Tensor, scores: Tensor, op: string): void {
  checkBoxes(boxes, op);
  if (!boxes.isFloatingPoint()) throw new RuntimeError(`${op}(): boxes must be a floating point tensor, got ${boxes.dtype}`);
  if (scores.dim() !== 1) throw new RuntimeError(`${op}(): scores should be a 1d tensor, got ${scores.dim()}D`);
  if (scores.shape[0] !== boxes.shape[0]) {
    throw new RuntimeError(`${op}(): boxes and scores should have same number of elements in dimension 0, got ${boxes.shape[0]} and ${scores.shape[0]}`);
  }
}

/** Indices in decreasing score order; NaN counts as the largest score, as in torch.sort. */
function byScore(scores: Float64Array, subset?: number[]): number[] {
  const key = (i: number): number => (Number.isNaN(scores[i]!) ? Infinity : scores[i]!);
  const order = subset ?? Array.from(scores, (_, i) => i);
  return order.sort((a, b) => {
    const d = key(b) - key(a);
    return Number.isNaN(d) ? 0 : d; // Infinity - Infinity
  });
}

/** The kept indices among `order` (already sorted by score). */
function suppress(box: Float64Array, order: number[], threshold: number, single: boolean): number[] {
  const r = single ? Math.fround : (x: number): number => x;
  const area = (i: number): number => r(r(box[4 * i + 2]! - box[4 * i]!) * r(box[4 * i + 3]! - box[4 * i + 1]!));
  const suppressed = new Uint8Array(box.length / 4);
  const keep: number[] = [];
  for (let a = 0; a < order.length; a++) {
    const i = order[a]!;
    if (suppressed[i]) continue;
    keep.push(i);
    const [ix1, iy1, ix2, iy2] = [box[4 * i]!, box[4 * i + 1]!, box[4 * i + 2]!, box[4 * i + 3]!];
    const iarea = area(i);
    for (let b = a + 1; b < order.length; b++) {
      const j = order[b]!;
      if (suppressed[j]) continue;
      const w = Math.max(0, r(Math.min(ix2, box[4 * j + 2]!) - Math.max(ix1, box[4 * j]!)));
      const h = Math.max(0, r(Math.min(iy2, box[4 * j + 3]!) - Math.max(iy1, box[4 * j + 1]!)));
      const inter = r(w * h);
      const ovr = r(inter / r(r(iarea + area(j)) - inter));
      if (ovr > threshold) suppressed[j] = 1;
    }
  }
  return keep;
}

const indexTensor = (idx: number[]): Tensor => torch.fromTypedArray(Int32Array.from(idx), [idx.length], { dtype: 'int64' });
const isSingle = (t: Tensor): boolean => t.dtype !== 'float64';

/** nms(boxes [N, 4] xyxy, scores [N], iouThreshold) -> int64 indices of the kept boxes, by decreasing score. */
export function nms(boxes: Tensor, scores: Tensor, iouThreshold: number): Tensor {
  checkScores(boxes, scores, 'nms');
  const box = torch.readNumbers(boxes);
  const keep = suppress(box, byScore(torch.readNumbers(scores)), iouThreshold, isSingle(boxes));
  return indexTensor(keep);
}

/**
 * NMS within each category `idxs` [N] (boxes of different categories never suppress each
 * other) -> int64 indices by decreasing score.
 */
export function batchedNms(boxes: Tensor, scores: Tensor, idxs: Tensor, iouThreshold: number): Tensor {
  checkScores(boxes, scores, 'batched_nms');
  if (idxs.dim() !== 1 || idxs.shape[0] !== boxes.shape[0]) {
    throw new RuntimeError(`batched_nms(): idxs should be a 1d tensor of ${boxes.shape[0]} category indices, got [${idxs.shape.join(', ')}]`);
  }
  if (idxs.isFloatingPoint() || idxs.dtype === 'bool') throw new RuntimeError(`batched_nms(): idxs must be an integer tensor, got ${idxs.dtype}`);
  const box = torch.readNumbers(boxes);
  const score = torch.readNumbers(scores);
  const groups = new Map<number, number[]>();
  torch.readNumbers(idxs).forEach((c, i) => {
    const g = groups.get(c);
    if (g) g.push(i);
    else groups.set(c, [i]);
  });
  const kept: number[] = [];
  for (const members of groups.values()) kept.push(...suppress(box, byScore(score, members), iouThreshold, isSingle(boxes)));
  return indexTensor(byScore(score, kept.sort((a, b) => a - b)));
}
