/**
 * Derivatives of the reduction family: gradcheck (float64, non-contiguous and broadcast inputs)
 * and gradgradcheck for every differentiable op, plus the behaviours finite differences cannot
 * see (ties, NaN, zeros), which the PyTorch fixtures (grad_reduction.json) also pin down.
 */
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import { tensor, ones, memory, tidy, RuntimeError } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { grad, gradcheck, gradgradcheck } from '../src/index.js';

const f64 = { dtype: 'float64' as const };
/** A leaf of `rows` (float64), or its transpose when `transposed`: non-contiguous. */
function leaf(rows: number[][], transposed = false): Tensor {
  const t = transposed ? tensor(rows, f64).t() : tensor(rows, f64);
  return t.requiresGrad_(true);
}
// Distinct values, no zeros, no ties: every op below is smooth around them.
const A = (): Tensor => leaf([[0.3, -1.2, 2.1, 0.7], [1.6, -0.4, -2.3, 0.9], [-0.8, 1.1, 0.45, -1.7]]);
const AT = (): Tensor => leaf([[0.3, -1.2, 2.1], [0.7, 1.6, -0.4], [-2.3, 0.9, -0.8], [1.1, 0.45, -1.7]], true);
const POS = (): Tensor => leaf([[0.6, 1.3, 0.8], [1.7, 0.9, 1.2]]);
const row = (...v: number[]): Tensor => tensor(v, f64).requiresGrad_(true);
const list = (t: Tensor | null): unknown => t!.tolist();
/** The gradient of sum(fn(x) * seed) with respect to x. */
function gradOf(fn: (x: Tensor) => Tensor, x: Tensor, seed?: Tensor): unknown {
  const y = fn(x);
  return list(grad(y, x, seed ?? ones([...y.shape], { dtype: y.dtype }))[0]!);
}
/** Checks first and second derivatives of a one-input function. */
function check(fn: (x: Tensor) => Tensor | Tensor[], ...inputs: Tensor[]): void {
  for (const x of inputs) {
    expect(gradcheck(fn, [x])).toBe(true);
    expect(gradgradcheck(fn, [x])).toBe(true);
  }
}

describe('sum, mean, nansum, nanmean', () => {
  it('sum over every dim, one dim, several dims, keepdim, dtype', () => {
    check((x) => x.sum(), A(), AT());
    check((x) => x.sum(1), A(), AT());
    check((x) => x.sum([0, -1], true), A());
    check((x) => x.sum({ dim: 0, keepdim: true, dtype: 'float64' }), A());
    check((x) => x.sum(0), row(1.5).reshape([]).detach().requiresGrad_(true));
  });
  it('sum of a broadcast input adds the broadcast copies', () => {
    check((x) => x.expand([3, 2, 3]).sum([0, 2]), POS());
    expect(gradOf((x) => x.expand([4, 3]).sum(), row(1, 2, 3))).toEqual([4, 4, 4]);
  });
  it('mean divides by the reduced count', () => {
    check((x) => x.mean(), A(), AT());
    check((x) => x.mean([1], true), AT());
    expect(gradOf((x) => x.mean(1), A())).toEqual(Array(3).fill(Array(4).fill(0.25)));
  });
  it('nansum and nanmean give NaNs no gradient', () => {
    check((x) => x.nansum(1), A());
    check((x) => x.nanmean(0, true), AT());
    const x = row(1, NaN, 3, NaN);
    expect(gradOf((t) => t.nansum(), x)).toEqual([1, 0, 1, 0]);
    expect(gradOf((t) => t.nanmean(), x)).toEqual([0.5, 0, 0.5, 0]);
    // An all-NaN slice: 0 * (1 / 0) is NaN, as PyTorch gives.
    const g = gradOf((t) => t.nanmean(1), leaf([[NaN, NaN], [2, NaN]])) as number[][];
    expect(g[0]!.every(Number.isNaN)).toBe(true);
    expect(g[1]).toEqual([1, 0]);
  });
  it('casts the gradient back to the input dtype (sum with dtype)', () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    const [g] = grad(x.sum({ dtype: 'float64' }), x);
    expect(g!.dtype).toBe('float32');
  });
});

describe('prod', () => {
  it('without zeros', () => {
    check((x) => x.prod(), POS());
    check((x) => x.prod(1), A(), AT());
    check((x) => x.prod(0, true), A());
  });
  it('with zeros: no division by zero, the product of the others', () => {
    const one = row(2, 0, 3, 4);
    expect(gradOf((t) => t.prod(), one)).toEqual([0, 24, 0, 0]);
    expect(gradOf((t) => t.prod(), row(2, 0, 3, 0))).toEqual([0, 0, 0, 0]);
    const x = leaf([[2, 0, 3], [0, 0, 1.5], [1, 2, 3]]);
    expect(gradOf((t) => t.prod(1), x)).toEqual([[0, 6, 0], [0, 0, 0], [6, 3, 2]]);
    check((t) => t.prod(1), x);
    check((t) => t.prod(), leaf([[2, 0.5], [0, 3]]));
    check((t) => t.prod(0), leaf([[2, 0.5], [0, 3]], true));
  });
});

describe('max, min, amax, amin, aminmax', () => {
  it('over every element', () => {
    check((x) => x.max(), A(), AT());
    check((x) => x.min(), A());
  });
  it('splits the gradient evenly among ties (every element, amax/amin), or sends it to the index (with dim)', () => {
    const x = () => leaf([[1, 3, 3], [3, 0, -1]]);
    expect(gradOf((t) => t.max(), x())).toEqual([[0, 1 / 3, 1 / 3], [1 / 3, 0, 0]]);
    expect(gradOf((t) => t.amax(1), x())).toEqual([[0, 0.5, 0.5], [1, 0, 0]]);
    expect(gradOf((t) => t.amax(), x())).toEqual([[0, 1 / 3, 1 / 3], [1 / 3, 0, 0]]);
    expect(gradOf((t) => t.max(1)[0], x())).toEqual([[0, 1, 0], [1, 0, 0]]);
    expect(gradOf((t) => t.min(0, true).values, x())).toEqual([[1, 0, 0], [0, 1, 1]]);
  });
  it('NaN: max over every element picks the NaN, amax gives the slice NaN gradients (as PyTorch)', () => {
    expect(gradOf((t) => t.max(), row(1, NaN, 3))).toEqual([0, 1, 0]);
    expect((gradOf((t) => t.amax(), row(1, NaN, 3)) as number[]).every(Number.isNaN)).toBe(true);
  });
  it('with dim and keepdim', () => {
    check((x) => x.max(1).values, A(), AT());
    check((x) => x.min(0, true)[0], A(), AT());
    check((x) => x.max(0).values, row(2).reshape([]).detach().requiresGrad_(true));
  });
  it('amax and amin over dims', () => {
    check((x) => x.amax(1), A(), AT());
    check((x) => x.amin([0, 1], true), A());
    check((x) => x.amin(), AT());
  });
  it('aminmax: both outputs differentiable, each like amin/amax', () => {
    check((x) => [...torch.aminmax(x, { dim: 1 })], A(), AT());
    check((x) => [...torch.aminmax(x)], A());
    check((x) => [...torch.aminmax(x, { dim: 0, keepdim: true })], AT());
    const x = leaf([[1, 3, 3], [3, 0, 0]]);
    const { min, max } = torch.aminmax(x, { dim: 1 });
    const [g] = grad([min, max], x, [tensor([1, 1], f64), tensor([10, 10], f64)]);
    expect(list(g!)).toEqual([[1, 5, 5], [10, 0.5, 0.5]]);
  });
});

describe('var, std, var_mean, std_mean', () => {
  it('var and std with dims, correction, keepdim', () => {
    for (const op of ['var', 'std'] as const) {
      check((x) => x[op](), A(), AT());
      check((x) => x[op](1), AT());
      check((x) => x[op](0, { correction: 0, keepdim: true }), A());
      check((x) => x[op]([0, 1], { correction: 2 }), A());
      check((x) => x[op](false), A());
    }
  });
  it('std of a constant slice has a zero gradient (no 0/0)', () => {
    expect(gradOf((t) => t.std(1), leaf([[2, 2, 2], [1, 2, 3]]))).toEqual([[0, 0, 0], [-0.5, 0, 0.5]]);
  });
  it('N <= correction: inf for a 0-d tensor, 2 / (N - correction) * (x - mean) over dims (as PyTorch)', () => {
    expect(gradOf((t) => t.var(), tensor(5, f64).requiresGrad_(true))).toBe(Infinity);
    expect(gradOf((t) => t.var(0), row(5))).toEqual([NaN]);
    // As PyTorch: N - correction = 0 gives ±inf, < 0 a finite (negative-scaled) gradient.
    expect(gradOf((t) => t.var(0, { correction: 2 }), row(5, 7))).toEqual([-Infinity, Infinity]);
    expect(gradOf((t) => t.var(0, { correction: 3 }), row(5, 7))).toEqual([2, -2]);
  });
  it('var_mean and std_mean: both outputs flow back', () => {
    check((x) => torch.varMean(x, 1), A(), AT());
    check((x) => torch.stdMean(x, [0, 1], { correction: 0 }), A());
    check((x) => torch.stdMean(x, 0, { keepdim: true }), AT());
    const x = A();
    const [v, m] = torch.varMean(x, 1);
    const [both] = grad([v, m], x, [ones([3], f64), ones([3], f64)]);
    const [gv] = grad(x.var(1), x, ones([3], f64));
    const [gm] = grad(x.mean(1), x, ones([3], f64));
    expect(list(both!)).toEqual(list(gv!.add(gm!)));
  });
});

describe('norm', () => {
  it('every p, over every dim and over dims', () => {
    for (const p of [1, 2, 3, 0.5, 1.5, 2.5, -1, Infinity, -Infinity]) {
      check((x) => x.norm(p), A(), AT());
      check((x) => x.norm(p, 1, true), AT());
    }
    check((x) => x.norm(), A());
    check((x) => x.norm('fro', [0, 1]), AT());
  });
  it('p = 0 has a zero gradient; a zero input has a zero gradient for every p', () => {
    expect(gradOf((t) => t.norm(0), row(1, -2, 0))).toEqual([0, 0, 0]);
    for (const p of [1, 2, 3, 0.5, 1.5, Infinity, -1]) {
      expect(gradOf((t) => t.norm(p, 1), leaf([[0, 0], [3, 4]])), `p=${p}`).toEqual([[0, 0], gradOf((t) => t.norm(p), row(3, 4))]);
    }
  });
  it('inf-norm ties split the gradient', () => {
    expect(gradOf((t) => t.norm(Infinity), row(3, -3, 1))).toEqual([0.5, -0.5, 0]);
  });
  it('dtype: the gradient comes back in the input dtype', () => {
    const x = tensor([3, 4], { requiresGrad: true });
    const [g] = grad(x.norm(2, 0, false, { dtype: 'float64' }), x);
    expect(g!.dtype).toBe('float32');
    expect(list(g!)).toEqual([0.6000000238418579, 0.800000011920929]);
  });
});

describe('logsumexp', () => {
  it('over dims, keepdim', () => {
    check((x) => x.logsumexp(1), A(), AT());
    check((x) => x.logsumexp([0, 1], true), A());
  });
  it('is stable for large inputs', () => {
    const g = gradOf((t) => t.logsumexp(0), row(1000, 1000)) as number[];
    g.forEach((v) => expect(v).toBeCloseTo(0.5, 12));
  });
});

describe('scans', () => {
  it('cumsum', () => {
    check((x) => x.cumsum(1), A(), AT());
    check((x) => x.cumsum(0, { dtype: 'float64' }), A());
    expect(gradOf((t) => t.cumsum(0), row(1, 2, 3))).toEqual([3, 2, 1]);
  });
  it('cumsum_ in place reuses cumsum', () => {
    check((x) => x.mul(1).cumsum_(1), A());
  });
  it('cumprod without zeros', () => {
    check((x) => x.cumprod(1), A(), AT());
    check((x) => x.cumprod(0), POS());
  });
  it('cumprod with zeros: first order in O(n), second order through the differentiable path', () => {
    const x = () => leaf([[2, 0, 3, 0, 5], [0, 1.5, -2, 1, 0.5], [1, 2, 3, 4, 0], [1.5, -1, 2, 0.5, 3]]);
    check((t) => t.cumprod(1), x());
    check((t) => t.cumprod(0), x());
    check((t) => t.cumprod(1), leaf([[2, 0, 3], [0, 1.5, -2], [1, 2, 0], [1.5, 0, 0.5]], true));
    // y = [2, 0, 0]: dy/dx = [[1, 0, 0], [2, 2, 0], [0, 6, 0]] (rows j, columns k)
    expect(gradOf((t) => t.cumprod(0), row(2, 0, 3), row(1, 10, 100).detach())).toEqual([1, 20 + 600, 0]);
  });
  it('cumprod_ in place keeps the old value for its backward', () => {
    check((x) => x.mul(1).cumprod_(1), A());
    check((x) => x.mul(1).cumprod_(0), leaf([[2, 0], [0, 3], [1, 2]]));
  });
  it('cummax and cummin send each gradient to the running extreme', () => {
    check((x) => x.cummax(1).values, A(), AT());
    check((x) => x.cummin(0)[0], A());
    expect(gradOf((t) => t.cummax(0).values, row(1, 3, 2, 5, 4))).toEqual([1, 2, 0, 2, 0]);
  });
  it('logcumsumexp, with gradients of both signs', () => {
    const seed = (x: Tensor) => x.logcumsumexp(1).mul(tensor([1, -2, 0.5, -1], f64));
    check((x) => x.logcumsumexp(1), A());
    check(seed, A());
    check((x) => x.logcumsumexp(0), AT());
  });
});

describe('softmax and logSoftmax', () => {
  it('along a dim, with dtype', () => {
    for (const op of ['softmax', 'logSoftmax'] as const) {
      check((x) => x[op](1), A(), AT());
      check((x) => x[op](0), A());
      check((x) => torch[op](x, 1, { dtype: 'float64' }), A());
      // A float32 input computed in float64: the gradient is float32 and matches float64's.
      const x32 = tensor([[0.5, -1, 2]], { requiresGrad: true });
      const seed = tensor([[1, -2, 0.5]], f64);
      const [g32] = grad(torch[op](x32, 1, { dtype: 'float64' }), x32, seed);
      expect(g32!.dtype).toBe('float32');
      const x64 = x32.detach().to('float64').requiresGrad_(true);
      const [g64] = grad(torch[op](x64, 1), x64, seed);
      (g32!.tolist() as number[][])[0]!.forEach((v, i) => expect(v).toBeCloseTo((g64!.tolist() as number[][])[0]![i]!, 6));
    }
  });
  it('rows of softmax have zero-sum gradients', () => {
    const g = gradOf((t) => t.softmax(1).mul(tensor([1, 2, 3, 4], f64)), A()) as number[][];
    for (const r of g) expect(Math.abs(r.reduce((s, v) => s + v, 0))).toBeLessThan(1e-12);
  });
});

describe('sort, topk, kthvalue, median, nanmedian, mode, msort', () => {
  it('the values are differentiable, the gradient scattered to the selected indices', () => {
    check((x) => x.sort(1).values, A(), AT());
    check((x) => x.sort(0, true)[0], A());
    check((x) => torch.msort(x), AT());
    check((x) => x.topk(2).values, A(), AT());
    check((x) => x.topk(2, 0, false)[0], A());
    check((x) => x.kthvalue(2, 1).values, A(), AT());
    check((x) => x.kthvalue(3, 0, true)[0], A());
    check((x) => x.median(), A(), AT());
    check((x) => x.median(1).values, A(), AT());
    check((x) => x.nanmedian(0, true).values, A());
    check((x) => x.nanmedian(), AT());
    check((x) => x.mode(1).values, A(), AT());
  });
  it('ties and NaN', () => {
    expect(gradOf((t) => t.sort(0).values, row(2, 1, 3), row(10, 20, 30).detach())).toEqual([20, 10, 30]);
    expect(gradOf((t) => t.median(), row(1, 2, 2, 3))).toEqual([0, 0.5, 0.5, 0]);
    expect(gradOf((t) => t.nanmedian(), row(NaN, 2, 1, NaN))).toEqual([0, 0, 1, 0]);
    expect(gradOf((t) => t.median(), row(NaN, 2, NaN))).toEqual([0.5, 0, 0.5]);
    expect(gradOf((t) => t.mode(0).values, row(2, 5, 2, 1))).toEqual([0, 0, 1, 0]);
  });
});

describe('unique and the index outputs', () => {
  it('unique records a node whose backward is not implemented (as PyTorch 1.13)', () => {
    const u = torch.unique(row(2, 1, 2)) as Tensor;
    expect(u.requiresGrad).toBe(true);
    expect(() => u.sum().backward()).toThrow("the derivative for '_unique2' is not implemented.");
    expect(() => u.sum().backward()).toThrow(RuntimeError);
  });
  it('indices and argmax/argsort do not require grad', () => {
    const x = A();
    expect(x.max(1).indices.requiresGrad).toBe(false);
    expect(x.sort(0).indices.requiresGrad).toBe(false);
    expect(x.argmax().requiresGrad).toBe(false);
    expect(torch.argsort(x).requiresGrad).toBe(false);
  });
});

describe('memory', () => {
  it('backward of the reductions leaves no temporaries behind', () => {
    const x = A();
    const run = (): void => {
      const outs = [
        x.sum(1), x.mean(), x.prod(1), x.max(), x.max(1).values, x.amax(0), torch.aminmax(x).max, x.var(1), x.std(), torch.stdMean(x, 1)[0],
        x.norm(3), x.norm(Infinity, 1), x.logsumexp(1), x.cumsum(0), x.cumprod(1), x.cummax(1).values, x.logcumsumexp(0), x.softmax(1),
        x.logSoftmax(0), x.sort(1).values, x.topk(2).values, x.kthvalue(2, 1).values, x.median(), x.mode(1).values,
      ];
      const loss = outs.map((o) => o.sum()).reduce((a, b) => a.add(b));
      loss.backward();
    };
    tidy(run); // warm-up: pools, cached kernels
    x.grad = null;
    const before = memory().liveTensors;
    tidy(run);
    x.grad!.dispose();
    x.grad = null;
    expect(memory().liveTensors).toBe(before);
  });
});
