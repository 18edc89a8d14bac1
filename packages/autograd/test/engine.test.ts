import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { tensor, ones, memory, tidy, RuntimeError } from '@torchts/core';
import { grad, noGrad } from '../src/index.js';

describe('engine', () => {
  it('computes gradients through a small graph and accumulates', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const y = tensor([4, 5, 6], { requiresGrad: true });
    const z = x.mul(y).add(x).sub(y.div(2));
    expect((z.gradFn as { name: string }).name).toBe('SubBackward0');
    z.backward(ones(3));
    expect(x.grad!.tolist()).toEqual([5, 6, 7]);
    expect(y.grad!.tolist()).toEqual([0.5, 1.5, 2.5]);
    x.mul(2).backward(ones(3));
    expect(x.grad!.tolist()).toEqual([7, 8, 9]);
  });
  it('broadcasts gradients back to input shapes', () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    a.mul(b).backward(ones(2, 3));
    expect(b.grad!.tolist()).toEqual([5, 7, 9]);
    expect(a.grad!.tolist()).toEqual([[10, 20, 30], [10, 20, 30]]);
  });
  it('grad() with createGraph gives higher-order derivatives', () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).mul(x); // x^3
    const [g1] = grad(y, x, ones(1), { createGraph: true });
    expect(g1!.tolist()).toEqual([12]);
    const [g2] = grad(g1!, x, ones(1), { createGraph: true });
    expect(g2!.tolist()).toEqual([12]); // 6x
    const [g3] = grad(g2!, x, ones(1));
    expect(g3!.tolist()).toEqual([6]);
  });
  it('refuses a second backward without retainGraph', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x);
    y.backward(ones(2));
    expect(() => y.backward(ones(2))).toThrow(/Trying to backward through the graph a second time/);
    const z = x.mul(x);
    z.backward(ones(2), { retainGraph: true });
    z.backward(ones(2));
  });
  it('detects in-place modification of saved tensors', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = a.add(0);
    const c = b.mul(b);
    b.mul_(2);
    expect(() => c.backward(ones(2))).toThrow(/modified by an inplace operation/);
  });
  it('noGrad stops recording and leaves in-place errors', () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(() => x.add_(1)).toThrow(RuntimeError);
    noGrad(() => x.add_(1));
    expect(x.tolist()).toEqual([2]);
  });
  it('keeps memory flat over many forward/backward iterations', () => {
    const w = tensor([[0.1, 0.2], [0.3, 0.4]], { requiresGrad: true });
    const x = tensor([[1, 2]]);
    const before = memory();
    for (let i = 0; i < 2000; i++) {
      tidy(() => {
        const out = x.mul(w).mul(w).sub(1);
        out.backward(ones(2, 2));
      });
      w.grad!.dispose();
      w.grad = null;
    }
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
  });
});

describe('AccumulateGrad takes the engine gradient without a copy when nothing else sees it', () => {
  it('leaves fed by one tensor along two edges get separate .grad storages', () => {
    const a = tensor([1, 2, 3], { requiresGrad: true }), b = tensor([4, 5, 6], { requiresGrad: true });
    a.add(b).mul(tensor([1, 10, 100])).sum().backward();
    expect(a.grad!._storage).not.toBe(b.grad!._storage);
    a.grad!.add_(1);
    expect(b.grad!.tolist()).toEqual([1, 10, 100]);
    expect(a.grad!.tolist()).toEqual([2, 11, 101]);
  });
  it('a stolen gradient accumulates like a copied one; broadcast and hooked gradients are copied', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward(); // a fresh contiguous gradient: taken
    x.mul(3).sum().backward(); // accumulated into it
    expect(x.grad!.tolist()).toEqual([5, 5, 5]);
    const y = tensor([1, 2], { requiresGrad: true });
    y.sum().backward(); // an expanded gradient: copied into a contiguous .grad
    expect(y.grad!.isContiguous()).toBe(true);
    y.grad!.add_(1);
    expect(y.grad!.tolist()).toEqual([2, 2]);
    const z = tensor([1, 2], { requiresGrad: true });
    let seen: import('@torchts/core').Tensor | null = null;
    z.registerHook((g) => { seen = g; });
    z.mul(2).sum().backward();
    expect(z.grad).not.toBe(seen);
  });
  it('no tensor leaks or is freed early across training steps', () => {
    const w = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const step = () => tidy(() => { w.mul(w).sum().backward(); });
    step();
    w.grad!.dispose(); w.grad = null;
    const before = memory().liveTensors;
    for (let i = 0; i < 5; i++) {
      step();
      expect(w.grad!.tolist()).toEqual([[2, 4], [6, 8]]);
      w.grad!.dispose(); w.grad = null;
    }
    expect(memory().liveTensors).toBe(before);
  });
});
