/**
 * The plain products: mm, bmm, mv, dot (and vdot, its real-valued alias). Each checks its
 * arguments in PyTorch's order (ranks, shapes, then dtypes: matrix products never promote) and
 * runs `_gemm` on views of its operands. float16 is computed through doubles and rounded once,
 * as PyTorch 2.x does on the CPU (1.13 has no CPU kernel for it; see docs/differences.md).
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { wrapDim } from '../../shape.js';
import { Tensor, emptyTensor, makeView } from '../../tensor.js';
import { fillOp } from '../creation.js';
import { deviceOf } from '../elementwise/define.js';
import { expectSameType, rejectBool, requireTensor } from './checks.js';
import { gemmInto } from './gemm.js';

export const mmOp = defineOp('mm', (self: Tensor, mat2: Tensor): Tensor => {
  requireTensor('mm', 'input', 1, self);
  requireTensor('mm', 'mat2', 2, mat2);
  if (self._shape.length !== 2) throw new RuntimeError('self must be a matrix');
  if (mat2._shape.length !== 2) throw new RuntimeError('mat2 must be a matrix');
  const [m, k] = self._shape as [number, number];
  const [k2, n] = mat2._shape as [number, number];
  if (k !== k2) throw new RuntimeError(`mat1 and mat2 shapes cannot be multiplied (${m}x${k} and ${k2}x${n})`);
  // Dtypes are only checked when there is something to multiply (as PyTorch's kernel does).
  const work = m > 0 && n > 0 && k > 0;
  if (work) {
    rejectBool('addmm_impl_cpu_', self._dtype);
    expectSameType(self._dtype, mat2._dtype);
  }
  const out = emptyTensor([m, n], self._dtype, deviceOf([self, mat2]));
  if (!work) return out.numel() === 0 ? out : fillOp.call(out, 0);
  gemmInto(out, self, mat2, 1, 0);
  return out;
});

export const bmmOp = defineOp('bmm', (self: Tensor, mat2: Tensor): Tensor => {
  requireTensor('bmm', 'input', 1, self);
  requireTensor('bmm', 'mat2', 2, mat2);
  if (self._shape.length !== 3) throw new RuntimeError('batch1 must be a 3D tensor');
  if (mat2._shape.length !== 3) throw new RuntimeError('batch2 must be a 3D tensor');
  const [bs, m, k] = self._shape as [number, number, number];
  const [bs2, k2, n] = mat2._shape as [number, number, number];
  if (bs2 !== bs || k2 !== k) {
    throw new RuntimeError(`Expected size for first two dimensions of batch2 tensor to be: [${bs}, ${k}] but got: [${bs2}, ${k2}].`);
  }
  const work = bs > 0 && m > 0 && n > 0 && k > 0;
  if (work) {
    rejectBool('bmm', self._dtype);
    expectSameType(self._dtype, mat2._dtype);
  }
  // PyTorch sizes the result from batch2's options.
  const out = emptyTensor([bs, m, n], mat2._dtype, deviceOf([self, mat2]));
  if (!work) return out.numel() === 0 ? out : fillOp.call(out, 0);
  gemmInto(out, self, mat2, 1, 0);
  return out;
});

export const mvOp = defineOp('mv', (self: Tensor, vec: Tensor): Tensor => {
  requireTensor('mv', 'input', 1, self);
  requireTensor('mv', 'vec', 2, vec);
  // mv allocates [self.size(0)] first, then runs addmv_'s checks with that as `self`.
  const m = self._shape[wrapDim(0, self._shape.length, false)]!;
  if (self._shape.length !== 2 || vec._shape.length !== 1) {
    throw new RuntimeError(`vector + matrix @ vector expected, got 1, ${self._shape.length}, ${vec._shape.length}`);
  }
  const k = self._shape[1]!;
  if (k !== vec._shape[0]) throw new RuntimeError(`size mismatch, got ${m}, ${m}x${k},${vec._shape[0]}`);
  // An empty matrix short-cuts to zeros before any dtype check.
  const work = m > 0 && k > 0;
  if (work) {
    rejectBool('addmv_impl_cpu', self._dtype);
    expectSameType(self._dtype, vec._dtype);
  }
  const out = emptyTensor([m], vec._dtype, deviceOf([self, vec]));
  if (!work) return m === 0 ? out : fillOp.call(out, 0);
  const o = makeView(out, [m, 1], [out._strides[0]!, 1], out._offset);
  const v = makeView(vec, [k, 1], [vec._strides[0]!, 1], vec._offset);
  gemmInto(o, self, v, 1, 0);
  o.dispose();
  v.dispose();
  return out;
});

function dotImpl(name: string) {
  return (self: Tensor, other: Tensor): Tensor => {
    requireTensor(name, 'input', 1, self);
    requireTensor(name, 'tensor', 2, other);
    if (self._shape.length !== 1 || other._shape.length !== 1) {
      throw new RuntimeError(`1D tensors expected, but got ${self._shape.length}D and ${other._shape.length}D tensors`);
    }
    if (self._dtype !== other._dtype) {
      throw new RuntimeError(`dot : expected both vectors to have same dtype, but found ${scalarTypeName(self._dtype)} and ${scalarTypeName(other._dtype)}`);
    }
    const n = self._shape[0]!;
    const n2 = other._shape[0]!;
    if (n !== n2) {
      throw new RuntimeError(`inconsistent tensor size, expected tensor [${n}] and src [${n2}] to have the same number of elements, but got ${n} and ${n2} elements respectively`);
    }
    rejectBool('dot', self._dtype);
    const out = emptyTensor([], self._dtype, deviceOf([self, other]));
    if (n === 0) return fillOp.call(out, 0);
    const o = makeView(out, [1, 1], [1, 1], out._offset);
    const a = makeView(self, [1, n], [0, self._strides[0]!], self._offset);
    const b = makeView(other, [n, 1], [other._strides[0]!, 0], other._offset);
    gemmInto(o, a, b, 1, 0);
    o.dispose();
    a.dispose();
    b.dispose();
    return out;
  };
}

export const dotOp = defineOp('dot', dotImpl('dot'));
export const vdotOp = defineOp('vdot', dotImpl('vdot'));

export function mm(input: Tensor, mat2: Tensor): Tensor {
  return mmOp.call(input, mat2);
}
export function bmm(input: Tensor, mat2: Tensor): Tensor {
  return bmmOp.call(input, mat2);
}
export function mv(input: Tensor, vec: Tensor): Tensor {
  return mvOp.call(input, vec);
}
export function dot(input: Tensor, tensor: Tensor): Tensor {
  return dotOp.call(input, tensor);
}
/** For real tensors vdot equals dot (no conjugation needed). */
export function vdot(input: Tensor, other: Tensor): Tensor {
  return vdotOp.call(input, other);
}

declare module '../../tensor.js' {
  interface Tensor {
    mm(mat2: Tensor): Tensor;
    bmm(mat2: Tensor): Tensor;
    mv(vec: Tensor): Tensor;
    dot(other: Tensor): Tensor;
    vdot(other: Tensor): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.mm = function (this: Tensor, mat2: Tensor) {
  return mmOp.call(this, mat2);
};
proto.bmm = function (this: Tensor, mat2: Tensor) {
  return bmmOp.call(this, mat2);
};
proto.mv = function (this: Tensor, vec: Tensor) {
  return mvOp.call(this, vec);
};
proto.dot = function (this: Tensor, other: Tensor) {
  return dotOp.call(this, other);
};
proto.vdot = function (this: Tensor, other: Tensor) {
  return vdotOp.call(this, other);
};
