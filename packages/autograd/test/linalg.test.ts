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

const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], second = true) => {
  expect(gradcheck(fn, inputs)).toBe(true);
  if (second) expect(gradgradcheck(fn, inputs)).toBe(true);
};

describe('matrix products', () => {
  it('mm', () => {
    check((a, b) => a.mm(b), [rnd([2, 3]), rnd([3, 4], 2)]);
    check((a, b) => torch.mm(a, b), [rndT([2, 3]), rndT([3, 2], 2)]);
  });
  it('mm with one operand frozen saves only what it needs', () => {
    const a = rnd([2, 3]);
    const b = rnd([3, 2], 2).detach();
    check((x) => x.mm(b), [a]);
    check((x) => b.mm(x), [rnd([2, 2], 3)]);
  });
  it("a column-major operand's gradient is laid out column-major too (PyTorch's mm_mat*_backward)", () => {
    // Linear's weight.t(): the gradient reaching weight is then contiguous, with no transposing copy.
    for (const [op, fn] of [['mm', (x: Tensor, wt: Tensor) => x.mm(wt)], ['addmm', (x: Tensor, wt: Tensor) => torch.addmm(rnd([5], 4).detach(), x, wt)]] as const) {
      const w = rnd([5, 3], 2);
      const x = rnd([4, 3], 3);
      const strides: Record<string, number[]> = {};
      const wt = w.t();
      wt.registerHook((g) => void (strides.wt = g.stride()));
      const xt = x.detach().t().contiguous().t().requiresGrad_(); // x's values, column-major
      xt.registerHook((g) => void (strides.x = g.stride()));
      fn(xt, wt).sum().backward();
      expect(strides, op).toEqual({ wt: [1, 3], x: [1, 4] });
      expect(w.grad!.isContiguous(), op).toBe(true);
      const dense = w.detach().clone().requiresGrad_();
      fn(x.detach(), dense.t().contiguous()).sum().backward();
      expect(w.grad!.tolist(), op).toEqual(dense.grad!.tolist());
    }
    check((a, b) => a.mm(b), [rndT([2, 3]), rndT([3, 4], 2)]);
  });
  it('bmm', () => {
    check((a, b) => a.bmm(b), [rnd([2, 2, 3]), rnd([2, 3, 2], 2)]);
    check((a, b) => a.bmm(b), [rndT([2, 3, 2]), rndT([2, 2, 3], 2)]);
  });
  it('mv', () => {
    check((a, v) => a.mv(v), [rnd([3, 4]), rnd([4], 2)]);
    const strided = rnd([8], 5).detach().slice(0, null, null, 2).requiresGrad_(true);
    check((a, v) => torch.mv(a, v), [rndT([3, 4]), strided]);
  });
  it('dot and vdot', () => {
    check((a, b) => a.dot(b), [rnd([5]), rnd([5], 2)]);
    check((a, b) => torch.vdot(a, b), [rnd([3]), rnd([3], 2)]);
  });
  it('empty products give zero gradients', () => {
    const a = rnd([2, 0]);
    const b = rnd([0, 3], 2);
    const out = a.mm(b);
    const [ga, gb] = grad(out, [a, b], torch.ones([2, 3], { dtype: 'float64' }));
    expect(ga!.shape).toEqual([2, 0]);
    expect(gb!.shape).toEqual([0, 3]);
  });
});

describe('fused products (beta * input + alpha * product)', () => {
  it('addmm with broadcast input, alpha and beta', () => {
    check((i, a, b) => torch.addmm(i, a, b), [rnd([2, 4]), rnd([2, 3], 2), rnd([3, 4], 3)]);
    check((i, a, b) => torch.addmm(i, a, b, { beta: 0.5, alpha: -2 }), [rnd([4], 4), rndT([2, 3], 2), rnd([3, 4], 3)]);
    check((i, a, b) => i.addmm(a, b, { beta: 0 }), [rnd([1, 1]), rnd([2, 3], 2), rnd([3, 2], 3)]);
  });
  it('addmv', () => {
    check((i, m, v) => torch.addmv(i, m, v, { beta: 2, alpha: 0.5 }), [rnd([3]), rnd([3, 2], 2), rnd([2], 3)]);
    check((i, m, v) => i.addmv(m, v), [rnd([1]), rndT([3, 2], 2), rnd([2], 3)]);
    check((i, m, v) => torch.addmv(i, m, v), [rnd([], 7), rnd([2, 2], 2), rnd([2], 3)]);
  });
  it('baddbmm', () => {
    check((i, a, b) => torch.baddbmm(i, a, b, { beta: -1, alpha: 3 }), [rnd([2, 2, 3]), rnd([2, 2, 2], 2), rnd([2, 2, 3], 3)]);
    check((i, a, b) => i.baddbmm(a, b), [rnd([3]), rndT([2, 2, 2], 2), rnd([2, 2, 3], 3)]);
  });
  it('addbmm', () => {
    check((i, a, b) => torch.addbmm(i, a, b, { beta: 0.25, alpha: 2 }), [rnd([2, 3]), rnd([3, 2, 2], 2), rnd([3, 2, 3], 3)]);
    check((i, a, b) => i.addbmm(a, b), [rnd([1, 3]), rnd([2, 2, 2], 2), rndT([2, 2, 3], 3)]);
  });
  it('in-place forms', () => {
    check((i, a, b) => i.mul(1).addmm_(a, b, { alpha: 2, beta: 3 }), [rnd([2, 2]), rnd([2, 3], 2), rnd([3, 2], 3)]);
    check((i, m, v) => i.mul(1).addmv_(m, v, { beta: 0.5 }), [rnd([2]), rnd([2, 3], 2), rnd([3], 3)]);
    check((i, a, b) => i.mul(1).baddbmm_(a, b, { alpha: -1 }), [rnd([2, 2, 2]), rnd([2, 2, 3], 2), rnd([2, 3, 2], 3)]);
    check((i, a, b) => i.mul(1).addbmm_(a, b), [rnd([2, 2]), rnd([2, 2, 3], 2), rnd([2, 3, 2], 3)]);
  });
  it('_gemm called directly', () => {
    const fn = (o: Tensor, a: Tensor, b: Tensor) => torch.gemmOp.call(o.mul(1), a, b, 1.5, -0.5) as Tensor;
    check(fn, [rnd([2, 2, 2]), rnd([2, 2, 3], 2), rnd([2, 3, 2], 3)]);
  });
});

describe('composites built on the products', () => {
  const shapes: Array<[number[], number[]]> = [
    [[3], [3]], [[2, 3], [3]], [[3], [3, 2]], [[2, 3], [3, 2]], [[2, 2, 3], [3]], [[3], [2, 3, 2]],
    [[2, 2, 3], [3, 2]], [[2, 3], [2, 3, 2]], [[2, 2, 3], [2, 3, 2]], [[2, 1, 2, 3], [2, 3, 2]],
  ];
  for (const [sa, sb] of shapes) {
    it(`matmul ${JSON.stringify(sa)} x ${JSON.stringify(sb)}`, () => check((a, b) => a.matmul(b), [rnd(sa), rnd(sb, 2)]));
  }
  it('matmul with a transposed batch (bmm path instead of folding)', () => {
    check((a, b) => a.matmul(b), [rndT([2, 3, 2]), rnd([2, 2], 2)]);
  });
  it('einsum', () => {
    check((a, b) => torch.einsum('ij,jk->ik', a, b), [rnd([2, 3]), rnd([3, 2], 2)]);
    check((a, b) => torch.einsum('bij,bjk->bik', a, b), [rnd([2, 2, 3]), rnd([2, 3, 2], 2)]);
    check((a) => torch.einsum('ii->i', a), [rnd([3, 3])]);
    check((a) => torch.einsum('ij->', a), [rnd([2, 3])]);
    check((a, b) => torch.einsum('i,j->ij', a, b), [rnd([2]), rnd([3], 2)]);
  });
  it('tensordot, kron, inner, outer', () => {
    check((a, b) => torch.tensordot(a, b, 1), [rnd([2, 3]), rnd([3, 2], 2)]);
    check((a, b) => torch.tensordot(a, b, [[0, 2], [1, 0]]), [rnd([2, 3, 2]), rnd([2, 2, 3], 2)]);
    check((a, b) => torch.kron(a, b), [rnd([2, 2]), rnd([2, 3], 2)]);
    check((a, b) => torch.inner(a, b), [rnd([2, 3]), rnd([2, 3], 2)]);
    check((a, b) => torch.outer(a, b), [rnd([3]), rnd([2], 2)]);
  });
  it('trace, diag, diagEmbed, cross', () => {
    check((a) => a.trace(), [rnd([3, 3])]);
    check((a) => torch.diag(a), [rnd([3])]);
    check((a) => torch.diag(a, 1), [rnd([3, 4])]);
    check((a) => torch.diagEmbed(a, 1), [rnd([2, 3])]);
    check((a, b) => torch.cross(a, b, 1), [rnd([2, 3]), rnd([2, 3], 2)]);
  });
  it('matrixPower and multiDot', () => {
    check((a) => torch.matrixPower(a, 3), [rnd([2, 2])]);
    check((a, b, c) => torch.multiDot([a, b, c]), [rnd([3]), rnd([3, 2], 2), rnd([2, 2], 3)]);
  });
});

describe('memory', () => {
  it('backward of the products leaks nothing', () => {
    const w = rnd([3, 3]);
    const x = rnd([2, 3], 2).detach();
    const b = rnd([3], 3);
    const step = () =>
      torch.tidy(() => {
        const y = torch.addmm(b, x, w).mm(w).matmul(b);
        y.backward(torch.onesLike(y));
      });
    step();
    w.grad = null;
    b.grad = null;
    const before = torch.memory().liveTensors;
    for (let i = 0; i < 5; i++) step();
    w.grad!.dispose();
    b.grad!.dispose();
    w.grad = null;
    b.grad = null;
    expect(torch.memory().liveTensors).toBe(before);
  });
});
