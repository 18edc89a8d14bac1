/**
 * `affine_grid` and `grid_sample` of `nn.functional` for 4-D input (PyTorch 1.13), as composites:
 * the grid is unnormalised, padded (border clip / reflection) and sampled by `gather` of the
 * corner pixels weighted by differentiable bilinear coefficients, so input and grid both get
 * gradients from the ops' derivatives.
 */
import { RuntimeError, Tensor, ValueError, tensor, where } from '@torchts/core';
import { withTemps } from './temps.js';

export type GridSampleMode = 'bilinear' | 'nearest';
export type GridPaddingMode = 'zeros' | 'border' | 'reflection';

export interface GridSampleOptions {
  mode?: GridSampleMode;
  paddingMode?: GridPaddingMode;
  alignCorners?: boolean | null;
}

type Keep = <U extends Tensor>(t: U) => U;

/** PyTorch's linspace_from_neg_one: linspace(-1, 1, n), shrunk by (n - 1) / n without align_corners. */
function baseCoords(n: number, alignCorners: boolean): number[] {
  if (n <= 1) return Array(n).fill(0);
  const step = 2 / (n - 1);
  const half = Math.floor(n / 2);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const v = i < half ? -1 + i * step : 1 - (n - 1 - i) * step;
    out.push(alignCorners ? v : (v * (n - 1)) / n);
  }
  return out;
}

/** affine_grid(theta [N, 2, 3], size [N, C, H, W], { alignCorners }) -> grid [N, H, W, 2]. */
export function affineGrid(theta: Tensor, size: readonly number[], options: { alignCorners?: boolean | null } | boolean = {}): Tensor {
  if (!(theta instanceof Tensor)) throw new TypeError(`affine_grid(): argument 'theta' must be Tensor, not ${typeof theta}`);
  const align = typeof options === 'boolean' ? options : Boolean(options.alignCorners);
  if (!theta.dtype.startsWith('float') && theta.dtype !== 'bfloat16') {
    throw new ValueError(`Expected theta to have floating point type, but got ${theta.dtype}`);
  }
  if (size.length !== 4) {
    throw new RuntimeError(`affine_grid(): only 4-D sizes (N, C, H, W) are supported, got size of length ${size.length}`);
  }
  const [N, , H, W] = size as [number, number, number, number];
  if (theta.dim() !== 3 || theta.shape[0] !== N || theta.shape[1] !== 2 || theta.shape[2] !== 3) {
    throw new ValueError(`Expected a batch of 2D affine matrices of shape Nx2x3 for size torch.Size([${size.join(', ')}]). Got [${theta.shape.join(', ')}].`);
  }
  if (Math.min(...size) <= 0) throw new ValueError(`Expected non-zero, positive output size. Got [${size.join(', ')}]`);
  const xs = baseCoords(W, align);
  const ys = baseCoords(H, align);
  const data: number[] = [];
  for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) data.push(xs[j]!, ys[i]!, 1);
  return withTemps((keep) => {
    const base = keep(keep(tensor(data, { dtype: theta.dtype, device: theta.device })).reshape([1, H * W, 3]));
    const b = keep(base.expand([N, H * W, 3]));
    const tT = keep(theta.transpose(1, 2));
    const g = keep(b.bmm(tT));
    return g.reshape([N, H, W, 2]);
  });
}

/** PyTorch's reflect_coordinates: reflects x into [twiceLow / 2, twiceHigh / 2]. */
function reflect(keep: Keep, x: Tensor, twiceLow: number, twiceHigh: number): Tensor {
  if (twiceLow === twiceHigh) return keep(x.mul(0));
  const min = twiceLow / 2;
  const span = (twiceHigh - twiceLow) / 2;
  const a = keep(keep(x.sub(min)).abs());
  const flips = keep(keep(a.div(span)).floor());
  const extra = keep(a.sub(keep(flips.mul(span))));
  const even = keep(keep(flips.remainder(2)).eq(0));
  return keep(where(even, keep(extra.add(min)), keep(keep(extra.neg()).add(span + min))));
}

/** grid_sampler_compute_source_index: unnormalise, then apply the padding mode's clipping. */
function sourceIndex(keep: Keep, coord: Tensor, size: number, padding: GridPaddingMode, align: boolean): Tensor {
  let x = align ? keep(keep(coord.add(1)).mul((size - 1) / 2)) : keep(keep(keep(keep(coord.add(1)).mul(size)).sub(1)).div(2));
  if (padding === 'border') x = keep(x.clamp(0, size - 1));
  else if (padding === 'reflection') {
    x = align ? reflect(keep, x, 0, 2 * (size - 1)) : reflect(keep, x, -1, 2 * size - 1);
    x = keep(x.clamp(0, size - 1));
  }
  return x;
}

/** grid_sample(input [N, C, H, W], grid [N, Ho, Wo, 2], { mode, paddingMode, alignCorners }) -> [N, C, Ho, Wo]. */
export function gridSample(input: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`grid_sample(): argument 'input' must be Tensor, not ${typeof input}`);
  if (!(grid instanceof Tensor)) throw new TypeError(`grid_sample(): argument 'grid' must be Tensor, not ${typeof grid}`);
  const mode = options.mode ?? 'bilinear';
  const padding = options.paddingMode ?? 'zeros';
  const align = Boolean(options.alignCorners);
  if (mode !== 'bilinear' && mode !== 'nearest') {
    throw new ValueError(`nn.functional.grid_sample(): expected mode to be 'bilinear' or 'nearest', but got: '${mode as string}'`);
  }
  if (padding !== 'zeros' && padding !== 'border' && padding !== 'reflection') {
    throw new ValueError(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${padding as string}'`);
  }
  if (input.dtype !== grid.dtype) {
    throw new RuntimeError(`grid_sampler(): expected input and grid to have same dtype, but input has ${input.dtype} and grid has ${grid.dtype}`);
  }
  if (input.dim() !== 4 || grid.dim() !== 4) {
    throw new RuntimeError(`grid_sample(): only 4-D input and grid are supported, but got input with sizes [${input.shape.join(', ')}] and grid with sizes [${grid.shape.join(', ')}]`);
  }
  const [N, C, H, W] = input.shape as [number, number, number, number];
  const [gN, Ho, Wo, two] = grid.shape as [number, number, number, number];
  if (gN !== N) {
    throw new RuntimeError(`grid_sampler(): expected grid and input to have same batch size, but got input with sizes [${input.shape.join(', ')}] and grid with sizes [${grid.shape.join(', ')}]`);
  }
  if (two !== 2) {
    throw new RuntimeError(`grid_sampler(): expected grid to have size 2 in last dimension, but got grid with sizes [${grid.shape.join(', ')}]`);
  }
  if (H <= 0 || W <= 0) {
    throw new RuntimeError(`grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes [${input.shape.join(', ')}] with dimension 2 being empty`);
  }
  return withTemps((keep) => {
    const ix = sourceIndex(keep, keep(grid.select(3, 0)), W, padding, align);
    const iy = sourceIndex(keep, keep(grid.select(3, 1)), H, padding, align);
    const flat = keep(input.reshape([N, C, H * W]));
    /** input at integer coordinates (x, y) [N, Ho, Wo] times weight, zero outside the image. */
    const corner = (x: Tensor, y: Tensor, weight: Tensor | null): Tensor => {
      const inside = keep(
        keep(keep(x.ge(0)).logicalAnd(keep(x.le(W - 1)))).logicalAnd(keep(keep(y.ge(0)).logicalAnd(keep(y.le(H - 1))))),
      );
      const xc = keep(x.clamp(0, W - 1));
      const yc = keep(y.clamp(0, H - 1));
      const lin = keep(keep(keep(keep(yc.mul(W)).add(xc)).long()).reshape([N, 1, Ho * Wo]));
      const idx = keep(lin.expand([N, C, Ho * Wo]));
      const vals = keep(keep(flat.gather(2, idx)).reshape([N, C, Ho, Wo]));
      const mask = keep(inside.to(input.dtype));
      const w = keep((weight ? keep(weight.mul(mask)) : mask).unsqueeze(1));
      return keep(vals.mul(w));
    };
    if (mode === 'nearest') {
      const xn = keep(ix.round());
      const yn = keep(iy.round());
      return corner(xn, yn, null);
    }
    const x0 = keep(ix.floor());
    const y0 = keep(iy.floor());
    const x1 = keep(x0.add(1));
    const y1 = keep(y0.add(1));
    const wx1 = keep(ix.sub(x0));
    const wx0 = keep(x1.sub(ix));
    const wy1 = keep(iy.sub(y0));
    const wy0 = keep(y1.sub(iy));
    const nw = corner(x0, y0, keep(wx0.mul(wy0)));
    const ne = corner(x1, y0, keep(wx1.mul(wy0)));
    const sw = corner(x0, y1, keep(wx0.mul(wy1)));
    const se = corner(x1, y1, keep(wx1.mul(wy1)));
    return keep(keep(nw.add(ne)).add(keep(sw.add(se))));
  });
}
