/**
 * Box utilities of torchvision.ops, built from differentiable torchts ops (so gradients flow
 * through boxIou and friends as in PyTorch). Boxes are [N, 4] in (x1, y1, x2, y2) unless a
 * format says otherwise. Integer boxes keep integer areas; IoUs are floating point.
 */
import * as torch from '@torchts/core';
import { RuntimeError, ValueError, type Tensor } from '@torchts/core';

export type BoxFormat = 'xyxy' | 'xywh' | 'cxcywh';
const FORMATS: readonly string[] = ['xyxy', 'xywh', 'cxcywh'];

/** Checks an [N, 4] box tensor (what torchvision's ops expect) and names the argument when not. */
export function checkBoxes(boxes: Tensor, op: string, name = 'boxes'): void {
  if (!torch.isTensor(boxes)) throw new TypeError(`${op}(): argument '${name}' must be a Tensor, got ${typeof boxes}`);
  if (boxes.dim() !== 2 || boxes.shape[1] !== 4) {
    throw new RuntimeError(`${op}(): ${name} should be a [N, 4] tensor, got [${boxes.shape.join(', ')}]`);
  }
  if (boxes.dtype === 'bool') throw new RuntimeError(`${op}(): ${name} must be a numeric tensor, got bool`);
}

// torchvision's _upcast: float16/bfloat16 -> float32, small ints -> int32, so products do not overflow.
function upcast(t: Tensor): Tensor {
  if (t.isFloatingPoint()) return t.dtype === 'float32' || t.dtype === 'float64' ? t : t.float();
  return t.dtype === 'int32' || t.dtype === 'int64' ? t : t.to('int32');
}

function areaOf(boxes: Tensor): Tensor {
  const b = upcast(boxes);
  return b.select(1, 2).sub(b.select(1, 0)).mul(b.select(1, 3).sub(b.select(1, 1)));
}

/** Areas of [N, 4] xyxy boxes: (x2 - x1) * (y2 - y1). */
export function boxArea(boxes: Tensor): Tensor {
  checkBoxes(boxes, 'box_area');
  return torch.tidy(() => areaOf(boxes));
}

/** Intersection and union areas [N, M] of two sets of xyxy boxes. */
function interUnion(boxes1: Tensor, boxes2: Tensor): [Tensor, Tensor] {
  const area1 = areaOf(boxes1);
  const area2 = areaOf(boxes2);
  const b1 = boxes1.unsqueeze(1);
  const lt = torch.maximum(b1.narrow(2, 0, 2), boxes2.narrow(1, 0, 2));
  const rb = torch.minimum(b1.narrow(2, 2, 2), boxes2.narrow(1, 2, 2));
  const wh = torch.clamp(upcast(rb.sub(lt)), { min: 0 });
  const inter = wh.select(2, 0).mul(wh.select(2, 1));
  const union = area1.unsqueeze(1).add(area2).sub(inter);
  return [inter, union];
}

/** Intersection over union [N, M] of boxes1 [N, 4] and boxes2 [M, 4] (xyxy). */
export function boxIou(boxes1: Tensor, boxes2: Tensor): Tensor {
  checkBoxes(boxes1, 'box_iou', 'boxes1');
  checkBoxes(boxes2, 'box_iou', 'boxes2');
  return torch.tidy(() => {
    const [inter, union] = interUnion(boxes1, boxes2);
    return inter.div(union);
  });
}

/** Generalized IoU [N, M]: IoU minus the share of the enclosing box that the union leaves empty. */
export function generalizedBoxIou(boxes1: Tensor, boxes2: Tensor): Tensor {
  checkBoxes(boxes1, 'generalized_box_iou', 'boxes1');
  checkBoxes(boxes2, 'generalized_box_iou', 'boxes2');
  return torch.tidy(() => {
    const [inter, union] = interUnion(boxes1, boxes2);
    const iou = inter.div(union);
    const b1 = boxes1.unsqueeze(1);
    const lti = torch.minimum(b1.narrow(2, 0, 2), boxes2.narrow(1, 0, 2));
    const rbi = torch.maximum(b1.narrow(2, 2, 2), boxes2.narrow(1, 2, 2));
    const whi = torch.clamp(upcast(rbi.sub(lti)), { min: 0 });
    const areai = whi.select(2, 0).mul(whi.select(2, 1));
    return iou.sub(areai.sub(union).div(areai));
  });
}

function toXyxy(boxes: Tensor, from: BoxFormat): Tensor {
  const [a, b, c, d] = torch.unbind(boxes, -1) as [Tensor, Tensor, Tensor, Tensor];
  if (from === 'xywh') return torch.stack([a, b, a.add(c), b.add(d)], -1);
  // cxcywh
  const hw = c.mul(0.5);
  const hh = d.mul(0.5);
  return torch.stack([a.sub(hw), b.sub(hh), a.add(hw), b.add(hh)], -1);
}

function fromXyxy(boxes: Tensor, to: BoxFormat): Tensor {
  const [x1, y1, x2, y2] = torch.unbind(boxes, -1) as [Tensor, Tensor, Tensor, Tensor];
  const w = x2.sub(x1);
  const h = y2.sub(y1);
  if (to === 'xywh') return torch.stack([x1, y1, w, h], -1);
  return torch.stack([x1.add(x2).div(2), y1.add(y2).div(2), w, h], -1);
}

/** Converts boxes [..., 4] between 'xyxy', 'xywh' (corner + size) and 'cxcywh' (centre + size). */
export function boxConvert(boxes: Tensor, inFmt: BoxFormat, outFmt: BoxFormat): Tensor {
  if (!FORMATS.includes(inFmt) || !FORMATS.includes(outFmt)) {
    throw new ValueError('Unsupported Bounding Box Conversions for given in_fmt and out_fmt');
  }
  if (boxes.dim() === 0 || boxes.shape[boxes.dim() - 1] !== 4) {
    throw new RuntimeError(`box_convert(): boxes should have 4 values in the last dimension, got [${boxes.shape.join(', ')}]`);
  }
  if (inFmt === outFmt) return boxes.clone();
  return torch.tidy(() => {
    const xyxy = inFmt === 'xyxy' ? boxes : toXyxy(boxes, inFmt);
    return outFmt === 'xyxy' ? xyxy : fromXyxy(xyxy, outFmt);
  });
}

/** Clips xyxy boxes [..., 4] to an image of `size` = [height, width]. */
export function clipBoxesToImage(boxes: Tensor, size: readonly [number, number] | number[]): Tensor {
  if (boxes.dim() === 0 || boxes.shape[boxes.dim() - 1] !== 4) {
    throw new RuntimeError(`clip_boxes_to_image(): boxes should have 4 values in the last dimension, got [${boxes.shape.join(', ')}]`);
  }
  if (size.length !== 2) throw new ValueError(`clip_boxes_to_image(): size should be [height, width], got [${size.join(', ')}]`);
  const [height, width] = size as [number, number];
  return torch.tidy(() => {
    const [x1, y1, x2, y2] = torch.unbind(boxes, -1) as [Tensor, Tensor, Tensor, Tensor];
    const cx = (t: Tensor): Tensor => torch.clamp(t, 0, width);
    const cy = (t: Tensor): Tensor => torch.clamp(t, 0, height);
    return torch.stack([cx(x1), cy(y1), cx(x2), cy(y2)], -1);
  });
}

/** Indices (int64) of the boxes whose width and height are both at least `minSize`. */
export function removeSmallBoxes(boxes: Tensor, minSize: number): Tensor {
  checkBoxes(boxes, 'remove_small_boxes');
  return torch.tidy(() => {
    const ws = boxes.select(1, 2).sub(boxes.select(1, 0));
    const hs = boxes.select(1, 3).sub(boxes.select(1, 1));
    const keep = torch.logicalAnd(torch.ge(ws, minSize), torch.ge(hs, minSize));
    return torch.nonzero(keep).select(1, 0).contiguous();
  });
}
