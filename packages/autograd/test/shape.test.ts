import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { grad, gradcheck, gradgradcheck } from '../src/index.js';

/** Deterministic float64 values in about [-2, 2], as a leaf that requires grad. */
function rnd(shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => 2 * Math.sin(seed * 12.9898 + i * 78.233 + seed * i * 0.37));
  return torch.tensor(values, { dtype: 'float64' }).reshape(shape).requiresGrad_(true);
}
/** The same values laid out transposed (non-contiguous), still a leaf. */
function rndT(shape: number[], seed = 1): Tensor {
  const [r, c] = [shape[shape.length - 2]!, shape[shape.length - 1]!];
  return rnd([...shape.slice(0, -2), c, r], seed).detach().transpose(-2, -1).requiresGrad_(true);
}

const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[]) => {
  expect(gradcheck(fn, inputs)).toBe(true);
  expect(gradgradcheck(fn, inputs)).toBe(true);
};
/** Several outputs (split, chunk...) checked as one by concatenating them. */
const joined = (fn: (x: Tensor) => Tensor[]) => (x: Tensor) => torch.cat(fn(x).map((t) => t.reshape(-1)));

describe('cat', () => {
  it('gives each tensor its slice, in order, along any dim', () => {
    check((a, b, c) => torch.cat([a, b, c], 1), [rnd([2, 1]), rndT([2, 3], 2), rnd([2, 2], 3)]);
    check((a, b) => torch.cat([a, b], -2), [rnd([1, 3]), rnd([2, 3], 2)]);
    check((a, b) => torch.cat([a, b]), [rnd([2]), rnd([3], 2)]);
  });
  it('gives skipped legacy empty 1-D tensors zero gradients of their shape', () => {
    const e = torch.zeros([0], { dtype: 'float64', requiresGrad: true });
    const a = rnd([2, 2]);
    const out = torch.cat([e, a, e], 0);
    const [ge, ga] = grad(out, [e, a], torch.ones([2, 2], { dtype: 'float64' }));
    expect(ge!.shape).toEqual([0]);
    expect(ga!.tolist()).toEqual([[1, 1], [1, 1]]);
    check((x, y) => torch.cat([x, e, y], 1), [rnd([2, 1]), rnd([2, 2], 2)]);
  });
  it('casts each gradient to its input dtype after promotion, skipping integer inputs', () => {
    const a = torch.tensor([1.5, 2], { dtype: 'float32', requiresGrad: true });
    const b = torch.tensor([3, 4], { dtype: 'float64', requiresGrad: true });
    const i = torch.tensor([1, 2], { dtype: 'int64' });
    const out = torch.cat([a, i, b]);
    expect(out.dtype).toBe('float64');
    const [ga, gb] = grad(out, [a, b], torch.arange(6, { dtype: 'float64' }));
    expect(ga!.dtype).toBe('float32');
    expect(ga!.tolist()).toEqual([0, 1]);
    expect(gb!.tolist()).toEqual([4, 5]);
  });
});

describe('flip, tril/triu, constant_pad_nd', () => {
  it('flip', () => {
    check((a) => a.flip(0, 2), [rnd([2, 2, 3])]);
    check((a) => torch.flip(a, [-1]), [rndT([2, 3])]);
  });
  it('tril and triu, with diagonals and batches', () => {
    check((a) => a.tril(), [rnd([3, 3])]);
    check((a) => torch.triu(a, 1), [rndT([3, 4])]);
    check((a) => torch.tril(a, -1), [rnd([2, 3, 3])]);
  });
  it('tril_ and triu_', () => {
    check((a) => a.mul(1).tril_(1), [rnd([3, 3])]);
    check((a) => a.mul(1).triu_(-1), [rnd([2, 3, 2])]);
  });
  it('constant_pad_nd with positive, negative and mixed pads', () => {
    check((a) => torch.constantPadNdOp.call(a, [1, 2], 0.5) as Tensor, [rnd([2, 3])]);
    check((a) => torch.pad(a, [1, 0, 2, 1], { value: -1 }), [rnd([2, 3])]);
    check((a) => torch.pad(a, [-1, 1, 0, -1]), [rndT([3, 3])]);
    check((a) => torch.pad(a, [-1, -1]), [rnd([2, 4])]);
  });
});

describe('composites', () => {
  it('stack, hstack, vstack, dstack', () => {
    check((a, b) => torch.stack([a, b], 1), [rnd([2, 3]), rnd([2, 3], 2)]);
    check((a, b) => torch.hstack([a, b]), [rnd([2]), rnd([3], 2)]);
    check((a, b) => torch.vstack([a, b]), [rnd([3]), rnd([2, 3], 2)]);
    check((a, b) => torch.dstack([a, b]), [rnd([2, 2]), rnd([2, 2], 2)]);
  });
  it('split, chunk, unbind, tensorSplit', () => {
    check(joined((x) => torch.split(x, 2, 1)), [rnd([2, 5])]);
    check(joined((x) => torch.split(x, [1, 3], 0)), [rnd([4, 2])]);
    check(joined((x) => torch.chunk(x, 3, -1)), [rndT([2, 5])]);
    check(joined((x) => torch.unbind(x, 1)), [rnd([2, 3])]);
    check(joined((x) => torch.tensorSplit(x, [1, 3], 1)), [rnd([2, 4])]);
    check((x) => torch.split(x, 2, 0)[1]!.mul(2), [rnd([5])]);
  });
  it('repeat, tile, repeatInterleave', () => {
    check((x) => x.repeat(2, 1, 2), [rnd([2, 3])]);
    check((x) => x.tile(2), [rndT([2, 2])]);
    check((x) => torch.repeatInterleave(x, 2, 0), [rnd([2, 2])]);
    check((x) => torch.repeatInterleave(x, torch.tensor([1, 0, 2], { dtype: 'int64' }), 1), [rnd([2, 3])]);
  });
  it('roll, rot90, fliplr, flipud', () => {
    check((x) => torch.roll(x, 1), [rnd([2, 3])]);
    check((x) => torch.roll(x, [1, -1], [0, 1]), [rndT([3, 3])]);
    check((x) => torch.rot90(x, 1), [rnd([2, 3])]);
    check((x) => torch.rot90(x, 2), [rnd([2, 3])]);
    check((x) => torch.fliplr(x), [rnd([2, 3])]);
    check((x) => torch.flipud(x), [rnd([2, 3])]);
  });
  it('pad modes reflect, replicate, circular', () => {
    check((x) => torch.pad(x, [2, 1], 'reflect'), [rnd([1, 2, 4])]);
    check((x) => torch.pad(x, [1, 1, 1, 0], { mode: 'reflect' }), [rnd([1, 3, 3])]);
    check((x) => torch.pad(x, [2, 1], 'replicate'), [rnd([2, 3])]);
    check((x) => torch.pad(x, [1, 2, 0, 1], 'replicate'), [rndT([1, 2, 3])]);
    check((x) => torch.pad(x, [1, 2], 'circular'), [rnd([1, 2, 3])]);
    check((x) => torch.pad(x, [1, 1, 2, -1], 'circular'), [rnd([1, 1, 3, 3])]);
  });
});

describe('memory', () => {
  it('backward of cat/pad/flip leaks nothing', () => {
    const a = rnd([2, 3]);
    const b = rnd([2, 2], 2);
    const step = () =>
      torch.tidy(() => {
        const y = torch.pad(torch.cat([a, torch.flip(b, [0])], 1).tril(), [1, -1, 0, 1]);
        y.backward(torch.onesLike(y));
      });
    step();
    const before = torch.memory().liveTensors;
    for (let i = 0; i < 5; i++) step();
    expect(torch.memory().liveTensors).toBe(before);
  });
});
