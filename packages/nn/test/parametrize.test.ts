import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '@torchts/backend-cpu';
import { gradcheck, noGrad } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';
import { weightNormCompute } from '../src/classic-norms.js';

const F = nn.functional;
const C = JSON.parse(readFileSync(new URL('./fixtures/nn_parametrize.json', import.meta.url), 'utf8')).cases;
const f64 = (v: unknown): Tensor => torch.tensor(v as number[], { dtype: 'float64' });
const i64 = (v: unknown): Tensor => torch.tensor(v as number[], { dtype: 'int64' });
const ramp = (y: Tensor): Tensor => torch.linspace(-1, 1, y.numel(), { dtype: 'float64' }).reshape([...y.shape]);
type M = Record<string, Tensor>;

function close(a: Tensor, expected: unknown, tol = 1e-9): void {
  const flatG = [a.tolist()].flat(6) as number[];
  const flatE = [expected].flat(6) as number[];
  expect(flatG.length).toBe(flatE.length);
  flatG.forEach((g, i) => expect(Math.abs(g - flatE[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(flatE[i]!))));
}

describe('F.embeddingBag vs PyTorch', () => {
  const E = C.embeddingBag;
  for (const r of E.runs) {
    const label = `mode=${r.mode} pad=${r.pad} last=${r.last} 2d=${r.twoD} psw=${r.psw !== null}`;
    it(label, () =>
      torch.tidy(() => {
        const w = f64(E.weight).requiresGrad_();
        const psw = r.psw === null ? null : f64(r.psw).requiresGrad_();
        const out = r.twoD
          ? F.embeddingBag(i64(E.input2), w, { mode: r.mode, paddingIdx: r.pad, perSampleWeights: psw })
          : F.embeddingBag(i64(E.input), w, { offsets: i64(r.last ? E.offsetsLast : E.offsets), mode: r.mode, paddingIdx: r.pad, includeLastOffset: r.last, perSampleWeights: psw });
        close(out, r.out);
        out.backward(ramp(out));
        close(w.grad!, r.wgrad);
        if (psw) close(psw.grad!, r.pswgrad);
      }));
  }

  it('module forward, repr and errors', () =>
    torch.tidy(() => {
      const eb = new nn.EmbeddingBag(10, 3, { mode: 'max', paddingIdx: 2 });
      expect(eb.toString()).toBe(C.embeddingBagRepr);
      const w = f64(E.weight);
      const m = nn.EmbeddingBag.fromPretrained(w, { mode: 'sum' });
      const r = E.runs.find((x: { mode: string; pad: unknown; last: boolean; twoD: boolean; psw: unknown }) => x.mode === 'sum' && x.pad === null && !x.last && !x.twoD && x.psw === null);
      close(m.call(i64(E.input), i64(E.offsets)), r.out);
      expect(() => F.embeddingBag(i64(E.input), w, { offsets: i64(E.offsets), mode: 'mean', perSampleWeights: f64(E.input) })).toThrow(/only supported for mode='sum'/);
      expect(() => F.embeddingBag(i64(E.input), w)).toThrow(/offsets has to be a 1D Tensor but got None/);
      expect(() => F.embeddingBag(i64(E.input2), w, { offsets: i64(E.offsets) })).toThrow(/if input is 2D, then offsets has to be None/);
      expect(() => F.embeddingBag(i64(E.input), w, { offsets: i64([1, 3]) })).toThrow(/offsets\[0\] has to be 0/);
      expect(() => F.embeddingBag(f64(E.input), w, { offsets: i64(E.offsets) })).toThrow(/Long, Int/);
    }));

  it('maxNorm renormalises the used rows in place', () =>
    torch.tidy(() => {
      const w = f64(E.weight);
      close(F.embeddingBag(i64(E.input), w, { offsets: i64(E.offsets), mode: 'sum', maxNorm: 1 }), C.embeddingBagMaxNorm.out, 1e-6);
      close(w, C.embeddingBagMaxNorm.weightAfter, 1e-6);
    }));

  it('gradcheck (sum with per-sample weights, mean, max)', () =>
    torch.tidy(() => {
      const idx = i64([1, 2, 4, 0, 3, 2]);
      const offs = i64([0, 2, 2]);
      const w = torch.randn([5, 3], { dtype: 'float64' }).requiresGrad_();
      const p = torch.randn([6], { dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((a: Tensor, b: Tensor) => F.embeddingBag(idx, a, { offsets: offs, mode: 'sum', perSampleWeights: b }), [w, p])).toBe(true);
      expect(gradcheck((a: Tensor) => F.embeddingBag(idx, a, { offsets: offs, mode: 'mean', paddingIdx: 0 }), [w])).toBe(true);
      expect(gradcheck((a: Tensor) => F.embeddingBag(idx, a, { offsets: offs, mode: 'max' }), [w])).toBe(true);
      // non-contiguous weight and 2-D input with a strided per-sample-weight view
      const wt = torch.randn([3, 5], { dtype: 'float64' }).requiresGrad_();
      const pt = torch.randn([3, 2], { dtype: 'float64' }).requiresGrad_();
      const idx2 = i64([[1, 2, 4], [0, 3, 3]]);
      expect(gradcheck((a: Tensor, b: Tensor) => F.embeddingBag(idx2, a.t(), { mode: 'sum', perSampleWeights: b.t() }), [wt, pt])).toBe(true);
    }));
});

describe('weightNorm vs PyTorch', () => {
  const W = C.weightNormLinear;
  for (const r of W.runs) {
    it(`Linear dim=${r.dim}`, () =>
      torch.tidy(() => {
        const lin = new nn.Linear(5, 3, { dtype: 'float64' });
        lin.loadStateDict({ weight: f64(r.weight), bias: f64(r.bias) });
        nn.weightNorm(lin, 'weight', r.dim);
        expect([...lin.namedParameters()].map(([n]) => n)).toEqual(r.names);
        const m = lin as unknown as M;
        close(m.weight_g!, r.g);
        const y = lin.call(f64(W.x));
        close(y, r.out);
        y.backward(ramp(y));
        close(m.weight_g!.grad!, r.ggrad);
        close(m.weight_v!.grad!, r.vgrad);
        close(lin.bias!.grad!, r.bgrad);
      }));
  }

  it('Conv2d: changed g, gradients, removeWeightNorm', () =>
    torch.tidy(() => {
      const c = C.weightNormConv;
      const conv = new nn.Conv2d(2, 3, 3, { dtype: 'float64' });
      conv.loadStateDict({ weight: f64(c.weight), bias: f64(c.bias) });
      nn.weightNorm(conv);
      const m = conv as unknown as M;
      noGrad(() => m.weight_g!.mul_(1.5));
      const y = conv.call(f64(c.x));
      close(y, c.out);
      y.sum().backward();
      close(m.weight_g!.grad!, c.ggrad);
      close(m.weight_v!.grad!, c.vgrad);
      expect(() => nn.weightNorm(conv)).toThrow(/Cannot register two weight_norm hooks/);
      nn.removeWeightNorm(conv);
      close(conv.weight, c.removed);
      expect(nn.isParameter(conv.weight)).toBe(true);
      expect([...conv.namedParameters()].map(([n]) => n)).toEqual(c.names);
      expect(() => nn.removeWeightNorm(conv)).toThrow(/weight_norm of 'weight' not found/);
    }));

  it('gradcheck through the reparametrisation', () =>
    torch.tidy(() => {
      const v = torch.randn([3, 2, 2], { dtype: 'float64' }).requiresGrad_();
      const g = torch.rand([3, 1, 1], { dtype: 'float64' }).add(0.5).requiresGrad_();
      expect(gradcheck((a: Tensor, b: Tensor) => weightNormCompute(a, b, 0), [v, g])).toBe(true);
      const g0 = torch.tensor(1.3, { dtype: 'float64' }).requiresGrad_();
      expect(gradcheck((a: Tensor, b: Tensor) => weightNormCompute(a, b, -1), [v, g0])).toBe(true);
    }));
});

describe('spectralNorm vs PyTorch (PyTorch u/v loaded)', () => {
  const make = (kind: string): nn.Module & { weight: Tensor; bias: Tensor | null } =>
    kind === 'linear' ? new nn.Linear(5, 4, { dtype: 'float64' })
      : kind === 'conv' ? new nn.Conv2d(2, 3, 2, { dtype: 'float64' })
        : new nn.ConvTranspose2d(2, 3, 2, { dtype: 'float64' });
  for (const r of C.spectralNorm) {
    it(`${r.kind} dim=${r.dim} iters=${r.iters}`, () =>
      torch.tidy(() => {
        const mod = make(r.kind);
        mod.loadStateDict({ weight: f64(r.weight), bias: f64(r.bias) });
        nn.spectralNorm(mod, 'weight', r.iters, 1e-12, r.dim);
        expect([...mod.namedParameters()].map(([n]) => n)).toEqual(r.names);
        expect([...mod.namedBuffers()].map(([n]) => n)).toEqual(r.buffers);
        const m = mod as unknown as M;
        expect(m.weight_u!.shape).toEqual([r.u0.length]);
        expect(m.weight_v!.shape).toEqual([r.v0.length]);
        noGrad(() => { m.weight_u!.copy_(f64(r.u0)); m.weight_v!.copy_(f64(r.v0)); });
        const y = (mod.call as (x: Tensor) => Tensor)(f64(r.x));
        close(y, r.out1);
        close(m.weight_u!, r.u1);
        close(m.weight_v!, r.v1);
        y.backward(ramp(y));
        close(m.weight_orig!.grad!, r.origgrad, 1e-8);
        mod.eval();
        close((mod.call as (x: Tensor) => Tensor)(f64(r.x)), r.evalOut);
        close(m.weight_u!, r.u2);
        nn.removeSpectralNorm(mod);
        close(mod.weight, r.removed);
        expect([...mod.namedBuffers()].length).toBe(0);
        expect([...mod.stateDict().keys()]).toEqual(['bias', 'weight']); // as PyTorch: re-registered last
      }));
  }

  it('errors and gradcheck of weight_orig -> weight', () =>
    torch.tidy(() => {
      const lin = new nn.Linear(3, 2, { dtype: 'float64' });
      expect(() => nn.spectralNorm(lin, 'weight', 0)).toThrow(/Expected n_power_iterations to be positive/);
      nn.spectralNorm(lin);
      expect(() => nn.spectralNorm(lin)).toThrow(/Cannot register two spectral_norm hooks/);
      lin.eval(); // fixed u, v: the map weight_orig -> weight is deterministic
      const m = lin as unknown as M;
      const x = torch.randn([2, 3], { dtype: 'float64' });
      expect(gradcheck((w: Tensor) => {
        const orig = m.weight_orig!;
        m.weight_orig = w; // route the gradient through `w`
        try {
          return (lin.call as (x: Tensor) => Tensor)(x);
        } finally {
          m.weight_orig = orig;
        }
      }, [torch.randn([2, 3], { dtype: 'float64' }).requiresGrad_()])).toBe(true);
      nn.removeSpectralNorm(lin);
      expect(() => nn.removeSpectralNorm(lin)).toThrow(/spectral_norm of 'weight' not found/);
    }));
});

describe('fusion vs PyTorch', () => {
  it('fuseConvBnEval', () =>
    torch.tidy(() => {
      const c = C.fuseConv;
      const conv = new nn.Conv2d(2, 3, 3, { dtype: 'float64' });
      conv.loadStateDict({ weight: f64(c.weight), bias: f64(c.bias) });
      const bn = new nn.BatchNorm2d(3, { dtype: 'float64' });
      bn.loadStateDict({ weight: f64(c.bnw), bias: f64(c.bnb), running_mean: f64(c.rm), running_var: f64(c.rv), num_batches_tracked: torch.tensor(0, { dtype: 'int64' }) });
      expect(() => nn.fuseConvBnEval(conv, bn)).toThrow(/Fusion only for eval!/);
      conv.eval();
      bn.eval();
      const fused = nn.fuseConvBnEval(conv, bn);
      expect(fused).toBeInstanceOf(nn.Conv2d);
      expect(fused.weight).not.toBe(conv.weight);
      close(fused.weight, c.fw);
      close(fused.bias!, c.fb);
      close(fused.call(f64(c.x)), c.out);
      close(bn.call(conv.call(f64(c.x))), c.ref, 1e-8);
      close(conv.weight, c.weight); // original untouched
    }));

  it('fuseLinearBnEval (no bias)', () =>
    torch.tidy(() => {
      const c = C.fuseLinear;
      const lin = new nn.Linear(4, 3, { dtype: 'float64', bias: false });
      lin.loadStateDict({ weight: f64(c.weight) });
      const bn = new nn.BatchNorm1d(3, { dtype: 'float64' });
      bn.loadStateDict({ weight: f64(c.bnw), bias: f64(c.bnb), running_mean: f64(c.rm), running_var: f64(c.rv), num_batches_tracked: torch.tensor(0, { dtype: 'int64' }) });
      lin.eval();
      bn.eval();
      const fused = nn.fuseLinearBnEval(lin, bn);
      close(fused.weight, c.fw);
      close(fused.bias!, c.fb);
      close(fused.call(f64(c.x)), c.out);
      expect([...fused.namedParameters()].map(([n]) => n)).toEqual(['weight', 'bias']);
    }));
});

describe('memory', () => {
  it('repeated training steps leak no tensors (embeddingBag, weightNorm, spectralNorm, fusion)', () => {
    const eb = new nn.EmbeddingBag(6, 3, { mode: 'max', dtype: 'float64' });
    const wn = nn.weightNorm(new nn.Linear(3, 4, { dtype: 'float64' }));
    const sn = nn.spectralNorm(new nn.Linear(4, 2, { dtype: 'float64' }), 'weight', 2);
    const bn = new nn.BatchNorm1d(2, { dtype: 'float64' }).eval();
    const plain = new nn.Linear(4, 2, { dtype: 'float64' }).eval();
    expect(() => nn.fuseLinearBnEval(sn.eval() as unknown as nn.Linear, bn)).toThrow(/computed tensor/);
    sn.train();
    const step = (): void =>
      torch.tidy(() => {
        const h = F.embeddingBag(i64([0, 1, 2, 3, 5]), eb.weight, { offsets: i64([0, 2]), perSampleWeights: f64([1, 2, 3, 4, 5]), mode: 'sum' });
        const y = sn.call(wn.call(eb.call(i64([[0, 1], [2, 3]])).add(h)));
        y.sum().backward();
        for (const m of [eb, wn, sn]) m.zeroGrad();
        const fused = nn.fuseLinearBnEval(plain, bn);
        fused.dispose();
      });
    step();
    const before = torch.memory().liveTensors;
    for (let i = 0; i < 3; i++) step();
    expect(torch.memory().liveTensors).toBe(before);
  });
});
