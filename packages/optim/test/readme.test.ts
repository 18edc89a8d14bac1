/** The README's example, run as written. */
import { expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { tensor, tidy } from '@torchts/core';
import '@torchts/autograd';
import { Adam, LBFGS, SGD, lrScheduler } from '../src/index.js';

it('README example fits y = 2x + 1', () => {
  const x = tensor([[0], [1], [2], [3]]);
  const y = tensor([[1], [3], [5], [7]]);
  const w = tensor([[0]]).requiresGrad_();
  const b = tensor([0]).requiresGrad_();
  const opt = new Adam([w, b], { lr: 0.1 });
  const sched = new lrScheduler.StepLR(opt, 100, { gamma: 0.5 });
  for (let epoch = 0; epoch < 500; epoch++) {
    tidy(() => {
      opt.zeroGrad();
      const loss = x.matmul(w).add(b).sub(y).pow(2).mean();
      loss.backward();
      opt.step();
      sched.step();
    });
  }
  expect(w.item()).toBeCloseTo(2, 2);
  expect(b.item()).toBeCloseTo(1, 2);

  const sgd = new SGD([{ params: [w] }, { params: [b], lr: 0.01 }], { lr: 0.1, momentum: 0.9 });
  const checkpoint = sgd.stateDict();
  expect(checkpoint.param_groups.map((g) => g.params)).toEqual([[0], [1]]);
  sgd.loadStateDict(checkpoint);

  const lbfgs = new LBFGS([w, b], { lineSearchFn: 'strong_wolfe' });
  lbfgs.step(() =>
    tidy(() => {
      lbfgs.zeroGrad();
      const loss = x.matmul(w).add(b).sub(y).pow(2).mean();
      loss.backward();
      return loss;
    }),
  );
  expect(w.item()).toBeCloseTo(2, 4);
  opt.dispose();
  lbfgs.dispose();
});
