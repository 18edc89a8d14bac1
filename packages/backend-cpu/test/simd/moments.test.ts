// var/std (and var_mean/std_mean) and the 1- and 2-norms through the wasm power-sum row kernel
// (assembly/moments.ts) against the TS loops: both sum in float64, in another order, so float32
// results are the TS ones or one ulp away and float64 ones within 2^-46 relative; NaN and
// infinities as TS. Along non-last dims the column kernel (vectorised across kept columns) adds
// in the TS loops' order: identical results, for any thread count.
import { afterAll, describe, expect, it } from 'vitest';
import { manualSeed, randn, stdMean, tensor, varMean } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { pool, simd } from '../../src/wasm/simd.js';
import { BUILDS, expectIdentical, expectSameAsTs, expectWithin, lcg, withKernels } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

function compare(what: string, run: () => Tensor[], dtype: DType): void {
  const want = withKernels('ts', run);
  const tol = dtype === 'float32' ? 2 ** -23 : 2 ** -46;
  for (const build of BUILDS) {
    const got = withKernels(build, run);
    got.forEach((g, i) => expectWithin(g, want[i]!, want[i]!.abs(), tol, `${what} output ${i} (${build})`));
  }
}

describe('power-sum row kernels (var/std, norms)', () => {
  it('rows of every length, offsets from the mean, both dtypes, corrections', () => {
    manualSeed(51);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const n of [32, 33, 34, 35, 64, 101, 1000]) {
        const x = randn([6, n], { dtype }).mul(3).add(1000);
        compare(`${dtype} n=${n} var/std`, () => [x.var(1), x.std(1, { correction: 0 }), ...varMean(x, 1), ...stdMean(x, 1, { correction: 2 })], dtype);
        compare(`${dtype} n=${n} norms`, () => [x.norm(2, 1), x.norm(1, 1), x.sub(1000).norm(), x.norm(1)], dtype);
      }
    }
  });

  it('many rows in one call (var/std, 1-/2-norms along the last dim): identical bytes for 1, 2 and 3 threads', () => {
    manualSeed(55);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const x = randn([3000, 41], { dtype }).mul(3).add(7);
      const run = () => [x.var(1), x.std(1), x.norm(2, 1), x.norm(1, 1), x.t().contiguous().t().var(0)];
      compare(`${dtype} [3000, 41] rows`, run, dtype);
      const results = [1, 2, 3].map((t) => {
        setNumThreads(t);
        return run();
      });
      for (const r of results.slice(1)) r.forEach((g, i) => expectIdentical(g, results[0]![i]!, `${dtype} output ${i}`));
    }
    setNumThreads(initialThreads);
  });

  it('NaN, infinities and float32 overflow of the squares', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const row = (v: number, at: number) => Array.from({ length: 40 }, (_, i) => (i === at ? v : (i % 7) - 3));
      const big = new Array<number>(40).fill(dtype === 'float32' ? 1e20 : 1e160);
      const x = tensor([row(NaN, 3), row(Infinity, 39), row(-Infinity, 0)], { dtype });
      compare(`${dtype} specials`, () => [x.var(1), x.std(1), x.norm(2, 1), x.norm(1, 1)], dtype);
      // (The variance of equal huge values is the square of the mean's rounding error, which
      // depends on the sum's order: only the norms are compared there.)
      const b = tensor([big], { dtype });
      compare(`${dtype} overflowing squares`, () => [b.norm(2, 1), b.norm(1, 1)], dtype);
    }
  });
});

/** Every column-capable statistic of x over dims. */
function stats(x: Tensor, dims: number[], keepdim: boolean): Tensor[] {
  return [x.var(dims, { keepdim }), x.std(dims, { correction: 0, keepdim }), ...varMean(x, dims, { correction: 2, keepdim }),
    ...stdMean(x, dims, { keepdim }), x.norm(2, dims, keepdim), x.norm(1, dims, keepdim), x.norm(Infinity, dims, keepdim),
    x.norm(-Infinity, dims, keepdim)];
}

describe('power-sum column kernels (var/std, norms along non-last dims)', () => {
  it('random shapes, dims, keepdim, strided views, specials, both dtypes: identical to TS', () => {
    manualSeed(53);
    const rand = lcg(53);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (let trial = 0; trial < 30; trial++) {
        const nd = 2 + rand(2);
        const shape = Array.from({ length: nd }, () => 1 + rand(trial % 3 === 0 ? 40 : 13));
        let x = randn(shape, { dtype }).mul(2).add(rand(2) ? 0 : 100);
        const flatX = x.flatten();
        for (let k = 0; k < Math.max(1, flatX.numel() >> 6); k++) flatX.narrow(0, rand(flatX.numel()), 1).fill_([NaN, Infinity, -Infinity, -0][rand(4)]!);
        if (rand(3) === 0) x = x.transpose(0, nd - 1);
        else if (rand(3) === 0) x = x.narrow(nd - 1, 0, Math.max(1, x.shape[nd - 1]! - 1));
        // Not the last dim (rows take the row kernel: another order, compared above).
        const dim = rand(nd - 1) - (rand(2) ? nd : 0);
        const dims = nd === 3 && rand(2) ? [0, 1] : [dim];
        const keepdim = rand(2) === 0;
        expectSameAsTs(`${dtype} [${x.shape}] dims [${dims}]`, () => stats(x, dims, keepdim));
      }
    }
  });

  it('every panel width (2..40 columns, past one 1024-column panel) with NaN, infinities, huge values', () => {
    {
      for (const dtype of ['float32', 'float64'] as DType[]) {
        for (const m of [2, 3, 4, 5, 8, 9, 15, 16, 17, 31, 33, 40, 1027, 2050]) {
          const rows = 37;
          const data = Array.from({ length: rows }, (_, r) => Array.from({ length: m }, (_, j) => ((r * 7 + j * 3) % 5) - 2 + j / 8));
          for (let j = 0; j < m; j++) {
            if (j % 5 === 1) data[0]![j] = NaN;
            if (j % 5 === 2) data[3]![j] = Infinity;
            if (j % 5 === 3) { data[3]![j] = Infinity; data[30]![j] = -Infinity; }
            if (j % 5 === 4) data[9]![j] = dtype === 'float32' ? 3e38 : 1e300;
          }
          const x = tensor(data, { dtype });
          expectSameAsTs(`${dtype} m=${m}`, () => stats(x, [0], false));
          expectSameAsTs(`${dtype} m=${m} [2, 37, m] over dim 1`, () => stats(x.reshape([1, rows, m]).expand([2, rows, m]).contiguous(), [1], true));
        }
      }
    }
  });

  it('identical bytes for 1, 2 and 3 threads (the column kernel split over the pool)', () => {
    manualSeed(54);
    for (const shape of [[300, 1000], [64, 40, 48], [5000, 40], [40, 5000]]) {
      const x = randn(shape);
      const run = () => [...stats(x, [0], false), ...stats(x, [0, 1], false)];
      setNumThreads(1);
      const want = run();
      for (const t of [2, 3]) {
        setNumThreads(t);
        // Every statistic along dim 0 is a column reduction: each one splits over the pool.
        const p = pool(), poolRun = p?.run;
        let jobs = 0;
        if (p) p.run = (...a: Parameters<NonNullable<typeof poolRun>>) => { jobs++; return poolRun!.apply(p, a); };
        try {
          run().forEach((g, i) => expectIdentical(g, want[i]!, `[${shape}] output ${i}, ${t} threads`));
        } finally {
          if (p) p.run = poolRun!;
        }
        if (simd()) expect(jobs, `[${shape}] ${t} threads`).toBeGreaterThanOrEqual(8);
      }
    }
  });
});
