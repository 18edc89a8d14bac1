/** LBFGS against PyTorch 1.13 (optim.json's `lbfgs` cases): Rosenbrock plus a quadratic, closure API. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, memory, tensor, tidy } from './helpers.js';
import { LBFGS, type LBFGSOptions } from '../src/index.js';

interface LbfgsCase {
  options: LBFGSOptions;
  history: number[][][];
  losses: number[];
  func_evals: number;
  n_iter: number;
}
const cases = (JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as { lbfgs: LbfgsCase[] }).lbfgs;

function problem(options: LBFGSOptions) {
  const x = tensor([-1.5, 2.0], { dtype: 'float64' }).requiresGrad_();
  const y = tensor([1.0, -2.0, 0.5], { dtype: 'float64' }).requiresGrad_();
  const w = tensor([1.0, 2.0, 3.0], { dtype: 'float64' });
  const opt = new LBFGS([x, y], options);
  const closure = (): Tensor =>
    tidy(() => {
      opt.zeroGrad();
      const x0 = x.select(0, 0);
      const x1 = x.select(0, 1);
      const loss = x0.neg().add(1).pow(2).add(x1.sub(x0.pow(2)).pow(2).mul(100)).add(y.mul(y).mul(w).sum());
      loss.backward();
      return loss;
    });
  return { x, y, opt, closure };
}

// Rosenbrock amplifies last-bit differences in gradients (autograd's evaluation order) to ~1e-8.
function near(a: number[], b: number[], tol = 1e-7): void {
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!))));
}

describe('LBFGS matches PyTorch 1.13', () => {
  for (const c of cases) {
    it(JSON.stringify(c.options), () => {
      tidy(() => {
        const { x, y, opt, closure } = problem(c.options);
        c.history.forEach(([xs, ys], k) => {
          const loss = opt.step(closure) as Tensor;
          expect(Math.abs(loss.item() - c.losses[k]!)).toBeLessThanOrEqual(1e-7 * (1 + Math.abs(c.losses[k]!)));
          near(x.tolist() as number[], xs!);
          near(y.tolist() as number[], ys!);
        });
        const st = opt.state.get(x)!;
        expect(st.func_evals).toBe(c.func_evals);
        expect(st.n_iter).toBe(c.n_iter);
        opt.dispose();
      });
    });
  }

  it('keeps memory flat across steps and requires a closure', () => {
    tidy(() => {
      const { opt, closure } = problem({ lineSearchFn: 'strong_wolfe', historySize: 3, maxIter: 4 });
      opt.step(closure);
      opt.step(closure);
      const before = memory().liveTensors;
      for (let i = 0; i < 20; i++) tidy(() => void opt.step(closure));
      expect(memory().liveTensors).toBe(before);
      expect(() => opt.step()).toThrow(/requires a closure/);
      opt.dispose();
    });
  });
});
