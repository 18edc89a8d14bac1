/**
 * Warps through nn.functional.gridSample: torchvision's _gen_affine_grid / _perspective_grid and
 * _apply_grid_transform (a ones channel rides along so `fill` can paint where nothing was sampled).
 */
import { RuntimeError, Tensor, ValueError, cat, tensor, tidy } from '@torchts/core';
import type { DType } from '@torchts/core';
import { functional as nnF } from '@torchts/nn';
import { onBatch } from './image.js';

export type Fill = number | readonly number[] | null | undefined;

/** [1, oh * ow, 3] rows (x0 + j, y0 + i, 1): pixel centres in the output. */
function baseGrid(oh: number, ow: number, x0: number, y0: number, dtype: DType, device: string): Tensor {
  const data = new Float64Array(oh * ow * 3);
  for (let i = 0, k = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++, k += 3) {
      data[k] = x0 + j;
      data[k + 1] = y0 + i;
      data[k + 2] = 1;
    }
  }
  return tensor(Array.from(data), { dtype, device }).reshape([1, oh * ow, 3]);
}

/** The sampling grid [1, oh, ow, 2] of an inverse affine `matrix` for an input of size w x h. */
export function affineGrid(matrix: readonly number[], w: number, h: number, ow: number, oh: number, dtype: DType, device = 'cpu'): Tensor {
  return tidy(() => {
    const theta = tensor([...matrix], { dtype, device }).reshape([1, 2, 3]).transpose(1, 2).div(tensor([0.5 * w, 0.5 * h], { dtype, device }));
    return baseGrid(oh, ow, -ow * 0.5 + 0.5, -oh * 0.5 + 0.5, dtype, device).bmm(theta).reshape([1, oh, ow, 2]);
  });
}

/** The sampling grid [1, oh, ow, 2] of perspective coefficients [a, b, c, d, e, f, g, h]. */
export function perspectiveGrid(coeffs: readonly number[], ow: number, oh: number, dtype: DType, device = 'cpu'): Tensor {
  return tidy(() => {
    const c = coeffs;
    const t1 = tensor([[c[0]!, c[1]!, c[2]!], [c[3]!, c[4]!, c[5]!]], { dtype, device }).transpose(0, 1).div(tensor([0.5 * ow, 0.5 * oh], { dtype, device }));
    const t2 = tensor([[c[6]!, c[7]!, 1], [c[6]!, c[7]!, 1]], { dtype, device }).transpose(0, 1);
    const base = baseGrid(oh, ow, 0.5, 0.5, dtype, device);
    return base.matmul(t1).div(base.matmul(t2)).sub(1).reshape([1, oh, ow, 2]);
  });
}

/** Checks `fill` against the image's channels; a number applies to every channel. */
export function checkFill(fill: Fill, channels: number, op: string): number[] | null {
  if (fill === null || fill === undefined) return null;
  const f = typeof fill === 'number' ? [fill] : [...fill];
  if (f.length !== 1 && f.length !== channels) {
    throw new ValueError(`${op}(): the number of elements in 'fill' cannot broadcast to match the number of channels of the image (${f.length} != ${channels})`);
  }
  return f;
}

/** Samples `img` [..., C, H, W] at `grid` [1, oh, ow, 2] (nearest or bilinear), painting `fill` outside. */
export function applyGridTransform(img: Tensor, grid: Tensor, mode: 'nearest' | 'bilinear', fill: number[] | null): Tensor {
  if (mode !== 'nearest' && mode !== 'bilinear') throw new RuntimeError(`grid transform: unsupported interpolation '${mode as string}'`);
  return onBatch(img, (x) => {
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const g = grid.to(x.dtype).expand([n, grid.shape[1]!, grid.shape[2]!, 2]);
    const src = fill ? cat([x, x.newOnes([n, 1, h, w])], 1) : x;
    let out = nnF.gridSample(src, g, { mode, paddingMode: 'zeros', alignCorners: false });
    if (!fill) return out;
    const mask = out.narrow(1, c, 1).expand([n, c, out.shape[2]!, out.shape[3]!]);
    out = out.narrow(1, 0, c);
    const fillImg = tensor(fill, { dtype: x.dtype, device: x.device }).reshape([1, fill.length, 1, 1]).expand(out.shape as number[]);
    if (mode === 'nearest') return fillImg.where(mask.lt(0.5), out);
    return out.mul(mask).add(mask.neg().add(1).mul(fillImg));
  });
}
