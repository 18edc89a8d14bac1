/**
 * roiAlign (Mask R-CNN's RoIAlign), forward and backward. Each output cell averages bilinear
 * samples on a regular grid inside its bin, exactly as torchvision's kernel places them. The
 * sample weights depend only on the boxes, so they are computed here as a sparse matrix (each
 * bin's weight on each input pixel) and applied with differentiable ops: gather the pixels, scale
 * them, sum them into their bins. Autograd then gives the gradient with respect to the input
 * (torchvision gives none for the boxes either).
 */
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { indexTensor, pairOf, readRois, rounding, type RoiBoxes } from './roi.js';

export interface RoiAlignOptions {
  /** Scale from box coordinates to input coordinates (e.g. 1/16 for a stride-16 feature map). Default 1. */
  spatialScale?: number;
  /** Samples per bin along each axis; <= 0 (default -1) means ceil(roi size / output size). */
  samplingRatio?: number;
  /** Shift boxes by -0.5 pixel so that pixel centres align (torchvision's aligned=True). Default false. */
  aligned?: boolean;
}

interface Sparse {
  bins: number[];
  pixels: number[];
  weights: number[];
}

/** Adds one bilinear sample at (y, x) of an h x w plane starting at row `base`, torchvision's rules. */
function addSample(acc: Map<number, number>, y: number, x: number, h: number, w: number, base: number, scale: number, r: (v: number) => number): void {
  if (y < -1 || y > h || x < -1 || x > w) return; // outside the feature map: contributes 0
  if (y <= 0) y = 0;
  if (x <= 0) x = 0;
  let yLow = Math.trunc(y);
  let xLow = Math.trunc(x);
  let yHigh: number;
  let xHigh: number;
  if (yLow >= h - 1) {
    yHigh = yLow = h - 1;
    y = yLow;
  } else yHigh = yLow + 1;
  if (xLow >= w - 1) {
    xHigh = xLow = w - 1;
    x = xLow;
  } else xHigh = xLow + 1;
  const ly = r(y - yLow);
  const lx = r(x - xLow);
  const hy = r(1 - ly);
  const hx = r(1 - lx);
  const add = (row: number, col: number, wt: number): void => {
    const p = base + row * w + col;
    acc.set(p, (acc.get(p) ?? 0) + wt * scale);
  };
  add(yLow, xLow, r(hy * hx));
  add(yLow, xHigh, r(hy * lx));
  add(yHigh, xLow, r(ly * hx));
  add(yHigh, xHigh, r(ly * lx));
}

function sparseWeights(input: Tensor, boxes: RoiBoxes, ph: number, pw: number, opts: RoiAlignOptions): { sparse: Sparse; k: number } {
  const rois = readRois(input, boxes, 'roi_align');
  const [, , h, w] = input.shape as [number, number, number, number];
  const r = rounding(input);
  const scale = r(opts.spatialScale ?? 1);
  const ratio = opts.samplingRatio ?? -1;
  const offset = opts.aligned ? 0.5 : 0;
  const sparse: Sparse = { bins: [], pixels: [], weights: [] };
  rois.forEach((roi, k) => {
    const x0 = r(r(roi.x1 * scale) - offset);
    const y0 = r(r(roi.y1 * scale) - offset);
    let rw = r(r(r(roi.x2 * scale) - offset) - x0);
    let rh = r(r(r(roi.y2 * scale) - offset) - y0);
    if (!opts.aligned) {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const binH = r(rh / ph);
    const binW = r(rw / pw);
    const gridH = ratio > 0 ? ratio : Math.ceil(r(rh / ph));
    const gridW = ratio > 0 ? ratio : Math.ceil(r(rw / pw));
    const count = Math.max(gridH * gridW, 1);
    const base = roi.batch * h * w;
    for (let i = 0; i < ph; i++) {
      for (let j = 0; j < pw; j++) {
        const acc = new Map<number, number>();
        for (let iy = 0; iy < gridH; iy++) {
          const y = r(r(y0 + r(i * binH)) + r(r(r(iy + 0.5) * binH) / gridH));
          for (let ix = 0; ix < gridW; ix++) {
            const x = r(r(x0 + r(j * binW)) + r(r(r(ix + 0.5) * binW) / gridW));
            addSample(acc, y, x, h, w, base, 1 / count, r);
          }
        }
        const bin = (k * ph + i) * pw + j;
        for (const [p, wt] of acc) {
          sparse.bins.push(bin);
          sparse.pixels.push(p);
          sparse.weights.push(wt);
        }
      }
    }
  });
  return { sparse, k: rois.length };
}

/**
 * roiAlign(input [N, C, H, W], boxes, outputSize, options) -> [K, C, outH, outW]. `boxes` is a
 * Tensor [K, 5] of (batch index, x1, y1, x2, y2) or one Tensor [L, 4] per image.
 */
export function roiAlign(input: Tensor, boxes: RoiBoxes, outputSize: number | readonly number[], opts: RoiAlignOptions = {}): Tensor {
  const [ph, pw] = pairOf(outputSize, 'roi_align');
  const { sparse, k } = sparseWeights(input, boxes, ph, pw, opts);
  const [n, c, h, w] = input.shape as [number, number, number, number];
  return torch.tidy(() => {
    const rows = input.permute(0, 2, 3, 1).reshape(n * h * w, c);
    const weights = torch.fromTypedArray(Float64Array.from(sparse.weights), [sparse.weights.length, 1], { dtype: input.dtype });
    const picked = torch.indexSelect(rows, 0, indexTensor(sparse.pixels)).mul(weights);
    const zeros = torch.zeros([k * ph * pw, c], { dtype: input.dtype });
    const binned = torch.indexAdd(zeros, 0, indexTensor(sparse.bins), picked);
    return binned.reshape(k, ph, pw, c).permute(0, 3, 1, 2).contiguous();
  });
}
