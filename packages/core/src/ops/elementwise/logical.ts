/** Logical and/or/xor/not: any dtype, nonzero (NaN included) is true; results are bool. */
import type { TensorOrScalar } from '../../tensor.js';
import { defineBinary, defineUnary } from './define.js';

export const logicalAnd = defineBinary('logicalAnd', { fn: ((x: number, y: number) => (x !== 0 && y !== 0 ? 1 : 0)) as never, rule: 'bool' });
export const logicalOr = defineBinary('logicalOr', { fn: ((x: number, y: number) => (x !== 0 || y !== 0 ? 1 : 0)) as never, rule: 'bool' });
export const logicalXor = defineBinary('logicalXor', { fn: ((x: number, y: number) => ((x !== 0) !== (y !== 0) ? 1 : 0)) as never, rule: 'bool' });
export const logicalNot = defineUnary('logicalNot', { fn: ((x: number) => (x === 0 ? 1 : 0)) as never, rule: 'bool' });

declare module '../../tensor.js' {
  interface Tensor {
    logicalAnd(other: TensorOrScalar): Tensor; logicalAnd_(other: TensorOrScalar): this;
    logicalOr(other: TensorOrScalar): Tensor; logicalOr_(other: TensorOrScalar): this;
    logicalXor(other: TensorOrScalar): Tensor; logicalXor_(other: TensorOrScalar): this;
    logicalNot(): Tensor; logicalNot_(): this;
  }
}
