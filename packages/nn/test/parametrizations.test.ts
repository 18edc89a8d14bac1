import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '@torchts/backend-cpu';
import { gradcheck, noGrad } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';
import { close, f64, ramp } from './fixture-helpers.js';

const P = nn.utils.parametrize;
const PZ = nn.utils.parametrizations;
const C = JSON.parse(readFileSync(new URL('./fixtures/nn_parametrizations.json', import.meta.url), 'utf8')).cases;
const keys = (m: nn.Module): string[] => [...m.stateDict().keys()];
type Plist = nn.parametrize.ParametrizationList;
const plist = (m: nn.Module, name = 'weight'): Plist => (m as unknown as { parametrizations: nn.ModuleDict }).parametrizations.get(name) as Plist;
const field = (m: nn.Module, name: string): Tensor => (m as unknown as Record<string, Tensor>)[name]!;


function closeStateDict(m: nn.Module, expected: Record<string, unknown>): void {
  const sd = m.stateDict();
  expect([...sd.keys()]).toEqual(Object.keys(expected));
  for (const [k, v] of sd) close(v, expected[k]);
}

class Symmetric extends nn.Module {
  forward(x: Tensor): Tensor {
    return torch.tidy(() => x.triu().add(x.triu(1).mT));
  }
  rightInverse(a: Tensor): Tensor {
    return a.triu();
  }
}
class Scale extends nn.Module {
  forward(x: Tensor): Tensor {
    return x.mul(2);
  }
  rightInverse(a: Tensor): Tensor {
    return a.div(2);
  }
}
class RankOne extends nn.Module {
  forward(x: Tensor, y: Tensor): Tensor {
    return torch.tidy(() => x.unsqueeze(-1).matmul(y.unsqueeze(-2)));
  }
  rightInverse(z: Tensor): Tensor[] {
    return torch.tidy(() => [z.select(1, 0).clone(), z.select(0, 0).clone()]);
  }
}

describe('parametrize.registerParametrization vs PyTorch', () => {
  it('one original: keys, printout, values, gradients, chains, assignment, removal', () =>
    torch.tidy(() => {
      const c = C.symmetric;
      const lin = new nn.Linear(4, 4, { dtype: 'float64' });
      lin.loadStateDict({ weight: f64(c.weight), bias: f64(c.bias) });
      const w = lin.weight;
      P.registerParametrization(lin, 'weight', new Symmetric());
      expect(P.isParametrized(lin)).toBe(true);
      expect(P.isParametrized(lin, 'weight')).toBe(true);
      expect(P.isParametrized(lin, 'bias')).toBe(false);
      expect(lin.toString()).toBe(c.repr);
      expect(keys(lin)).toEqual(c.keys);
      expect([...lin.namedParameters()].map(([n]) => n)).toEqual(c.params);
      expect(P.typeBeforeParametrizations(lin)).toBe(nn.Linear);
      expect(lin).toBeInstanceOf(nn.Linear);
      closeStateDict(lin, c.stateDict);
      // The original Parameter object is kept (optimizers holding it keep working).
      expect(plist(lin).original).toBe(w);
      const y = lin.call(f64(c.x));
      close(y, c.out);
      y.backward(ramp(y));
      close(plist(lin).original.grad!, c.origGrad);
      close(lin.bias!.grad!, c.biasGrad);

      P.registerParametrization(lin, 'weight', new Scale());
      expect(lin.toString()).toBe(c.chainRepr);
      close(lin.weight, c.chainWeight);
      lin.weight = f64(c.assign);
      close(plist(lin).original, c.assignOriginal);
      close(lin.weight, c.assignWeight);
      expect(plist(lin).original).toBe(w);

      P.removeParametrizations(lin, 'weight');
      close(lin.weight, c.removedWeight);
      expect(lin.weight).toBe(w);
      expect(nn.isParameter(lin.weight)).toBe(true);
      expect(lin.toString()).toBe(c.removedRepr);
      expect(keys(lin)).toEqual(c.removedKeys);
      expect(P.isParametrized(lin)).toBe(false);
      expect(lin.constructor).toBe(nn.Linear);
    }));

  it('several originals (rightInverse returns a list)', () =>
    torch.tidy(() => {
      const c = C.rankOne;
      const lin = new nn.Linear(3, 3, { dtype: 'float64', bias: false });
      lin.loadStateDict({ weight: f64(c.weight) });
      P.registerParametrization(lin, 'weight', new RankOne());
      expect(lin.toString()).toBe(c.repr);
      closeStateDict(lin, c.stateDict);
      const y = lin.call(f64(c.x));
      close(y, c.out);
      y.backward(ramp(y));
      close(field(plist(lin), 'original0').grad!, c.grad0);
      close(field(plist(lin), 'original1').grad!, c.grad1);
      expect(() => P.removeParametrizations(lin, 'weight', { leaveParametrized: false })).toThrow(/Cannot leave unparametrized/);
      P.removeParametrizations(lin, 'weight');
      close(lin.weight, c.removedWeight);
      expect(nn.isParameter(lin.weight)).toBe(c.removedIsParam);
    }));

  it('a buffer, restored unparametrized', () =>
    torch.tidy(() => {
      const c = C.buffer;
      const bn = new nn.BatchNorm1d(3, { dtype: 'float64' });
      noGrad(() => field(bn, 'running_var').copy_(f64([0.5, 2.0, 1.5])));
      P.registerParametrization(bn, 'running_var', new Scale());
      expect(keys(bn)).toEqual(c.keys);
      expect([...bn.namedBuffers()].map(([n]) => n)).toEqual(c.buffers);
      expect(bn.toString()).toBe(c.repr);
      close(field(bn, 'running_var'), c.value);
      P.removeParametrizations(bn, 'running_var', { leaveParametrized: false });
      close(field(bn, 'running_var'), c.removedValue);
      expect(keys(bn)).toEqual(c.removedKeys);
    }));

  it("loads PyTorch's state dict into a parametrized module", () =>
    torch.tidy(() => {
      const c = C.symmetric;
      const lin = new nn.Linear(4, 4, { dtype: 'float64' });
      P.registerParametrization(lin, 'weight', new Symmetric());
      const sd = new Map(Object.entries(c.stateDict as Record<string, unknown>).map(([k, v]) => [k, f64(v)]));
      expect(lin.loadStateDict(sd)).toEqual({ missingKeys: [], unexpectedKeys: [] });
      close(lin.call(f64(c.x)), c.out);
    }));

  it('errors like PyTorch', () => {
    const e = C.errors;
    expect(() => P.registerParametrization(new nn.Linear(2, 2), 'nope', new Scale())).toThrow(e.missing.message);
    expect(() => P.removeParametrizations(new nn.Linear(2, 2), 'weight')).toThrow(e.notParametrized.message);
    class Flat extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.flatten();
      }
    }
    expect(() => P.registerParametrization(new nn.Linear(2, 3), 'weight', new Flat())).toThrow(
      'Registering a parametrization may not change the shape of the tensor, unless `unsafe` flag is enabled.\nunparametrized shape: torch.Size([3, 2])\nparametrized shape: torch.Size([6])',
    );
    const lin = P.registerParametrization(new nn.Linear(2, 3), 'weight', new Flat(), { unsafe: true });
    expect(lin.weight.shape).toEqual([6]);
    class NoInverse extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.neg();
      }
    }
    const m = P.registerParametrization(new nn.Linear(2, 2), 'weight', new NoInverse());
    expect(() => { m.weight = torch.zeros([2, 2]); }).toThrow('parametrization NoInverse does not implement right_inverse.');
  });

  it('frees what it computes: reads inside call, cached() scopes (sync and async)', async () => {
    const lin = new nn.Linear(3, 3, { dtype: 'float64' });
    P.registerParametrization(lin, 'weight', new Symmetric());
    const x = torch.randn([2, 3], { dtype: 'float64' });
    const live = (): number => torch.memory().liveTensors;
    const before = live();
    noGrad(() => lin.call(x)).dispose();
    expect(live()).toBe(before);
    class Twice extends nn.Module {
      lin = lin;
      forward(a: Tensor): Tensor {
        return torch.tidy(() => this.lin.weight.add(this.lin.weight).sum().add(a.sum()));
      }
    }
    const twice = new Twice();
    const first = noGrad(() => P.cached(() => {
      const a = lin.weight;
      expect(lin.weight).toBe(a);
      return twice.call(x);
    }));
    expect(live()).toBe(before + 1);
    close(first, noGrad(() => torch.tidy(() => lin.weight.mul(2).sum().add(x.sum()).item())));
    first.dispose();
    const asyncOut = await P.cached(async () => {
      const a = lin.weight;
      await new Promise((r) => setTimeout(r, 1));
      expect(lin.weight).toBe(a);
      return noGrad(() => a.sum());
    });
    asyncOut.dispose();
    expect(live()).toBe(before);
    torch.tidy(() => lin.call(x).sum().backward());
    for (const p of lin.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
    expect(live()).toBe(before);
    lin.dispose();
    x.dispose();
    // Registration, assignment and removal (one and several originals) free what they replace.
    const start = live();
    const m = new nn.Linear(3, 3, { dtype: 'float64' });
    P.registerParametrization(m, 'weight', new Symmetric());
    P.registerParametrization(m, 'weight', new Scale());
    const id = torch.eye(3, { dtype: 'float64' });
    m.weight = id;
    id.dispose();
    P.removeParametrizations(m, 'weight');
    P.registerParametrization(m, 'weight', new RankOne());
    P.removeParametrizations(m, 'weight');
    m.dispose();
    expect(live()).toBe(start);
  });

  it('two parametrized tensors, dtype casts, removal one at a time', () =>
    torch.tidy(() => {
      const lin = new nn.Linear(3, 3);
      const w = lin.weight;
      P.registerParametrization(lin, 'weight', new Symmetric());
      P.registerParametrization(lin, 'bias', new Scale());
      expect(keys(lin)).toEqual(['parametrizations.weight.original', 'parametrizations.bias.original']);
      lin.double();
      expect(plist(lin).original).toBe(w);
      expect([...lin.stateDict().values()].map((t) => t.dtype)).toEqual(['float64', 'float64']);
      const y = lin.call(torch.randn([2, 3], { dtype: 'float64' }));
      expect(y.dtype).toBe('float64');
      P.removeParametrizations(lin, 'bias');
      expect(lin.constructor.name).toBe('ParametrizedLinear');
      expect(P.isParametrized(lin, 'bias')).toBe(false);
      P.removeParametrizations(lin, 'weight', { leaveParametrized: false });
      expect(lin.constructor).toBe(nn.Linear);
      expect(lin.weight).toBe(w);
      expect(keys(lin)).toEqual(['bias', 'weight']); // re-registered last, as in PyTorch
    }));

  it('gradcheck through a chain of parametrizations', () =>
    torch.tidy(() => {
      const lin = new nn.Linear(3, 3, { dtype: 'float64', bias: false });
      P.registerParametrization(lin, 'weight', new Symmetric());
      P.registerParametrization(lin, 'weight', new Scale());
      const x = torch.randn([2, 3], { dtype: 'float64' }).requiresGrad_();
      const orig = plist(lin).original;
      expect(gradcheck((o: Tensor, a: Tensor) => {
        noGrad(() => orig.copy_(o));
        return torch.tidy(() => a.matmul(new Symmetric().forward(o).mul(2).t()));
      }, [torch.randn([3, 3], { dtype: 'float64' }).requiresGrad_(), x])).toBe(true);
      expect(gradcheck((a: Tensor) => lin.call(a), [x])).toBe(true);
    }));
});

describe('parametrizations.weightNorm (PyTorch 2.1 semantics, 1.13 numbers)', () => {
  for (const r of C.weightNorm) {
    it(`${r.kind} dim=${r.dim}`, () =>
      torch.tidy(() => {
        const m = r.kind === 'linear' ? new nn.Linear(5, 3, { dtype: 'float64' }) : new nn.Conv2d(2, 3, 2, { dtype: 'float64' });
        m.loadStateDict({ weight: f64(r.weight), bias: f64(r.bias) });
        PZ.weightNorm(m, 'weight', r.dim);
        expect(m.toString()).toBe(r.repr);
        closeStateDict(m, r.stateDict);
        const y = (m.call as (x: Tensor) => Tensor)(f64(r.x));
        close(y, r.out);
        y.backward(ramp(y));
        close(field(plist(m), 'original0').grad!, r.g0);
        close(field(plist(m), 'original1').grad!, r.g1);
      }));
  }
  it("loads the classic weight_norm's state dict (weight_g, weight_v) into original0/1", () =>
    torch.tidy(() => {
      const classic = nn.weightNorm(new nn.Linear(4, 3, { dtype: 'float64' }));
      const modern = PZ.weightNorm(new nn.Linear(4, 3, { dtype: 'float64' }));
      expect(modern.loadStateDict(classic.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
      const x = torch.randn([2, 4], { dtype: 'float64' });
      expect(modern.call(x).sub(classic.call(x)).abs().max().item()).toBeLessThan(1e-14);
    }));

  it('gradcheck', () =>
    torch.tidy(() => {
      const p = new PZ._WeightNorm(1);
      const g = torch.rand([1, 4], { dtype: 'float64' }).add(0.5).requiresGrad_();
      const v = torch.randn([3, 4], { dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((a: Tensor, b: Tensor) => p.forward(a, b), [g, v])).toBe(true);
    }));
});

describe('parametrizations.spectralNorm vs PyTorch', () => {
  const make = (kind: string): nn.Module & { weight: Tensor } =>
    (kind === 'linear' ? new nn.Linear(5, 4, { dtype: 'float64' })
      : kind === 'conv' ? new nn.Conv2d(2, 3, 2, { dtype: 'float64' })
        : new nn.ConvTranspose2d(2, 3, 2, { dtype: 'float64' })) as unknown as nn.Module & { weight: Tensor };
  for (const r of C.spectralNorm) {
    it(`${r.kind} dim=${r.dim} iters=${r.iters}: 3 SGD steps, then eval`, () =>
      torch.tidy(() => {
        const m = make(r.kind);
        PZ.spectralNorm(m, 'weight', r.iters, 1e-12, r.dim);
        expect(m.toString()).toBe(r.repr);
        expect(keys(m)).toEqual(r.keys);
        m.loadStateDict(new Map(Object.entries(r.start as Record<string, unknown>).map(([k, v]) => [k, f64(v)])));
        const sn = plist(m).get(0) as InstanceType<typeof PZ._SpectralNorm>;
        const x = f64(r.x);
        const opt = { step: (): void => noGrad(() => { for (const p of m.parameters()) p.sub_(p.grad!.mul(0.1)); }) };
        for (const s of r.steps) {
          m.zeroGrad();
          const y = (m.call as (a: Tensor) => Tensor)(x);
          close(y, s.out);
          y.backward(ramp(y));
          close(plist(m).original.grad!, s.origGrad);
          close(sn._u, s.u);
          close(sn._v, s.v);
          opt.step();
        }
        m.eval();
        close((m.call as (a: Tensor) => Tensor)(x), r.evalOut);
        close(sn._u, r.evalU);
        P.removeParametrizations(m, 'weight');
        close(m.weight, r.removed);
        expect(sn._u.isDisposed).toBe(true);
      }));
  }

  it('1-D tensors are normalised, seeded buffers match PyTorch, errors', () =>
    torch.tidy(() => {
      const c = C.spectralNorm1d;
      const lin = new nn.Linear(3, 4, { dtype: 'float64' });
      noGrad(() => lin.bias!.copy_(f64(c.bias)));
      PZ.spectralNorm(lin, 'bias');
      close(lin.bias!, c.value);
      expect(keys(lin)).toEqual(c.keys);
      torch.manualSeed(C.spectralNormSeeded.seed);
      const seeded = new nn.Linear(5, 4).double();
      PZ.spectralNorm(seeded);
      closeStateDict(seeded, C.spectralNormSeeded.stateDict);
      expect(() => PZ.spectralNorm(new nn.Linear(2, 3), 'weight', 1, 1e-12, 2)).toThrow(C.errors.snDim.message);
      expect(() => PZ.spectralNorm(new nn.Linear(2, 3), 'weight', 0)).toThrow(C.errors.snIters.message);
    }));

  it('gradcheck (training forward with fixed buffers)', () =>
    torch.tidy(() => {
      const w = torch.randn([3, 4], { dtype: 'float64' }).requiresGrad_();
      const p = new PZ._SpectralNorm(w, 1, 0);
      p.eval();
      expect(gradcheck((a: Tensor) => p.forward(a), [w])).toBe(true);
    }));
});
