/** pad: torchvision's F.pad on tensors (constant, edge, reflect, symmetric; negative padding crops). */
import { Tensor, ValueError, full, pad as torchPad, tensor, tidy } from '@torchts/core';
import { checkImage, getDimensions, onBatch } from './image.js';

export type PaddingMode = 'constant' | 'edge' | 'reflect' | 'symmetric';

export interface PadOptions {
  /** Constant fill: a number, or one value per channel. */
  fill?: number | readonly number[];
  paddingMode?: PaddingMode;
}

/** torchvision's padding forms (p, [p], [lr, tb], [l, t, r, b]) as [left, right, top, bottom]. */
export function parsePadding(padding: number | readonly number[], op = 'pad'): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding] : [...padding];
  if (!p.every((v) => Number.isInteger(v))) throw new TypeError(`${op}(): padding must be integers, got [${p.join(', ')}]`);
  if (p.length === 1) return [p[0]!, p[0]!, p[0]!, p[0]!];
  if (p.length === 2) return [p[0]!, p[0]!, p[1]!, p[1]!];
  if (p.length === 4) return [p[0]!, p[2]!, p[1]!, p[3]!];
  throw new ValueError(`${op}(): padding must be an int or a 1, 2, or 4 element sequence, not a ${p.length} element sequence`);
}

/** Indices of PyTorch-free symmetric padding along one axis (the edge pixel is repeated). */
function symmetricIndex(n: number, before: number, after: number): number[] {
  const idx: number[] = [];
  for (let i = before - 1; i >= 0; i--) idx.push(i);
  for (let i = 0; i < n; i++) idx.push(i);
  for (let i = 0; i < after; i++) idx.push(n - 1 - i);
  return idx;
}

/** Copies `x` [N, C, H, W] into a canvas filled per channel. */
function padWithChannelFill(x: Tensor, p: readonly number[], fill: readonly number[]): Tensor {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (fill.length !== 1 && fill.length !== c) {
    throw new ValueError(`pad(): fill has ${fill.length} values but the image has ${c} channels`);
  }
  const per = fill.length === 1 ? Array(c).fill(fill[0]) : fill;
  const canvas = full([n, c, h + p[2]! + p[3]!, w + p[0]! + p[1]!], 0, { dtype: x.dtype, device: x.device });
  canvas.add_(tensor(per, { dtype: x.dtype, device: x.device }).reshape([1, c, 1, 1]));
  canvas.narrow(2, p[2]!, h).narrow(3, p[0]!, w).copy_(x);
  return canvas;
}

/** pad(img [..., C, H, W], padding, { fill = 0, paddingMode = 'constant' }). */
export function pad(img: Tensor, padding: number | readonly number[], opts: PadOptions = {}): Tensor {
  checkImage(img, 'pad');
  const mode = opts.paddingMode ?? 'constant';
  if (!['constant', 'edge', 'reflect', 'symmetric'].includes(mode)) {
    throw new ValueError(`pad(): padding mode should be either constant, edge, reflect or symmetric, got '${mode}'`);
  }
  const p = parsePadding(padding);
  const fill = opts.fill ?? 0;
  return tidy(() => {
    // Negative padding crops first, so every mode then pads by non-negative amounts.
    const [, h, w] = getDimensions(img);
    const cut = p.map((v) => Math.max(-v, 0));
    let x = img;
    if (cut.some((v) => v > 0)) {
      x = x.narrow(-1, cut[0]!, Math.max(w - cut[0]! - cut[1]!, 0)).narrow(-2, cut[2]!, Math.max(h - cut[2]! - cut[3]!, 0));
    }
    const q = p.map((v) => Math.max(v, 0));
    if (q.every((v) => v === 0)) return x.clone();
    if (mode === 'symmetric') {
      const [, hh, ww] = getDimensions(x);
      const xi = tensor(symmetricIndex(ww, q[0]!, q[1]!), { dtype: 'int64', device: x.device });
      const yi = tensor(symmetricIndex(hh, q[2]!, q[3]!), { dtype: 'int64', device: x.device });
      return x.indexSelect(-1, xi).indexSelect(-2, yi);
    }
    if (mode === 'constant') {
      if (typeof fill !== 'number') return onBatch(x, (b) => padWithChannelFill(b, q, fill), { float: false });
      return onBatch(x, (b) => torchPad(b, q, 'constant', fill), { float: false });
    }
    return onBatch(x, (b) => torchPad(b, q, mode === 'edge' ? 'replicate' : 'reflect'));
  });
}
