/**
 * Copies and conversions: copy_ (broadcasting, any dtype to any dtype, across devices), clone,
 * contiguous, to(dtype | device | tensor), the dtype shorthands and detach.
 */
import type { DType } from '../dtype.js';
import { isDType } from '../dtype.js';
import { defineOp, hooks } from '../dispatcher.js';
import { RuntimeError } from '../errors.js';
import { broadcastShapes, fmtShape, shapeEqual } from '../shape.js';
import { Tensor, emptyTensor, makeView } from '../tensor.js';
import { hasBackend } from '../device.js';

/** Kernel signature: (dst, src) with src already on dst's device and broadcastable to dst. */
export const copyOp = defineOp('copy_', (self: Tensor, src: Tensor): Tensor => {
  if (!(src instanceof Tensor)) throw new TypeError(`copy_(): argument 'src' must be Tensor, not ${typeof src}`);
  const shape = broadcastShapes(self._shape, src._shape);
  if (!shapeEqual(shape, self._shape)) {
    throw new RuntimeError(`output with shape ${fmtShape(self._shape)} doesn't match the broadcast shape ${fmtShape(shape)}`);
  }
  let s = src;
  if (s.device !== self.device) s = hooks.toDevice(s, self.device) as Tensor;
  copyOp.kernel(self.device)(self, s);
  if (s !== src) s.dispose();
  self._bumpVersion();
  return self;
}, { inplace: true });

export interface ToOptions {
  dtype?: DType;
  device?: string;
  copy?: boolean;
}

/** A contiguous copy with the given dtype/device (PyTorch's `_to_copy`). */
export const toCopyOp = defineOp('_to_copy', (self: Tensor, dtype: DType, device: string): Tensor => {
  const out = emptyTensor([...self._shape], dtype, device);
  return copyOp.call(out, self);
});

export function clone(self: Tensor): Tensor {
  return toCopyOp.call(self, self._dtype, self.device);
}

export function contiguous(self: Tensor): Tensor {
  return self.isContiguous() ? self : clone(self);
}

export function to(self: Tensor, ...args: unknown[]): Tensor {
  let dtype: DType = self._dtype;
  let device = self.device;
  let copy = false;
  for (const a of args) {
    if (a instanceof Tensor) {
      dtype = a._dtype;
      device = a.device;
    } else if (isDType(a)) dtype = a;
    else if (typeof a === 'string') {
      if (!hasBackend(a) && !hasBackend(a.split(':')[0]!)) throw new RuntimeError(`Expected one of the registered devices but got device type '${a}'`);
      device = a;
    } else if (a && typeof a === 'object') {
      const o = a as ToOptions;
      if (o.dtype) dtype = o.dtype;
      if (o.device) device = o.device;
      if (o.copy) copy = true;
    }
  }
  if (!copy && dtype === self._dtype && device === self.device) return self;
  return toCopyOp.call(self, dtype, device);
}

/** A new tensor sharing storage, cut from the autograd graph (autograd's detach). */
export const detachOp = defineOp('detach', (self: Tensor): Tensor => {
  const v = makeView(self, [...self._shape], [...self._strides], self._offset);
  return v;
}, { view: true });

declare module '../tensor.js' {
  interface Tensor {
    copy_(src: Tensor): this;
    clone(): Tensor;
    contiguous(): Tensor;
    to(...args: Array<DType | string | Tensor | ToOptions>): Tensor;
    type(dtype: DType): Tensor;
    float(): Tensor;
    double(): Tensor;
    half(): Tensor;
    bfloat16(): Tensor;
    int(): Tensor;
    long(): Tensor;
    short(): Tensor;
    char(): Tensor;
    byte(): Tensor;
    bool(): Tensor;
    cpu(): Tensor;
    detach(): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.copy_ = function (this: Tensor, src: Tensor) {
  return copyOp.call(this, src);
};
proto.clone = function (this: Tensor) {
  return clone(this);
};
proto.contiguous = function (this: Tensor) {
  return contiguous(this);
};
proto.to = function (this: Tensor, ...args: unknown[]) {
  return to(this, ...args);
};
proto.type = function (this: Tensor, dtype: DType) {
  return to(this, dtype);
};
const shorthands: Array<[string, DType]> = [
  ['float', 'float32'], ['double', 'float64'], ['half', 'float16'], ['bfloat16', 'bfloat16'], ['int', 'int32'],
  ['long', 'int64'], ['short', 'int16'], ['char', 'int8'], ['byte', 'uint8'], ['bool', 'bool'],
];
for (const [name, dtype] of shorthands) {
  proto[name] = function (this: Tensor) {
    return to(this, dtype);
  };
}
proto.cpu = function (this: Tensor) {
  return to(this, 'cpu');
};
proto.detach = function (this: Tensor) {
  return detachOp.call(this);
};
