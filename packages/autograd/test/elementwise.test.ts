/**
 * Elementwise derivatives: gradcheck (float64, contiguous, non-contiguous and broadcast inputs)
 * and gradgradcheck for every differentiable op, in-place forms, PyTorch's conventions at
 * special points (pow at 0, ties, clamp bounds, NaN/inf), and memory.
 */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import * as T from '@torchts/core';
import { memory, tensor, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { grad, gradcheck, gradgradcheck } from '../src/index.js';

type Fn = (...xs: Tensor[]) => Tensor;

// Domains (6 values each, away from the ops' non-differentiable points).
const GENERAL = [-1.3, -0.4, 0.2, 0.7, 1.1, 1.9];
const POSITIVE = [0.3, 0.6, 1.2, 1.7, 2.4, 3.1];
const UNIT = [-0.8, -0.45, -0.1, 0.15, 0.5, 0.85];
const PROB = [0.1, 0.25, 0.4, 0.55, 0.7, 0.9];
const ABOVE_ONE = [1.2, 1.5, 2.0, 2.6, 3.3, 4.1];

/** A [2, 3] float64 leaf; `noncontig` builds it as the transpose of a [3, 2] tensor. */
function leaf(values: readonly number[], noncontig = false): Tensor {
  const t = noncontig ? tensor([...values], { dtype: 'float64' }).reshape([3, 2]).t() : tensor([...values], { dtype: 'float64' }).reshape([2, 3]);
  return t.requiresGrad_(true);
}

/** A [3] float64 leaf (broadcasts against [2, 3]). */
function row(values: readonly number[]): Tensor {
  return tensor([...values], { dtype: 'float64', requiresGrad: true });
}

interface UnaryCase {
  name: string;
  fn: Fn;
  domain: readonly number[];
  /** gradgradcheck too (default true). */
  gg?: boolean;
}

const unary: UnaryCase[] = [
  { name: 'exp', fn: (x) => x.exp(), domain: GENERAL },
  { name: 'exp2', fn: (x) => x.exp2(), domain: GENERAL },
  { name: 'expm1', fn: (x) => x.expm1(), domain: GENERAL },
  { name: 'log', fn: (x) => x.log(), domain: POSITIVE },
  { name: 'log2', fn: (x) => x.log2(), domain: POSITIVE },
  { name: 'log10', fn: (x) => x.log10(), domain: POSITIVE },
  { name: 'log1p', fn: (x) => x.log1p(), domain: POSITIVE },
  { name: 'sqrt', fn: (x) => x.sqrt(), domain: POSITIVE },
  { name: 'rsqrt', fn: (x) => x.rsqrt(), domain: POSITIVE },
  { name: 'square', fn: (x) => x.square(), domain: GENERAL },
  { name: 'reciprocal', fn: (x) => x.reciprocal(), domain: GENERAL },
  { name: 'sin', fn: (x) => x.sin(), domain: GENERAL },
  { name: 'cos', fn: (x) => x.cos(), domain: GENERAL },
  { name: 'tan', fn: (x) => x.tan(), domain: GENERAL },
  { name: 'asin', fn: (x) => x.asin(), domain: UNIT },
  { name: 'acos', fn: (x) => x.acos(), domain: UNIT },
  { name: 'atan', fn: (x) => x.atan(), domain: GENERAL },
  { name: 'sinh', fn: (x) => x.sinh(), domain: GENERAL },
  { name: 'cosh', fn: (x) => x.cosh(), domain: GENERAL },
  { name: 'tanh', fn: (x) => x.tanh(), domain: GENERAL },
  { name: 'asinh', fn: (x) => x.asinh(), domain: GENERAL },
  { name: 'acosh', fn: (x) => x.acosh(), domain: ABOVE_ONE },
  { name: 'atanh', fn: (x) => x.atanh(), domain: UNIT },
  { name: 'arcsin (alias)', fn: (x) => x.arcsin(), domain: UNIT },
  { name: 'sigmoid', fn: (x) => x.sigmoid(), domain: GENERAL },
  { name: 'logit', fn: (x) => x.logit(), domain: PROB },
  { name: 'logit eps', fn: (x) => x.logit(0.2), domain: PROB },
  { name: 'erf', fn: (x) => x.erf(), domain: GENERAL },
  { name: 'erfc', fn: (x) => x.erfc(), domain: GENERAL },
  { name: 'erfinv', fn: (x) => x.erfinv(), domain: UNIT },
  { name: 'deg2rad', fn: (x) => x.deg2rad(), domain: GENERAL },
  { name: 'rad2deg', fn: (x) => x.rad2deg(), domain: GENERAL },
  { name: 'floor', fn: (x) => x.floor(), domain: GENERAL },
  { name: 'ceil', fn: (x) => x.ceil(), domain: GENERAL },
  { name: 'round', fn: (x) => x.round(), domain: GENERAL },
  { name: 'round decimals', fn: (x) => x.round(1), domain: [-1.33, -0.41, 0.22, 0.68, 1.12, 1.87] },
  { name: 'trunc', fn: (x) => x.trunc(), domain: GENERAL },
  { name: 'frac', fn: (x) => x.frac(), domain: GENERAL },
  { name: 'sign', fn: (x) => x.sign(), domain: GENERAL },
  { name: 'sgn', fn: (x) => x.sgn(), domain: GENERAL },
  { name: 'nanToNum', fn: (x) => x.nanToNum(), domain: GENERAL },
  { name: 'relu', fn: (x) => x.relu(), domain: GENERAL },
  { name: 'relu6', fn: (x) => T.relu6(x), domain: [-1.3, 0.4, 2.2, 5.1, 6.7, 9.9] },
  { name: 'hardtanh', fn: (x) => x.hardtanh(), domain: GENERAL },
  { name: 'hardtanh bounds', fn: (x) => x.hardtanh({ minVal: -0.5, maxVal: 1.5 }), domain: GENERAL },
  { name: 'leakyRelu', fn: (x) => x.leakyRelu(0.2), domain: GENERAL },
  { name: 'gelu', fn: (x) => x.gelu(), domain: GENERAL },
  { name: 'gelu tanh', fn: (x) => x.gelu({ approximate: 'tanh' }), domain: GENERAL },
  { name: 'silu', fn: (x) => x.silu(), domain: GENERAL },
  { name: 'softplus', fn: (x) => x.softplus(), domain: GENERAL },
  { name: 'softplus beta threshold', fn: (x) => x.softplus(2, 1), domain: GENERAL },
  { name: 'mish', fn: (x) => x.mish(), domain: GENERAL },
  { name: 'pow scalar', fn: (x) => x.pow(3), domain: GENERAL },
  { name: 'pow 0.5', fn: (x) => x.pow(0.5), domain: POSITIVE },
  { name: 'pow -1.5', fn: (x) => x.pow(-1.5), domain: POSITIVE },
  { name: 'pow 0', fn: (x) => x.pow(0), domain: GENERAL },
  { name: 'pow scalar base', fn: (x) => T.pow(2.5, x), domain: GENERAL },
  { name: 'floatPower', fn: (x) => x.floatPower(2.5), domain: POSITIVE },
  { name: 'clamp numbers', fn: (x) => x.clamp(-0.5, 1.5), domain: GENERAL },
  { name: 'clamp min only', fn: (x) => x.clamp({ min: 0 }), domain: GENERAL },
  { name: 'clip max only', fn: (x) => x.clip(null, 1), domain: GENERAL },
  { name: 'clampMin number', fn: (x) => x.clampMin(0.5), domain: GENERAL },
  { name: 'clampMax number', fn: (x) => x.clampMax(0.5), domain: GENERAL },
];

describe('unary elementwise derivatives', () => {
  for (const c of unary) {
    it(c.name, () =>
      tidy(() => {
        expect(gradcheck(c.fn, [leaf(c.domain)])).toBe(true);
        expect(gradcheck(c.fn, [leaf(c.domain, true)])).toBe(true);
        expect(gradcheck(c.fn, [tensor(c.domain[2]!, { dtype: 'float64', requiresGrad: true })])).toBe(true);
        if (c.gg !== false) expect(gradgradcheck(c.fn, [leaf(c.domain, true)])).toBe(true);
      }),
    );
  }
});

interface BinaryCase {
  name: string;
  fn: Fn;
  a: readonly number[];
  b: readonly number[];
}

// b's first three values form the broadcast row.
const binary: BinaryCase[] = [
  { name: 'pow', fn: (a, b) => a.pow(b), a: POSITIVE, b: GENERAL },
  { name: 'floatPower', fn: (a, b) => a.floatPower(b), a: POSITIVE, b: GENERAL },
  { name: 'atan2', fn: (a, b) => a.atan2(b), a: GENERAL, b: [0.9, -1.4, 0.35, 2.2, -0.6, 1.05] },
  { name: 'hypot', fn: (a, b) => a.hypot(b), a: GENERAL, b: [0.9, -1.4, 0.35, 2.2, -0.6, 1.05] },
  { name: 'fmod', fn: (a, b) => a.fmod(b), a: GENERAL, b: [0.7, -0.9, 1.3, 0.45, -0.75, 1.6] },
  { name: 'remainder', fn: (a, b) => a.remainder(b), a: GENERAL, b: [0.7, -0.9, 1.3, 0.45, -0.75, 1.6] },
  { name: 'maximum', fn: (a, b) => a.maximum(b), a: GENERAL, b: [0.1, -0.2, 0.45, 1.3, 0.9, 1.0] },
  { name: 'minimum', fn: (a, b) => a.minimum(b), a: GENERAL, b: [0.1, -0.2, 0.45, 1.3, 0.9, 1.0] },
  { name: 'fmax', fn: (a, b) => a.fmax(b), a: GENERAL, b: [0.1, -0.2, 0.45, 1.3, 0.9, 1.0] },
  { name: 'fmin', fn: (a, b) => a.fmin(b), a: GENERAL, b: [0.1, -0.2, 0.45, 1.3, 0.9, 1.0] },
  { name: 'copysign', fn: (a, b) => a.copysign(b), a: GENERAL, b: [0.5, -1.0, 2.0, -0.3, 0.8, -1.2] },
  { name: 'xlogy', fn: (a, b) => a.xlogy(b), a: GENERAL, b: POSITIVE },
  { name: 'logaddexp', fn: (a, b) => a.logaddexp(b), a: GENERAL, b: [0.4, -1.1, 1.6, 0.05, -0.3, 2.0] },
  { name: 'logaddexp2', fn: (a, b) => a.logaddexp2(b), a: GENERAL, b: [0.4, -1.1, 1.6, 0.05, -0.3, 2.0] },
  { name: 'clampMin tensor', fn: (a, b) => a.clampMin(b), a: GENERAL, b: [0.1, -0.2, 0.45, 1.3, 0.9, 1.0] },
  { name: 'clampMax tensor', fn: (a, b) => a.clampMax(b), a: GENERAL, b: [0.1, -0.2, 0.45, 1.3, 0.9, 1.0] },
  { name: 'lerp number weight', fn: (a, b) => a.lerp(b, 0.3), a: GENERAL, b: POSITIVE },
];

describe('binary elementwise derivatives', () => {
  for (const c of binary) {
    it(c.name, () =>
      tidy(() => {
        expect(gradcheck(c.fn, [leaf(c.a), leaf(c.b)])).toBe(true);
        expect(gradcheck(c.fn, [leaf(c.a, true), row(c.b.slice(0, 3))])).toBe(true);
        expect(gradgradcheck(c.fn, [leaf(c.a, true), leaf(c.b)])).toBe(true);
      }),
    );
  }
  it('number operands on either side', () =>
    tidy(() => {
      const x = () => leaf(POSITIVE, true);
      for (const fn of [
        (a: Tensor) => T.atan2(1.5, a), (a: Tensor) => a.atan2(-0.5), (a: Tensor) => T.hypot(a, 2), (a: Tensor) => T.fmod(5.3, a),
        (a: Tensor) => T.remainder(a, 0.7), (a: Tensor) => T.maximum(a, 1.35), (a: Tensor) => T.fmin(2, a), (a: Tensor) => T.xlogy(2, a),
        (a: Tensor) => a.xlogy(3), (a: Tensor) => T.logaddexp(0.5, a), (a: Tensor) => T.logaddexp2(a, 1), (a: Tensor) => T.copysign(2, a),
      ]) {
        expect(gradcheck(fn, [x()])).toBe(true);
      }
    }));
});

describe('ternary elementwise derivatives', () => {
  const cond = () => tensor([true, false, true], { dtype: 'bool' });
  it('where: both branches, broadcast condition, number branch', () =>
    tidy(() => {
      expect(gradcheck((a, b) => T.where(cond(), a, b), [leaf(GENERAL, true), row([0.5, 1.5, 2.5])])).toBe(true);
      expect(gradcheck((a) => T.where(cond(), a, 7), [leaf(GENERAL)])).toBe(true);
      expect(gradcheck((b) => b.where(cond(), 2), [row([0.5, 1.5, 2.5])])).toBe(true);
      expect(gradgradcheck((a, b) => T.where(cond(), a.mul(a), b), [leaf(GENERAL, true), leaf(POSITIVE)])).toBe(true);
    }));
  it('lerp with a tensor weight', () =>
    tidy(() => {
      expect(gradcheck((a, e, w) => a.lerp(e, w), [leaf(GENERAL, true), leaf(POSITIVE), row([0.2, 0.6, 0.9])])).toBe(true);
      expect(gradgradcheck((a, e, w) => a.lerp(e, w), [leaf(GENERAL), leaf(POSITIVE), leaf(UNIT)])).toBe(true);
    }));
  it('addcmul / addcdiv with value', () =>
    tidy(() => {
      expect(gradcheck((x, a, b) => x.addcmul(a, b, { value: 0.5 }), [leaf(GENERAL, true), row([0.5, -1, 2]), leaf(POSITIVE)])).toBe(true);
      expect(gradcheck((x, a, b) => x.addcdiv(a, b, { value: -2 }), [row([0.5, -1, 2]), leaf(GENERAL, true), leaf(POSITIVE)])).toBe(true);
      expect(gradgradcheck((x, a, b) => x.addcmul(a, b, { value: 0.5 }), [leaf(GENERAL), leaf(UNIT), leaf(POSITIVE)])).toBe(true);
      expect(gradgradcheck((x, a, b) => x.addcdiv(a, b, { value: 3 }), [leaf(GENERAL), leaf(UNIT), leaf(POSITIVE)])).toBe(true);
    }));
  it('clamp with tensor bounds (gradient to the bounds)', () =>
    tidy(() => {
      const lo = () => row([-0.5, 0.25, 0.75]);
      const hi = () => row([0.5, 1.5, 1.0]);
      expect(gradcheck((x, l, h) => x.clamp(l, h), [leaf(GENERAL, true), lo(), hi()])).toBe(true);
      expect(gradcheck((x, l, h) => T.clamp(x, l, h), [leaf(GENERAL), leaf([-0.5, 0.25, 0.75, 0.1, 0.9, -2]), leaf([0.5, 1.5, 0.6, 2, 1, -1])])).toBe(true);
      expect(gradcheck((x, h) => x.clamp(-1, h), [leaf(GENERAL), hi()])).toBe(true);
      expect(gradcheck((x, l) => x.clamp({ min: l }), [leaf(GENERAL), lo()])).toBe(true);
      expect(gradgradcheck((x, l, h) => x.clamp(l, h).mul(x), [leaf(GENERAL), leaf([-0.5, 0.25, 0.75, 0.1, 0.9, -2]), leaf([0.5, 1.5, 0.6, 2, 1, -1])])).toBe(true);
    }));
});

describe('in-place forms reuse the formulas', () => {
  const cases: Array<[string, Fn, readonly number[][]]> = [
    ['exp_', (x) => x.mul(1).exp_(), [GENERAL]],
    ['sqrt_', (x) => x.mul(1).sqrt_(), [POSITIVE]],
    ['sigmoid_', (x) => x.mul(1).sigmoid_(), [GENERAL]],
    ['tanh_', (x) => x.mul(1).tanh_(), [GENERAL]],
    ['sin_', (x) => x.mul(1).sin_(), [GENERAL]],
    ['logit_', (x) => x.mul(1).logit_(), [PROB]],
    ['relu_', (x) => x.mul(1).relu_(), [GENERAL]],
    ['hardtanh_', (x) => x.mul(1).hardtanh_(), [GENERAL]],
    ['leakyRelu_', (x) => x.mul(1).leakyRelu_(0.1), [GENERAL]],
    ['floor_', (x) => x.mul(1).floor_(), [GENERAL]],
    ['pow_ tensor', (x, e) => x.mul(1).pow_(e), [POSITIVE, GENERAL]],
    ['square_', (x) => x.mul(1).square_(), [GENERAL]],
    ['atan2_', (a, b) => a.mul(1).atan2_(b), [GENERAL, POSITIVE]],
    ['copysign_', (a, b) => a.mul(1).copysign_(b), [GENERAL, UNIT]],
    ['clamp_ tensors', (x, l, h) => x.mul(1).clamp_(l, h), [GENERAL, [-0.5, 0.25, 0.75, 0.1, 0.9, -2], [0.5, 1.5, 0.6, 2, 1, -1]]],
    ['clampMin_', (x, l) => x.mul(1).clampMin_(l), [GENERAL, UNIT]],
    ['lerp_', (a, e, w) => a.mul(1).lerp_(e, w), [GENERAL, POSITIVE, UNIT]],
    ['addcmul_', (x, a, b) => x.mul(1).addcmul_(a, b, { value: 2 }), [GENERAL, UNIT, POSITIVE]],
    ['addcdiv_', (x, a, b) => x.mul(1).addcdiv_(a, b), [GENERAL, UNIT, POSITIVE]],
  ];
  for (const [name, fn, domains] of cases) {
    it(name, () => tidy(() => expect(gradcheck(fn, domains.map((d) => leaf(d, true)))).toBe(true)));
  }
  it('leakyRelu_ with a negative slope refuses backward, as PyTorch', () =>
    tidy(() => {
      const x = leaf(GENERAL);
      const y = x.mul(1).leakyRelu_(-0.5);
      expect(() => grad(y.sum(), [x])).toThrow(/In-place leakyReLu backward calculation is triggered with a negative slope/);
    }));
  it('comparisons and logical ops in place on a float tensor give zero gradients', () =>
    tidy(() => {
      for (const cmp of ['eq_', 'ne_', 'lt_', 'le_', 'gt_', 'ge_', 'logicalAnd_', 'logicalOr_', 'logicalXor_'] as const) {
        const x = leaf(GENERAL);
        const y = row([0.2, 0, 1]);
        const out = x.mul(2)[cmp](y);
        const [gx, gy] = grad(out.sum(), [x, y]);
        expect(gx!.abs().sum().item()).toBe(0);
        expect(gy!.shape).toEqual([3]);
        expect(gy!.abs().sum().item()).toBe(0);
      }
      const x = leaf(GENERAL);
      const [gx] = grad(x.mul(2).logicalNot_().sum(), [x]);
      expect(gx!.abs().sum().item()).toBe(0);
    }));
});

/** Gradients of `fn` at `values` (float64 leaves), summed output, as plain arrays. */
function grads(fn: Fn, ...values: number[][]): number[][] {
  return tidy(() => {
    const xs = values.map((v) => tensor(v, { dtype: 'float64', requiresGrad: true }));
    return grad(fn(...xs).sum(), xs, null, { allowUnused: true }).map((g) => g!.tolist() as number[]);
  });
}

describe("PyTorch's conventions at special points", () => {
  it('pow at 0 (tensor base and exponent, scalar either side)', () => {
    expect(grads((a, b) => a.pow(b), [0, 0, 0, 2], [0, 2, -1, 0])).toEqual([[0, 0, -Infinity, 0], [0, 0, -Infinity, Math.log(2)]]);
    expect(grads((a) => a.pow(0), [0, 2])).toEqual([[0, 0]]);
    expect(grads((a) => a.pow(0.5), [0, 4])).toEqual([[Infinity, 0.25]]);
    expect(grads((e) => T.pow(0, e), [0, 2, -1])).toEqual([[0, 0, -Infinity]]);
    const [neg] = grads((a, b) => a.pow(b), [-2, -2], [2, 0.5]);
    expect(neg![0]).toBe(-4);
    expect(neg![1]).toBeNaN();
  });
  it('maximum/minimum split ties; fmax/fmin give ties and NaN partners to one side', () => {
    expect(grads((a, b) => a.maximum(b), [1, 2, NaN], [1, 1, 3])).toEqual([[0.5, 1, 1], [0.5, 0, 1]]);
    expect(grads((a, b) => a.minimum(b), [1, 2, 0], [1, 1, 3])).toEqual([[0.5, 0, 1], [0.5, 1, 0]]);
    expect(grads((a, b) => a.fmax(b), [1, 2, NaN], [1, 1, 3])).toEqual([[1, 1, 0], [0, 0, 1]]);
    expect(grads((a, b) => a.fmin(b), [1, 2, NaN], [1, 1, 3])).toEqual([[1, 0, 0], [0, 1, 1]]);
  });
  it('clamp: bounds included for the input; min > max sends everything to max', () => {
    expect(grads((x, l, h) => x.clamp(l, h), [0, 1, 2, 3, 4], [1, 1, 1, 1, 3.5], [3, 3, 3, 3, 2])).toEqual([
      [0, 1, 1, 1, 0],
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(grads((x) => x.clamp(1, 3), [0, 1, 2, 3, 4])).toEqual([[0, 1, 1, 1, 0]]);
    expect(grads((x, l) => x.clampMin(l), [0, 1, 2, NaN], [1, 1, 1, 1])).toEqual([[0, 1, 1, 0], [1, 0, 0, 0]]);
    expect(grads((x, h) => x.clampMax(h), [0, 1, 2], [1, 1, 1])).toEqual([[1, 1, 0], [0, 0, 1]]);
  });
  it('activations at their kinks', () => {
    expect(grads((x) => x.relu(), [-2, 0, 3])).toEqual([[0, 0, 1]]);
    expect(grads((x) => x.hardtanh(), [-2, -1, 0, 1, 2])).toEqual([[0, 0, 1, 0, 0]]);
    expect(grads((x) => T.relu6(x), [-2, 0, 3, 6, 7])).toEqual([[0, 0, 1, 0, 0]]);
    expect(grads((x) => x.leakyRelu(), [-2, 0, 3])).toEqual([[0.01, 0.01, 1]]);
    expect(grads((x) => x.softplus(2, 1), [0.5, 0.6])[0]![1]).toBe(1);
  });
  it('logit outside its domain, copysign and xlogy at 0, nanToNum at non-finite values', () => {
    const [l] = grads((x) => x.logit(), [-0.5, 0, 1, 1.5]);
    expect(l![0]).toBeNaN();
    expect(l!.slice(1, 3)).toEqual([Infinity, Infinity]);
    expect(l![3]).toBeNaN();
    expect(grads((x) => x.logit(0.2), [0.1, 0.2, 0.8, 0.9])).toEqual([[0, 6.25, 6.25, 0]].map((r) => r.map((v) => expect.closeTo(v, 12))));
    expect(grads((a, b) => a.copysign(b), [0, 1, -2, -0], [-1, -1, 1, 1])).toEqual([[0, -1, -1, 0], [0, 0, 0, 0]]);
    const [xa, xb] = grads((a, b) => a.xlogy(b), [0, 0, 1, 0], [0, 1, 0, 3]);
    expect(xa).toEqual([0, 0, -Infinity, Math.log(3)]);
    expect(xb![0]).toBeNaN();
    expect(xb!.slice(1)).toEqual([0, Infinity, 0]);
    expect(grads((a) => a.xlogy(3), [0, 2])).toEqual([[Math.log(3), Math.log(3)]]);
    expect(grads((a) => a.xlogy(0), [0, 2])).toEqual([[0, -Infinity]]);
    expect(grads((x) => x.nanToNum(), [NaN, Infinity, -Infinity, 1])).toEqual([[0, 0, 0, 1]]);
  });
  it('piecewise-constant ops give zeros, frac passes the gradient', () => {
    for (const op of ['floor', 'ceil', 'round', 'trunc', 'sign', 'sgn'] as const) {
      expect(grads((x) => x[op](), [-2.5, 0, 3.7])).toEqual([[0, 0, 0]]);
    }
    expect(grads((x) => x.frac(), [-2.5, 0, 3.7])).toEqual([[1, 1, 1]]);
  });
});

describe('dtypes and memory', () => {
  it('gradients take each input dtype (mixed float32 / float64 operands)', () =>
    tidy(() => {
      const a = tensor([0.5, 1.5], { requiresGrad: true });
      const b = tensor([2, 3], { dtype: 'float64', requiresGrad: true });
      const [ga, gb] = grad(a.pow(b).sum(), [a, b]);
      expect(ga!.dtype).toBe('float32');
      expect(gb!.dtype).toBe('float64');
      const e = tensor([2, 3], { dtype: 'int64' });
      const [gx] = grad(a.pow(e).atan2(a).sum(), [a]);
      expect(gx!.dtype).toBe('float32');
    }));
  it('float16 / bfloat16 gradients follow the float32 ones', () =>
    tidy(() => {
      const fns: Fn[] = [(x) => x.gelu(), (x) => x.sigmoid().mul(x.tanh()), (x) => x.pow(x), (x) => x.mish(), (x) => x.clamp(0.5, 2).atan2(x)];
      for (const fn of fns) {
        const want = grads(fn, [0.3, 1.1, 2.4])[0]!;
        for (const dtype of ['float16', 'bfloat16'] as const) {
          const x = tensor([0.3, 1.1, 2.4], { dtype, requiresGrad: true });
          const [g] = grad(fn(x).sum(), [x]);
          expect(g!.dtype).toBe(dtype);
          (g!.tolist() as number[]).forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThan(0.02 * Math.abs(want[i]!) + 0.01));
        }
      }
    }));
  it('backward frees the temporaries of every formula', () => {
    const x = tensor([0.3, 0.6, 0.9], { dtype: 'float64', requiresGrad: true });
    const y = tensor([1.2, 0.4, 2.0], { dtype: 'float64', requiresGrad: true });
    const c = tensor([true, false, true], { dtype: 'bool' });
    // No enclosing tidy: only the formulas' own scopes can free what backward creates.
    const run = () => {
        const parts = [
          x.gelu({ approximate: 'tanh' }), x.mish(), x.silu(), x.softplus(), x.logit(0.1), x.erfinv(), x.acosh(),
          x.pow(y), T.pow(2, y), x.atan2(y), x.hypot(y), x.fmod(y), x.remainder(y), x.maximum(y), x.fmin(y),
          x.copysign(y), x.xlogy(y), x.logaddexp2(y), T.where(c, x, y), x.lerp(y, x), x.addcdiv(x, y), x.clamp(x, y),
        ];
        const sums = [parts[0]!];
        for (const p of parts.slice(1)) sums.push(sums[sums.length - 1]!.add(p));
        const out = sums[sums.length - 1]!.sum();
        T.dispose([parts, sums.slice(1), out, grad(out, [x, y])]);
    };
    run();
    const before = memory().liveTensors;
    for (let i = 0; i < 5; i++) run();
    expect(memory().liveTensors).toBe(before);
  });
});
