import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { RuntimeError, Tensor, manualSeed, memory, ones, rand, randn, tensor, tidy } from '@torchts/core';
import { checkpoint, noGrad } from '../src/index.js';

const w = tensor([0.5, -0.25, 1.5, 0.75], { requiresGrad: true });

/** A chain whose every step saves tensors for backward. */
function block(x: Tensor): Tensor {
  let h = x;
  for (let i = 0; i < 6; i++) h = h.mul(w).add(0.1).mul(h).div(2);
  return h;
}

function grads(...ts: Tensor[]): number[][] {
  return ts.map((t) => {
    const v = t.grad!.tolist() as number[];
    t.grad!.dispose();
    t.grad = null;
    return v;
  });
}

function expectClose(a: number[][], b: number[][]): void {
  a.flat().forEach((v, i) => expect(Math.abs(v - b.flat()[i]!)).toBeLessThan(1e-6 * (1 + Math.abs(v))));
}

describe('checkpoint', () => {
  it('gives the same outputs and gradients as the plain function (inputs and closed-over weights)', () => {
    const x = tensor([1, 2, -1, 0.5], { requiresGrad: true });
    const plain = block(x);
    plain.backward(ones(4));
    const expected = grads(x, w);
    const ck = checkpoint(block, x);
    expect(ck.tolist()).toEqual(plain.tolist());
    expect((ck.gradFn as { name: string }).name).toBe('CheckpointFunctionBackward');
    ck.backward(ones(4));
    expectClose(grads(x, w), expected);
  });

  it('keeps only the inputs alive between forward and backward (live tensors and bytes)', () => {
    const x = tensor([1, 2, -1, 0.5], { requiresGrad: true });
    const m0 = memory();
    const plain = tidy(() => block(x));
    const m1 = memory();
    const ck = tidy(() => checkpoint(block, x));
    const m2 = memory();
    const plainKept = m1.liveTensors - m0.liveTensors;
    const ckKept = m2.liveTensors - m1.liveTensors;
    // The output plus the saved input; the plain graph saves every step's operands.
    expect(ckKept).toBe(2);
    expect(plainKept).toBeGreaterThan(20);
    expect(m2.devices.cpu!.liveBytes - m1.devices.cpu!.liveBytes).toBeLessThan(m1.devices.cpu!.liveBytes - m0.devices.cpu!.liveBytes);
    tidy(() => ck.backward(ones(4)));
    tidy(() => plain.backward(ones(4)));
    // After backward the recomputed graph is gone too.
    plain.dispose();
    ck.dispose();
    grads(x, w).forEach((g) => expect(g.length).toBe(4));
    expect(memory().liveTensors).toBe(m0.liveTensors);
  });

  it('restores the default generator state for the recomputation', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const noisy = (t: Tensor) => t.mul(rand(3)).mul(t);
    manualSeed(7);
    noisy(x).backward(ones(3));
    const after = randn(2).tolist();
    const [expected] = grads(x);
    manualSeed(7);
    const y = checkpoint(noisy, x);
    y.backward(ones(3));
    expect(grads(x)[0]).toEqual(expected);
    // The stream continues as if the recomputation never drew.
    expect(randn(2).tolist()).toEqual(after);

    manualSeed(7);
    const z = checkpoint(noisy, x, { preserveRngState: false });
    z.backward(ones(3));
    expect(grads(x)[0]).not.toEqual(expected);
  });

  it('passes non-tensor arguments, returns several outputs and routes each gradient', () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    const fn = (p: Tensor, k: number, q: Tensor) => [p.mul(q).mul(k), p.sub(q)];
    const [u, v] = checkpoint(fn, a, 3, b);
    expect(u!.tolist()).toEqual([9, 24]);
    u!.add(v!).backward(ones(2));
    expect(grads(a, b)).toEqual([[10, 13], [2, 5]]);
  });

  it('non-grad inputs: outputs do not require grad (as PyTorch warns)', () => {
    const y = checkpoint((t: Tensor) => t.mul(2), tensor([1, 2]));
    expect(y.requiresGrad).toBe(false);
    const z = noGrad(() => checkpoint(block, tensor([1, 2, 3, 4], { requiresGrad: true })));
    expect(z.requiresGrad).toBe(false);
  });

  it('errors when the recomputed outputs do not require grad and for useReentrant: false', () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = checkpoint((t: Tensor) => t.detach().mul(2), x);
    expect(() => y.backward(ones(2))).toThrow('none of output has requires_grad=True, this checkpoint() is not necessary');
    expect(() => checkpoint(block, x, { useReentrant: false })).toThrow(RuntimeError);
  });

  it('detects in-place modification of a saved input', () => {
    const x = tensor([1, 2, 3, 4], { requiresGrad: true });
    const h = x.mul(1);
    const y = checkpoint(block, h);
    noGrad(() => h.add_(1));
    expect(() => y.backward(ones(4))).toThrow(/modified by an inplace operation/);
  });
});
