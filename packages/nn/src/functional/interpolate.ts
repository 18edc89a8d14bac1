/**
 * `interpolate` / `upsample*` of `nn.functional` (PyTorch 1.13): nearest, nearest-exact, linear,
 * bilinear, bicubic (A = -0.75), trilinear and area, and antialiased bilinear / bicubic. Every resampling mode is separable, so each
 * spatial dim is resampled in turn as a sum of `indexSelect`s weighted by per-output coefficients
 * computed here with PyTorch's exact source-index formulas; the ops' derivatives give autograd.
 */
import { RuntimeError, Tensor, ValueError, tensor } from '@torchts/core';
import { withTemps } from './temps.js';
import { adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d } from './pool.js';

export type InterpolateMode = 'nearest' | 'nearest-exact' | 'linear' | 'bilinear' | 'bicubic' | 'trilinear' | 'area';
export type SizeArg = number | readonly number[];

export interface InterpolateOptions {
  size?: SizeArg | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
  antialias?: boolean;
}

const LINEAR_DIMS: Partial<Record<InterpolateMode, number>> = { linear: 1, bilinear: 2, bicubic: 2, trilinear: 3 };
const CUBIC_A = -0.75;

/** One tap of a separable resampling: input indices and their weights (null: weight 1) per output position. */
interface Tap { index: number[]; weight: number[] | null }

/** PyTorch's area_pixel_compute_scale. */
function areaScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): number {
  if (alignCorners) return outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  return scale !== null && scale > 0 ? 1 / scale : inSize / outSize;
}

/** PyTorch's area_pixel_compute_source_index. */
function areaSource(scale: number, dst: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return scale * dst;
  const src = scale * (dst + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

/** nearest / nearest-exact: compute_scales_value<float> and floorf in single precision, as PyTorch's CPU kernel. */
function nearestTaps(inSize: number, outSize: number, scale: number | null, exact: boolean): Tap[] {
  const f = Math.fround;
  const s = f(scale !== null && scale > 0 ? 1 / scale : f(inSize) / outSize);
  const index: number[] = [];
  for (let o = 0; o < outSize; o++) {
    let i: number;
    if (exact) i = Math.min(Math.floor(f(f(o + 0.5) * s)), inSize - 1);
    else if (outSize === inSize) i = o;
    else if (outSize === 2 * inSize) i = o >> 1;
    else i = Math.min(Math.floor(f(o * s)), inSize - 1);
    index.push(i);
  }
  return [{ index, weight: null }];
}

function linearTaps(inSize: number, outSize: number, scale: number | null, alignCorners: boolean): Tap[] {
  const s = areaScale(inSize, outSize, alignCorners, scale);
  const t0: Tap = { index: [], weight: [] };
  const t1: Tap = { index: [], weight: [] };
  for (let o = 0; o < outSize; o++) {
    const src = areaSource(s, o, alignCorners, false);
    const i0 = Math.trunc(src);
    const step = i0 < inSize - 1 ? 1 : 0;
    const l1 = src - i0;
    t0.index.push(i0);
    t0.weight!.push(1 - l1);
    t1.index.push(i0 + step);
    t1.weight!.push(l1);
  }
  return [t0, t1];
}

const cubic1 = (x: number): number => ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
const cubic2 = (x: number): number => ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;

function cubicTaps(inSize: number, outSize: number, scale: number | null, alignCorners: boolean): Tap[] {
  const s = areaScale(inSize, outSize, alignCorners, scale);
  const taps: Tap[] = [0, 1, 2, 3].map(() => ({ index: [], weight: [] }));
  for (let o = 0; o < outSize; o++) {
    const src = areaSource(s, o, alignCorners, true);
    const i = Math.floor(src);
    const t = src - i;
    const w = [cubic2(t + 1), cubic1(t), cubic1(1 - t), cubic2(2 - t)];
    for (let k = 0; k < 4; k++) {
      taps[k]!.index.push(Math.min(Math.max(i - 1 + k, 0), inSize - 1));
      taps[k]!.weight!.push(w[k]!);
    }
  }
  return taps;
}

/**
 * Antialiased (bilinear / bicubic) taps, PyTorch's _compute_indices_weights_aa: when downsampling,
 * the filter's support widens by the scale so every input pixel contributes (PIL's resampling).
 * Positions have different tap counts; short ones are padded with zero weights.
 */
function antialiasTaps(inSize: number, outSize: number, scale: number | null, alignCorners: boolean, cubic: boolean): Tap[] {
  const s = areaScale(inSize, outSize, alignCorners, scale);
  const interpSize = cubic ? 4 : 2;
  const support = s >= 1 ? interpSize * 0.5 * s : interpSize * 0.5;
  const invScale = s >= 1 ? 1 / s : 1;
  const filter = cubic ? aaCubic : (x: number): number => Math.max(0, 1 - Math.abs(x));
  const rows: Array<{ start: number; w: number[] }> = [];
  for (let o = 0; o < outSize; o++) {
    const center = s * (o + 0.5);
    const start = Math.max(Math.trunc(center - support + 0.5), 0);
    const count = Math.min(Math.trunc(center + support + 0.5), inSize) - start;
    const w: number[] = [];
    for (let j = 0; j < count; j++) w.push(filter((j + start - center + 0.5) * invScale));
    const total = w.reduce((a, b) => a + b, 0);
    rows.push({ start, w: total !== 0 ? w.map((v) => v / total) : w });
  }
  const width = Math.max(...rows.map((r) => r.w.length));
  return Array.from({ length: width }, (_, k) => ({
    index: rows.map((r) => Math.min(r.start + k, inSize - 1)),
    weight: rows.map((r) => r.w[k] ?? 0),
  }));
}

/** PIL's bicubic filter (a = -0.5), used by the antialiased bicubic mode. */
function aaCubic(v: number): number {
  const a = -0.5;
  const x = Math.abs(v);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Resamples `x` along `dim` as sum_k indexSelect(x, dim, index_k) * weight_k. */
function resampleDim(x: Tensor, dim: number, taps: Tap[]): Tensor {
  return withTemps((keep) => {
    const outSize = taps[0]!.index.length;
    const bshape = x.shape.map((s, d) => (d === dim ? outSize : 1));
    let acc: Tensor | null = null;
    for (const tap of taps) {
      const idx = keep(tensor(tap.index, { dtype: 'int64', device: x.device }));
      let term = x.indexSelect(dim, idx);
      if (tap.weight) {
        keep(term);
        const w = keep(keep(tensor(tap.weight, { dtype: x.dtype, device: x.device })).reshape(bshape));
        term = term.mul(w);
      }
      acc = acc === null ? term : keep(acc).add(keep(term));
    }
    return acc!;
  });
}

const fmtList = (v: readonly unknown[]): string => `[${v.join(', ')}]`;

/** nn.functional.interpolate(input, size?, scaleFactor?, mode?, alignCorners?, recomputeScaleFactor?) or (input, options). */
export function interpolate(
  input: Tensor,
  sizeOrOptions?: SizeArg | null | InterpolateOptions,
  scaleFactor?: number | readonly number[] | null,
  mode?: InterpolateMode,
  alignCorners?: boolean | null,
  recomputeScaleFactor?: boolean | null,
): Tensor {
  const o: InterpolateOptions =
    sizeOrOptions !== null && typeof sizeOrOptions === 'object' && !Array.isArray(sizeOrOptions)
      ? (sizeOrOptions as InterpolateOptions)
      : { size: sizeOrOptions as SizeArg | null | undefined, scaleFactor, mode, alignCorners, recomputeScaleFactor };
  if (!(input instanceof Tensor)) throw new TypeError(`interpolate(): argument 'input' must be Tensor, not ${typeof input}`);
  const m: InterpolateMode = o.mode ?? 'nearest';
  if (!['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'].includes(m)) {
    throw new RuntimeError(`interpolate(): unsupported mode '${m}'`);
  }
  if (o.antialias && !((m === 'bilinear' || m === 'bicubic') && input.dim() === 4)) {
    throw new ValueError('Anti-alias option is only supported for bilinear and bicubic modes');
  }
  const linearMode = LINEAR_DIMS[m] !== undefined;
  if (!linearMode && o.alignCorners != null) {
    throw new ValueError('align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear');
  }
  const align = linearMode ? Boolean(o.alignCorners) : false;
  const nd = input.dim() - 2;
  if (nd < 1 || nd > 3) {
    throw new RuntimeError(`Input Error: Only 3D, 4D and 5D input Tensors supported (got ${input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ${m})`);
  }
  if (linearMode && LINEAR_DIMS[m] !== nd) {
    throw new RuntimeError(`Got ${input.dim()}D input, but ${m} mode needs ${LINEAR_DIMS[m]! + 2}D input`);
  }
  const inSizes = input.shape.slice(2);
  const size = o.size ?? null;
  const sf = o.scaleFactor ?? null;
  if (size !== null && sf !== null) throw new ValueError('only one of size or scale_factor should be defined');
  let outSizes: number[];
  let scales: Array<number | null>;
  if (size !== null) {
    const s = typeof size === 'number' ? Array(nd).fill(size) : [...size];
    if (s.length !== nd) {
      throw new ValueError(`Input and output must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtList(inSizes)} and output size of ${fmtList(s)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.`);
    }
    outSizes = s;
    scales = Array(nd).fill(null);
  } else if (sf !== null) {
    const f = typeof sf === 'number' ? Array(nd).fill(sf) : [...sf];
    if (f.length !== nd) {
      throw new ValueError(`Input and scale_factor must have the same number of spatial dimensions, but got input with spatial dimensions of ${fmtList(inSizes)} and scale_factor of shape ${fmtList(f)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.`);
    }
    outSizes = inSizes.map((n, i) => Math.floor(n * f[i]!));
    scales = o.recomputeScaleFactor ? Array(nd).fill(null) : f;
  } else {
    throw new ValueError('either size or scale_factor should be defined');
  }
  if (outSizes.some((s) => s <= 0) || inSizes.some((s) => s <= 0)) {
    throw new RuntimeError(`Input and output sizes should be greater than 0, but got input (${inSizes.join(', ')}) and output (${outSizes.join(', ')})`);
  }
  if (m === 'area') {
    const pool = [adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d][nd - 1]! as (x: Tensor, s: number[]) => Tensor;
    return pool(input, outSizes);
  }
  return withTemps((keep) => {
    let x = input;
    for (let i = 0; i < nd; i++) {
      const dim = i + 2;
      const taps =
        m === 'nearest' || m === 'nearest-exact'
          ? nearestTaps(inSizes[i]!, outSizes[i]!, scales[i]!, m === 'nearest-exact')
          : o.antialias
            ? antialiasTaps(inSizes[i]!, outSizes[i]!, scales[i]!, align, m === 'bicubic')
            : m === 'bicubic'
            ? cubicTaps(inSizes[i]!, outSizes[i]!, scales[i]!, align)
            : linearTaps(inSizes[i]!, outSizes[i]!, scales[i]!, align);
      if (x !== input) keep(x);
      x = resampleDim(x, dim, taps);
    }
    return x === input ? input.clone() : x;
  });
}

/** Deprecated aliases of PyTorch 1.13. */
export function upsample(input: Tensor, sizeOrOptions?: SizeArg | null | InterpolateOptions, scaleFactor?: number | readonly number[] | null, mode?: InterpolateMode, alignCorners?: boolean | null): Tensor {
  return interpolate(input, sizeOrOptions, scaleFactor, mode, alignCorners);
}

export function upsampleNearest(input: Tensor, size?: SizeArg | null, scaleFactor?: number | readonly number[] | null): Tensor {
  return interpolate(input, { size, scaleFactor, mode: 'nearest' });
}

export function upsampleBilinear(input: Tensor, size?: SizeArg | null, scaleFactor?: number | readonly number[] | null): Tensor {
  return interpolate(input, { size, scaleFactor, mode: 'bilinear', alignCorners: true });
}

/** pixel_shuffle: [*, C * r^2, H, W] -> [*, C, H * r, W * r]. */
export function pixelShuffle(input: Tensor, upscaleFactor: number): Tensor {
  if (input.dim() < 3) throw new RuntimeError(`pixel_shuffle expects input to have at least 3 dimensions, but got input with ${input.dim()} dimension(s)`);
  const r = upscaleFactor;
  if (!(Number.isInteger(r) && r > 0)) throw new RuntimeError(`pixel_shuffle expects a positive upscale_factor, but got ${r}`);
  const lead = input.shape.slice(0, -3);
  const [C, H, W] = input.shape.slice(-3) as [number, number, number];
  if (C % (r * r) !== 0) throw new RuntimeError(`pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, but input.size(-3)=${C} is not divisible by ${r * r}`);
  const oc = C / (r * r);
  const b = lead.length;
  return withTemps((keep) => {
    const v = keep(input.reshape([...lead, oc, r, r, H, W]));
    const p = keep(v.permute([...lead.map((_, i) => i), b, b + 3, b + 1, b + 4, b + 2]));
    return p.reshape([...lead, oc, H * r, W * r]).contiguous();
  });
}

/** pixel_unshuffle: [*, C, H * r, W * r] -> [*, C * r^2, H, W]. */
export function pixelUnshuffle(input: Tensor, downscaleFactor: number): Tensor {
  if (input.dim() < 3) throw new RuntimeError(`pixel_unshuffle expects input to have at least 3 dimensions, but got input with ${input.dim()} dimension(s)`);
  const r = downscaleFactor;
  if (!(Number.isInteger(r) && r > 0)) throw new RuntimeError(`pixel_unshuffle expects a positive downscale_factor, but got ${r}`);
  const lead = input.shape.slice(0, -3);
  const [C, H, W] = input.shape.slice(-3) as [number, number, number];
  if (H % r !== 0) throw new RuntimeError(`pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)=${H} is not divisible by ${r}`);
  if (W % r !== 0) throw new RuntimeError(`pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)=${W} is not divisible by ${r}`);
  const b = lead.length;
  return withTemps((keep) => {
    const v = keep(input.reshape([...lead, C, H / r, r, W / r, r]));
    const p = keep(v.permute([...lead.map((_, i) => i), b, b + 2, b + 4, b + 1, b + 3]));
    return p.reshape([...lead, C * r * r, H / r, W / r]).contiguous();
  });
}
