// The WebAssembly softmax / log_softmax gradients (assembly/softmax-backward.ts, both builds)
// against the TS kernel (float64 sums in order, results rounded once). The wasm sums run over two
// float64 accumulators and log_softmax's exp(y) is the vector exp (float32 ~2 ulp), so the bound is
// relative to each result's magnitudes: |y| * (|g| + sum|g * y|) for softmax, |g| + exp(y) * sum|g|
// for log_softmax, times 2^-21 (float32) or 2^-44 (float64). NaN where TS has NaN; the same bytes
// for 1, 2 and 3 threads.
import { afterAll, describe, expect, it } from 'vitest';
import { logSoftmax, logSoftmaxBackwardData, manualSeed, rand, randn, softmax, softmaxBackwardData, tensor } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { BUILDS, expectIdentical, expectWithin, withKernels } from './helpers.js';

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
        const x3 = randn([3, 6, 4], { dtype });
        compare(`${dtype} log=${log} middle dim (TS)`, log, randn([3, 6, 4], { dtype }), log ? logSoftmax(x3, 1) : softmax(x3, 1), 1);
        const x4 = randn([4, 9, 1], { dtype });
        compare(`${dtype} log=${log} trailing size-1 dim`, log, randn([4, 9, 1], { dtype }), log ? logSoftmax(x4, 1) : softmax(x4, 1), 1);
      }
    }
  });

  it('special values: -inf log-probabilities, zero probabilities, NaN and infinite gradients', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const y = tensor([[0, -Infinity, -1, -2, -Infinity, -0.5, -3, -104, -200]], { dtype });
      const g = tensor([[1, 2, NaN, -1, 0.5, Infinity, 3, 1, -2]], { dtype });
      compare(`${dtype} log_softmax specials`, true, g, y, 1);
      compare(`${dtype} log_softmax finite`, true, g.nanToNum(0, 0, 0), y, 1);
      const p = tensor([[0, 1, 0.25, 0, 0.75, 0, 0, 0, 0]], { dtype });
      compare(`${dtype} softmax specials`, false, g, p, 1);
      compare(`${dtype} softmax finite`, false, g.nanToNum(0, 0, 0), p, 1);
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
