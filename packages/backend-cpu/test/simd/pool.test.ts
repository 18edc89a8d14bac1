// The WebAssembly pooling kernels (both builds) against the TS kernels: max pooling values and
// indices, average pooling and its backward must be bit-identical (same loops, f64 sums), over
// random 1-d/2-d/3-d shapes with padding, stride, dilation, ceil mode, divisor override, adaptive
// windows, NaN, the four-at-a-time float32 path, strided views (leading dims that collapse and ones that do not: TS path).
import { describe, expect, it } from 'vitest';
import { adaptiveAvgPoolNd, adaptiveMaxPoolNd, avgPoolNd, manualSeed, maxPoolNd, poolAvgBackwardOp, poolMaxBackwardOp, poolMaxOp, randn, tensor } from '@torchts/core';
import type { PoolWindows } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectSameAsTs, flat, lcg, withKernels } from './helpers.js';

const compare = expectSameAsTs;

describe('wasm pooling vs TS', () => {
  it('max and average pooling over random shapes and options, float32 and float64', () => {
    manualSeed(5);
    const rnd = lcg(17);
    for (let trial = 0; trial < 60; trial++) {
      const { nd, k, s, p, d, size } = randomWindows(rnd, trial);
      const lead = trial % 2 === 0 ? [1 + rnd(3), 1 + rnd(3)] : [1 + rnd(4)];
      const dtype = trial % 4 < 2 ? 'float32' : 'float64';
      const r = randn([...lead, ...size], { dtype });
      const x = trial % 3 === 0 ? r.mul(2).round() : r; // ties: the first maximum's index wins
      const ceilMode = rnd(2) === 1;
      const tag = `trial ${trial} [${x.shape}] k=${k} s=${s} p=${p} d=${d} ceil=${ceilMode} ${dtype}`;
      compare(`max ${tag}`, () => maxPoolNd(x, nd, k, { stride: s, padding: p, dilation: d, ceilMode }));
      const countIncludePad = rnd(2) === 1;
      const divisorOverride = rnd(3) === 0 ? 1 + rnd(5) : null;
      compare(`avg ${tag} includePad=${countIncludePad} over=${divisorOverride}`, () => {
        const y = avgPoolNd(x, nd, k, { stride: s, padding: p, ceilMode, countIncludePad, divisorOverride });
        return [y];
      });
      compare(`adaptive ${tag}`, () => [adaptiveAvgPoolNd(x, nd, k.map((kk) => kk + 1)), ...adaptiveMaxPoolNd(x, nd, k.map((kk) => kk + 1))]);
    }
  });

  it('average pooling backward, contiguous and strided gradients', () => {
    manualSeed(6);
    const windows = avgWindows([9, 8], [3, 2], [2, 1], [1, 1], false);
    const [OH, OW] = windows.outSize as [number, number];
    for (const dtype of ['float32', 'float64'] as const) {
      const g = randn([2, 3, OH, OW], { dtype });
      compare(`backward contiguous ${dtype}`, () => [poolAvgBackwardOp.call(g, windows)]);
      const gt = randn([3, 2, OH, OW], { dtype }).transpose(0, 1); // leading dims do not collapse: TS
      compare(`backward transposed lead ${dtype}`, () => [poolAvgBackwardOp.call(gt, windows)]);
      const gs = randn([2, 3, OH, 2 * OW], { dtype }).slice(3, 0, null, 2);
      compare(`backward strided ${dtype}`, () => [poolAvgBackwardOp.call(gs, windows)]);
      compare(`backward override ${dtype}`, () => [poolAvgBackwardOp.call(g, { ...windows, divisorOverride: 3 })]);
    }
  });

  it('max pooling backward: overlapping, dilated, padded and uncovered windows; strided and expanded gradients', () => {
    manualSeed(7);
    const rnd = lcg(23);
    for (let trial = 0; trial < 24; trial++) {
      const { nd, k, s, p, d, size } = randomWindows(rnd, trial);
      const dtype = trial % 2 === 0 ? 'float32' : 'float64';
      const x = randn([2, 1 + rnd(3), ...size], { dtype }).mul(2).round(); // ties and overlaps
      const w = windowsOf(x, nd, k, s, p, d);
      const idx = poolMaxOp.call(x, w)[1]!;
      const g = randn([...idx.shape], { dtype });
      const tag = `trial ${trial} [${x.shape}] k=${k} s=${s} p=${p} d=${d} ${dtype}`;
      compare(`max backward ${tag}`, () => [poolMaxBackwardOp.call(g, idx, w)]);
      compare(`max backward expanded grad ${tag}`, () => [poolMaxBackwardOp.call(tensor(0.5, { dtype }).expand([...idx.shape]), idx, w)]);
    }
    // LeNet's 2x2 pooling of a 24x24 plane, and an odd 7x7 plane whose last row and column no window covers.
    for (const size of [24, 7]) {
      const x = randn([64, 6, size, size]);
      const w = windowsOf(x, 2, [2, 2], [2, 2], [0, 0], [1, 1]);
      const idx = poolMaxOp.call(x, w)[1]!;
      const g = randn([...idx.shape]);
      compare(`max backward 2x2 ${size}x${size}`, () => [poolMaxBackwardOp.call(g, idx, w)]);
    }
  });

  it('max pooling backward rejects an index outside the plane (TS and wasm, 1 and 2 threads)', () => {
    const x = randn([8, 64, 32, 32]);
    const w = windowsOf(x, 2, [2, 2], [2, 2], [0, 0], [1, 1]);
    const idx = poolMaxOp.call(x, w)[1]!;
    const g = randn([...idx.shape]);
    const before = getNumThreads();
    try {
      for (const bad of [1024, -1]) {
        const broken = idx.clone();
        broken.view([-1]).narrow(0, broken.numel() - 3, 1).fill_(bad); // in the last plane: a worker's range
        for (const t of [1, 2]) {
          setNumThreads(t);
          for (const kernels of ['ts', ...BUILDS] as const) {
            expect(() => withKernels(kernels, () => poolMaxBackwardOp.call(g, broken, w)), `${bad} ${kernels} ${t}`).toThrow(/index is out of range/);
          }
        }
      }
    } finally {
      setNumThreads(before);
    }
  });

  it('planes split over 1, 2 and 3 threads: the TS results, byte for byte (max with indices, avg, avg backward)', () => {
    manualSeed(8);
    const before = getNumThreads();
    try {
      for (const dtype of ['float32', 'float64'] as const) {
        // 192 planes of 32x32: enough input for three threads (64 planes each).
        const x = randn([12, 16, 32, 32], { dtype });
        const windows = avgWindows([32, 32], [2, 2], [2, 2], [0, 0], false);
        const g = randn([12, 16, ...windows.outSize], { dtype });
        for (const t of [1, 2, 3]) {
          setNumThreads(t);
          compare(`${dtype} ${t} thread(s)`, () => [
            ...maxPoolNd(x, 2, [3, 3], { stride: [2, 2], padding: [1, 1] }),
            avgPoolNd(x, 2, [3, 3], { stride: [1, 1], padding: [1, 1] }),
            poolAvgBackwardOp.call(g, windows),
            poolMaxBackwardOp.call(g, poolMaxOp.call(x, windows)[1]!, windows),
          ]);
        }
      }
    } finally {
      setNumThreads(before);
    }
  });

  it('NaN wins max pooling; non-collapsing and strided inputs', () => {
    manualSeed(7);
    const values = flat(randn([2, 3, 6, 7]));
    for (const i of [3, 50, 51, 200]) values[i] = Number.NaN;
    const x = tensor(values).reshape([2, 3, 6, 7]);
    compare('NaN', () => maxPoolNd(x, 2, 2, {}));
    compare('NaN float64', () => maxPoolNd(x.double(), 2, 3, { padding: 1, stride: 1 }));
    compare('transposed lead (TS path)', () => maxPoolNd(x.transpose(0, 1), 2, 3, { stride: 2, padding: 1 }));
    compare('strided spatial', () => maxPoolNd(x.transpose(2, 3), 2, 2, { dilation: 2 }));
    compare('avg strided spatial', () => [avgPoolNd(x.slice(3, 1, null, 2), 2, 2, { padding: 1 })]);
    compare('sliced batch', () => maxPoolNd(x.slice(0, 1, 2), 2, 2, {}));
  });

  it('max pooling four outputs at a time (float32): strides 1, 2 and 3, ties, NaN in some lanes', () => {
    manualSeed(8);
    const wide = flat(randn([2, 2, 9, 26]).mul(2).round());
    for (const i of [5, 60, 61, 130, 300, 301, 302, 303, 700]) wide[i] = Number.NaN;
    const x = tensor(wide).reshape([2, 2, 9, 26]);
    // Plain 2x2 stride-2 windows over whole planes (OW a multiple of 4): the plane kernel, also on a
    // view whose rows are wider than W (a W-narrowed input), with -inf, NaN and ties.
    const plain = flat(randn([3, 2, 9, 26]).mul(2).round());
    for (const i of [0, 1, 27, 60, 61, 130, 300, 301, 302, 303, 700, 1000]) plain[i] = i % 2 ? Number.NaN : -Infinity;
    const xp = tensor(plain).reshape([3, 2, 9, 26]);
    compare('plain 2x2 OW=12', () => maxPoolNd(xp.narrow(3, 1, 24), 2, 2, {}));
    compare('plain 2x2 OW=12, contiguous', () => maxPoolNd(xp.narrow(3, 1, 24).contiguous(), 2, 2, {}));
    compare('plain 2x2 OW=4, sliced planes', () => maxPoolNd(xp.narrow(3, 2, 8).slice(1, 1, 2), 2, 2, {}));
    for (const [k, s, p, d] of [[2, 2, 0, 1], [3, 1, 1, 1], [3, 3, 1, 1], [2, 1, 0, 2], [3, 2, 1, 2]] as const) {
      const tag = `k=${k} s=${s} p=${p} d=${d}`;
      compare(`wide ${tag}`, () => maxPoolNd(x, 2, k, { stride: s, padding: p, dilation: d }));
      compare(`wide ceil ${tag}`, () => maxPoolNd(x, 2, k, { stride: s, padding: p, dilation: d, ceilMode: true }));
      compare(`wide strided W ${tag}`, () => maxPoolNd(x.transpose(2, 3), 2, k, { stride: s, padding: p, dilation: d }));
      compare(`wide 1-d ${tag}`, () => maxPoolNd(x.reshape([4, 9 * 26]), 1, k, { stride: s, padding: p, dilation: d }));
    }
    compare('adaptive wide', () => adaptiveMaxPoolNd(x, 2, [4, 10]));
  });
});

/** PyTorch's strided average-pooling windows over 2 dims (ceil mode off). */
function avgWindows(inSize: number[], k: number[], s: number[], p: number[], includePad: boolean): PoolWindows {
  const outSize = inSize.map((n, i) => Math.floor((n + 2 * p[i]! - k[i]!) / s[i]!) + 1);
  const lo: number[][] = [], hi: number[][] = [], div: number[][] = [];
  inSize.forEach((n, i) => {
    lo.push([]); hi.push([]); div.push([]);
    for (let o = 0; o < outSize[i]!; o++) {
      const start = o * s[i]! - p[i]!;
      const end = Math.min(start + k[i]!, n + p[i]!);
      const a = Math.max(start, 0), b = Math.min(end, n);
      lo[i]!.push(a); hi[i]!.push(b); div[i]!.push(includePad ? end - start : b - a);
    }
  });
  return { inSize, outSize, lo, hi, step: [1, 1], div, divisorOverride: null };
}

/** Max pooling's windows (floor mode) for the last `nd` dims of x, as max_pool{nd}d builds them. */
function windowsOf(x: { shape: readonly number[] }, nd: number, k: number[], s: number[], p: number[], d: number[]): PoolWindows {
  const inSize = x.shape.slice(-nd);
  const outSize = inSize.map((n, i) => Math.floor((n + 2 * p[i]! - d[i]! * (k[i]! - 1) - 1) / s[i]!) + 1);
  const lo = outSize.map((m, i) => Array.from({ length: m }, (_, o) => {
    const start = o * s[i]! - p[i]!;
    return start < 0 ? start + Math.ceil(-start / d[i]!) * d[i]! : start;
  }));
  const hi = outSize.map((m, i) => Array.from({ length: m }, (_, o) => Math.min(o * s[i]! - p[i]! + (k[i]! - 1) * d[i]! + 1, inSize[i]!)));
  return { inSize, outSize, lo, hi, step: [...d], div: null, divisorOverride: null };
}

/** A random 1-3-d pooling: kernel, stride, padding, dilation and a pooled size that fits them. */
function randomWindows(rnd: (n: number) => number, trial: number) {
  const nd = 1 + (trial % 3);
  const k = Array.from({ length: nd }, () => 1 + rnd(3));
  const s = k.map(() => 1 + rnd(3));
  const p = k.map((kk) => rnd(Math.floor(kk / 2) + 1));
  const d = k.map(() => 1 + rnd(2));
  const size = k.map((kk, i) => d[i]! * (kk - 1) + 1 + rnd(6));
  return { nd, k, s, p, d, size };
}
