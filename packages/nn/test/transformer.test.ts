import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { gradcheck, noGrad } from '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import type { DType } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional;

interface Enc { dtype: DType; shape: number[]; data: Array<number | boolean | string> }
interface ModuleCase {
  name: string;
  ctor: Record<string, number | boolean | string>;
  state: Record<string, Enc>;
  inputs: Enc[];
  masks: Record<string, Enc | boolean>;
  out: Enc;
  weights: Enc | null;
  inputGrads: Enc[];
  paramGrads: Record<string, Enc>;
}
interface SdpaCase { name: string; inputs: Enc[]; mask: Enc | null; isCausal: boolean; out: Enc; inputGrads: Enc[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/nn_transformer.json', import.meta.url), 'utf8')) as {
  cases: ModuleCase[];
  sdpa: SdpaCase[];
  keys: Record<string, string[]>;
  initBiasKv: Record<string, Enc>;
};

const num = (v: number | boolean | string): number | boolean =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number | boolean);
const isEnc = (v: unknown): v is Enc => typeof v === 'object' && v !== null && 'shape' in v;
const dec = (e: Enc): Tensor => torch.tensor(e.data.map(num) as number[], { dtype: e.dtype }).reshape(e.shape);

function close(actual: Tensor | null, expected: Enc, what: string, tol = 1e-9): void {
  expect(actual, what).not.toBeNull();
  expect(actual!.shape, `${what} shape`).toEqual(expected.shape);
  const got = (actual!.reshape(-1).tolist() as number[]).map(Number);
  const want = expected.data.map((v) => Number(num(v)));
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i]! - want[i]!), `${what}[${i}]: got ${got[i]}, want ${want[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i]!)));
  }
}

type Fwd = (m: nn.Module, ins: Tensor[], masks: Record<string, Tensor | boolean>) => Tensor | [Tensor, Tensor | null];

function build(c: ModuleCase): { mod: nn.Module; fwd: Fwd } {
  const k = c.ctor as Record<string, never>;
  const dtype = 'float64' as const;
  const layerOpts = { dtype, dimFeedforward: k.dimFeedforward, normFirst: k.normFirst, activation: k.activation, batchFirst: k.batchFirst, layerNormEps: k.layerNormEps };
  if (c.name.startsWith('mha')) {
    const mod = new nn.MultiheadAttention(k.embedDim, k.numHeads, {
      kdim: k.kdim, vdim: k.vdim, bias: k.bias, batchFirst: k.batchFirst, addBiasKv: k.addBiasKv, addZeroAttn: k.addZeroAttn, dtype,
    });
    return { mod, fwd: (m, [q, kk, v], masks) => (m as nn.MultiheadAttention).call(q!, kk!, v!, masks as never) };
  }
  if (c.name.startsWith('enc_layer')) {
    return { mod: new nn.TransformerEncoderLayer(k.dModel, k.nhead, layerOpts), fwd: (m, [s], masks) => (m as nn.TransformerEncoderLayer).call(s!, masks as never) };
  }
  if (c.name.startsWith('dec_layer')) {
    return { mod: new nn.TransformerDecoderLayer(k.dModel, k.nhead, layerOpts), fwd: (m, [t, mem], masks) => (m as nn.TransformerDecoderLayer).call(t!, mem!, masks as never) };
  }
  if (c.name === 'encoder_stack') {
    const mod = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(k.dModel, k.nhead, layerOpts), k.numLayers, { norm: new nn.LayerNorm(k.dModel, { dtype }) });
    return { mod, fwd: (m, [s], masks) => (m as nn.TransformerEncoder).call(s!, masks as never) };
  }
  const mod = new nn.Transformer({ dModel: k.dModel, nhead: k.nhead, numEncoderLayers: k.numEncoderLayers, numDecoderLayers: k.numDecoderLayers, dimFeedforward: k.dimFeedforward, dtype });
  return { mod, fwd: (m, [s, t], masks) => (m as nn.Transformer).call(s!, t!, masks as never) };
}

describe('attention and Transformer modules vs PyTorch 1.13 (float64, eval, weights via loadStateDict)', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      torch.tidy(() => {
        const { mod, fwd } = build(c);
        mod.eval();
        // Exact PyTorch key set (strict load: no missing or unexpected keys).
        expect([...mod.stateDict().keys()].sort()).toEqual(Object.keys(c.state).sort());
        const res = mod.loadStateDict(Object.fromEntries(Object.entries(c.state).map(([n, e]) => [n, dec(e)])));
        expect(res.missingKeys).toEqual([]);
        expect(res.unexpectedKeys).toEqual([]);
        const ins = c.inputs.map((e) => dec(e).requiresGrad_(true));
        const masks = Object.fromEntries(Object.entries(c.masks).map(([n, v]) => [n, isEnc(v) ? dec(v) : v]));
        const r = fwd(mod, ins, masks);
        const [out, w] = Array.isArray(r) ? r : [r, null];
        close(out, c.out, 'output');
        let loss = out.mul(torch.linspace(-1, 1, out.numel(), { dtype: 'float64' }).reshape(out.shape)).sum();
        if (c.weights) {
          close(w, c.weights, 'weights');
          loss = loss.add(w!.mul(torch.linspace(0.5, -0.5, w!.numel(), { dtype: 'float64' }).reshape(w!.shape)).sum());
        } else {
          expect(w).toBeNull();
        }
        loss.backward();
        ins.forEach((x, i) => close(x.grad, c.inputGrads[i]!, `input ${i} grad`));
        const params = new Map(mod.namedParameters());
        expect([...params.keys()].sort()).toEqual(Object.keys(c.paramGrads).sort());
        for (const [n, e] of Object.entries(c.paramGrads)) close(params.get(n)!.grad, e, `${n}.grad`);
      });
    });
  }
});

describe('F.scaledDotProductAttention vs the reference formula in PyTorch', () => {
  for (const c of fx.sdpa) {
    it(c.name, () => {
      torch.tidy(() => {
        const [q, k, v] = c.inputs.map((e) => dec(e).requiresGrad_(true)) as [Tensor, Tensor, Tensor];
        const out = F.scaledDotProductAttention(q, k, v, { attnMask: c.mask ? dec(c.mask) : null, isCausal: c.isCausal });
        close(out, c.out, 'output');
        out.mul(torch.linspace(-1, 1, out.numel(), { dtype: 'float64' }).reshape(out.shape)).sum().backward();
        [q, k, v].forEach((x, i) => close(x.grad, c.inputGrads[i]!, `grad ${i}`));
      });
    });
  }
  it('rejects an explicit mask with isCausal and mismatched embedding sizes', () => {
    torch.tidy(() => {
      const q = torch.randn([2, 3, 4]);
      expect(() => F.scaledDotProductAttention(q, q, q, { attnMask: torch.ones([3, 3], { dtype: 'bool' }), isCausal: true })).toThrow(/should not be set when is_causal/);
      expect(() => F.scaledDotProductAttention(q, torch.randn([2, 3, 5]), q)).toThrow(/same embedding size/);
    });
  });
  it('dropoutP=1 zeroes every weight', () => {
    torch.tidy(() => {
      const q = torch.randn([2, 3, 4]);
      expect(F.scaledDotProductAttention(q, q, q, { dropoutP: 1 }).abs().sum().item()).toBe(0);
    });
  });
});

describe('construction, names and initialisation', () => {
  it('state dict keys match PyTorch exactly', () => {
    torch.tidy(() => {
      expect([...new nn.MultiheadAttention(8, 2).stateDict().keys()]).toEqual(fx.keys.mha);
      expect([...new nn.MultiheadAttention(8, 2, { kdim: 5, vdim: 6 }).stateDict().keys()]).toEqual(fx.keys.mha_kv);
      expect([...new nn.MultiheadAttention(8, 2, { addBiasKv: true }).stateDict().keys()]).toEqual(fx.keys.mha_bias_kv);
      const tr = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16 });
      expect([...tr.stateDict().keys()]).toEqual(fx.keys.transformer);
    });
  });
  it('MHA init: xavier-bounded in_proj_weight, zero biases; errors', () => {
    torch.tidy(() => {
      const m = new nn.MultiheadAttention(8, 2);
      const bound = Math.sqrt(6 / (8 + 24));
      expect(m.in_proj_weight!.abs().max().item()).toBeLessThanOrEqual(bound);
      expect(m.in_proj_bias!.abs().sum().item()).toBe(0);
      expect(m.out_proj.bias!.abs().sum().item()).toBe(0);
      expect(() => new nn.MultiheadAttention(7, 2)).toThrow(/divisible by num_heads/);
      expect(() => m.call(torch.randn([3, 2, 6]), torch.randn([3, 2, 6]), torch.randn([3, 2, 6]))).toThrow(/expecting embedding dimension of 8/);
      expect(() => m.call(torch.randn([3, 2, 8]), torch.randn([4, 2, 8]), torch.randn([4, 2, 8]), { attnMask: torch.zeros([3, 3]) })).toThrow(/2D attn_mask/);
    });
  });
  it('MHA with addBiasKv initialises like PyTorch from the same seed (xavier_normal_ bias_k/bias_v)', () => {
    torch.tidy(() => {
      torch.manualSeed(5);
      const m = new nn.MultiheadAttention(8, 2, { addBiasKv: true });
      const sd = m.stateDict();
      expect([...sd.keys()]).toEqual(Object.keys(fx.initBiasKv));
      for (const [name, e] of Object.entries(fx.initBiasKv)) close(sd.get(name)!.double(), e, name, 1e-6);
      expect(m.bias_k!.shape).toEqual([1, 1, 8]);
      const noKv = new nn.MultiheadAttention(8, 2);
      expect(noKv.bias_k).toBeNull();
      const q = torch.randn([3, 2, 8]);
      expect(() => F.multiHeadAttentionForward(q, q, q, {
        numHeads: 2, inProjWeight: noKv.in_proj_weight, inProjBias: null, outProjWeight: noKv.out_proj.weight, outProjBias: null,
        biasK: m.bias_k, biasV: null, dropoutP: 0, training: false,
      })).toThrow(/bias_k and bias_v must both be given/);
    });
  });
  it('gradcheck (float64): attention with bias_k/bias_v, a zero key and both masks', () => {
    torch.tidy(() => {
      torch.manualSeed(2);
      const r = (...shape: number[]) => torch.randn(shape, { dtype: 'float64' }).requiresGrad_(true);
      const inProj = torch.randn([12, 4], { dtype: 'float64' });
      const outProj = torch.randn([4, 4], { dtype: 'float64' });
      const kpm = torch.tensor([[false, true, false]], { dtype: 'bool' });
      const mask = torch.tensor([[0, -1, 0.5], [0.25, 0, -2]], { dtype: 'float64' });
      const f = (q: Tensor, kv: Tensor, bk: Tensor, bv: Tensor): Tensor => F.multiHeadAttentionForward(q, kv, kv, {
        numHeads: 2, inProjWeight: inProj, inProjBias: null, outProjWeight: outProj, outProjBias: null,
        biasK: bk, biasV: bv, addZeroAttn: true, dropoutP: 0, training: false,
      }, { attnMask: mask, keyPaddingMask: kpm })[0];
      expect(gradcheck((...a) => f(a[0]!, a[1]!, a[2]!, a[3]!), [r(2, 1, 4), r(3, 1, 4), r(1, 1, 4), r(1, 1, 4)])).toBe(true);
    });
  });
  it('encoder copies are independent deep copies with equal initial weights', () => {
    torch.tidy(() => {
      const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16 }), 2);
      const sd = enc.stateDict();
      expect(torch.equal(sd.get('layers.0.linear1.weight')!, sd.get('layers.1.linear1.weight')!)).toBe(true);
      torch.tidy(() => void (enc.layers.get(0) as nn.TransformerEncoderLayer).linear1.weight.detach().fill_(0));
      expect(sd.get('layers.1.linear1.weight')!.abs().sum().item()).toBeGreaterThan(0);
    });
  });
  it('generateSquareSubsequentMask', () => {
    torch.tidy(() => {
      expect(nn.Transformer.generateSquareSubsequentMask(3).tolist()).toEqual([
        [0, -Infinity, -Infinity],
        [0, 0, -Infinity],
        [0, 0, 0],
      ]);
    });
  });
  it('training mode applies dropout (outputs differ from eval)', () => {
    torch.tidy(() => {
      torch.manualSeed(1);
      const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0.5 });
      const x = torch.randn([3, 2, 8]);
      const train = layer.call(x);
      const ev = layer.eval().call(x);
      expect(torch.allclose(train, ev)).toBe(false);
      expect(train.shape).toEqual([3, 2, 8]);
    });
  });
  it('forward passes free their intermediates (only outputs stay alive)', () => {
    const tr = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 2, dimFeedforward: 16 }).eval();
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const src = torch.randn([4, 2, 8]);
    const tgt = torch.randn([3, 2, 8]);
    const mask = nn.Transformer.generateSquareSubsequentMask(3);
    const kpm = torch.tensor([[false, true, false, false], [false, false, false, true]], { dtype: 'bool' });
    const before = torch.memory().liveTensors;
    const out = noGrad(() => tr.call(src, tgt, { tgtMask: mask, srcKeyPaddingMask: kpm }));
    expect(torch.memory().liveTensors).toBe(before + 1);
    out.dispose();
    const q = torch.randn([2, 3, 8]);
    const kv = torch.randn([2, 4, 8]);
    const before2 = torch.memory().liveTensors;
    const [o, w] = noGrad(() => mha.call(q, kv, kv, { keyPaddingMask: kpm, attnMask: torch.zeros([3, 4], { dtype: 'bool' }) }));
    expect(torch.memory().liveTensors).toBe(before2 + 3); // output, weights, and the mask created in the call
    o.dispose();
    w!.dispose();
  });
});
