/**
 * tril/triu (and tril_/triu_): keep the lower/upper triangle of the last two dims, relative to
 * `diagonal`, zero the rest. One kernel serves all four: (out, self, diagonal, upper).
 */
import { defineOp } from '../../dispatcher.js';
import { wrapDim } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';

function checkArgs(self: Tensor, diagonal: number): void {
  wrapDim(-2, self._shape.length, false);
  if (!Number.isInteger(diagonal)) throw new TypeError(`tril/triu(): argument 'diagonal' must be int, not ${diagonal}`);
}

function defineTriangle(name: 'tril' | 'triu') {
  const upper = name === 'triu';
  const op = defineOp(name, (self: Tensor, diagonal = 0): Tensor => {
    checkArgs(self, diagonal);
    const out = emptyTensor([...self._shape], self._dtype, self.device);
    op.kernel(self.device)(out, self, diagonal, upper);
    return out;
  });
  const inplace = defineOp(`${name}_`, (self: Tensor, diagonal = 0): Tensor => {
    checkArgs(self, diagonal);
    op.kernel(self.device)(self, self, diagonal, upper);
    self._bumpVersion();
    return self;
  }, { inplace: true, base: name });
  return { op, inplace };
}

const trilOps = defineTriangle('tril');
const triuOps = defineTriangle('triu');

function diagonalArg(d: number | { diagonal?: number } | undefined): number {
  return typeof d === 'object' ? d.diagonal ?? 0 : d ?? 0;
}

export function tril(self: Tensor, diagonal?: number | { diagonal?: number }): Tensor {
  return trilOps.op.call(self, diagonalArg(diagonal));
}
export function triu(self: Tensor, diagonal?: number | { diagonal?: number }): Tensor {
  return triuOps.op.call(self, diagonalArg(diagonal));
}

declare module '../../tensor.js' {
  interface Tensor {
    tril(diagonal?: number | { diagonal?: number }): Tensor;
    triu(diagonal?: number | { diagonal?: number }): Tensor;
    tril_(diagonal?: number | { diagonal?: number }): this;
    triu_(diagonal?: number | { diagonal?: number }): this;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.tril = function (this: Tensor, d?: number | { diagonal?: number }) {
  return trilOps.op.call(this, diagonalArg(d));
};
proto.triu = function (this: Tensor, d?: number | { diagonal?: number }) {
  return triuOps.op.call(this, diagonalArg(d));
};
proto.tril_ = function (this: Tensor, d?: number | { diagonal?: number }) {
  return trilOps.inplace.call(this, diagonalArg(d));
};
proto.triu_ = function (this: Tensor, d?: number | { diagonal?: number }) {
  return triuOps.inplace.call(this, diagonalArg(d));
};
