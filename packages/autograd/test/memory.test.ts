// Autograd's memory rules: a training loop keeps live tensors and bytes flat, and saved tensors
// are released as soon as backward has used them (PyTorch frees a graph's buffers in backward
// unless retain_graph=True), so the graph holds no memory once its gradients are computed.
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { manualSeed, memory, randn, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { grad, noGrad } from '../src/index.js';

interface Live {
  tensors: number;
  bytes: number;
}

function live(): Live {
  const m = memory();
  return { tensors: m.liveTensors, bytes: m.devices.cpu!.liveBytes };
}

/** A 4-16-3 MLP with ReLU, its parameters leaves that require grad, and a fixed batch of 8. */
function setup(): { params: Tensor[]; x: Tensor; y: Tensor } {
  manualSeed(0);
  const param = (...shape: number[]): Tensor => randn(shape).mul_(0.5).requiresGrad_();
  return { params: [param(4, 16), param(16), param(16, 3), param(3)], x: randn(8, 4), y: randn(8, 3) };
}

/** Summed squared error of the MLP on (x, y). */
function lossOf([w1, b1, w2, b2]: Tensor[], x: Tensor, y: Tensor): Tensor {
  const pred = x.mm(w1!).add(b1!).relu().mm(w2!).add(b2!);
  return pred.sub(y).pow(2).sum();
}

/** Plain SGD, not recorded; the gradients are zeroed in place for the next iteration. */
function sgdStep(params: Tensor[], lr: number): void {
  noGrad(() => {
    for (const p of params) {
      p.sub_(p.grad!.mul(lr));
      p.grad!.zero_();
    }
  });
}

function disposeAll(params: Tensor[], ...rest: Tensor[]): void {
  for (const t of [...params, ...rest]) t.dispose(); // dispose() frees .grad too
}

const bytesOf = (ts: Tensor[]): number => ts.reduce((s, t) => s + t.numel() * t.elementSize(), 0);

describe('autograd memory', () => {
  it('keeps live tensors and bytes flat over 10k training iterations', () => {
    const before = live();
    const { params, x, y } = setup();
    const iterations = 10_000;
    const snapshots: Live[] = [];
    const losses: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const loss = tidy(() => {
        const loss = lossOf(params, x, y);
        const value = loss.item();
        loss.backward();
        sgdStep(params, 1e-3);
        return value;
      });
      if (i === 0 || i === iterations - 1) losses.push(loss);
      if (i % 1000 === 0 || i === iterations - 1) snapshots.push(live());
    }
    expect(losses[1]!).toBeLessThan(losses[0]! / 10); // it did train
    // The first iteration created the four .grad tensors (outside the tidy scope); nothing since.
    expect(snapshots[0]!.tensors).toBe(before.tensors + 6 + 4);
    for (const s of snapshots) expect(s).toEqual(snapshots[0]);
    disposeAll(params, x, y);
    expect(live()).toEqual(before);
  });

  it('frees saved tensors in backward: memory after backward = before forward + loss + grads', () => {
    const { params, x, y } = setup();
    const before = live();
    // The inner tidy disposes every intermediate the forward created; only the graph's saved
    // tensors still hold their storages.
    const loss = tidy(() => lossOf(params, x, y));
    const afterForward = live();
    expect(afterForward.tensors).toBeGreaterThan(before.tensors + 1);
    expect(afterForward.bytes).toBeGreaterThan(before.bytes + bytesOf([loss]));
    loss.backward();
    const grads = params.map((p) => p.grad!);
    expect(live()).toEqual({ tensors: before.tensors + 1 + grads.length, bytes: before.bytes + bytesOf([loss, ...grads]) });
    // Nothing of the graph is left to free: disposing what we hold returns to the start.
    for (const p of params) {
      p.grad!.dispose();
      p.grad = null;
    }
    loss.dispose();
    expect(live()).toEqual(before);
    disposeAll(params, x, y);
  });

  it('keeps saved tensors with retainGraph until a backward without it', () => {
    const { params, x, y } = setup();
    const before = live();
    const loss = tidy(() => lossOf(params, x, y));
    const afterForward = live();
    loss.backward(null, { retainGraph: true });
    const gradCount = params.length;
    // Saved tensors are still there: a second backward works.
    expect(live().tensors).toBe(afterForward.tensors + gradCount);
    loss.backward();
    expect(live().tensors).toBe(before.tensors + 1 + gradCount);
    expect(() => loss.backward()).toThrow(/Trying to backward through the graph a second time/);
    for (const p of params) {
      p.grad!.dispose();
      p.grad = null;
    }
    loss.dispose();
    expect(live()).toEqual(before);
    disposeAll(params, x, y);
  });

  it('frees saved tensors in autograd.grad, which leaves .grad alone', () => {
    const { params, x, y } = setup();
    const before = live();
    const loss = tidy(() => lossOf(params, x, y));
    const grads = grad(loss, params) as Tensor[];
    expect(params.every((p) => p.grad === null)).toBe(true);
    expect(live()).toEqual({ tensors: before.tensors + 1 + grads.length, bytes: before.bytes + bytesOf([loss, ...grads]) });
    disposeAll(grads, loss);
    expect(live()).toEqual(before);
    disposeAll(params, x, y);
  });

  it('keeps .grad outside tidy scopes and frees it with its tensor', () => {
    const { params, x, y } = setup();
    const before = live();
    const paramBytes = bytesOf(params);
    tidy(() => lossOf(params, x, y).backward());
    expect(params.every((p) => p.grad !== null && !p.grad.isDisposed)).toBe(true);
    expect(live()).toEqual({ tensors: before.tensors + params.length, bytes: before.bytes + paramBytes });
    disposeAll(params);
    expect(live()).toEqual({ tensors: before.tensors - params.length, bytes: before.bytes - paramBytes });
    disposeAll([x, y]);
  });
});
