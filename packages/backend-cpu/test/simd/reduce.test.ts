// The WebAssembly SIMD reductions (both builds) against the TS reducers (float64 accumulation,
// the oracle). Tolerances (docs/cpu-kernels.md): float32 sums add up to 64 values per float32
// lane (rows, also when read as page streams) or per column block before going to float64, so |got - want| <= 2^-17 * sum|x| (+ the final rounding);
// float64 sums differ from TS only in order, 2^-36 * sum|x| for the sizes here. max/min equal.
import { afterAll, describe, expect, it } from 'vitest';
import { amax, amin, manualSeed, max, mean, min, randn, sum, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectIdentical, expectSameBytesForThreads, expectWithin, lcg, withKernels } from './helpers.js';

const DTYPES: DType[] = ['float32', 'float64'];
const TOL: Record<string, number> = { float32: 2 ** -17, float64: 2 ** -36 };
const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

function compare(what: string, dtype: DType, run: () => Tensor, scale: () => Tensor): void {
  const want = withKernels('ts', run);
  const mag = withKernels('ts', scale);
  for (const build of BUILDS) expectWithin(withKernels(build, run), want, mag, TOL[dtype]!, `${what} (${build})`);
}

/** A random layout of `shape`: maybe permuted, maybe sliced with a step (non-contiguous). */
function randomLayout(rand: (n: number) => number, shape: number[], dtype: DType): Tensor {
  const nd = shape.length;
  const step = rand(3) === 0 ? 2 : 1;
  const d = rand(nd);
  const big = shape.map((s, i) => (i === d ? s * step : s));
  let x = randn(big, { dtype }).mul(10);
  if (step > 1) x = x.slice(d, 0, null, step);
  if (rand(2) === 0 && nd > 1) {
    const perm = [...Array(nd).keys()].reverse();
    x = x.permute(...perm).contiguous().permute(...perm); // same shape, reversed memory order
  }
  return x;
}

/**
 * x with, in lines 0-3 (selected along `lineDim`), at the positions `at`: NaN; +inf; +inf and
 * -inf; -3.4e38 twice.
 */
function putSpecials(x: Tensor, lineDim: number, at: number[]): Tensor {
  const put = (line: number, pos: number, v: number) => x.select(lineDim, line).narrow(0, pos, 1).fill_(v);
  const [nan, inf, inf2, ninf, big, big2] = at as [number, number, number, number, number, number];
  put(0, nan, Number.NaN);
  put(1, inf, Infinity);
  put(2, inf2, Infinity);
  put(2, ninf, -Infinity);
  put(3, big, -3.4e38);
  put(3, big2, -3.4e38);
  return x;
}

/** The sums of putSpecials' lines: NaN, +inf, NaN, and -inf in float32. */
function expectSpecialSums(s: number[], dtype: DType, build: string): void {
  expect(Number.isNaN(s[0]), build).toBe(true);
  expect(s[1], build).toBe(Infinity);
  expect(Number.isNaN(s[2]), build).toBe(true);
  // float32: the float64 accumulation (and chunk partials) do not overflow on the way, only the result.
  if (dtype === 'float32') expect(s[3], build).toBe(-Infinity);
}

describe('wasm SIMD sum/mean vs TS', () => {
  it('full, last dim, column and batch-norm style reductions, lengths around the vector widths', () => {
    manualSeed(9);
    for (const dtype of DTYPES) {
      for (const n of [32, 33, 100, 1027, 2049]) {
        const x = randn([5, n], { dtype }).mul(100);
        const ax = x.abs();
        compare(`sum all ${n} ${dtype}`, dtype, () => sum(x), () => sum(ax));
        compare(`sum dim -1 ${n} ${dtype}`, dtype, () => sum(x, -1), () => sum(ax, -1));
        compare(`mean dim -1 ${n} ${dtype}`, dtype, () => mean(x, -1), () => mean(ax, -1));
        compare(`sum dim 0 ${n} ${dtype}`, dtype, () => sum(x, 0), () => sum(ax, 0));
        compare(`mean dim 0 ${n} ${dtype}`, dtype, () => mean(x.t(), 1), () => mean(ax.t(), 1));
        compare(`mean all keepdim ${n} ${dtype}`, dtype, () => x.mean({ dim: [0, 1], keepdim: true }), () => ax.mean({ dim: [0, 1], keepdim: true }));
      }
      // Columns over more than 64 rows (float32 blocks), every strip width (16, 4, 1).
      const tall = randn([300, 16 + 4 + 3], { dtype });
      compare(`sum(0) [300, 23] ${dtype}`, dtype, () => sum(tall, 0), () => sum(tall.abs(), 0));
      const bn = randn([3, 5, 7, 9], { dtype });
      compare(`mean([0, 2, 3]) ${dtype}`, dtype, () => bn.mean([0, 2, 3]), () => bn.abs().mean([0, 2, 3]));
      compare(`sum([0, 2]) ${dtype}`, dtype, () => bn.sum([0, 2]), () => bn.abs().sum([0, 2]));
      compare(`sum([1, 3]) ${dtype}`, dtype, () => bn.sum([1, 3]), () => bn.abs().sum([1, 3]));
      const big = randn([(1 << 17) + 77], { dtype });
      compare(`sum ${big.numel()} ${dtype}`, dtype, () => sum(big), () => sum(big.abs()));
    }
  });

  it('float32 rows read as eight page streams: lengths around the groups and chunks, strided rows', () => {
    manualSeed(15);
    for (const dtype of DTYPES) {
      for (const n of [8191, 8192, 8193, 3 * 8192 + 2047, 65536 + 8192 + 3]) {
        const x = randn([n], { dtype }).mul(100);
        compare(`sum ${n} ${dtype}`, dtype, () => sum(x), () => sum(x.abs()));
        // Rows of a wider tensor: contiguous runs that start anywhere.
        const rows = randn([3, n + 5], { dtype }).narrow(1, 3, n);
        compare(`sum rows ${n} ${dtype}`, dtype, () => sum(rows, 1), () => sum(rows.abs(), 1));
        compare(`mean rows ${n} ${dtype}`, dtype, () => mean(rows, 1), () => mean(rows.abs(), 1));
      }
    }
  });

  it('column sums: many positions (chunked), wide panels, gaps between runs, two reduced dims', () => {
    manualSeed(16);
    for (const dtype of DTYPES) {
      for (const [r, m] of [[4096, 256], [100000, 3], [1000, 17], [700, 1024], [300, 1025], [150, 2500], [60000, 5]]) {
        const x = randn([r!, m! + 7], { dtype }).mul(10).narrow(1, 3, m!); // the run of m inside a longer row
        const ax = x.abs();
        compare(`sum(0) [${r}, ${m}] ${dtype}`, dtype, () => sum(x, 0), () => sum(ax, 0));
        compare(`mean(0) [${r}, ${m}] ${dtype}`, dtype, () => mean(x, 0), () => mean(ax, 0));
      }
      // Reduced positions in runs that do not coalesce: chunks start in the middle of a run.
      const y = randn([37, 151, 96], { dtype }).narrow(1, 0, 150);
      compare(`sum([0, 1]) of a narrowed [37, 150, 96] ${dtype}`, dtype, () => y.sum([0, 1]), () => y.abs().sum([0, 1]));
      const z = randn([5, 40, 33], { dtype }).narrow(1, 1, 39);
      compare(`mean([0, 1]) of a narrowed [5, 39, 33] ${dtype}`, dtype, () => z.mean([0, 1]), () => z.abs().mean([0, 1]));
    }
  });

  it('column sums: NaN and infinities in any chunk', () => {
    for (const dtype of DTYPES) {
      // Three chunks of 6592 positions.
      const x = putSpecials(randn([16000, 20], { dtype }), 1, [15999, 7000, 5, 14000, 1500, 9000]);
      for (const build of BUILDS) expectSpecialSums(withKernels(build, () => sum(x, 0).tolist()) as number[], dtype, build);
    }
  });

  it('random shapes, strides and dims (negative dims, keepdim)', () => {
    manualSeed(13);
    const rand = lcg(5);
    for (let trial = 0; trial < 60; trial++) {
      const dtype = DTYPES[trial % 2]!;
      const nd = 1 + rand(4);
      const shape = Array.from({ length: nd }, () => 1 + rand(nd > 2 ? 12 : 70));
      const x = randomLayout(rand, shape, dtype);
      const dims = [...Array(nd).keys()].filter(() => rand(2) === 0).map((d) => (rand(2) ? d - nd : d));
      if (dims.length === 0) dims.push(rand(nd));
      const keepdim = rand(2) === 0;
      const ax = x.abs();
      const what = `[${shape}] strides [${x.stride()}] dims [${dims}] keepdim ${keepdim} ${dtype}`;
      compare(`sum ${what}`, dtype, () => x.sum({ dim: dims, keepdim }), () => ax.sum({ dim: dims, keepdim }));
      compare(`mean ${what}`, dtype, () => x.mean({ dim: dims, keepdim }), () => ax.mean({ dim: dims, keepdim }));
    }
  });

  it('NaN and infinities propagate; empty and 0-d inputs', () => {
    for (const dtype of DTYPES) {
      const x = putSpecials(randn([4, 40], { dtype }), 0, [39, 3, 3, 7, 0, 1]);
      for (const build of BUILDS) {
        expectSpecialSums(withKernels(build, () => sum(x, 1).tolist()) as number[], dtype, build);
        const c = withKernels(build, () => sum(x.t().contiguous(), 0).tolist()) as number[];
        expect(Number.isNaN(c[0]) && c[1] === Infinity && Number.isNaN(c[2]), build).toBe(true);
      }
      for (const [what, t] of [['empty', randn([0, 40], { dtype })], ['0-d', tensor(2.5, { dtype })]] as const) {
        for (const build of BUILDS) {
          expectIdentical(withKernels(build, () => sum(t as Tensor)), withKernels('ts', () => sum(t as Tensor)), `sum ${what}`);
          expectIdentical(withKernels(build, () => mean(t as Tensor, 0)), withKernels('ts', () => mean(t as Tensor, 0)), `mean ${what}`);
        }
      }
    }
  });

  it('sums over broadcast (stride-0) dims equal the TS sums of the dense copies', () => {
    manualSeed(15);
    // A sum's gradient reduced again (bias gradients): a run of n copies of v sums to n * v, which
    // the TS kernels' float64 accumulation of float32 values reaches exactly (the wasm float32 lanes
    // of a dense sum round).
    const c = randn([1, 6, 1, 1]).mul(3);
    const cases: [string, Tensor, number[]][] = [
      ['scalar expanded, dims [0,2,3]', tensor(0.37).expand([64, 6, 24, 24]), [0, 2, 3]],
      ['scalar expanded, every dim', tensor(-1.7).expand([5, 7, 9]), [0, 1, 2]],
      ['channel expanded, dims [0,2,3]', c.expand([64, 6, 24, 24]), [0, 2, 3]],
      ['channel expanded, dims [2,3]', c.expand([3, 6, 10, 13]), [2, 3]],
      ['column expanded, dim 1', randn([40, 1]).expand([40, 77]), [1]],
      ['-0 expanded', tensor(-0).expand([300]), [0]],
    ];
    for (const [what, x, dims] of cases) {
      for (const kernels of ['ts', ...BUILDS] as const) {
        expectIdentical(withKernels(kernels, () => x.sum(dims)), withKernels('ts', () => x.contiguous().sum(dims)), `sum ${what} (${kernels})`);
        expectIdentical(withKernels(kernels, () => x.mean(dims)), withKernels('ts', () => x.contiguous().mean(dims)), `mean ${what} (${kernels})`);
      }
    }
    expect(Object.is(tensor(-0).expand([300]).sum().item(), 0)).toBe(true);
  });

  it('identical bytes for 1, 2 and 3 threads', () => {
    manualSeed(14);
    for (const dtype of DTYPES) {
      const long = randn([(1 << 18) + 5], { dtype });
      const wide = randn([2, 300, 200], { dtype });
      const runs = (): Tensor[] => [sum(long), mean(long), sum(wide, 1), wide.sum([0, 1]), mean(wide, -1), wide.mean([0, 2])];
      for (const build of BUILDS) {
        const results = [1, 2, 3].map((t) => {
          setNumThreads(t);
          return withKernels(build, runs);
        });
        for (const r of results.slice(1)) r.forEach((t, i) => expectIdentical(t, results[0]![i]!, `${build} ${dtype} output ${i}`));
      }
    }
  });

  it('identical bytes for 1, 2 and 3 threads: column chunks, column ranges, row chunks, split', () => {
    manualSeed(17);
    for (const dtype of DTYPES) {
      const tall = randn([4096, 256], { dtype }); // chunks of positions
      const few = randn([100000, 3], { dtype }); // chunks of positions, three columns
      const two = randn([37, 151, 96], { dtype }).narrow(1, 0, 150); // chunks across runs
      const wide = randn([40, 3000], { dtype }); // column ranges
      const long = randn([(1 << 19) + 8195], { dtype }); // row chunks (float32: page streams)
      const runs = (): Tensor[] => [sum(tall, 0), mean(few, 0), two.sum([0, 1]), sum(wide, 0), sum(long)];
      for (const build of BUILDS) expectSameBytesForThreads(build, runs, 5, dtype);
    }
  });
});

describe('wasm SIMD max/min vs TS', () => {
  it('max/min/amax/amin along the last dim and overall, NaN and infinities', () => {
    manualSeed(10);
    for (const dtype of DTYPES) {
      for (const n of [32, 47, 515]) {
        const x = randn([4, n], { dtype });
        x.select(0, 1).narrow(0, n - 1, 1).fill_(Number.NaN); // NaN in the scalar tail
        x.select(0, 2).narrow(0, 3, 1).fill_(Number.NaN); // NaN in the vector part
        x.select(0, 3).narrow(0, 5, 1).fill_(Infinity);
        const zero = () => tensor(0, { dtype });
        for (const [name, f] of [['amax', (t: Tensor) => amax(t, -1)], ['amin', (t: Tensor) => amin(t, -1)],
          ['max', (t: Tensor) => max(t)], ['min', (t: Tensor) => min(t)],
          ['max.dim', (t: Tensor) => max(t, -1).values], ['min.dim', (t: Tensor) => min(t, -1).values]] as const) {
          compare(`${name} ${n} ${dtype}`, dtype, () => f(x), zero);
          compare(`${name} no NaN ${n} ${dtype}`, dtype, () => f(x.narrow(0, 0, 1)), zero);
        }
        for (const build of BUILDS) {
          expect(withKernels(build, () => max(x, -1).indices.tolist())).toEqual(withKernels('ts', () => max(x, -1).indices.tolist()));
        }
      }
    }
  });
});
