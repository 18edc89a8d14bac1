import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { grad, gradcheck, gradgradcheck } from '../src/index.js';

/** Deterministic float64 values in about [-2, 2] (all distinct), as a leaf that requires grad. */
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
const f64 = (v: unknown, shape?: number[]) => {
  const t = torch.tensor(v as number[], { dtype: 'float64' });
  return (shape ? t.reshape(shape) : t).requiresGrad_(true);
};
const long = (v: unknown) => torch.tensor(v as number[], { dtype: 'int64' });
const mask = (v: unknown) => torch.tensor(v as boolean[], { dtype: 'bool' });

const check = (fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], second = true) => {
  expect(gradcheck(fn, inputs)).toBe(true);
  if (second) expect(gradgradcheck(fn, inputs)).toBe(true);
};
/** A non-leaf copy to run in-place ops on. */
const copy = (x: Tensor) => x.mul(1);

describe('index_select, index_add/copy/fill, take', () => {
  it('index_select with repeated indices, negative dim, 0-d input', () => {
    check((x) => x.indexSelect(0, long([2, 0, 2])), [rnd([3, 2])]);
    check((x) => torch.indexSelect(x, -1, long([1, 1, 0])), [rndT([2, 3])]);
    check((x) => x.indexSelect(0, torch.tensor([1], { dtype: 'int32' })), [rnd([2, 2])]);
    check((x) => x.indexSelect(0, long([0])), [f64(1.5, [])]);
  });
  it('index_add (alpha; self and source), index_add_', () => {
    const i = long([1, 0, 1]);
    check((x, s) => x.indexAdd(0, i, s), [rnd([2, 3]), rnd([3, 3], 2)]);
    check((x, s) => torch.indexAdd(x, 1, long([2, 0]), s, { alpha: -2.5 }), [rndT([2, 3]), rnd([2, 2], 2)]);
    check((x, s) => copy(x).indexAdd_(0, i, s, { alpha: 3 }), [rnd([2, 3]), rnd([3, 3], 2)]);
    check((x, s) => x.indexAdd(0, long([1]), s), [rnd([3]), f64(2, [])]);
  });
  it('index_copy and index_copy_', () => {
    check((x, s) => x.indexCopy(1, long([2, 0]), s), [rnd([2, 3]), rndT([2, 2], 2)]);
    check((x, s) => copy(x).indexCopy_(0, long([1]), s), [rnd([2, 2]), rnd([1, 2], 2)]);
  });
  it('index_fill with a number and with a value tensor (repeated indices count once)', () => {
    check((x) => x.indexFill(1, long([0, 2]), 1.5), [rnd([2, 3])]);
    check((x, v) => x.indexFill(0, long([1, 1, 0]), v), [rnd([3, 2]), f64(0.5, [])]);
    check((x, v) => copy(x).indexFill_(-1, long([1]), v), [rndT([2, 3]), f64(-1, [])]);
    const x = rnd([3, 2]);
    const v = f64(0.5, []);
    const [gv] = grad(x.indexFill(0, long([1, 1, 0]), v), [v], torch.ones([3, 2], { dtype: 'float64' }));
    expect(gv!.item()).toBe(4);
  });
  it('take with negative and repeated indices', () => {
    check((x) => x.take(long([[0, -1], [4, 0]])), [rnd([2, 3])]);
    check((x) => torch.take(x, long([5, 1, 1])), [rndT([2, 3])]);
  });
});

describe('histograms', () => {
  it('histc is not differentiable; bincount passes gradients to its weights', () => {
    const x = rnd([5]);
    expect(torch.histc(x, 3, -2, 2).requiresGrad).toBe(false);
    check((w) => torch.bincount(torch.tensor([2, 0, 2, 1], { dtype: 'int32' }), w, 4), [rnd([4])]);
    check((w) => torch.bincount(torch.tensor([1, 1], { dtype: 'uint8' }), { weights: w }), [rnd([2])]);
  });
});

describe('gather and the scatter family', () => {
  const idx = long([[0, 1, 2], [2, 0, 0]]);
  it('gather (smaller index), takeAlongDim', () => {
    check((x) => x.gather(0, idx), [rnd([3, 4])]);
    check((x) => torch.gather(x, 1, long([[0], [2]])), [rndT([2, 3])]);
    check((x) => torch.takeAlongDim(x, long([[1, 0], [2, 2]]), 1), [rnd([2, 3])]);
    check((x) => torch.takeAlongDim(x, long([4, 0])), [rnd([2, 3])]);
  });
  it('scatter with src and value forms, scatter_', () => {
    const uniq = long([[0, 1, 2], [2, 0, 1]]);
    check((x, s) => x.scatter(0, uniq, s), [rnd([3, 4]), rnd([2, 3], 2)]);
    check((x, s) => torch.scatter(x, 1, long([[1], [0]]), s), [rndT([2, 3]), rnd([2, 2], 2)]);
    check((x) => x.scatter(1, long([[1], [0]]), 2.5), [rnd([2, 3])]);
    check((x, s) => copy(x).scatter_(0, uniq, s), [rnd([3, 3]), rnd([2, 3], 2)]);
    check((x, s) => x.scatter(0, uniq, s, { reduce: 'add' }), [rnd([3, 3]), rnd([2, 3], 2)]);
  });
  it('scatter with a larger src: only its index-shaped part gets a gradient', () => {
    const x = rnd([3, 3]);
    const s = rnd([3, 4], 2);
    const [gs] = grad(x.scatterAdd(0, long([[0, 1], [2, 0]]), s), [s], torch.ones([3, 3], { dtype: 'float64' }));
    expect(gs!.tolist()).toEqual([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]);
    check((a, b) => a.scatter(0, long([[0, 1], [2, 0]]), b), [rnd([3, 3]), rnd([3, 4], 2)]);
  });
  it("scatter with reduce='multiply' has no derivative, as in PyTorch", () => {
    const x = rnd([3, 3]);
    const y = x.scatter(0, long([[0, 1]]), rnd([1, 2], 2), { reduce: 'multiply' });
    expect(() => grad(y, [x], torch.onesLike(y))).toThrow(/not implemented/);
  });
  it('scatter_add and scatter_add_', () => {
    check((x, s) => x.scatterAdd(0, idx, s), [rnd([3, 4]), rnd([2, 3], 2)]);
    check((x, s) => torch.scatterAdd(x, -1, long([[3, 3], [0, 1]]), s), [rndT([2, 4]), rndT([2, 2], 2)]);
    check((x, s) => copy(x).scatterAdd_(0, idx, s), [rnd([3, 4]), rnd([2, 3], 2)]);
  });
  for (const reduce of ['sum', 'prod', 'mean', 'amax', 'amin'] as const) {
    for (const includeSelf of [true, false]) {
      it(`scatter_reduce ${reduce} includeSelf=${includeSelf}`, () => {
        check((x, s) => x.scatterReduce(0, idx, s, reduce, { includeSelf }), [rnd([3, 4]), rnd([2, 3], 2)]);
        check((x, s) => copy(x).scatterReduce_(1, long([[0, 0], [2, 1]]), s, reduce, { includeSelf }), [rnd([2, 3], 3), rndT([2, 3], 4)]);
      });
    }
  }
  it('scatter_reduce prod with zeros in self and src', () => {
    const x = f64([0, 2, 3, 0.5], [4]);
    const s = f64([0, 1.5, -2, 0, 0, 4], [6]);
    const i = long([0, 0, 1, 2, 2, 3]);
    check((a, b) => a.scatterReduce(0, i, b, 'prod'), [x, s], false);
    check((a, b) => a.scatterReduce(0, i, b, 'prod', { includeSelf: false }), [x, s], false);
    // A single zero: second derivatives are defined too.
    check((a, b) => a.scatterReduce(0, long([0, 0, 1]), b, 'prod'), [f64([1.5, 0], [2]), f64([0, 2, 3], [3])]);
  });
  it('scatter_reduce prod refuses double backward with several zeros at one position, as PyTorch', () => {
    const x = f64([2, 3], [2]);
    const s = f64([0, 0, 1], [3]);
    const y = x.scatterReduce(0, long([0, 0, 1]), s, 'prod');
    const [, gs] = grad(y, [x, s], torch.onesLike(y), { createGraph: true });
    expect(() => grad(gs!.sum(), [s])).toThrow(/Double backward is unsupported/);
  });
  it('scatter_reduce amax/amin share the gradient between ties', () => {
    const x = f64([1, 5], [2]);
    const s = f64([5, 2, 5], [3]);
    const y = x.scatterReduce(0, long([1, 1, 1]), s, 'amax');
    const [gx, gs] = grad(y, [x, s], torch.tensor([1, 3], { dtype: 'float64' }));
    expect(gx!.tolist()).toEqual([1, 1]);
    expect(gs!.tolist()).toEqual([1, 0, 1]);
  });
});

describe('masks', () => {
  const m = mask([[true, false, true], [false, false, true]]);
  it('masked_fill with number and value tensor, broadcasting, masked_fill_', () => {
    check((x) => x.maskedFill(m, 2), [rnd([2, 3])]);
    check((x, v) => x.maskedFill(m, v), [rndT([2, 3]), f64(0.5, [])]);
    check((x) => torch.maskedFill(x, m, -1), [rnd([3])]);
    check((x) => x.maskedFill(mask([true, false]).reshape([2, 1]), 0), [rnd([2, 3])]);
    check((x, v) => copy(x).maskedFill_(mask([false, true, true]), v), [rnd([2, 3]), f64(3, [])]);
  });
  it('masked_select, with broadcasting', () => {
    check((x) => x.maskedSelect(m), [rnd([2, 3])]);
    check((x) => torch.maskedSelect(x, m), [rnd([1, 3])]);
    check((x) => x.maskedSelect(mask([true, false, true])), [rndT([2, 3])]);
  });
  it('masked_scatter (source larger than needed), masked_scatter_', () => {
    check((x, s) => x.maskedScatter(m, s), [rnd([2, 3]), rnd([5], 2)]);
    check((x, s) => torch.maskedScatter(x, mask([false, true, true]), s), [rnd([3]), rnd([2, 3], 2)]);
    check((x, s) => copy(x).maskedScatter_(m, s), [rndT([2, 3]), rnd([2, 2], 2)]);
  });
});

describe('advanced indexing', () => {
  it('index (op) with repeated indices, nulls and masks', () => {
    check((x) => torch.indexOp.call(x, [long([1, 0, 1])]) as Tensor, [rnd([2, 3])]);
    check((x) => torch.indexOp.call(x, [null, long([[2, 2], [0, 1]])]) as Tensor, [rndT([2, 3])]);
    check((x) => torch.indexOp.call(x, [long([0, 1]), null, long([1, 1])]) as Tensor, [rnd([2, 2, 3])]);
    check((x) => torch.indexOp.call(x, [mask([[true, false, true], [false, true, true]])]) as Tensor, [rnd([2, 3])]);
  });
  it('x.index(...) subscripts', () => {
    check((x) => x.index(0, torch.slice(1, 3)), [rnd([2, 4])]);
    check((x) => x.index([1, 1, 0], torch.slice(null, null, 2)), [rnd([2, 3])]);
    check((x) => x.index('..., [0, 2]'), [rndT([2, 3])]);
    check((x) => x.index(x.detach().gt(0)), [rnd([2, 3])]);
    check((x) => x.index(null, long([1, 0]), 1), [rnd([2, 2, 2])]);
  });
  it('index_put: values gradient, self gradient zero where written', () => {
    const i = long([2, 0]);
    check((x, v) => torch.indexPutOp.call(x, [i], v, false) as Tensor, [rnd([3, 2]), rnd([2, 2], 2)]);
    check((x, v) => torch.indexPutOp.call(x, [null, long([1, 1])], v, true) as Tensor, [rnd([2, 3]), rnd([2], 2)]);
    check((x, v) => torch.indexPut(x, [long([0, 2]), long([1, 0])], v), [rndT([3, 2]), f64(1.5, [])]);
    check((x, v) => x.indexPut([long([0, 0])], v, { accumulate: true }), [rnd([2, 2]), rnd([2, 2], 2)]);
    const x = rnd([3]);
    const v = rnd([2], 2);
    const [gx, gv] = grad(torch.indexPut(x, [long([1, 1])], v), [x, v], torch.tensor([1, 2, 3], { dtype: 'float64' }));
    expect(gx!.tolist()).toEqual([1, 0, 3]);
    expect(gv!.tolist()).toEqual([2, 2]);
  });
  it('index_put_ with a mask (one value: masked_fill path)', () => {
    check((x, v) => copy(x).indexPut_([mask([true, false, true])], v), [rnd([3, 2]), f64(2, [])]);
    check((x, v) => copy(x).indexPut_([mask([true, false, true])], v), [rnd([3, 2]), rnd([2, 2], 2)]);
  });
  it('x.set(...) writes: basic views (copy_/fill_) and advanced indices', () => {
    check((x, v) => copy(x).set([0, torch.slice(1, 3)], v), [rnd([2, 3]), rnd([2], 2)]);
    check((x) => copy(x).set([torch.slice(null), 1], 4), [rnd([2, 3])]);
    check((x, v) => copy(x).set([[1, 0], 2], v), [rnd([2, 3]), rnd([2], 2)]);
    check((x, v) => copy(x).set([x.detach().lt(0)], v), [rnd([2, 3]), f64(0.25, [])]);
    check((x, v) => copy(x).set([long([0, 0]), '...'], v, { accumulate: true }), [rnd([2, 2]), rnd([2], 2)]);
  });
});

describe('memory', () => {
  it('backward of the indexing ops leaks nothing', () => {
    const x = rnd([3, 3]);
    const s = rnd([2, 3], 2);
    const i = long([[0, 1, 2], [2, 0, 0]]);
    const step = () =>
      torch.tidy(() => {
        const a = x.scatterReduce(0, i, s, 'prod').gather(0, i).index([1, 0]);
        const b = x.maskedFill(x.detach().gt(0), 0).indexSelect(1, long([2, 2])).take(long([0, 3]));
        const y = a.sum().add(b.sum()).add(torch.indexPut(x, [long([1])], s.index(0)).sum());
        y.backward();
      });
    step();
    const before = torch.memory().liveTensors;
    for (let i = 0; i < 5; i++) step();
    expect(torch.memory().liveTensors).toBe(before);
  });
});
