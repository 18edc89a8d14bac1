/**
 * Mask ops: maskedFill(_), maskedSelect, maskedScatter(_). Masks are bool (uint8 is accepted, as
 * PyTorch's deprecated byte masks) and broadcast against the input; out-of-place forms return the
 * broadcast shape, in-place forms require the mask to broadcast to self.
 *
 * Kernel signatures:
 *   masked_fill_    (self, mask, value)      mask already expanded to self's shape
 *   masked_select   (self, mask) -> Tensor   both expanded to one shape; returns a 1-D tensor
 *   masked_scatter_ (self, mask, source)     mask expanded to self's shape; source contiguous
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { broadcastShapes, fmtShape, shapeEqual } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { clone, contiguous } from '../copy.js';
import { expandOp } from '../view.js';
import { checkedScalar, requireTensor, scalarArg, typeName } from './util.js';

function checkMask(name: string, mask: Tensor, message?: string): void {
  if (mask._dtype !== 'bool' && mask._dtype !== 'uint8') {
    throw new RuntimeError(message ?? `${name} only supports boolean masks, but got mask with dtype ${mask._dtype}`);
  }
}

/** `t` expanded to `shape` (a view; the caller disposes it when it is not `t`). */
function expandTo(t: Tensor, shape: readonly number[]): Tensor {
  return shapeEqual(t._shape, shape) ? t : expandOp.call(t, [...shape]);
}

/** In-place forms: mask must broadcast to self without changing self's shape. */
function maskFor(self: Tensor, mask: Tensor, viaExpand: boolean): Tensor {
  const shape = broadcastShapes(self._shape, mask._shape);
  if (!shapeEqual(shape, self._shape)) {
    if (viaExpand && mask._shape.length > self._shape.length) {
      throw new RuntimeError(`expand(torch.${typeName(mask._dtype)}Tensor{${fmtShape(mask._shape)}}, size=${fmtShape(self._shape)}): the number of sizes provided (${self._shape.length}) must be greater or equal to the number of dimensions in the tensor (${mask._shape.length})`);
    }
    throw new RuntimeError(`output with shape ${fmtShape(self._shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  return expandTo(mask, self._shape);
}

export const maskedFillInplaceOp = defineOp('masked_fill_', (self: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor => {
  requireTensor('masked_fill_', 'mask', mask);
  checkMask('masked_fill_', mask);
  const v = checkedScalar(scalarArg('masked_fill_', value), self._dtype);
  const m = maskFor(self, mask, false);
  if (self.numel() > 0) maskedFillInplaceOp.kernel(self.device)(self, m, v);
  if (m !== mask) m.dispose();
  self._bumpVersion();
  return self;
}, { inplace: true });

export const maskedFillOp = defineOp('masked_fill', (self: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor => {
  requireTensor('masked_fill', 'mask', mask);
  checkMask('masked_fill_', mask);
  const shape = broadcastShapes(self._shape, mask._shape);
  const src = expandTo(self, shape);
  const out = clone(src);
  if (src !== self) src.dispose();
  try {
    return maskedFillInplaceOp.call(out, mask, value);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export const maskedSelectOp = defineOp('masked_select', (self: Tensor, mask: Tensor): Tensor => {
  requireTensor('masked_select', 'mask', mask);
  checkMask('masked_select', mask, 'masked_select: expected BoolTensor or ByteTensor for mask');
  const shape = broadcastShapes(self._shape, mask._shape);
  const s = expandTo(self, shape);
  const m = expandTo(mask, shape);
  const out = maskedSelectOp.kernel(self.device)(s, m) as Tensor;
  if (s !== self) s.dispose();
  if (m !== mask) m.dispose();
  return out;
});

export const maskedScatterInplaceOp = defineOp('masked_scatter_', (self: Tensor, mask: Tensor, source: Tensor): Tensor => {
  requireTensor('masked_scatter_', 'mask', mask);
  requireTensor('masked_scatter_', 'source', source);
  checkMask('masked_scatter_', mask);
  if (self._dtype !== source._dtype) {
    throw new RuntimeError(`masked_scatter: expected self and source to have same dtypes but got${typeName(self._dtype)} and ${typeName(source._dtype)}`);
  }
  const m = maskFor(self, mask, true);
  const src = contiguous(source);
  try {
    if (self.numel() > 0) maskedScatterInplaceOp.kernel(self.device)(self, m, src);
  } finally {
    if (m !== mask) m.dispose();
    if (src !== source) src.dispose();
  }
  self._bumpVersion();
  return self;
}, { inplace: true });

export const maskedScatterOp = defineOp('masked_scatter', (self: Tensor, mask: Tensor, source: Tensor): Tensor => {
  requireTensor('masked_scatter', 'mask', mask);
  const shape = broadcastShapes(self._shape, mask._shape);
  const s = expandTo(self, shape);
  const out = clone(s);
  if (s !== self) s.dispose();
  try {
    return maskedScatterInplaceOp.call(out, mask, source);
  } catch (e) {
    out.dispose();
    throw e;
  }
});

export function maskedFill(self: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  return maskedFillOp.call(self, mask, value);
}
export function maskedSelect(self: Tensor, mask: Tensor): Tensor {
  return maskedSelectOp.call(self, mask);
}
export function maskedScatter(self: Tensor, mask: Tensor, source: Tensor): Tensor {
  return maskedScatterOp.call(self, mask, source);
}

declare module '../../tensor.js' {
  interface Tensor {
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): this;
    maskedSelect(mask: Tensor): Tensor;
    maskedScatter(mask: Tensor, source: Tensor): Tensor;
    maskedScatter_(mask: Tensor, source: Tensor): this;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.maskedFill = function (this: Tensor, mask: Tensor, value: number | boolean | Tensor) {
  return maskedFillOp.call(this, mask, value);
};
proto.maskedFill_ = function (this: Tensor, mask: Tensor, value: number | boolean | Tensor) {
  return maskedFillInplaceOp.call(this, mask, value);
};
proto.maskedSelect = function (this: Tensor, mask: Tensor) {
  return maskedSelectOp.call(this, mask);
};
proto.maskedScatter = function (this: Tensor, mask: Tensor, source: Tensor) {
  return maskedScatterOp.call(this, mask, source);
};
proto.maskedScatter_ = function (this: Tensor, mask: Tensor, source: Tensor) {
  return maskedScatterInplaceOp.call(this, mask, source);
};
