// The WebAssembly softmax / log_softmax gradients (assembly/softmax-backward.ts, both builds)
// against the TS kernel (float64 sums in order, results rounded once). Along the last dim the wasm
// sums run over two float64 accumulators and log_softmax's exp(y) is the vector exp (float32 ~2
// ulp), so the bound is relative to each result's magnitudes: |y| * (|g| + sum|g * y|) for
// softmax, |g| + exp(y) * sum|g| for log_softmax, times 2^-21 (float32) or 2^-44 (float64). Along
// other dims (columns) each sum runs in the TS order: softmax's gradient is the TS one bit for bit,
// log_softmax's within the same bound (its exp). NaN where TS has NaN; the same bytes for 1, 2 and
// 3 threads.
import { afterAll, describe, expect, it } from 'vitest';
import { logSoftmax, logSoftmaxBackwardData, manualSeed, rand, randn, softmax, softmaxBackwardData, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectIdentical, expectWithin, lcg, withKernels } from './helpers.js';

const initialThreads = getNumThreads();
afterAll(() => setNumThreads(initialThreads));

const TOL: Record<string, number> = { float32: 2 ** -21, float64: 2 ** -44 };

function backward(log: boolean, g: Tensor, y: Tensor, dim: number): Tensor {
  return (log ? logSoftmaxBackwardData : softmaxBackwardData)(g, y, dim, y.dtype as DType);
}

function scale(log: boolean, g: Tensor, y: Tensor, dim: number): Tensor {
  const yd = y.double(), gd = g.double();
  return log
    ? gd.abs().add(yd.exp().mul(gd.abs().sum(dim, { keepdim: true })))
    : yd.abs().mul(gd.abs().add(gd.mul(yd).abs().sum(dim, { keepdim: true })));
}

function compare(what: string, log: boolean, g: Tensor, y: Tensor, dim: number): void {
  const want = withKernels('ts', () => backward(log, g, y, dim));
  const s = scale(log, g, y, dim);
  for (const build of BUILDS) {
    const got = withKernels(build, () => backward(log, g, y, dim));
    expect(got.dtype).toBe(want.dtype);
    expectWithin(got, want, s, TOL[y.dtype]!, `${what} (${build})`);
  }
}

describe('softmax / log_softmax backward kernels', () => {
  it('rows of every length (vectors and tails), both dtypes, last and other dims', () => {
    manualSeed(21);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const log of [false, true]) {
        for (const len of [1, 2, 3, 4, 5, 7, 8, 9, 31, 64, 257]) {
          const x = randn([5, len], { dtype }).mul(3);
          const y = log ? logSoftmax(x, 1) : softmax(x, 1);
          const g = randn([5, len], { dtype });
          compare(`${dtype} log=${log} len=${len}`, log, g, y, 1);
        }
        const x4 = randn([4, 9, 1], { dtype });
        compare(`${dtype} log=${log} trailing size-1 dim`, log, randn([4, 9, 1], { dtype }), log ? logSoftmax(x4, 1) : softmax(x4, 1), 1);
      }
    }
  });

  it('special values: -inf log-probabilities, zero probabilities, NaN and infinite gradients', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const y = tensor([[0, -Infinity, -1, -2, -Infinity, -0.5, -3, -104, -200]], { dtype });
      const g = tensor([[1, 2, NaN, -1, 0.5, Infinity, 3, 1, -2]], { dtype });
      const gInf = tensor([[1, 2, 0, -1, 0.5, Infinity, 3, 1, -2]], { dtype }); // no NaN: 0 * inf in the sum
      compare(`${dtype} log_softmax specials`, true, g, y, 1);
      compare(`${dtype} log_softmax finite`, true, g.nanToNum(0, 0, 0), y, 1);
      // (exp(y) * inf: float32's exp underflows to 0 below y = -103.3, giving NaN as PyTorch's float32 kernel, TS -inf)
      compare(`${dtype} log_softmax infinite gradient`, true, gInf, y.clampMin(-80), 1);
      const p = tensor([[0, 1, 0.25, 0, 0.75, 0, 0, 0, 0]], { dtype });
      compare(`${dtype} softmax specials`, false, g, p, 1);
      compare(`${dtype} softmax finite`, false, g.nanToNum(0, 0, 0), p, 1);
      compare(`${dtype} softmax infinite gradient`, false, gInf, p, 1);
    }
  });

  it('the same bytes for 1, 2 and 3 threads (rows split)', () => {
    manualSeed(22);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const log of [false, true]) {
        const x = randn([300, 130], { dtype });
        const y = log ? logSoftmax(x, 1) : softmax(x, 1);
        const g = rand([300, 130], { dtype });
        for (const build of BUILDS) {
          const results = [1, 2, 3].map((t) => {
            setNumThreads(t);
            return withKernels(build, () => backward(log, g, y, 1));
          });
          for (const r of results.slice(1)) expectIdentical(r, results[0]!, `${dtype} log=${log} ${build} threads`);
        }
      }
    }
  });
});

/** The gradient along `dim` of [shape] under the TS kernel and every build: softmax's identical, log_softmax's within the bound. */
function compareColumns(what: string, log: boolean, shape: number[], dim: number, dtype: DType, permute?: number[]): void {
  const x = randn(shape, { dtype }).mul(3);
  const y = log ? logSoftmax(x, dim) : softmax(x, dim);
  const g0 = randn(permute ? permute.map((p) => shape[p]!) : shape, { dtype });
  // A permuted gradient (made contiguous by the op) when `permute` is given.
  const g = permute ? g0.permute(permute.map((_, i) => permute.indexOf(i))) : g0;
  if (log) {
    compare(what, log, g, y, dim);
    return;
  }
  const want = withKernels('ts', () => backward(log, g, y, dim));
  for (const build of BUILDS) expectIdentical(withKernels(build, () => backward(log, g, y, dim)), want, `${what} (${build})`);
}

describe('softmax / log_softmax backward along other dims (column kernel)', () => {
  it('column counts with every vector tail and past a 1024-column panel, dims of every length', () => {
    manualSeed(23);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const log of [false, true]) {
        for (const inner of [2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 19, 33, 40]) {
          for (const len of [1, 2, 5, 64]) compareColumns(`${dtype} log=${log} [3, ${len}, ${inner}] dim 1`, log, [3, len, inner], 1, dtype);
        }
        compareColumns(`${dtype} log=${log} [2, 3, 2051] dim 1`, log, [2, 3, 2051], 1, dtype);
        compareColumns(`${dtype} log=${log} [37, 21] dim 0`, log, [37, 21], 0, dtype);
        compareColumns(`${dtype} log=${log} [2, 5, 3, 7] dim -3`, log, [2, 5, 3, 7], -3, dtype);
        compareColumns(`${dtype} log=${log} [4, 6, 1, 5] dim 1 (size-1 dim inside)`, log, [4, 6, 1, 5], 1, dtype);
        compareColumns(`${dtype} log=${log} [1, 6, 5, 1] dim -3 (size-1 outer and trailing)`, log, [1, 6, 5, 1], -3, dtype);
        compareColumns(`${dtype} log=${log} [3, 8, 6] dim 1, permuted gradient`, log, [3, 8, 6], 1, dtype, [2, 0, 1]);
      }
    }
  });

  it('random shapes and dims against the TS kernel', () => {
    manualSeed(24);
    const rnd = lcg(25);
    for (let t = 0; t < 24; t++) {
      const shape = Array.from({ length: 2 + rnd(3) }, () => 1 + rnd(9));
      shape[shape.length - 1] = 2 + rnd(8); // inner positions after any dim but the last
      const dim = rnd(shape.length - 1) - (rnd(2) ? shape.length : 0); // not the last dim; negative half the time
      const dtype: DType = rnd(2) ? 'float32' : 'float64';
      compareColumns(`${dtype} [${shape}] dim ${dim}`, rnd(2) === 1, shape, dim, dtype);
    }
  });

  it('special values down a column: -inf log-probabilities, zero probabilities, NaN and infinite gradients', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const column = (v: number[]) => tensor(v, { dtype }).reshape([9, 1]).expand([9, 6]).contiguous();
      const y = column([0, -Infinity, -1, -2, -Infinity, -0.5, -3, -104, -200]);
      const g = column([1, 2, NaN, -1, 0.5, Infinity, 3, 1, -2]);
      const gInf = column([1, 2, 0, -1, 0.5, Infinity, 3, 1, -2]); // no NaN: 0 * inf in the sum
      compare(`${dtype} log_softmax specials`, true, g, y, 0);
      compare(`${dtype} log_softmax finite`, true, g.nanToNum(0, 0, 0), y, 0);
      compare(`${dtype} log_softmax infinite gradient`, true, gInf, y.clampMin(-80), 0);
      const p = column([0, 1, 0.25, 0, 0.75, 0, 0, 0, 0]);
      for (const gg of [g, g.nanToNum(0, 0, 0), gInf]) {
        const want = withKernels('ts', () => backward(false, gg, p, 0));
        for (const build of BUILDS) expectIdentical(withKernels(build, () => backward(false, gg, p, 0)), want, `${dtype} softmax specials (${build})`);
      }
    }
  });

  it('the same bytes for 1, 2 and 3 threads (outer blocks split, inner positions split)', () => {
    manualSeed(26);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const log of [false, true]) {
        for (const [shape, dim] of [[[12, 40, 70], 1], [[1, 30, 1500], 1], [[700, 50], 0]] as [number[], number][]) {
          const x = randn(shape, { dtype });
          const y = log ? logSoftmax(x, dim) : softmax(x, dim);
          const g = rand(shape, { dtype });
          for (const build of BUILDS) {
            const results = [1, 2, 3].map((t) => {
              setNumThreads(t);
              return withKernels(build, () => backward(log, g, y, dim));
            });
            for (const r of results.slice(1)) expectIdentical(r, results[0]!, `${dtype} log=${log} [${shape}] ${build} threads`);
          }
        }
      }
    }
  });
});
