/**
 * roiPool (Fast R-CNN's RoIPool), forward and backward: each output cell is the maximum of the
 * input over its bin, bins placed with torchvision's rounding. The arg-max positions are found
 * here from the input's values; the output then picks those elements with a differentiable
 * `take`, so the gradient flows to exactly the arg-max elements, as torchvision's backward.
 */
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { indexTensor, pairOf, readRois, rounding, type RoiBoxes } from './roi.js';

const FLT_LOWEST = -3.4028234663852886e38; // torchvision's -FLT_MAX for a bin with no value above it

// std::round: halves away from zero.
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/**
 * roiPool(input [N, C, H, W], boxes, outputSize, spatialScale = 1) -> [K, C, outH, outW]. `boxes` is
 * a Tensor [K, 5] of (batch index, x1, y1, x2, y2) or one Tensor [L, 4] per image.
 */
export function roiPool(input: Tensor, boxes: RoiBoxes, outputSize: number | readonly number[], spatialScale = 1): Tensor {
  const [ph, pw] = pairOf(outputSize, 'roi_pool');
  const rois = readRois(input, boxes, 'roi_pool');
  const [, c, h, w] = input.shape as [number, number, number, number];
  const r = rounding(input);
  const scale = r(spatialScale);
  const values = torch.readNumbers(input);
  const total = rois.length * c * ph * pw;
  const argmax = new Float64Array(total); // flat input index, or -1
  const fill = new Float64Array(total); // the value of cells with no arg-max
  let o = 0;
  for (const roi of rois) {
    const x0 = roundHalfAway(r(roi.x1 * scale));
    const y0 = roundHalfAway(r(roi.y1 * scale));
    const rw = Math.max(roundHalfAway(r(roi.x2 * scale)) - x0 + 1, 1);
    const rh = Math.max(roundHalfAway(r(roi.y2 * scale)) - y0 + 1, 1);
    const binH = r(rh / ph);
    const binW = r(rw / pw);
    const clampH = (v: number): number => Math.min(Math.max(v, 0), h);
    const clampW = (v: number): number => Math.min(Math.max(v, 0), w);
    for (let ch = 0; ch < c; ch++) {
      const plane = (roi.batch * c + ch) * h * w;
      for (let i = 0; i < ph; i++) {
        const hs = clampH(Math.floor(r(i * binH)) + y0);
        const he = clampH(Math.ceil(r((i + 1) * binH)) + y0);
        for (let j = 0; j < pw; j++, o++) {
          const ws = clampW(Math.floor(r(j * binW)) + x0);
          const we = clampW(Math.ceil(r((j + 1) * binW)) + x0);
          const empty = he <= hs || we <= ws;
          let best = empty ? 0 : FLT_LOWEST;
          let at = -1;
          for (let y = hs; y < he; y++) {
            for (let x = ws; x < we; x++) {
              const v = values[plane + y * w + x]!;
              if (v > best) {
                best = v;
                at = plane + y * w + x;
              }
            }
          }
          argmax[o] = at;
          fill[o] = best;
        }
      }
    }
  }
  const k = rois.length;
  return torch.tidy(() => {
    const found = torch.fromTypedArray(Uint8Array.from(argmax, (a) => (a >= 0 ? 1 : 0)), [k, c, ph, pw], { dtype: 'bool' });
    const index = indexTensor(Array.from(argmax, (a) => Math.max(a, 0))).reshape(k, c, ph, pw);
    const picked = torch.take(input, index);
    const other = torch.fromTypedArray(fill, [k, c, ph, pw], { dtype: input.dtype });
    return torch.where(found, picked, other);
  });
}
