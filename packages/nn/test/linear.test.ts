// F.linear takes PyTorch's paths: one addmm for 2-D inputs and contiguous 3-D ones (flattened),
// matmul + in-place add otherwise. Every path must give what the plain composite gives, with the
// same gradients (gradcheck in float64); PyTorch's own values are checked in basic.test.ts.
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { gradcheck } from '@torchts/autograd';
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional;

function composite(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const y = torch.matmul(x, w.t());
  return b ? y.add(b) : y;
}

function expectClose(a: Tensor, b: Tensor): void {
  expect(a.shape).toEqual(b.shape);
  const g = a.flatten().tolist() as number[], w = b.flatten().tolist() as number[];
  g.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(w[i]!))));
}

describe('F.linear paths', () => {
  const inputs: Record<string, () => Tensor> = {
    '2-D': () => torch.randn([5, 4], { dtype: 'float64' }),
    'contiguous 3-D': () => torch.randn([2, 3, 4], { dtype: 'float64' }),
    'transposed 3-D': () => torch.randn([3, 2, 4], { dtype: 'float64' }).transpose(0, 1),
    '1-D': () => torch.randn([4], { dtype: 'float64' }),
    '4-D': () => torch.randn([2, 1, 3, 4], { dtype: 'float64' }),
  };
  for (const [name, make] of Object.entries(inputs)) {
    for (const withBias of [true, false]) {
      it(`${name} input, ${withBias ? 'with' : 'without'} bias: the composite's values and gradients`, () =>
        torch.tidy(() => {
          torch.manualSeed(7);
          const x = make().requiresGrad_();
          const w = torch.randn([6, 4], { dtype: 'float64' }).requiresGrad_();
          const b = withBias ? torch.randn([6], { dtype: 'float64' }).requiresGrad_() : null;
          expectClose(F.linear(x, w, b), composite(x, w, b));
          const args = b ? [x, w, b] : [x, w];
          expect(gradcheck((...t: Tensor[]) => F.linear(t[0]!, t[1]!, t[2] ?? null), args)).toBe(true);
        }));
    }
  }

  it('a bias of the wrong size names both shapes', () =>
    torch.tidy(() => {
      const x = torch.randn([5, 4]), w = torch.randn([6, 4]), b = torch.randn([5]);
      expect(() => F.linear(x, w, b)).toThrow(/5/);
    }));
});

describe('_addmmActivation gradients', () => {
  for (const useGelu of [false, true]) {
    it(`${useGelu ? 'gelu' : 'relu'}: gradcheck in float64 for input, mat1 and mat2 (broadcast bias, beta/alpha)`, () =>
      torch.tidy(() => {
        torch.manualSeed(3);
        const b = torch.randn([5], { dtype: 'float64' }).requiresGrad_();
        const x = torch.randn([4, 3], { dtype: 'float64' }).requiresGrad_();
        const w = torch.randn([3, 5], { dtype: 'float64' }).requiresGrad_();
        const f = (bb: Tensor, xx: Tensor, ww: Tensor) => torch._addmmActivation(bb, xx, ww, { useGelu, beta: 0.5, alpha: -1.5 });
        expect(gradcheck(f, [b, x, w])).toBe(true);
      }));
  }
});

describe('Sequential fuses Linear + ReLU/GELU', () => {
  const nameOf = (t: Tensor): string => (t.gradFn as { name: string } | null)?.name ?? '';

  function pair(act: nn.Module): [nn.Sequential, nn.Linear] {
    torch.manualSeed(11);
    const lin = new nn.Linear(7, 9);
    return [new nn.Sequential(lin, act, new nn.Linear(9, 2)), lin];
  }

  for (const [label, make] of [['ReLU', () => new nn.ReLU()], ['ReLU(inplace)', () => new nn.ReLU(true)], ['GELU', () => new nn.GELU()]] as const) {
    it(`${label}: one fused op, the unfused values and gradients bit for bit`, () =>
      torch.tidy(() => {
        const [seq, lin] = pair(make());
        const x = torch.randn([6, 7]).requiresGrad_();
        const y = seq.call(x) as Tensor;
        expect(nameOf(new nn.Sequential(lin, make()).call(x) as Tensor)).toMatch(/AddmmActivation/);
        // Unfused: the modules one by one.
        const children = [...seq.children()];
        const ref = children.reduce<Tensor>((t, m) => m.call(t) as Tensor, x.detach().requiresGrad_());
        expect(y.tolist()).toEqual(ref.tolist());
        const g = torch.randn([6, 2]);
        y.backward(g);
        const fusedGrads = [x.grad!, lin.weight.grad!, lin.bias!.grad!].map((t) => t.tolist());
        x.grad = null; lin.weight.grad = null; lin.bias!.grad = null;
        const x2 = x.detach().requiresGrad_();
        children.reduce<Tensor>((t, m) => m.call(t) as Tensor, x2).backward(g);
        expect(fusedGrads).toEqual([x2.grad!, lin.weight.grad!, lin.bias!.grad!].map((t) => t.tolist()));
      }));
  }

  it('does not fuse where the difference could show: hooks, GELU(tanh), a subclass, no bias, 3-D input', () =>
    torch.tidy(() => {
      const x = torch.randn([3, 4]);
      const lin = new nn.Linear(4, 5);
      const seen: Tensor[] = [];
      lin.registerForwardHook((_m, _a, out) => {
        seen.push(out as Tensor);
      });
      const relu = new nn.ReLU();
      const y = new nn.Sequential(lin, relu).call(x) as Tensor;
      expect(seen).toHaveLength(1);
      expect(y.tolist()).toEqual(F.relu(seen[0]!).tolist());
      class MyLinear extends nn.Linear {}
      const cases: [nn.Module, nn.Module, Tensor][] = [
        [new nn.Linear(4, 5), new nn.GELU({ approximate: 'tanh' }), x],
        [new MyLinear(4, 5), new nn.ReLU(), x],
        [new nn.Linear(4, 5, { bias: false }), new nn.ReLU(), x],
        [new nn.Linear(4, 5), new nn.ReLU(), torch.randn([2, 3, 4])],
      ];
      for (const [l, a, input] of cases) {
        const out = new nn.Sequential(l, a).call(input.requiresGrad_()) as Tensor;
        expect(nameOf(out)).not.toMatch(/AddmmActivation/);
        expect(out.tolist()).toEqual((a.call(l.call(input) as Tensor) as Tensor).tolist());
      }
    }));
});
