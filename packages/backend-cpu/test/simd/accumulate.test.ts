// prod, nansum and nanmean through the wasm kernels (assembly/accumulate.ts, both builds) against
// the TS loops, which accumulate in float64 one element at a time:
// - prod of contiguous rows multiplies eight float64 lanes of partial products: another order, so
//   float32 results are the TS ones or one ulp away and float64 ones within n * 2^-52 relative;
//   products that are exact in any order (powers of two, zeros, infinities, NaN) come out identical,
//   signs of zeros included. (Where a partial product overflows or underflows float64 on one path
//   and not the other the results differ: not tested, documented.)
// - along non-last dims (columns) each column accumulates in the TS order: identical bytes, for any
//   thread count.
import { afterAll, describe, it } from 'vitest';
import { indexSelect, manualSeed, nanmean, nansum, rand, randn, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectIdentical, expectSameAsTs, expectWithin, lcg, specialValues, withKernels } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

const DTYPES: DType[] = ['float32', 'float64'];

/** Values near 1, so that products of hundreds of them stay in range. */
const nearOne = (shape: number[], dtype: DType): Tensor => randn(shape, { dtype }).mul(0.05).add(1);

/** Random elements of {1, -1, 2, -0.5, 0.5}: their products are exact in any order. */
function exactFactors(shape: number[], dtype: DType): Tensor {
  const choices = tensor([1, -1, 2, -0.5, 0.5], { dtype });
  const n = shape.reduce((a, b) => a * b, 1);
  return indexSelect(choices, 0, rand([n]).mul(5).floor().long()).reshape(shape);
}

/** Sets x's elements at the flat positions `at` to `v` (in place) and returns x. */
function put(x: Tensor, v: number, at: number[]): Tensor {
  const flatX = x.view([-1]);
  for (const i of at) flatX.narrow(0, i, 1).fill_(v);
  return x;
}

describe('prod row kernel', () => {
  it('rows of every length (vector tails), both dtypes, within the rounding of another order', () => {
    manualSeed(61);
    for (const dtype of DTYPES) {
      for (const n of [32, 33, 35, 39, 40, 41, 64, 101, 1000]) {
        const x = nearOne([5, n], dtype);
        const tol = dtype === 'float32' ? 2 ** -23 : n * 2 ** -52;
        for (const [what, run] of [['dim 1', () => x.prod(1)], ['all', () => x.prod()], ['sliced rows', () => x.narrow(1, 1, n - 1).prod(-1)]] as const) {
          const want = withKernels('ts', run);
          for (const build of BUILDS) expectWithin(withKernels(build, run), want, want.abs(), tol, `${dtype} n=${n} ${what} (${build})`);
        }
      }
    }
  });

  it('exact products identical: powers of two, signed zeros, infinities, NaN', () => {
    manualSeed(62);
    for (const dtype of DTYPES) {
      const x = exactFactors([8, 77], dtype);
      put(x, -0, [77 + 5]); // row 1: a signed zero
      put(x, 0, [2 * 77 + 70]); // row 2: +0
      put(x, Infinity, [3 * 77 + 3]); // row 3: an infinity
      put(put(x, -Infinity, [4 * 77 + 9]), 0, [4 * 77 + 76]); // row 4: inf * 0 = NaN
      put(x, NaN, [5 * 77 + 40]); // row 5: NaN
      put(put(x, -0, [6 * 77 + 8]), Infinity, [6 * 77 + 64]); // row 6: -0 * inf = NaN
      expectSameAsTs(`${dtype} specials`, () => x.prod(1));
    }
  });
});

/** Each reduction along `dim` of x: identical to the TS kernel under every build. */
function sameAsTs(what: string, x: Tensor, dim: number | number[]): void {
  const single = typeof dim === 'number' ? dim : null;
  if (single !== null) expectSameAsTs(`${what} prod`, () => x.prod(single));
  expectSameAsTs(`${what} nansum`, () => nansum(x, dim));
  expectSameAsTs(`${what} nanmean`, () => nanmean(x, dim));
}

describe('prod / nansum / nanmean column kernel (non-last dims)', () => {
  it('column counts with every vector tail and past a 1024-column panel, 3-d layouts, both dtypes', () => {
    manualSeed(63);
    for (const dtype of DTYPES) {
      for (const m of [2, 3, 4, 5, 7, 8, 9, 16, 17, 1030]) sameAsTs(`${dtype} [37, ${m}] dim 0`, put(nearOne([37, m], dtype), NaN, [0, m + 1, 5 * m]), 0);
      sameAsTs(`${dtype} [3, 40, 5] dim 1`, nearOne([3, 40, 5], dtype), 1);
      sameAsTs(`${dtype} [3, 40, 6] dim -2, sliced`, nearOne([3, 40, 8], dtype).narrow(2, 1, 6), -2);
      sameAsTs(`${dtype} [40, 3, 6] dims 0, 1`, nearOne([40, 3, 6], dtype), [0, 1]);
      sameAsTs(`${dtype} [4, 10, 3, 6] dims 1, 2`, nearOne([4, 10, 3, 6], dtype), [1, -2]);
      sameAsTs(`${dtype} [6, 40] permuted: dim 0 of [40, 6]^T`, nearOne([40, 6], dtype).t(), 1);
      sameAsTs(`${dtype} [5, 7] dim 0 (below the wasm threshold)`, nearOne([5, 7], dtype), 0);
    }
  });

  it('random shapes and dims against the TS kernels', () => {
    manualSeed(64);
    const rnd = lcg(65);
    for (let t = 0; t < 20; t++) {
      const shape = Array.from({ length: 2 + rnd(3) }, () => 1 + rnd(12));
      const dim = rnd(shape.length - 1) - (rnd(2) ? shape.length : 0);
      const dtype: DType = rnd(2) ? 'float32' : 'float64';
      const x = nearOne(shape, dtype);
      put(x, NaN, [rnd(x.numel())]);
      sameAsTs(`${dtype} [${shape}] dim ${dim}`, x, dim);
    }
  });

  it('NaN, infinities, signed zeros and subnormals per column; all-NaN columns', () => {
    manualSeed(66);
    for (const dtype of DTYPES) {
      sameAsTs(`${dtype} specials down column 0`, specialValues([8, 1], dtype).expand([8, 20]).contiguous(), 0);
      sameAsTs(`${dtype} specials across a row`, specialValues([40, 9], dtype), 0);
      const allNaN = put(nearOne([33, 6], dtype), NaN, Array.from({ length: 33 }, (_, i) => i * 6 + 2)); // column 2 all NaN
      sameAsTs(`${dtype} an all-NaN column`, allNaN, 0);
      const zeroInf = put(put(exactFactors([33, 6], dtype), 0, [6 + 1]), Infinity, [20 * 6 + 1]); // column 1: 0 * inf, no NaN
      put(zeroInf, -0, [3 * 6 + 4]);
      sameAsTs(`${dtype} 0 * inf and -0`, zeroInf, 0);
    }
  });

  it('the same bytes for 1, 2 and 3 threads (outer positions split, column ranges split)', () => {
    manualSeed(67);
    for (const dtype of DTYPES) {
      for (const [shape, dim] of [[[2000, 40], 0], [[6, 300, 50], 1], [[30, 3000], 0]] as [number[], number][]) {
        const x = put(nearOne(shape, dtype), NaN, [3, 77, 1001]);
        for (const build of BUILDS) {
          for (const op of [(t: Tensor) => t.prod(dim), (t: Tensor) => nansum(t, dim), (t: Tensor) => nanmean(t, dim)]) {
            const results = [1, 2, 3].map((n) => {
              setNumThreads(n);
              return withKernels(build, () => op(x));
            });
            for (const r of results.slice(1)) expectIdentical(r, results[0]!, `${dtype} [${shape}] dim ${dim} ${build} threads`);
          }
        }
      }
    }
  });
});

// nansum/nanmean of contiguous rows (assembly/nan-rows.ts): float64 sums in two-lane accumulators,
// another order than TS's: float32 results the TS ones or one ulp away (the float64 sums round to
// the same float32 but for ties), float64 ones within 2^-46 * sum|x|; NaN skipped, counts exact.
describe('nansum / nanmean row kernel', () => {
  it('rows and whole tensors with NaN, all-NaN rows, infinities, both dtypes', () => {
    manualSeed(71);
    for (const dtype of DTYPES) {
      const tol = dtype === 'float32' ? 2 ** -23 : 2 ** -46;
      for (const n of [32, 33, 35, 100, 1001]) {
        const x = put(randn([6, n], { dtype }).mul(4), NaN, [0, 3, n + 1, 2 * n + 5, 2 * n + 6]);
        for (const row of [0, 1, 2, 3]) x.select(0, 5).narrow(0, row * 8, 8).fill_(NaN); // mostly NaN
        const scale = x.nanToNum(0).abs();
        for (const build of BUILDS) {
          expectWithin(withKernels(build, () => nansum(x, 1)), withKernels('ts', () => nansum(x, 1)), scale.sum(1), tol, `${dtype} n=${n} nansum rows (${build})`);
          expectWithin(withKernels(build, () => nanmean(x, 1)), withKernels('ts', () => nanmean(x, 1)), scale.mean(1), tol * 4, `${dtype} n=${n} nanmean rows (${build})`);
          expectWithin(withKernels(build, () => nansum(x)), withKernels('ts', () => nansum(x)), scale.sum(), tol, `${dtype} n=${n} nansum all (${build})`);
        }
      }
      // Every row's result is exact: all NaN (nansum 0, nanmean NaN), or an infinity (inf - inf: NaN).
      const allNan = put(randn([3, 40], { dtype }), NaN, [...Array(120).keys()]);
      const inf = put(randn([3, 40], { dtype }), Infinity, [5, 45, 90]);
      put(inf, -Infinity, [50, 91]);
      expectSameAsTs(`${dtype} all-NaN row, infinities`, () => [nansum(allNan, 1), nanmean(allNan, 1), nansum(inf, 1), nanmean(inf, 1)]);
    }
  });

  it('the same bytes for 1, 2 and 3 threads (rows split)', () => {
    manualSeed(72);
    const x = put(randn([3000, 41]), NaN, [5, 77, 1000, 5000]);
    const run = () => [nansum(x, 1), nanmean(x, -1)];
    const results = [1, 2, 3].map((t) => {
      setNumThreads(t);
      return run();
    });
    for (const r of results.slice(1)) r.forEach((g, i) => expectIdentical(g, results[0]![i]!, `output ${i}`));
  });
});
