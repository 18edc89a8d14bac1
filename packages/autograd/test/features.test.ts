import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { tensor, ones, zeros, matmul, RuntimeError } from '@torchts/core';
import { grad, noGrad, enableGrad, isGradEnabled, setGradEnabled, inferenceMode, detectAnomaly } from '../src/index.js';

describe('in-place ops', () => {
  it('rebases history for in-place writes through views (CopySlices)', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const y = x.mul(2); // non-leaf
    y.narrow(0, 1, 2).mul_(tensor([10, 100]));
    expect((y.gradFn as { name: string }).name).toBe('CopySlices');
    y.backward(ones(4));
    expect(x.grad!.tolist()).toEqual([2, 20, 200, 2]);
  });
  it('routes gradients into the value written into a view', () => {
    const base = zeros(3);
    const v = tensor([5, 6], { requiresGrad: true });
    base.narrow(0, 0, 2).copy_(v.mul(3));
    base.mul(tensor([1, 2, 3])).backward(ones(3));
    expect(v.grad!.tolist()).toEqual([3, 6]);
  });
  it('refuses in-place on a leaf and on a view of a leaf that requires grad', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul_(2)).toThrow('a leaf Variable that requires grad is being used in an in-place operation.');
    expect(() => x.narrow(0, 0, 1).mul_(2)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  });
  it('in-place on a view whose base was disposed (a composite\'s temporary) records on the view', () => {
    // matmul(vector, matrix) returns a squeeze view of an mm result it disposes; PyTorch allows add_ on it.
    const x = tensor([1, 2], { requiresGrad: true });
    const w = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const y = matmul(x, w);
    expect(y._base?.isDisposed).toBe(true);
    y.add_(tensor([1, 1, 1])).mul_(2);
    expect(y.tolist()).toEqual([20, 26, 32]);
    y.backward(tensor([1, 0, 1]));
    expect(x.grad!.tolist()).toEqual([8, 20]);
    expect(w.grad!.tolist()).toEqual([[2, 0, 2], [4, 0, 4]]);
    const leaf = tensor([1, 2], { requiresGrad: true });
    const v = leaf.narrow(0, 0, 1);
    expect(() => v.mul_(2)).toThrow('a view of a leaf Variable that requires grad is being used in an in-place operation.');
  });
  it('in-place on a non-leaf rebases its grad_fn', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(3);
    y.add_(1).mul_(2);
    y.backward(ones(2));
    expect(x.grad!.tolist()).toEqual([6, 6]);
  });
});

describe('hooks and retain_grad', () => {
  it('runs tensor hooks, lets them replace the gradient, and removes them', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    const seen: number[][] = [];
    const h = y.registerHook((g) => {
      seen.push(g.tolist() as number[]);
      return g.mul(10);
    });
    y.backward(ones(2), { retainGraph: true });
    expect(seen).toEqual([[1, 1]]);
    expect(x.grad!.tolist()).toEqual([20, 20]);
    h.remove();
    y.backward(ones(2));
    expect(x.grad!.tolist()).toEqual([22, 22]);
  });
  it('runs leaf hooks before accumulation and post-accumulate hooks after', () => {
    const x = tensor([3], { requiresGrad: true });
    const order: string[] = [];
    x.registerHook((g) => {
      order.push(`pre ${g.item()}`);
    });
    x.registerPostAccumulateGradHook((t) => order.push(`post ${t.grad!.item()}`));
    x.mul(4).backward();
    expect(order).toEqual(['pre 4', 'post 4']);
  });
  it('retains grads of non-leaves on request', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2);
    y.retainGrad();
    expect(y.retainsGrad).toBe(true);
    y.mul(3).backward(ones(2));
    expect(y.grad!.tolist()).toEqual([3, 3]);
    expect(x.mul(1).grad).toBe(null);
  });
  it('exposes grad_fn names, next functions and leaves', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2).add(1);
    const fn = y.gradFn as { name: string; nextFunctions: Array<[{ name: string } | null, number]> };
    expect(fn.name).toBe('AddBackward0');
    expect(fn.nextFunctions[0]![0]!.name).toBe('MulBackward0');
    expect(x.isLeaf).toBe(true);
    expect(y.isLeaf).toBe(false);
    expect(() => (y.requiresGrad = false)).toThrow(RuntimeError);
    expect(() => tensor([1], { dtype: 'int64' }).requiresGrad_()).toThrow('only Tensors of floating point and complex dtype can require gradients');
  });
});

describe('errors', () => {
  it('needs a gradient for non-scalar outputs', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow('grad can be implicitly created only for scalar outputs');
    expect(() => tensor([1]).backward()).toThrow('element 0 of tensors does not require grad and does not have a grad_fn');
  });
  it('reports unused inputs unless allowed', () => {
    const x = tensor([1], { requiresGrad: true });
    const z = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    expect(() => grad(y, [x, z], ones(1), { retainGraph: true })).toThrow(/appears to not have been used in the graph/);
    const [gx, gz] = grad(y, [x, z], ones(1), { allowUnused: true, retainGraph: true });
    expect(gx!.tolist()).toEqual([2]);
    expect(gz).toBe(null);
    const [, gz0] = grad(y, [x, z], ones(1), { materializeGrads: true });
    expect(gz0!.tolist()).toEqual([0]);
  });
  it('detectAnomaly names the forward op of a NaN gradient', () => {
    const x = tensor([0], { requiresGrad: true });
    expect(() => detectAnomaly(() => x.div(x).backward(ones(1)))).toThrow(/DivBackward0.*nan/);
  });
});

describe('grad modes', () => {
  it('nest and restore', () => {
    expect(isGradEnabled()).toBe(true);
    noGrad(() => {
      expect(isGradEnabled()).toBe(false);
      enableGrad(() => expect(isGradEnabled()).toBe(true));
      expect(isGradEnabled()).toBe(false);
    });
    inferenceMode(() => expect(isGradEnabled()).toBe(false));
    setGradEnabled(false, () => expect(isGradEnabled()).toBe(false));
    expect(isGradEnabled()).toBe(true);
  });
  it('are scoped across await without leaking into concurrent code', async () => {
    const x = tensor([1], { requiresGrad: true });
    let inside: boolean | null = null;
    let outside: boolean | null = null;
    const a = noGrad(async () => {
      await new Promise((r) => setTimeout(r, 10));
      inside = x.mul(2).requiresGrad;
    });
    const b = (async () => {
      await new Promise((r) => setTimeout(r, 5));
      outside = x.mul(2).requiresGrad;
    })();
    await Promise.all([a, b]);
    expect(inside).toBe(false);
    expect(outside).toBe(true);
  });
});

describe('graph lifetime', () => {
  it('frees a graph that never runs backward as soon as its tensors are gone', async () => {
    const { memory, tidy } = await import('@torchts/core');
    const w = tensor([[0.5, -1], [2, 0.25]], { requiresGrad: true });
    const x = tensor([[1, 2]]);
    const before = memory();
    for (let i = 0; i < 1000; i++) {
      tidy(() => {
        x.mm(w).tanh().mul(w.sum()).exp(); // forward only, grad mode on
      });
    }
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
  });
  it('keeps the graph while an output is alive', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.exp().mul(2);
    x.mul(5).dispose(); // an unrelated branch goes away
    y.backward(ones(2));
    expect(x.grad!.tolist().map((v: number) => +v.toFixed(4))).toEqual([5.4366, 14.7781]);
  });
});

describe('random in-place fills', () => {
  it('cut the gradient to the overwritten values', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(2);
    y.uniform_(0, 1);
    y.sum().backward();
    expect(x.grad!.tolist()).toEqual([0, 0, 0]);
  });
});

describe('higher order through shared intermediates', () => {
  it('counts every branch when the output gradient itself is differentiated', async () => {
    const { gradgradcheck } = await import('../src/index.js');
    const f = (x: ReturnType<typeof tensor>) => {
      const l = x.exp();
      return l.mul(2).add(l.mul(3));
    };
    expect(gradgradcheck(f, [tensor([0.5, -0.3], { dtype: 'float64', requiresGrad: true })])).toBe(true);
  });
});
