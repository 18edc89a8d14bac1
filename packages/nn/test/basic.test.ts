import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional;
const fx = JSON.parse(readFileSync(new URL('./fixtures/nn_basic.json', import.meta.url), 'utf8'));
const C = fx.cases;
const f64 = (v: unknown): Tensor => torch.tensor(v as number[], { dtype: 'float64' });

function close(a: Tensor, expected: unknown, tol = 1e-9): void {
  const got = a.tolist() as number[] | number[][];
  const flatG = [got].flat(4) as number[];
  const flatE = [expected].flat(4) as number[];
  expect(flatG.length).toBe(flatE.length);
  flatG.forEach((g, i) => expect(Math.abs(g - flatE[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(flatE[i]!))));
}

// PyTorch 1.13's CPU backward kernels for these use float32 constants (1/6, 1/alpha) even for float64.
const LOOSE = new Set(['celu', 'hardsigmoid', 'hardswish']);

describe('functional activations vs PyTorch (float64, outputs and gradients)', () => {
  const acts: Record<string, (t: Tensor) => Tensor> = {
    relu: (t) => F.relu(t), relu6: (t) => F.relu6(t), leakyRelu: (t) => F.leakyRelu(t, 0.2), elu: (t) => F.elu(t, 1.5),
    selu: (t) => F.selu(t), celu: (t) => F.celu(t, 0.7), gelu: (t) => F.gelu(t), geluTanh: (t) => F.gelu(t, { approximate: 'tanh' }),
    silu: (t) => F.silu(t), mish: (t) => F.mish(t), sigmoid: (t) => F.sigmoid(t), tanh: (t) => F.tanh(t),
    hardtanh: (t) => F.hardtanh(t, -2, 2.5), hardsigmoid: (t) => F.hardsigmoid(t), hardswish: (t) => F.hardswish(t),
    softplus: (t) => F.softplus(t, 2, 5), softsign: (t) => F.softsign(t), softmax: (t) => F.softmax(t, 1),
    logSoftmax: (t) => F.logSoftmax(t, 0), softmin: (t) => F.softmin(t, 1), glu: (t) => F.glu(t, 1),
    threshold: (t) => F.threshold(t, 0.5, -3), tanhshrink: (t) => F.tanhshrink(t), softshrink: (t) => F.softshrink(t, 1),
    hardshrink: (t) => F.hardshrink(t, 1), logsigmoid: (t) => F.logsigmoid(t),
    prelu: (t) => F.prelu(t, f64([0.1, 0.2, 0.3, 0.4])),
  };
  for (const [name, fn] of Object.entries(acts)) {
    it(name, () =>
      torch.tidy(() => {
        const x = f64(fx.input).requiresGrad_();
        const y = fn(x);
        close(y, C[name].out);
        const g = torch.linspace(-1, 1, y.numel(), { dtype: 'float64' }).reshape([...y.shape]);
        y.backward(g);
        close(x.grad!, C[name].grad, LOOSE.has(name) ? 1e-7 : 1e-9);
      }));
  }
});

describe('layers with PyTorch weights', () => {
  it('Linear: output and gradients', () =>
    torch.tidy(() => {
      const lin = new nn.Linear(4, 2, { dtype: 'float64' });
      lin.loadStateDict({ weight: f64(C.linear.weight), bias: f64(C.linear.bias) });
      const x = f64(fx.input).requiresGrad_();
      const y = lin.call(x);
      close(y, C.linear.out);
      y.sum().backward();
      close(x.grad!, C.linear.grad);
      close(lin.weight.grad!, C.linear.wgrad);
      close(lin.bias!.grad!, C.linear.bgrad);
    }));
  it('Bilinear: output and gradients', () =>
    torch.tidy(() => {
      const bil = new nn.Bilinear(4, 3, 2, { dtype: 'float64' });
      bil.loadStateDict({ weight: f64(C.bilinear.weight), bias: f64(C.bilinear.bias) });
      const x = f64(fx.input).requiresGrad_();
      const x2 = f64(C.bilinear.x2).requiresGrad_();
      const y = bil.call(x, x2);
      close(y, C.bilinear.out);
      y.sum().backward();
      close(x.grad!, C.bilinear.grad);
      close(x2.grad!, C.bilinear.grad2);
      close(bil.weight.grad!, C.bilinear.wgrad);
    }));
  it('Embedding with paddingIdx: rows and a zero gradient for the padding row', () =>
    torch.tidy(() => {
      const emb = new nn.Embedding(5, 3, { paddingIdx: 1, dtype: 'float64' });
      emb.loadStateDict({ weight: f64(C.embedding.weight) });
      const idx = torch.tensor(C.embedding.idx, { dtype: 'int64' });
      const y = emb.call(idx);
      close(y, C.embedding.out);
      y.backward(torch.arange(18, { dtype: 'float64' }).reshape([2, 3, 3]));
      close(emb.weight.grad!, C.embedding.wgrad);
      expect(() => F.embedding(f64([0]), emb.weight)).toThrow(/Expected tensor for argument #1 'indices'/);
    }));
  it('maxNorm renormalises the looked-up rows in place', () =>
    torch.tidy(() => {
      const emb = new nn.Embedding(4, 3, { maxNorm: 1 });
      emb.call(torch.tensor([0, 2], { dtype: 'int64' }));
      const norms = emb.weight.norm(2, { dim: 1 }).tolist() as number[];
      expect(norms[0]).toBeLessThanOrEqual(1 + 1e-5);
      expect(norms[2]).toBeLessThanOrEqual(1 + 1e-5);
    }));
  it('seeded default init matches PyTorch (Linear, orthogonal_, truncNormal_)', () =>
    torch.tidy(() => {
      torch.manualSeed(42);
      close(new nn.Linear(5, 3).weight, C.linearInit.weight, 1e-6);
      torch.manualSeed(7);
      const o = nn.init.orthogonal_(torch.empty([3, 5]));
      const t = nn.init.truncNormal_(torch.empty([4, 4]), 0.5, 2, -1, 3);
      close(o, C.initSeeded.orthogonal, 1e-5);
      close(t, C.initSeeded.trunc, 1e-5);
    }));
  it('seeded dropout, alpha dropout, kaimingNormal_, sparse_ and Embedding init match PyTorch', () =>
    torch.tidy(() => {
      torch.manualSeed(11);
      close(F.dropout(torch.ones([4, 5]), { p: 0.3 }), C.seeded.dropout, 1e-6);
      close(F.dropout2d(torch.ones([2, 3, 2, 2]), { p: 0.5 }), C.seeded.dropout2d, 1e-6);
      close(F.alphaDropout(torch.linspace(-1, 1, 10), { p: 0.2, training: true }), C.seeded.alpha, 1e-6);
      close(nn.init.kaimingNormal_(torch.empty([3, 4]), { mode: 'fan_out', nonlinearity: 'relu' }), C.seeded.kaimingNormal, 1e-6);
      close(nn.init.sparse_(torch.empty([4, 3]), 0.5), C.seeded.sparse, 1e-6);
      close(new nn.Embedding(3, 2).weight, C.seeded.embedding, 1e-6);
    }));
  it('LazyLinear infers inFeatures and becomes a Linear', () =>
    torch.tidy(() => {
      const l = new nn.LazyLinear(2);
      expect(l.toString()).toBe('LazyLinear(in_features=0, out_features=2, bias=True)');
      expect(l.call(torch.ones([3, 5])).shape).toEqual([3, 2]);
      expect(l).toBeInstanceOf(nn.Linear);
      expect(l.toString()).toBe('Linear(in_features=5, out_features=2, bias=True)');
    }));
});

describe('printouts match PyTorch', () => {
  it('containers and layers', () =>
    torch.tidy(() => {
      const net = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Sequential(new nn.Dropout(0.2), new nn.LeakyReLU(0.1)), new nn.Softmax(1));
      expect(net.toString()).toBe(fx.reprs.sequential);
      expect(new nn.ModuleList([new nn.Tanh(), new nn.ELU(1, { inplace: true })]).toString()).toBe(fx.reprs.moduleList);
      expect(new nn.ModuleDict({ act: new nn.GELU(), lin: new nn.Linear(2, 2, { bias: false }) }).toString()).toBe(fx.reprs.moduleDict);
      expect(new nn.ParameterList([torch.zeros([2, 3]), torch.zeros([4])]).toString()).toBe(fx.reprs.paramList);
      const misc = new nn.Sequential(
        new nn.Embedding(10, 3, { paddingIdx: 0 }), new nn.Flatten(), new nn.Unflatten(1, [2, 5]), new nn.Hardtanh(), new nn.ReLU6(),
        new nn.Softplus(), new nn.Threshold(0.1, 20), new nn.Softshrink(), new nn.PReLU(3), new nn.CELU(), new nn.GLU(),
        new nn.AlphaDropout(), new nn.Identity(), new nn.Bilinear(2, 3, 4), new nn.Softmax(),
      );
      expect(misc.toString()).toBe(fx.reprs.misc);
    }));
});

describe('containers', () => {
  it('Sequential: indexing, names, append/insert/pop, iteration, state dict names', () =>
    torch.tidy(() => {
      const seq = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
      expect(seq.length).toBe(2);
      expect(seq.get(-1)).toBeInstanceOf(nn.ReLU);
      seq.append(new nn.Linear(3, 1));
      expect([...seq.stateDict().keys()]).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      seq.insert(1, new nn.Tanh());
      expect([...seq].map((m) => m.constructor.name)).toEqual(['Linear', 'Tanh', 'ReLU', 'Linear']);
      expect(seq.pop(1)).toBeInstanceOf(nn.Tanh);
      expect([...seq.namedChildren()].map(([k]) => k)).toEqual(['0', '1', '2']);
      expect((seq.call(torch.ones([4, 2])) as Tensor).shape).toEqual([4, 1]);
      const named = new nn.Sequential(new Map<string, nn.Module>([['fc', new nn.Linear(1, 1)], ['10', new nn.ReLU()]]));
      expect([...named.namedChildren()].map(([k]) => k)).toEqual(['fc', '10']);
      expect(() => seq.get(5)).toThrow(/out of range/);
    }));
  it('ModuleList/ModuleDict/ParameterList/ParameterDict register their entries', () =>
    torch.tidy(() => {
      class Net extends nn.Module {
        declare blocks: nn.ModuleList;
        declare heads: nn.ModuleDict;
        declare ps: nn.ParameterList;
        declare pd: nn.ParameterDict;
        constructor() {
          super();
          this.blocks = new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2)]);
          this.heads = new nn.ModuleDict({ b: new nn.Linear(2, 1), a: new nn.Linear(2, 1) });
          this.ps = new nn.ParameterList([torch.zeros([2])]);
          this.pd = new nn.ParameterDict({ scale: torch.ones([1]) });
        }
        forward(x: Tensor): Tensor {
          return x;
        }
      }
      const n = new Net();
      expect([...n.namedParameters()].map(([k]) => k)).toEqual([
        'blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight', 'blocks.1.bias', 'heads.b.weight', 'heads.b.bias',
        'heads.a.weight', 'heads.a.bias', 'ps.0', 'pd.scale',
      ]);
      expect([...n.heads]).toEqual(['b', 'a']);
      expect(nn.isParameter(n.ps.get(0))).toBe(true);
      expect(() => n.blocks.call()).toThrow(/missing the required "forward" function/);
    }));
});

describe('hooks', () => {
  it('forward pre-hooks and forward hooks can replace args and output; handles remove them', () =>
    torch.tidy(() => {
      const m = new nn.ReLU();
      const h1 = m.registerForwardPreHook((_m, args) => [(args[0] as Tensor).sub(1)]);
      const seen: unknown[] = [];
      const h2 = m.registerForwardHook((_m, args, out) => {
        seen.push(args.length);
        return (out as Tensor).mul(10);
      });
      expect(m.call(torch.tensor([0.5, 3])).tolist()).toEqual([0, 20]);
      expect(seen).toEqual([1]);
      h1.remove();
      h2.remove();
      expect(m.call(torch.tensor([0.5, 3])).tolist()).toEqual([0.5, 3]);
      expect(m.forward(torch.tensor([-1])).tolist()).toEqual([0]);
    }));
  it('full backward hooks see gradInput and gradOutput and can replace gradInput', () =>
    torch.tidy(() => {
      const lin = new nn.Linear(3, 2);
      // The engine frees gradient buffers after backward: read them inside the hook.
      const got: Array<[unknown, unknown, number[]]> = [];
      const h = lin.registerFullBackwardHook((_m, gi, go) => {
        got.push([go[0]!.tolist(), gi[0]!.tolist(), [...gi[0]!.shape]]);
        return [gi[0]!.mul(2)];
      });
      const x = torch.ones([4, 3]).requiresGrad_();
      lin.call(x).sum().backward();
      expect(got.length).toBe(1);
      expect(got[0]![0]).toEqual(torch.ones([4, 2]).tolist());
      const expected = lin.weight.sum(0).tolist() as number[];
      const gx = x.grad!.tolist() as number[][];
      gx[0]!.forEach((v, j) => expect(v).toBeCloseTo(2 * expected[j]!, 5));
      expect(got[0]![2]).toEqual([4, 3]);
      h.remove();
      // No input requires grad: the hook still runs with gradInput [null].
      const calls: Array<Array<Tensor | null>> = [];
      lin.registerFullBackwardHook((_m, gi) => void calls.push([...gi]));
      lin.call(torch.ones([1, 3])).sum().backward();
      expect(calls).toEqual([[null]]);
    }));
});

describe('init', () => {
  it('fan rules and gains', () =>
    torch.tidy(() => {
      expect(nn.init.calculateFanInAndFanOut(torch.empty([8, 4, 3, 3]))).toEqual([36, 72]);
      expect(() => nn.init.calculateFanInAndFanOut(torch.empty([3]))).toThrow(/fewer than 2 dimensions/);
      expect(nn.init.calculateGain('relu')).toBeCloseTo(Math.SQRT2);
      expect(nn.init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04));
      expect(nn.init.calculateGain('tanh')).toBeCloseTo(5 / 3);
      expect(nn.init.calculateGain('selu')).toBe(0.75);
      expect(() => nn.init.calculateGain('foo')).toThrow(/Unsupported nonlinearity foo/);
    }));
  it('statistics: kaiming/xavier bounds and stds, eye_, dirac_, sparse_, orthogonality', () =>
    torch.tidy(() => {
      const w = nn.init.kaimingUniform_(torch.empty([200, 100]), { mode: 'fan_in', nonlinearity: 'relu' });
      const bound = Math.sqrt(2) * Math.sqrt(3 / 100);
      expect(w.abs().max().item<number>()).toBeLessThanOrEqual(bound);
      expect(w.std().item<number>()).toBeCloseTo(Math.sqrt(2 / 100), 2);
      const kn = nn.init.kaimingNormal_(torch.empty([300, 200]), { mode: 'fan_out' });
      expect(kn.std().item<number>()).toBeCloseTo(Math.sqrt(2 / 300), 2);
      const xn = nn.init.xavierNormal_(torch.empty([300, 200]), 2);
      expect(xn.std().item<number>()).toBeCloseTo(2 * Math.sqrt(2 / 500), 2);
      const xu = nn.init.xavierUniform_(torch.empty([30, 20]));
      expect(xu.abs().max().item<number>()).toBeLessThanOrEqual(Math.sqrt(6 / 50));
      expect(nn.init.eye_(torch.empty([2, 3])).tolist()).toEqual([[1, 0, 0], [0, 1, 0]]);
      const d = nn.init.dirac_(torch.empty([2, 2, 3]));
      expect(d.tolist()).toEqual([[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0]]]);
      const s = nn.init.sparse_(torch.empty([10, 4]), 0.3);
      const zerosPerCol = s.eq(0).sum(0).tolist() as number[];
      expect(zerosPerCol).toEqual([3, 3, 3, 3]);
      const o = nn.init.orthogonal_(torch.empty([4, 6], { dtype: 'float64' }));
      close(o.matmul(o.t()), torch.eye(4).tolist(), 1e-9);
      const tn = nn.init.truncNormal_(torch.empty([1000]), 0, 1, -0.5, 0.5);
      expect(tn.abs().max().item<number>()).toBeLessThanOrEqual(0.5);
      expect(nn.init.constant_(torch.empty([2]), 3).tolist()).toEqual([3, 3]);
      expect(nn.init.zeros_(torch.empty([2])).tolist()).toEqual([0, 0]);
      expect(nn.init.ones_(torch.empty([2])).tolist()).toEqual([1, 1]);
      const p = nn.Parameter(torch.empty([3, 3]));
      nn.init.normal_(p);
      expect(p.gradFn).toBe(null);
    }));
});

describe('dropout and utils', () => {
  it('dropout: train scales kept values, eval is identity; channel dropout zeroes whole channels', () =>
    torch.tidy(() => {
      const d = new nn.Dropout(0.5);
      const y = d.call(torch.ones([1000]));
      const vals = new Set(y.tolist() as number[]);
      expect([...vals].every((v) => v === 0 || v === 2)).toBe(true);
      d.eval();
      expect(d.call(torch.ones([3])).tolist()).toEqual([1, 1, 1]);
      const c = F.dropout2d(torch.ones([2, 8, 3, 3]), { p: 0.5 });
      const perChannel = c.reshape([16, 9]).tolist() as number[][];
      for (const row of perChannel) expect(new Set(row).size).toBe(1);
      expect(() => F.dropout(torch.ones([2]), { p: 1.5 })).toThrow(/dropout probability has to be between 0 and 1, but got 1.5/);
      expect(() => F.dropout1d(torch.ones([2]))).toThrow(/dropout1d: Expected 2D or 3D input/);
      torch.manualSeed(3);
      const a = F.alphaDropout(torch.randn([20000]), { p: 0.3, training: true });
      expect(Math.abs(a.mean().item<number>())).toBeLessThan(0.05);
      expect(Math.abs(a.std().item<number>() - 1)).toBeLessThan(0.05);
    }));
  it('clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters', () =>
    torch.tidy(() => {
      const a = nn.Parameter(torch.zeros([2]));
      const b = nn.Parameter(torch.zeros([1]));
      a.grad = torch.tensor([3, 0]);
      b.grad = torch.tensor([4]);
      const total = nn.utils.clipGradNorm_([a, b], 1);
      expect(total.item<number>()).toBeCloseTo(5);
      expect(a.grad!.tolist()[0]).toBeCloseTo(0.6, 5);
      b.grad = torch.tensor([Infinity]);
      expect(() => nn.utils.clipGradNorm_([a, b], 1, 2, { errorIfNonfinite: true })).toThrow(/non-finite/);
      b.grad = torch.tensor([-7]);
      nn.utils.clipGradValue_([b], 2);
      expect(b.grad!.tolist()).toEqual([-2]);
      const v = nn.utils.parametersToVector([a, b]);
      expect(v.shape).toEqual([3]);
      nn.utils.vectorToParameters(torch.tensor([1, 2, 3]), [a, b]);
      expect(a.tolist()).toEqual([1, 2]);
      expect(b.tolist()).toEqual([3]);
    }));
});

describe('memory', () => {
  it('forward/backward through layers and composites frees every temporary (outside the kept results)', () => {
    const net = new nn.Sequential(new nn.Linear(4, 6), new nn.ELU(), new nn.Hardswish(), new nn.Dropout(0.2), new nn.Linear(6, 6), new nn.GLU(), new nn.Softsign());
    const emb = new nn.Embedding(5, 4, { paddingIdx: 0 });
    net.registerFullBackwardHook(() => undefined);
    const step = (): void =>
      torch.tidy(() => {
        const x = emb.call(torch.tensor([[0, 1, 2]], { dtype: 'int64' }));
        (net.call(x) as Tensor).sum().backward();
        net.zeroGrad();
        emb.zeroGrad();
      });
    step();
    const before = torch.memory().liveTensors;
    for (let i = 0; i < 3; i++) step();
    expect(torch.memory().liveTensors).toBe(before);
  });
  it('a single pre-hook result becomes the only argument; prepend puts a hook first', () =>
    torch.tidy(() => {
      const m = new nn.Identity();
      const order: string[] = [];
      m.registerForwardHook(() => void order.push('a'));
      m.registerForwardHook(() => void order.push('b'), { prepend: true });
      m.registerForwardPreHook(() => torch.tensor([7]));
      expect((m.call(torch.tensor([1])) as Tensor).tolist()).toEqual([7]);
      expect(order).toEqual(['b', 'a']);
    }));
});
