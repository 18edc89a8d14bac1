import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { NotImplementedError, RuntimeError, Tensor, memory, ones, tensor, tidy, zeros } from '@torchts/core';
import { Function, FunctionCtx, grad, gradcheck, gradgradcheck, noGrad } from '../src/index.js';

const close = (t: Tensor | null, expected: number[] | number, tol = 1e-5) => {
  const got = [t!.tolist()].flat(4) as number[];
  const want = [expected].flat();
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(tol * (1 + Math.abs(want[i]!))));
};

class Exp extends Function {
  static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
    const y = x.exp();
    ctx.saveForBackward(y);
    return y;
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    const [y] = ctx.savedTensors;
    return g.mul(y!);
  }
}

/** a * b * k with a JS-number argument (its gradient slot must be null). */
class ScaledMul extends Function {
  static override forward(ctx: FunctionCtx, a: Tensor, b: Tensor, k: number): Tensor {
    ctx.saveForBackward(a, b);
    ctx.k = k;
    ctx.seenNeeds = [...ctx.needsInputGrad];
    return a.mul(b).mul(k);
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Array<Tensor | null> {
    const [a, b] = ctx.savedTensors;
    const k = ctx.k as number;
    return [ctx.needsInputGrad[0] ? g.mul(b!).mul(k) : null, ctx.needsInputGrad[1] ? g.mul(a!).mul(k) : null, null];
  }
}

/** Sums to a 0-d tensor; the gradient is expanded back (differentiable). */
class Total extends Function {
  static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
    ctx.shape = [...x.shape];
    return x.sum();
  }
  static override backward(ctx: FunctionCtx, g: Tensor): Tensor {
    return g.expand(ctx.shape as number[]);
  }
}

describe('custom Function', () => {
  it('records an <Class>Backward node and computes gradients (PyTorch: d/dx exp = exp)', () => {
    const x = tensor([0.5, -1, 2], { requiresGrad: true });
    const y = Exp.apply(x);
    expect((y.gradFn as { name: string }).name).toBe('ExpBackward');
    expect(y.requiresGrad).toBe(true);
    const nf = (y.gradFn as { nextFunctions: Array<[{ name: string } | null, number]> }).nextFunctions;
    expect(nf[0]![0]!.name).toBe('AccumulateGrad');
    y.backward(ones(3));
    close(x.grad, [Math.exp(0.5), Math.exp(-1), Math.exp(2)]);
  });

  it('runs forward with grad disabled and records nothing without grad mode', () => {
    class Probe extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        const inner = x.mul(2);
        ctx.innerRequiresGrad = inner.requiresGrad;
        return inner;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    const y = Probe.apply(x);
    expect(y.requiresGrad).toBe(true);
    const z = noGrad(() => Probe.apply(x));
    expect(z.requiresGrad).toBe(false);
    expect(z.gradFn).toBe(null);
    const w = Probe.apply(tensor([1, 2]));
    expect(w.gradFn).toBe(null);
  });

  it('passes needsInputGrad per forward argument and accepts null for non-tensor inputs', () => {
    const a = tensor([1, 2], { dtype: 'float64', requiresGrad: true });
    const b = tensor([3, 4], { dtype: 'float64' });
    let ctxSeen: FunctionCtx | null = null;
    class Spy extends ScaledMul {
      static override forward(ctx: FunctionCtx, x: Tensor, y: Tensor, k: number): Tensor {
        ctxSeen = ctx;
        return ScaledMul.forward(ctx, x, y, k);
      }
    }
    const y = Spy.apply(a, b, 3);
    expect(ctxSeen!.seenNeeds).toEqual([true, false, false]);
    expect((y.gradFn as { name: string }).name).toBe('SpyBackward');
    y.backward(ones(2, { dtype: 'float64' }));
    expect(a.grad!.tolist()).toEqual([9, 12]);
    expect(b.grad).toBe(null);
  });

  it('passes gradcheck and gradgradcheck (double backward through a custom Function)', () => {
    const a = tensor([0.3, -0.7, 1.1], { dtype: 'float64', requiresGrad: true });
    const b = tensor([[1.5, -2.0, 0.25], [0.5, 0.75, -1.25]], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((x, y) => ScaledMul.apply(x, y, 2.5), [a, b])).toBe(true);
    expect(gradcheck((x) => Exp.apply(x), [a])).toBe(true);
    expect(gradgradcheck((x) => Exp.apply(x), [a])).toBe(true);
    expect(gradgradcheck((x, y) => ScaledMul.apply(x.mul(x), y, 2), [a, b])).toBe(true);
  });

  it('supports createGraph: second and third derivatives of exp', () => {
    const x = tensor([0.5, 1.5], { dtype: 'float64', requiresGrad: true });
    const y = Exp.apply(Exp.apply(x)); // exp(exp(x))
    const [g1] = grad(y, x, ones(2, { dtype: 'float64' }), { createGraph: true });
    const e = [0.5, 1.5].map((v) => Math.exp(v + Math.exp(v)));
    close(g1!, e, 1e-10);
    expect(g1!.requiresGrad).toBe(true);
    const [g2] = grad(g1!, x, ones(2, { dtype: 'float64' }), { createGraph: true });
    // d/dx exp(x + e^x) = exp(x + e^x) (1 + e^x)
    close(g2!, [0.5, 1.5].map((v, i) => e[i]! * (1 + Math.exp(v))), 1e-10);
    const [g3] = grad(g2!, x, ones(2, { dtype: 'float64' }));
    // d/dx [exp(x+e^x)(1+e^x)] = exp(x+e^x)((1+e^x)^2 + e^x)
    close(g3!, [0.5, 1.5].map((v, i) => e[i]! * ((1 + Math.exp(v)) ** 2 + Math.exp(v))), 1e-10);
  });

  it('double backward through a custom Function matches PyTorch (grad_func.py fixture)', () => {
    const path = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'grad_func.json');
    type Enc = { shape: number[]; data: number[] };
    const c = (JSON.parse(readFileSync(path, 'utf8')) as { cases: Record<string, Record<string, Enc>> }).cases.custom_exp!;
    const x = tensor(c.x!.data, { dtype: 'float64', requiresGrad: true });
    const [g1] = grad(Exp.apply(Exp.apply(x)).sum(), x, null, { createGraph: true });
    close(g1!, c.g1!.data, 1e-12);
    const [g2] = grad(g1!.sum(), x);
    close(g2!, c.g2!.data, 1e-12);
  });

  it('throws PyTorch\'s error for a wrong number of gradients', () => {
    class Bad extends Function {
      static override forward(_ctx: FunctionCtx, a: Tensor, b: Tensor): Tensor {
        return a.add(b);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    const a = tensor([1], { requiresGrad: true });
    const y = Bad.apply(a, tensor([2], { requiresGrad: true }));
    expect(() => y.backward(ones(1))).toThrow('function BadBackward returned an incorrect number of gradients (expected 2, got 1)');
  });

  it('accepts extra trailing null gradients and rejects a gradient for a non-tensor input', () => {
    class Extra extends Function {
      static override forward(_ctx: FunctionCtx, a: Tensor): Tensor {
        return a.mul(3);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Array<Tensor | null> {
        return [g.mul(3), null, null];
      }
    }
    const a = tensor([1, 2], { requiresGrad: true });
    Extra.apply(a).backward(ones(2));
    expect(a.grad!.tolist()).toEqual([3, 3]);

    class NonTensorGrad extends Function {
      static override forward(_ctx: FunctionCtx, a: Tensor, _k: number): Tensor {
        return a.mul(2);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor[] {
        return [g.mul(2), g];
      }
    }
    const y = NonTensorGrad.apply(tensor([1], { requiresGrad: true }), 4);
    expect(() => y.backward(ones(1))).toThrow('function NonTensorGradBackward returned a gradient different than None at position 2, but the corresponding forward input was not a Variable');
  });

  it('sums broadcast gradients to the input shape, rejects incompatible ones, casts dtypes', () => {
    class Broadcasting extends Function {
      static override forward(_ctx: FunctionCtx, a: Tensor): Tensor {
        return a.clone();
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.unsqueeze(0).expand([4, ...g.shape]).to('float64');
      }
    }
    const a = tensor([1, 2, 3], { requiresGrad: true });
    Broadcasting.apply(a).backward(tensor([1, 2, 3]));
    expect(a.grad!.dtype).toBe('float32');
    expect(a.grad!.tolist()).toEqual([4, 8, 12]);

    class WrongShape extends Function {
      static override forward(_ctx: FunctionCtx, a: Tensor): Tensor {
        return a.clone();
      }
      static override backward(): Tensor {
        return zeros(2);
      }
    }
    const y = WrongShape.apply(tensor([1, 2, 3], { requiresGrad: true }));
    expect(() => y.backward(ones(3))).toThrow('Function WrongShapeBackward returned an invalid gradient at index 0 - got [2] but expected shape compatible with [3]');
  });

  it('frees saved tensors after backward unless retainGraph, and version-checks them', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = Exp.apply(x.mul(1));
    y.backward(ones(2), { retainGraph: true });
    y.backward(ones(2));
    expect(() => y.backward(ones(2))).toThrow(/Trying to backward through the graph a second time/);

    const h = x.mul(1);
    const z = ScaledMul.apply(h, h, 1);
    noGrad(() => h.add_(1));
    expect(() => z.backward(ones(2))).toThrow(/modified by an inplace operation/);
  });

  it('a Function that saved nothing may be backpropagated twice (as in PyTorch)', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = Total.apply(x.mul(1));
    y.backward(undefined, { retainGraph: true });
    const z = Total.apply(x);
    z.backward();
    z.backward();
    expect(x.grad!.tolist()).toEqual([3, 3]);
  });

  it('keeps arbitrary ctx properties between forward and backward', () => {
    class Pow extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor, p: number): Tensor {
        ctx.p = p;
        ctx.saveForBackward(x);
        return x.pow(p);
      }
      static override backward(ctx: FunctionCtx, g: Tensor): Array<Tensor | null> {
        const [x] = ctx.savedTensors;
        return [g.mul(x!.pow(ctx.p - 1)).mul(ctx.p), null];
      }
    }
    const x = tensor([2, 3], { requiresGrad: true });
    Pow.apply(x, 3).backward(ones(2));
    expect(x.grad!.tolist()).toEqual([12, 27]);
  });

  it('markDirty: in-place forward rebases the input\'s history', () => {
    class AddOne_ extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        x.add_(1);
        ctx.markDirty(x);
        return x;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g;
      }
    }
    const a = tensor([1, 2], { requiresGrad: true });
    const h = a.mul(3);
    const v0 = h._version;
    const out = AddOne_.apply(h);
    expect(out).toBe(h);
    expect(h._version).toBe(v0 + 1);
    expect(h.tolist()).toEqual([4, 7]);
    expect((h.gradFn as { name: string }).name).toBe('AddOne_Backward');
    h.mul(h).backward(ones(2));
    expect(a.grad!.tolist()).toEqual([24, 42]); // d/da (3a+1)^2 = 6(3a+1)

    expect(() => AddOne_.apply(tensor([1], { requiresGrad: true }))).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');

    class Forgot extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        x.add_(1);
        ctx.markDirty(x);
        return x.mul(2);
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    expect(() => Forgot.apply(a.mul(1))).toThrow('Some elements marked as dirty during the forward method were not returned as output. The inputs that are modified inplace must all be outputs of the Function.');
  });

  it('markDirty on a view of a non-leaf goes through CopySlices', () => {
    class Double_ extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        x.mul_(2);
        ctx.markDirty(x);
        return x;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(2);
      }
    }
    const a = tensor([1, 2, 3, 4], { requiresGrad: true });
    const base = a.mul(1);
    Double_.apply(base.narrow(0, 1, 2));
    expect(base.tolist()).toEqual([1, 4, 6, 4]);
    expect((base.gradFn as { name: string }).name).toBe('CopySlices');
    base.backward(tensor([1, 10, 100, 1000]));
    expect(a.grad!.tolist()).toEqual([1, 20, 200, 1000]);
  });

  it('markNonDifferentiable and integer outputs do not require grad; their gradients are zeros', () => {
    let seen: Array<number[] | null> = [];
    class SortLike extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor[] {
        const mask = x.gt(0).to('float32');
        const idx = x.argmax();
        ctx.markNonDifferentiable(mask);
        ctx.saveForBackward(mask);
        return [x.mul(mask), mask, idx];
      }
      static override backward(ctx: FunctionCtx, g: Tensor, gMask: Tensor | null, gIdx: Tensor | null): Tensor {
        seen = [gMask ? (gMask.tolist() as number[]) : null, gIdx ? (gIdx.tolist() as number[]) : null];
        return g.mul(ctx.savedTensors[0]!);
      }
    }
    const x = tensor([-1, 2, 3], { requiresGrad: true });
    const [y, mask, idx] = SortLike.apply(x);
    expect(y!.requiresGrad).toBe(true);
    expect(mask!.requiresGrad).toBe(false);
    expect(idx!.requiresGrad).toBe(false);
    y!.backward(ones(3));
    expect(x.grad!.tolist()).toEqual([0, 1, 1]);
    expect(seen[0]).toEqual([0, 0, 0]);
  });

  it('setMaterializeGrads(false) passes null for outputs without gradient', () => {
    let got: unknown = 'unset';
    class Two extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor[] {
        ctx.setMaterializeGrads(false);
        return [x.mul(2), x.mul(3)];
      }
      static override backward(_ctx: FunctionCtx, g1: Tensor | null, g2: Tensor | null): Tensor {
        got = g2;
        return g1!.mul(2);
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    const [a] = Two.apply(x);
    a!.backward(ones(2));
    expect(got).toBe(null);
    expect(x.grad!.tolist()).toEqual([2, 2]);
  });

  it('returns an input unchanged as a new alias that carries the node', () => {
    class Identity extends Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x;
      }
      static override backward(_ctx: FunctionCtx, g: Tensor): Tensor {
        return g.mul(5);
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    const y = Identity.apply(x);
    expect(y).not.toBe(x);
    expect(x.gradFn).toBe(null);
    expect((y.gradFn as { name: string }).name).toBe('IdentityBackward');
    y.backward(ones(2));
    expect(x.grad!.tolist()).toEqual([5, 5]);
  });

  it('a backward that returns its saved tensor does not free it', () => {
    class PassSaved extends Function {
      static override forward(ctx: FunctionCtx, x: Tensor): Tensor {
        const w = x.mul(0).add(7);
        ctx.saveForBackward(w);
        return x.mul(7);
      }
      static override backward(ctx: FunctionCtx): Tensor {
        return ctx.savedTensors[0]!;
      }
    }
    const x = tensor([1, 2], { requiresGrad: true });
    const y = PassSaved.apply(x);
    y.backward(ones(2), { retainGraph: true });
    y.backward(ones(2));
    expect(x.grad!.tolist()).toEqual([14, 14]);
  });

  it('throws for a missing forward/backward', () => {
    class NoBackward extends Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(2);
      }
    }
    const y = NoBackward.apply(tensor([1], { requiresGrad: true }));
    expect(() => y.backward(ones(1))).toThrow(NotImplementedError);
    expect(() => (Function as unknown as { apply(x: Tensor): Tensor }).apply(tensor([1]))).toThrow(NotImplementedError);
  });

  it('works with a custom Function as the 0-d loss and leaks nothing', () => {
    const w = tensor([0.5, -1.5], { requiresGrad: true });
    const x = tensor([2, 3]);
    const before = memory().liveTensors;
    for (let i = 0; i < 50; i++) {
      tidy(() => {
        Total.apply(Exp.apply(ScaledMul.apply(w, x, 0.5))).backward();
      });
    }
    close(w.grad, [50 * Math.exp(0.5) * 1, 50 * Math.exp(-2.25) * 1.5], 1e-4);
    w.grad!.dispose();
    w.grad = null;
    expect(memory().liveTensors).toBe(before);
  });

  it('errors on a RuntimeError in backward like any node', () => {
    class Boom extends Function {
      static override forward(_ctx: FunctionCtx, x: Tensor): Tensor {
        return x.mul(1);
      }
      static override backward(): Tensor {
        throw new RuntimeError('boom');
      }
    }
    expect(() => Boom.apply(tensor([1], { requiresGrad: true })).backward(ones(1))).toThrow('boom');
  });
});
