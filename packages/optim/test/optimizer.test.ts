/** The Optimizer base: groups, errors, zeroGrad, state dicts, and flat memory over 1000 steps. */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { Tensor, memory, noGradHelper, randn, tensor, tidy, zeros, ones } from './helpers.js';
import * as optim from '../src/index.js';

function quadraticStep(opt: optim.Optimizer, params: Tensor[]): void {
  tidy(() => {
    opt.zeroGrad();
    const loss = params.map((p) => p.sub(1).pow(2).sum()).reduce((a, b) => a.add(b));
    loss.backward();
  });
  opt.step();
}

describe('Optimizer', () => {
  it('builds groups with defaults and checks its arguments like PyTorch', () => {
    const a = zeros(2).requiresGrad_();
    const b = zeros(3).requiresGrad_();
    const opt = new optim.SGD([{ params: [a] }, { params: [b], lr: 0.5, momentum: 0.9 }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([[0.1, 0], [0.5, 0.9]]);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow('optimizer got an empty parameter list');
    expect(() => opt.addParamGroup({ params: [a] })).toThrow('some parameters appear in more than one parameter group');
    expect(() => new optim.SGD([a.mul(2)], { lr: 0.1 })).toThrow("can't optimize a non-leaf Tensor");
    expect(() => new optim.SGD([a], { lr: 0.1, nesterov: true })).toThrow('Nesterov momentum requires a momentum and zero dampening');
    expect(() => new optim.Adam([a], { lr: -1 })).toThrow('Invalid learning rate: -1');
    expect(() => new optim.Adam([a], { betas: [1, 0.9] })).toThrow('Invalid beta parameter at index 0: 1');
    expect(() => new optim.LBFGS([{ params: [a] }, { params: [b] }])).toThrow("LBFGS doesn't support per-parameter options (parameter groups)");
    const c = zeros(1).requiresGrad_();
    opt.addParamGroup({ params: c, lr: 0.3 });
    expect(opt.paramGroups[2]!.params).toEqual([c]);
    expect(opt.paramGroups[2]!.nesterov).toBe(false);
  });

  it('zeroGrad drops gradients by default or zeroes them in place', () => {
    const p = ones(2).requiresGrad_();
    const opt = new optim.SGD([p], { lr: 0.1 });
    p.mul(3).sum().backward();
    const g = p.grad!;
    opt.zeroGrad({ setToNone: false });
    expect(p.grad).toBe(g);
    expect(g.tolist()).toEqual([0, 0]);
    opt.zeroGrad();
    expect(p.grad).toBe(null);
  });

  it('skips parameters without gradients and returns the closure loss', () => {
    const p = ones(2).requiresGrad_();
    const q = ones(2).requiresGrad_();
    const opt = new optim.Adam([p, q], { lr: 0.1 });
    const loss = opt.step(() => {
      const l = p.sum();
      l.backward();
      return l;
    }) as Tensor;
    expect(loss.item()).toBe(2);
    expect(q.tolist()).toEqual([1, 1]);
    expect(opt.state.has(q)).toBe(false);
    expect(p.requiresGrad && p.isLeaf).toBe(true);
  });

  it('round-trips its state dict (PyTorch layout) into a fresh optimizer and continues identically', () => {
    const make = () => [tensor([1, -2, 3], { dtype: 'float64' }).requiresGrad_(), tensor([[0.5, 0.25]], { dtype: 'float64' }).requiresGrad_()];
    const pa = make();
    const a = new optim.Adam(pa, { lr: 0.05, amsgrad: true, weightDecay: 0.01 });
    for (let i = 0; i < 3; i++) quadraticStep(a, pa);
    const sd = a.stateDict();
    expect(sd.param_groups[0]).toMatchObject({ lr: 0.05, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: true, maximize: false, params: [0, 1] });
    expect(Object.keys(sd.state[0]!)).toEqual(['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq']);
    expect((sd.state[0]!.step as Tensor).item()).toBe(3);

    const pb = make();
    noGradHelper(() => pa.forEach((p, i) => pb[i]!.copy_(p)));
    const b = new optim.Adam(pb, { lr: 1 });
    b.loadStateDict(sd);
    expect(b.paramGroups[0]!.lr).toBe(0.05);
    expect(b.paramGroups[0]!.weightDecay).toBe(0.01);
    expect(b.state.get(pb[0]!)!.exp_avg).not.toBe(sd.state[0]!.exp_avg);
    for (let i = 0; i < 3; i++) {
      quadraticStep(a, pa);
      quadraticStep(b, pb);
    }
    pa.forEach((p, i) => expect(pb[i]!.tolist()).toEqual(p.tolist()));
    a.dispose();
    b.dispose();
  });

  it('updates in place under noGrad (no graph, same tensors)', () => {
    const p = ones(3).requiresGrad_();
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    const version = p._version;
    quadraticStep(opt, [p]);
    expect(p.gradFn).toBe(null);
    expect(p._version).toBeGreaterThan(version);
  });
});

describe('memory stays flat', () => {
  const kinds: Array<[string, (ps: Tensor[]) => optim.Optimizer]> = [
    ['SGD', (ps) => new optim.SGD(ps, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4 })],
    ['Adam', (ps) => new optim.Adam(ps, { lr: 0.01, amsgrad: true, maximize: false, weightDecay: 1e-4 })],
  ];
  for (const [name, make] of kinds) {
    it(`${name}: 1000 steps leave torch.memory() unchanged`, () => {
      tidy(() => {
        const ps = [randn(8, 4).requiresGrad_(), randn(4).requiresGrad_()];
        const opt = make(ps);
        quadraticStep(opt, ps); // creates the state
        const before = memory();
        for (let i = 0; i < 1000; i++) quadraticStep(opt, ps);
        const after = memory();
        expect(after.liveTensors).toBe(before.liveTensors);
        expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
        expect(after.devices.cpu!.liveStorages).toBe(before.devices.cpu!.liveStorages);
        opt.dispose();
      });
    });
  }

  it('every other optimizer: 50 steps leave the live tensor count unchanged', () => {
    const others: Array<(ps: Tensor[]) => optim.Optimizer> = [
      (ps) => new optim.AdamW(ps),
      (ps) => new optim.Adamax(ps),
      (ps) => new optim.NAdam(ps),
      (ps) => new optim.RAdam(ps),
      (ps) => new optim.RMSprop(ps, { centered: true, momentum: 0.5 }),
      (ps) => new optim.Adagrad(ps),
      (ps) => new optim.Adadelta(ps),
      (ps) => new optim.Rprop(ps),
      (ps) => new optim.ASGD(ps, { t0: 3 }),
    ];
    tidy(() => {
      for (const make of others) {
        const ps = [randn(3, 2).requiresGrad_()];
        const opt = make(ps);
        quadraticStep(opt, ps);
        const before = memory().liveTensors;
        for (let i = 0; i < 50; i++) quadraticStep(opt, ps);
        expect(memory().liveTensors, opt.constructor.name).toBe(before);
        opt.dispose();
      }
    });
  });
});
