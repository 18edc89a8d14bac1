/**
 * `affine_grid` and `grid_sample` of `nn.functional` for 4-D and 5-D input (PyTorch 1.13), as
 * composites: the grid is unnormalised, padded (border clip / reflection) and sampled by `gather`
 * of the neighbouring pixels weighted by differentiable bilinear / trilinear / bicubic
 * coefficients, so input and grid both get gradients from the ops' derivatives.
 */
import { NotImplementedError, RuntimeError, Tensor, ValueError, tensor, where } from '@torchts/core';
import { withTemps } from './temps.js';

export type GridSampleMode = 'bilinear' | 'nearest' | 'bicubic';
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

/** affine_grid(theta [N, 2, 3] | [N, 3, 4], size [N, C, H, W] | [N, C, D, H, W], { alignCorners }) -> grid [N, H, W, 2] | [N, D, H, W, 3]. */
export function affineGrid(theta: Tensor, size: readonly number[], options: { alignCorners?: boolean | null } | boolean = {}): Tensor {
  if (!(theta instanceof Tensor)) throw new TypeError(`affine_grid(): argument 'theta' must be Tensor, not ${typeof theta}`);
  const align = typeof options === 'boolean' ? options : Boolean(options.alignCorners);
  if (!theta.dtype.startsWith('float') && theta.dtype !== 'bfloat16') {
    throw new ValueError(`Expected theta to have floating point type, but got ${theta.dtype}`);
  }
  if (size.length !== 4 && size.length !== 5) {
    throw new NotImplementedError(`affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. Got size [${size.join(', ')}].`);
  }
  const nd = size.length - 2;
  const N = size[0]!;
  if (theta.dim() !== 3 || theta.shape[0] !== N || theta.shape[1] !== nd || theta.shape[2] !== nd + 1) {
    throw new ValueError(`Expected a batch of ${nd}D affine matrices of shape Nx${nd}x${nd + 1} for size [${size.join(', ')}]. Got torch.Size([${theta.shape.join(', ')}]).`);
  }
  if (Math.min(...size) <= 0) throw new ValueError(`Expected non-zero, positive output size. Got [${size.join(', ')}]`);
  const spatial = size.slice(2);
  // Base coordinates (x, y[, z], 1) for every output position, x along the last spatial dim.
  const axes = spatial.map((n) => baseCoords(n, align)).reverse();
  const count = spatial.reduce((a, b) => a * b, 1);
  const data: number[] = [];
  for (let i = 0; i < count; i++) {
    let rest = i;
    const point: number[] = [];
    for (let k = 0; k < nd; k++) {
      const n = spatial[nd - 1 - k]!;
      point.push(axes[k]![rest % n]!);
      rest = Math.floor(rest / n);
    }
    data.push(...point, 1);
  }
  return withTemps((keep) => {
    const base = keep(keep(tensor(data, { dtype: theta.dtype, device: theta.device })).reshape([1, count, nd + 1]));
    const b = keep(base.expand([N, count, nd + 1]));
    const tT = keep(theta.transpose(1, 2));
    const g = keep(b.bmm(tT));
    return g.reshape([N, ...spatial, nd]);
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

const CUBIC_A = -0.75;
const cubicNear = (t: Tensor, keep: Keep): Tensor => keep(keep(keep(keep(keep(t.mul(CUBIC_A + 2)).sub(CUBIC_A + 3)).mul(t)).mul(t)).add(1));
const cubicFar = (t: Tensor, keep: Keep): Tensor =>
  keep(keep(keep(keep(keep(keep(t.mul(CUBIC_A)).sub(5 * CUBIC_A)).mul(t)).add(8 * CUBIC_A)).mul(t)).sub(4 * CUBIC_A));

/** get_cubic_upsample_coefficients(t): the 4 weights of taps floor - 1 .. floor + 2. */
function cubicWeights(keep: Keep, t: Tensor): Tensor[] {
  const s = keep(keep(t.neg()).add(1));
  return [cubicFar(keep(t.add(1)), keep), cubicNear(t, keep), cubicNear(s, keep), cubicFar(keep(s.add(1)), keep)];
}

/** grid_sampler_unnormalize: [-1, 1] to pixel coordinates. */
function unnormalize(keep: Keep, coord: Tensor, size: number, align: boolean): Tensor {
  return align ? keep(keep(coord.add(1)).mul((size - 1) / 2)) : keep(keep(keep(keep(coord.add(1)).mul(size)).sub(1)).div(2));
}

/** compute_coordinates: the padding mode's clipping / reflection of (unnormalised) coordinates. */
function padCoordinates(keep: Keep, x: Tensor, size: number, padding: GridPaddingMode, align: boolean): Tensor {
  if (padding === 'border') return keep(x.clamp(0, size - 1));
  if (padding === 'reflection') {
    const r = align ? reflect(keep, x, 0, 2 * (size - 1)) : reflect(keep, x, -1, 2 * size - 1);
    return keep(r.clamp(0, size - 1));
  }
  return x;
}

const fmtSizes = (t: Tensor): string => `[${t.shape.join(', ')}]`;

/**
 * grid_sample(input [N, C, H, W] | [N, C, D, H, W], grid [N, Ho, Wo, 2] | [N, Do, Ho, Wo, 3],
 * { mode: 'bilinear' (trilinear on 5-D) | 'nearest' | 'bicubic' (4-D), paddingMode, alignCorners }).
 */
export function gridSample(input: Tensor, grid: Tensor, options: GridSampleOptions = {}): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`grid_sample(): argument 'input' must be Tensor, not ${typeof input}`);
  if (!(grid instanceof Tensor)) throw new TypeError(`grid_sample(): argument 'grid' must be Tensor, not ${typeof grid}`);
  const mode = options.mode ?? 'bilinear';
  const padding = options.paddingMode ?? 'zeros';
  const align = Boolean(options.alignCorners);
  if (mode !== 'bilinear' && mode !== 'nearest' && mode !== 'bicubic') {
    throw new ValueError(`nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '${mode as string}'`);
  }
  if (padding !== 'zeros' && padding !== 'border' && padding !== 'reflection') {
    throw new ValueError(`nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '${padding as string}'`);
  }
  if (input.dtype !== grid.dtype) {
    throw new RuntimeError(`grid_sampler(): expected input and grid to have same dtype, but input has ${input.dtype} and grid has ${grid.dtype}`);
  }
  if (input.dim() < 1 || grid.dim() < 1 || input.shape[0] !== grid.shape[0]) {
    throw new RuntimeError(`grid_sampler(): expected grid and input to have same batch size, but got input with sizes ${fmtSizes(input)} and grid with sizes ${fmtSizes(grid)}`);
  }
  if (grid.shape[grid.dim() - 1] !== input.dim() - 2) {
    throw new RuntimeError(`grid_sampler(): expected grid to have size ${input.dim() - 2} in last dimension, but got grid with sizes ${fmtSizes(grid)}`);
  }
  for (let d = 2; d < input.dim(); d++) {
    if (input.shape[d]! <= 0) {
      throw new RuntimeError(`grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes ${fmtSizes(input)} with dimension ${d} being empty`);
    }
  }
  const nd = input.dim() === 4 ? 2 : 3;
  if (input.dim() !== nd + 2 || grid.dim() !== nd + 2) {
    throw new RuntimeError(`grid_sampler(): expected ${nd + 2}D input and grid with same number of dimensions, but got input with sizes ${fmtSizes(input)} and grid with sizes ${fmtSizes(grid)}`);
  }
  if (nd === 3 && mode === 'bicubic') throw new RuntimeError('grid_sampler(): bicubic interpolation only supports 4D input');
  const [N, C] = input.shape as [number, number];
  const spatial = input.shape.slice(2);
  const outSpatial = grid.shape.slice(1, -1);
  const outCount = outSpatial.reduce((a, b) => a * b, 1);
  const strides = spatial.map((_, d) => spatial.slice(d + 1).reduce((a, b) => a * b, 1));
  return withTemps((keep) => {
    // Grid component k addresses spatial dim nd - 1 - k (x: width, y: height, z: depth).
    const raw = spatial.map((n, d) => unnormalize(keep, keep(grid.select(-1, nd - 1 - d)), n, align));
    const flat = keep(input.reshape([N, C, spatial.reduce((a, b) => a * b, 1)]));
    /** input at integer coordinates (one tensor per spatial dim) times weight, zero outside the input. */
    const corner = (coords: Tensor[], weight: Tensor | null): Tensor => {
      let inside: Tensor | null = null;
      let lin: Tensor | null = null;
      coords.forEach((c, d) => {
        const ok = keep(keep(c.ge(0)).logicalAnd(keep(c.le(spatial[d]! - 1))));
        inside = inside ? keep(inside.logicalAnd(ok)) : ok;
        const term = keep(keep(c.clamp(0, spatial[d]! - 1)).mul(strides[d]!));
        lin = lin ? keep(lin.add(term)) : term;
      });
      const idx = keep(keep(keep(lin!.long()).reshape([N, 1, outCount])).expand([N, C, outCount]));
      const vals = keep(keep(flat.gather(2, idx)).reshape([N, C, ...outSpatial]));
      const mask = keep(inside!.to(input.dtype));
      const w = keep((weight ? keep(weight.mul(mask)) : mask).unsqueeze(1));
      return keep(vals.mul(w));
    };
    const sum = (terms: Tensor[]): Tensor => terms.reduce((a, b) => keep(a.add(b)));
    if (mode === 'nearest') {
      return corner(raw.map((x, d) => keep(padCoordinates(keep, x, spatial[d]!, padding, align).round())), null);
    }
    if (mode === 'bicubic') {
      const [iy, ix] = raw as [Tensor, Tensor];
      const y0 = keep(iy.floor());
      const x0 = keep(ix.floor());
      const wy = cubicWeights(keep, keep(iy.sub(y0)));
      const wx = cubicWeights(keep, keep(ix.sub(x0)));
      const terms: Tensor[] = [];
      for (let i = 0; i < 4; i++) {
        const y = padCoordinates(keep, keep(y0.add(i - 1)), spatial[0]!, padding, align);
        for (let j = 0; j < 4; j++) {
          const x = padCoordinates(keep, keep(x0.add(j - 1)), spatial[1]!, padding, align);
          terms.push(corner([y, x], keep(wy[i]!.mul(wx[j]!))));
        }
      }
      return sum(terms);
    }
    // bilinear / trilinear: the 2^nd corners around each point.
    const padded = raw.map((x, d) => padCoordinates(keep, x, spatial[d]!, padding, align));
    const lo = padded.map((x) => keep(x.floor()));
    const hi = lo.map((x) => keep(x.add(1)));
    const wHi = padded.map((x, d) => keep(x.sub(lo[d]!)));
    const wLo = padded.map((x, d) => keep(hi[d]!.sub(x)));
    const terms: Tensor[] = [];
    for (let bits = 0; bits < 1 << nd; bits++) {
      const pick = (d: number): boolean => ((bits >> (nd - 1 - d)) & 1) === 1;
      const coords = lo.map((l, d) => (pick(d) ? hi[d]! : l));
      const weight = spatial.map((_, d) => (pick(d) ? wHi[d]! : wLo[d]!)).reduce((a, b) => keep(a.mul(b)));
      terms.push(corner(coords, weight));
    }
    return sum(terms);
  });
}
