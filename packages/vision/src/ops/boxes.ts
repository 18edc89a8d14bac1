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

/** Width and height [N, M, 2] of the smallest box enclosing each pair. */
function enclosingSize(boxes1: Tensor, boxes2: Tensor): Tensor {
  const b1 = boxes1.unsqueeze(1);
  const lti = torch.minimum(b1.narrow(2, 0, 2), boxes2.narrow(1, 0, 2));
  const rbi = torch.maximum(b1.narrow(2, 2, 2), boxes2.narrow(1, 2, 2));
  return torch.clamp(upcast(rbi.sub(lti)), { min: 0 });
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
    const whi = enclosingSize(boxes1, boxes2);
    const areai = whi.select(2, 0).mul(whi.select(2, 1));
    return iou.sub(areai.sub(union).div(areai));
  });
}

/** Distance IoU [N, M] and IoU: IoU minus the squared centre distance over the enclosing box's squared diagonal. */
function diouAndIou(boxes1: Tensor, boxes2: Tensor, eps: number): [Tensor, Tensor] {
  const [inter, union] = interUnion(boxes1, boxes2);
  const iou = inter.div(union);
  const whi = enclosingSize(boxes1, boxes2);
  const diagonal = whi.select(2, 0).pow(2).add(whi.select(2, 1).pow(2)).add(eps);
  const centre = (b: Tensor, lo: number): Tensor => b.select(1, lo).add(b.select(1, lo + 2)).div(2);
  const dx = upcast(centre(boxes1, 0).unsqueeze(1).sub(centre(boxes2, 0).unsqueeze(0)));
  const dy = upcast(centre(boxes1, 1).unsqueeze(1).sub(centre(boxes2, 1).unsqueeze(0)));
  return [iou.sub(dx.pow(2).add(dy.pow(2)).div(diagonal)), iou];
}

/** Distance IoU [N, M] (DIoU). */
export function distanceBoxIou(boxes1: Tensor, boxes2: Tensor, eps = 1e-7): Tensor {
  checkBoxes(boxes1, 'distance_box_iou', 'boxes1');
  checkBoxes(boxes2, 'distance_box_iou', 'boxes2');
  return torch.tidy(() => diouAndIou(upcast(boxes1), upcast(boxes2), eps)[0]);
}

/** Complete IoU [N, M] (CIoU): DIoU minus an aspect-ratio term, whose weight carries no gradient. */
export function completeBoxIou(boxes1: Tensor, boxes2: Tensor, eps = 1e-7): Tensor {
  checkBoxes(boxes1, 'complete_box_iou', 'boxes1');
  checkBoxes(boxes2, 'complete_box_iou', 'boxes2');
  return torch.tidy(() => {
    const b1 = upcast(boxes1);
    const b2 = upcast(boxes2);
    const [diou, iou] = diouAndIou(b1, b2, eps);
    const aspect = (b: Tensor): Tensor => torch.atan(b.select(1, 2).sub(b.select(1, 0)).div(b.select(1, 3).sub(b.select(1, 1))));
    const v = aspect(b1).unsqueeze(1).sub(aspect(b2)).pow(2).mul(4 / Math.PI ** 2);
    const vd = v.detach();
    const alpha = vd.div(iou.detach().neg().add(1).add(vd).add(eps));
    return diou.sub(alpha.mul(v));
  });
}

/** The tight xyxy box (float32 [N, 4]) around the nonzero pixels of each mask [N, H, W]. */
export function masksToBoxes(masks: Tensor): Tensor {
  if (!torch.isTensor(masks) || masks.dim() !== 3) {
    throw new RuntimeError(`masks_to_boxes(): masks should be a [N, H, W] tensor, got ${torch.isTensor(masks) ? `[${masks.shape.join(', ')}]` : typeof masks}`);
  }
  if (masks.numel() === 0) return torch.zeros([0, 4]);
  const [n, h, w] = masks.shape as [number, number, number];
  const v = torch.readNumbers(masks);
  const out = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    let [x1, y1, x2, y2] = [Infinity, Infinity, -Infinity, -Infinity];
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (v[(k * h + y) * w + x] === 0) continue;
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x);
        y2 = Math.max(y2, y);
      }
    }
    if (x1 === Infinity) throw new RuntimeError(`masks_to_boxes(): mask ${k} is empty (it has no nonzero element), so it has no box`);
    out.set([x1, y1, x2, y2], 4 * k);
  }
  return torch.fromTypedArray(out, [n, 4]);
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
