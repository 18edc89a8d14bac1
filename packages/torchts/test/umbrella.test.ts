import { expect, it } from 'vitest';
import * as torch from '../src/index.js';

it('imports as torch and computes', () => {
  const x = torch.ones(2, 3);
  expect(x.add(x).tolist()).toEqual([[2, 2, 2], [2, 2, 2]]);
});

it('exposes torch.autograd, torch.func and torch.utils.checkpoint', () => {
  const x = torch.tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true });
  const y = x.mul(x).sum();
  const [g] = torch.autograd.grad(y, x);
  expect(g!.tolist()).toEqual([2, 4, 6]);
  const df = torch.func.grad((t: torch.Tensor) => t.pow(3).sum());
  expect((df(torch.tensor([2], { dtype: 'float64' })) as torch.Tensor).tolist()).toEqual([12]);
  const z = torch.utils.checkpoint((t: torch.Tensor) => t.exp().mul(2), x);
  z.sum().backward();
  expect(x.grad!.tolist().map((v: number) => +v.toFixed(6))).toEqual([1, 2, 3].map((v) => +(2 * Math.exp(v)).toFixed(6)));
});

it('trains a tiny model with torch.nn and torch.optim', () => {
  torch.manualSeed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(2, 8), new torch.nn.Tanh(), new torch.nn.Linear(8, 1));
  const opt = new torch.optim.Adam(model.parameters(), { lr: 0.05 });
  const x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const y = torch.tensor([[0], [1], [1], [0]]);
  const lossFn = new torch.nn.MSELoss();
  let last = Infinity;
  for (let i = 0; i < 300; i++) {
    last = torch.tidy(() => {
      opt.zeroGrad();
      const loss = lossFn.call(model.call(x), y);
      loss.backward();
      opt.step();
      return loss.item();
    });
  }
  expect(last).toBeLessThan(0.05);
});

it('rsub and Module.dispose', () => {
  const x = torch.tensor([1, 2]);
  expect(x.rsub(5).tolist()).toEqual([4, 3]);
  expect(torch.rsub(x, 1, { alpha: 2 }).tolist()).toEqual([-1, -3]);
  const before = torch.memory().liveTensors;
  const m = new torch.nn.Sequential(new torch.nn.Linear(3, 4), new torch.nn.BatchNorm1d(4));
  torch.tidy(() => {
    m.call(torch.randn(2, 3)).sum().backward();
  });
  expect(torch.memory().liveTensors).toBeGreaterThan(before);
  m.dispose(); // parameters, their grads and the running statistics
  expect(torch.memory().liveTensors).toBe(before);
});

it('exposes torch.utils.data, and torch.nn / torch.optim / torch.utils.data names as types', () => {
  const ds: torch.utils.data.Dataset<torch.Tensor[]> = new torch.utils.data.TensorDataset(torch.arange(6).reshape(3, 2), torch.arange(3));
  const loader = new torch.utils.data.DataLoader(ds, { batchSize: 2 });
  const batches = [...loader] as torch.Tensor[][];
  expect(batches.map(([x]) => x!.shape)).toEqual([[2, 2], [1, 2]]);
  const model: torch.nn.Module = new torch.nn.Linear(2, 1);
  const opt: torch.optim.Optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
  expect(opt.paramGroups[0]!.params).toHaveLength(2);
});
