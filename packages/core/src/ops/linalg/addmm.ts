/**
 * The fused forms out = beta * input + alpha * (product): addmm, addmv, baddbmm, addbmm and their
 * in-place `_` methods. `input` broadcasts to the product's shape (in-place: must already have
 * it); beta = 0 ignores input's values, NaN included. Each op keeps PyTorch 1.13's own order of
 * checks and its own dtype rule (addmm/addbmm: one dtype for all three; addmv/baddbmm: the
 * result takes the second operand's dtype and input is cast to it).
 */
import type { DType } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { wrapDim } from '../../shape.js';
import { Tensor, emptyTensor, makeView } from '../../tensor.js';
import { copyOp } from '../copy.js';
import { fillOp } from '../creation.js';
import { deviceOf } from '../elementwise/define.js';
import '../elementwise/arithmetic.js';
import { expandOp, selectOp } from '../view.js';
import { checkInplace, coefficient, expectSameType, fillOrDispose, rejectBool, requireTensor, scaleOptions } from './checks.js';
import type { ScaleOptions } from './checks.js';
import { gemmInto } from './gemm.js';

/** `t.size(d)` with PyTorch's IndexError for a missing dim. */
function size(t: Tensor, d: number): number {
  return t._shape[wrapDim(d, t._shape.length, false)]!;
}

/**
 * out = beta * out + alpha * a @ b once out holds input (or not, when beta is 0): PyTorch's
 * shared tail. k == 0 only scales; dtype checks run only when there is something to multiply.
 */
function accumulate(out: Tensor, a: Tensor, b: Tensor, beta: number, alpha: number, k: number, checks: () => void): void {
  if (out.numel() === 0) return;
  if (k === 0) {
    if (beta === 0) fillOp.call(out, 0);
    else if (beta !== 1) out.mul_(beta);
    return;
  }
  checks();
  gemmInto(out, a, b, alpha, beta);
}

/** Copies input (already expanded to out's shape) into out unless beta makes it irrelevant. */
function seed(out: Tensor, input: Tensor, beta: number): void {
  if (beta !== 0 && input !== out && out.numel() > 0) copyOp.call(out, input);
}

// ---- addmm ---------------------------------------------------------------------------------

function addmmMeta(self: Tensor, mat1: Tensor, mat2: Tensor): [number, number, number] {
  if (self._dtype !== mat2._dtype) throw new RuntimeError('self and mat2 must have the same dtype');
  if (mat1._dtype !== mat2._dtype) throw new RuntimeError('mat1 and mat2 must have the same dtype');
  if (mat1._shape.length !== 2) throw new RuntimeError(`mat1 must be a matrix, got ${mat1._shape.length}-D tensor`);
  if (mat2._shape.length !== 2) throw new RuntimeError(`mat2 must be a matrix, got ${mat2._shape.length}-D tensor`);
  const [m, k] = mat1._shape as [number, number];
  const [k2, n] = mat2._shape as [number, number];
  if (k !== k2) throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
  return [m, k, n];
}

function runAddmm(out: Tensor, input: Tensor, mat1: Tensor, mat2: Tensor, opts: ScaleOptions, k: number): Tensor {
  const beta = coefficient(opts.beta, out._dtype, 'beta');
  const alpha = coefficient(opts.alpha, out._dtype, 'alpha');
  seed(out, input, beta);
  accumulate(out, mat1, mat2, beta, alpha, k, () => rejectBool('addmm_impl_cpu_', out._dtype));
  return out;
}

export const addmmOp = defineOp('addmm', (input: Tensor, mat1: Tensor, mat2: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('addmm', 'input', 1, input);
  requireTensor('addmm', 'mat1', 2, mat1);
  requireTensor('addmm', 'mat2', 3, mat2);
  const [m, k, n] = addmmMeta(input, mat1, mat2);
  const expanded = expandOp.call(input, [m, n]);
  try {
    const out = emptyTensor([m, n], mat1._dtype, deviceOf([input, mat1, mat2]));
    return fillOrDispose(out, () => runAddmm(out, expanded, mat1, mat2, scaleOptions(options), k));
  } finally {
    expanded.dispose();
  }
});

export const addmmInplaceOp = defineOp('addmm_', (self: Tensor, mat1: Tensor, mat2: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('addmm_', 'mat1', 1, mat1);
  requireTensor('addmm_', 'mat2', 2, mat2);
  const [m, k, n] = addmmMeta(self, mat1, mat2);
  checkInplace(self, mat1._dtype, [m, n]);
  runAddmm(self, self, mat1, mat2, scaleOptions(options), k);
  self._bumpVersion();
  return self;
}, { inplace: true });

// ---- addmv ---------------------------------------------------------------------------------

function addmvMeta(self: Tensor, mat: Tensor, vec: Tensor): [number, number] {
  if (!(mat._shape.length === 2 && vec._shape.length === 1 && self._shape.length <= 1)) {
    throw new RuntimeError(`vector + matrix @ vector expected, got ${self._shape.length}, ${mat._shape.length}, ${vec._shape.length}`);
  }
  const [m, k] = mat._shape as [number, number];
  const selfNumel = self.numel();
  if (k !== vec._shape[0] || (m !== selfNumel && selfNumel !== 1)) {
    throw new RuntimeError(`size mismatch, got ${size(self, 0)}, ${m}x${k},${vec._shape[0]}`);
  }
  return [m, k];
}

function runAddmv(out: Tensor, input: Tensor, mat: Tensor, vec: Tensor, opts: ScaleOptions): Tensor {
  const [m, k] = mat._shape as [number, number];
  const beta = coefficient(opts.beta, out._dtype, 'beta');
  const alpha = coefficient(opts.alpha, out._dtype, 'alpha');
  if (input !== out) {
    const expanded = expandOp.call(input, [m]);
    try {
      seed(out, expanded, beta);
    } finally {
      expanded.dispose();
    }
  }
  if (m === 0) return out;
  const o = makeView(out, [m, 1], [out._strides[0]!, 1], out._offset);
  const v = makeView(vec, [k, 1], [vec._strides[0]!, 1], vec._offset);
  try {
    // An empty matrix only scales (k == 0), so its dtype is never checked, as in PyTorch.
    accumulate(o, mat, v, beta, alpha, k, () => {
      rejectBool('addmv_impl_cpu', mat._dtype);
      expectSameType(mat._dtype, vec._dtype);
    });
  } finally {
    o.dispose();
    v.dispose();
  }
  return out;
}

export const addmvOp = defineOp('addmv', (input: Tensor, mat: Tensor, vec: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('addmv', 'input', 1, input);
  requireTensor('addmv', 'mat', 2, mat);
  requireTensor('addmv', 'vec', 3, vec);
  const [m] = addmvMeta(input, mat, vec);
  const out = emptyTensor([m], vec._dtype, deviceOf([input, mat, vec]));
  return fillOrDispose(out, () => runAddmv(out, input, mat, vec, scaleOptions(options)));
});

export const addmvInplaceOp = defineOp('addmv_', (self: Tensor, mat: Tensor, vec: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('addmv_', 'mat', 1, mat);
  requireTensor('addmv_', 'vec', 2, vec);
  const [m] = addmvMeta(self, mat, vec);
  checkInplace(self, vec._dtype, [m]);
  runAddmv(self, self, mat, vec, scaleOptions(options));
  self._bumpVersion();
  return self;
}, { inplace: true });

// ---- baddbmm -------------------------------------------------------------------------------

/** Expands input to [b, m, n] (PyTorch does this before any other check), then bmm's checks. */
function baddbmmMeta(input: Tensor, batch1: Tensor, batch2: Tensor): { expanded: Tensor; shape: number[]; k: number } {
  const shape = [size(batch1, 0), size(batch1, 1), size(batch2, 2)];
  const expanded = expandOp.call(input, shape);
  try {
    if (batch1._shape.length !== 3) throw new RuntimeError('batch1 must be a 3D tensor');
    if (batch2._shape.length !== 3) throw new RuntimeError('batch2 must be a 3D tensor');
    const [bs, , k] = batch1._shape as [number, number, number];
    if (batch2._shape[0] !== bs || batch2._shape[1] !== k) {
      throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${bs}, ${k}] but got: [${batch2._shape[0]}, ${batch2._shape[1]}].`);
    }
    return { expanded, shape, k };
  } catch (e) {
    expanded.dispose();
    throw e;
  }
}

function runBaddbmm(out: Tensor, input: Tensor, batch1: Tensor, batch2: Tensor, opts: ScaleOptions, k: number): Tensor {
  const beta = coefficient(opts.beta, out._dtype, 'beta');
  const alpha = coefficient(opts.alpha, out._dtype, 'alpha');
  seed(out, input, beta);
  accumulate(out, batch1, batch2, beta, alpha, k, () => {
    rejectBool('baddbmm', batch1._dtype);
    expectSameType(batch1._dtype, batch2._dtype);
  });
  return out;
}

export const baddbmmOp = defineOp('baddbmm', (input: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('baddbmm', 'input', 1, input);
  requireTensor('baddbmm', 'batch1', 2, batch1);
  requireTensor('baddbmm', 'batch2', 3, batch2);
  const { expanded, shape, k } = baddbmmMeta(input, batch1, batch2);
  try {
    const out = emptyTensor(shape, batch2._dtype, deviceOf([input, batch1, batch2]));
    return fillOrDispose(out, () => runBaddbmm(out, expanded, batch1, batch2, scaleOptions(options), k));
  } finally {
    expanded.dispose();
  }
});

export const baddbmmInplaceOp = defineOp('baddbmm_', (self: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('baddbmm_', 'batch1', 1, batch1);
  requireTensor('baddbmm_', 'batch2', 2, batch2);
  const { expanded, shape, k } = baddbmmMeta(self, batch1, batch2);
  expanded.dispose();
  checkInplace(self, batch2._dtype, shape);
  runBaddbmm(self, self, batch1, batch2, scaleOptions(options), k);
  self._bumpVersion();
  return self;
}, { inplace: true });

// ---- addbmm --------------------------------------------------------------------------------

/** Sum over the batch of addmm's: out = beta * input + alpha * sum_b batch1[b] @ batch2[b]. */
function runAddbmm(out: Tensor, input: Tensor, batch1: Tensor, batch2: Tensor, opts: ScaleOptions): Tensor {
  if (batch1._shape.length !== 3) throw new RuntimeError('batch1 must be a 3D tensor');
  if (batch2._shape.length !== 3) throw new RuntimeError('batch2 must be a 3D tensor');
  const [bs, m, k] = batch1._shape as [number, number, number];
  const [bs2, k2, n] = batch2._shape as [number, number, number];
  if (bs !== bs2) throw new RuntimeError(`batch1 and batch2 must have same number of batches, got ${bs} and ${bs2}`);
  if (k !== k2) throw new RuntimeError(`Incompatible matrix sizes for bmm (${m}x${k} and ${k2}x${n})`);
  const dtype: DType = out._dtype;
  let beta = coefficient(opts.beta, dtype, 'beta');
  const alpha = coefficient(opts.alpha, dtype, 'alpha');
  seed(out, input, beta);
  if (bs === 0) {
    accumulate(out, batch1, batch2, beta, alpha, 0, () => {});
    return out;
  }
  // Each batch is one addmm_ into out (its checks included); beta applies to the first only.
  for (let i = 0; i < bs; i++) {
    const a = selectOp.call(batch1, 0, i);
    const b = selectOp.call(batch2, 0, i);
    try {
      if (dtype !== b._dtype) throw new RuntimeError('self and mat2 must have the same dtype');
      if (a._dtype !== b._dtype) throw new RuntimeError('mat1 and mat2 must have the same dtype');
      accumulate(out, a, b, beta, alpha, k, () => rejectBool('addmm_impl_cpu_', dtype));
    } finally {
      a.dispose();
      b.dispose();
    }
    beta = 1;
  }
  return out;
}

export const addbmmOp = defineOp('addbmm', (input: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('addbmm', 'input', 1, input);
  requireTensor('addbmm', 'batch1', 2, batch1);
  requireTensor('addbmm', 'batch2', 3, batch2);
  const expanded = expandOp.call(input, [size(batch1, 1), size(batch2, 2)]);
  try {
    const out = emptyTensor([...expanded._shape], input._dtype, deviceOf([input, batch1, batch2]));
    return fillOrDispose(out, () => runAddbmm(out, expanded, batch1, batch2, scaleOptions(options)));
  } finally {
    expanded.dispose();
  }
});

export const addbmmInplaceOp = defineOp('addbmm_', (self: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor => {
  requireTensor('addbmm_', 'batch1', 1, batch1);
  requireTensor('addbmm_', 'batch2', 2, batch2);
  const shape = [size(batch1, 1), size(batch2, 2)];
  expandOp.call(self, shape).dispose();
  // PyTorch resizes a broadcastable self here; torchts tensors keep their shape, so self must match.
  checkInplace(self, self._dtype, shape);
  runAddbmm(self, self, batch1, batch2, scaleOptions(options));
  self._bumpVersion();
  return self;
}, { inplace: true });

export function addmm(input: Tensor, mat1: Tensor, mat2: Tensor, options?: ScaleOptions): Tensor {
  return addmmOp.call(input, mat1, mat2, options);
}
export function addmv(input: Tensor, mat: Tensor, vec: Tensor, options?: ScaleOptions): Tensor {
  return addmvOp.call(input, mat, vec, options);
}
export function baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor {
  return baddbmmOp.call(input, batch1, batch2, options);
}
export function addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor {
  return addbmmOp.call(input, batch1, batch2, options);
}

declare module '../../tensor.js' {
  interface Tensor {
    addmm(mat1: Tensor, mat2: Tensor, options?: ScaleOptions): Tensor;
    addmm_(mat1: Tensor, mat2: Tensor, options?: ScaleOptions): this;
    addmv(mat: Tensor, vec: Tensor, options?: ScaleOptions): Tensor;
    addmv_(mat: Tensor, vec: Tensor, options?: ScaleOptions): this;
    baddbmm(batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor;
    baddbmm_(batch1: Tensor, batch2: Tensor, options?: ScaleOptions): this;
    addbmm(batch1: Tensor, batch2: Tensor, options?: ScaleOptions): Tensor;
    addbmm_(batch1: Tensor, batch2: Tensor, options?: ScaleOptions): this;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
const methods: Array<[string, { call: (...args: never[]) => Tensor }]> = [
  ['addmm', addmmOp], ['addmm_', addmmInplaceOp], ['addmv', addmvOp], ['addmv_', addmvInplaceOp],
  ['baddbmm', baddbmmOp], ['baddbmm_', baddbmmInplaceOp], ['addbmm', addbmmOp], ['addbmm_', addbmmInplaceOp],
];
for (const [name, op] of methods) {
  proto[name] = function (this: Tensor, x: Tensor, y: Tensor, options?: ScaleOptions) {
    return (op.call as (...args: unknown[]) => Tensor)(this, x, y, options);
  };
}
