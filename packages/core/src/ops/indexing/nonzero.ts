/**
 * nonzero (and argwhere): the indices of non-zero elements as an [n, ndim] int64 tensor, or with
 * `{ asTuple: true }` one 1-D index tensor per dim (views of that result, as PyTorch's unbind).
 * Kernel signature: nonzero (self) -> Tensor (the kernel sizes the output: data-dependent).
 */
import { defineOp } from '../../dispatcher.js';
import { Tensor } from '../../tensor.js';
import { selectOp, unsqueezeOp } from '../view.js';
import { requireTensor } from './util.js';

export const nonzeroOp = defineOp('nonzero', (self: Tensor): Tensor => {
  requireTensor('nonzero', 'input', self);
  return nonzeroOp.kernel(self.device)(self) as Tensor;
});

/** Columns of a nonzero result as 1-D views. */
function columns(nz: Tensor): Tensor[] {
  const out: Tensor[] = [];
  for (let j = 0; j < nz._shape[1]!; j++) out.push(selectOp.call(nz, 1, j));
  return out;
}

export function nonzero(self: Tensor): Tensor;
export function nonzero(self: Tensor, opts: { asTuple: true }): Tensor[];
export function nonzero(self: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
export function nonzero(self: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[] {
  if (!opts?.asTuple) return nonzeroOp.call(self);
  // PyTorch: a 0-d input is treated as 1-D, so as_tuple gives one index tensor.
  const input = self._shape.length === 0 ? unsqueezeOp.call(self, 0) : self;
  const nz = nonzeroOp.call(input);
  if (input !== self) input.dispose();
  const cols = columns(nz);
  nz.dispose();
  return cols;
}

export function argwhere(self: Tensor): Tensor {
  return nonzeroOp.call(self);
}

declare module '../../tensor.js' {
  interface Tensor {
    nonzero(): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    nonzero(opts: { asTuple?: boolean }): Tensor | Tensor[];
    argwhere(): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.nonzero = function (this: Tensor, opts?: { asTuple?: boolean }) {
  return nonzero(this, opts);
};
proto.argwhere = function (this: Tensor) {
  return nonzeroOp.call(this);
};
