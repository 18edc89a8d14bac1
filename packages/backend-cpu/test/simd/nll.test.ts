// The WebAssembly nll_loss forward / backward kernels (assembly/nll.ts, both builds) against the TS
// kernels: the same float64 arithmetic in the same order, so identical bytes, over reductions,
// class weights, ignore_index (inside and outside the class range), special values, empty batches,
// (C) inputs with 0-d targets, and the same error for a target out of range.
import { describe, expect, it } from 'vitest';
import { manualSeed, nllLossBackward, nllLossForward, randint, randn, tensor } from '@torchts/core';
import type { DType, NllReduction, Tensor } from '@torchts/core';
import { BUILDS, expectSameAsTs, lcg, withKernels } from './helpers.js';

const REDUCTIONS: NllReduction[] = ['none', 'mean', 'sum'];

/** Forward outputs and the backward of a random incoming gradient. */
function both(x: Tensor, t: Tensor, w: Tensor | null, reduction: NllReduction, ignoreIndex: number, g: Tensor): Tensor[] {
  const [out, total] = nllLossForward(x, t, w, reduction, ignoreIndex);
  return [out!, total!, nllLossBackward(g, x, t, w, reduction, ignoreIndex, total!)];
}

function gradFor(x: Tensor, reduction: NllReduction): Tensor {
  return reduction === 'none' && x.ndim === 2 ? randn([x.shape[0]!], { dtype: x.dtype as DType }) : randn([], { dtype: x.dtype as DType });
}

describe('nll_loss kernels', () => {
  it('random batches, classes, weights, reductions and ignored targets: identical to TS', () => {
    manualSeed(31);
    const next = lcg(7);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      for (const [n, c] of [[0, 4], [1, 1], [5, 3], [64, 10], [33, 17]] as const) {
        for (const reduction of REDUCTIONS) {
          for (const weighted of [false, true]) {
            const x = randn([n, c], { dtype }).mul(4);
            const ignoreIndex = next(2) ? -100 : next(c);
            // About a quarter of the targets set to ignoreIndex (ignored rows).
            const t = randint(0, c, [n], { dtype: 'int64' });
            const ts = t.tolist() as number[];
            const targets = tensor(ts.map((v) => (next(4) === 0 ? ignoreIndex : v)), { dtype: 'int64' });
            const w = weighted ? randn([c], { dtype }).abs() : null;
            const g = gradFor(x, reduction);
            expectSameAsTs(`${dtype} [${n}, ${c}] ${reduction} weighted=${weighted} ignore=${ignoreIndex}`,
              () => both(x, targets, w, reduction, ignoreIndex, g));
          }
        }
      }
    }
  });

  it('special values, every target ignored (mean NaN), (C) inputs and strided targets', () => {
    for (const dtype of ['float32', 'float64'] as DType[]) {
      const x = tensor([[NaN, -1, 2], [-Infinity, Infinity, -0], [0, -0, 1e-30], [3, 4, 5]], { dtype });
      const t = tensor([0, 0, 1, 2], { dtype: 'int64' });
      const w = tensor([0.5, -2, 0], { dtype });
      for (const reduction of REDUCTIONS) {
        const g = reduction === 'none' ? tensor([1, -0, Infinity, 2], { dtype }) : tensor(0.75, { dtype });
        expectSameAsTs(`${dtype} specials ${reduction}`, () => both(x, t, null, reduction, -100, g));
        expectSameAsTs(`${dtype} specials weighted ${reduction}`, () => both(x, t, w, reduction, -100, g));
        expectSameAsTs(`${dtype} all ignored ${reduction}`, () => both(x, tensor([1, 1, 1, 1], { dtype: 'int64' }), w, reduction, 1, g));
        const g1 = reduction === 'none' ? tensor(1.5, { dtype }) : tensor(0.75, { dtype });
        expectSameAsTs(`${dtype} (C) input ${reduction}`, () => both(x.select(0, 3), tensor(2, { dtype: 'int64' }), w, reduction, -100, g1));
      }
      const every2 = tensor([2, 9, 0, 9, 1, 9, 1, 9], { dtype: 'int64' }).slice(0, 0, null, 2);
      expectSameAsTs(`${dtype} strided targets`, () => both(x, every2, w, 'mean', -100, tensor(1, { dtype })));
    }
  });

  it('a target out of range throws the TS kernel\'s IndexError under every build', () => {
    const x = randn([3, 4]);
    for (const bad of [4, -1, 100]) {
      const t = tensor([1, bad, 2], { dtype: 'int64' });
      const message = `Target ${bad} is out of bounds.`;
      expect(() => withKernels('ts', () => nllLossForward(x, t, null, 'mean', -100)), 'ts').toThrow(message);
      for (const build of BUILDS) {
        expect(() => withKernels(build, () => nllLossForward(x, t, null, 'mean', -100)), build).toThrow(message);
        const [, total] = nllLossForward(x, tensor([1, 0, 2], { dtype: 'int64' }), null, 'sum', -100);
        expect(() => withKernels(build, () => nllLossBackward(tensor(1), x, t, null, 'sum', -100, total!)), build).toThrow(message);
      }
    }
  });
});
