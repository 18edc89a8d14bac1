/** Argument helpers shared by the indexing ops: options, integer checks, scalar values. */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';

export function isOptions(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !(x instanceof Tensor) && !Array.isArray(x);
}

/** Splits a trailing options object off positional arguments. */
export function splitOptions<O extends object>(args: readonly unknown[]): { pos: unknown[]; opts: O } {
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) return { pos: args.slice(0, -1), opts: last as O };
  return { pos: [...args], opts: {} as O };
}

export function requireTensor(name: string, what: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new TypeError(`${name}(): argument '${what}' must be Tensor, not ${x === null ? 'null' : Array.isArray(x) ? 'Array' : typeof x}`);
  }
  return x;
}

export function requireInt(name: string, what: string, x: unknown): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) throw new TypeError(`${name}(): argument '${what}' must be int, not ${x === null ? 'null' : typeof x}`);
  return x;
}

export function typeName(dtype: DType): string {
  return scalarTypeName(dtype);
}

const C_TYPE: Record<DType, string> = {
  bool: 'bool', uint8: 'uint8_t', int8: 'int8_t', int16: 'int16_t', int32: 'int', int64: 'int64_t',
  float16: 'at::Half', bfloat16: 'at::BFloat16', float32: 'float', float64: 'double',
};

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], int16: [-32768, 32767], int32: [-2147483648, 2147483647], int64: [-(2 ** 63), 2 ** 63],
};

const FLOAT_MAX: Partial<Record<DType, number>> = { float16: 65504, bfloat16: 3.3895313892515355e38, float32: 3.4028234663852886e38 };

/**
 * A scalar argument (number, boolean or 0-d tensor) as the number stored into a `dtype` tensor,
 * with c10's checked conversion ("value cannot be converted to type int without overflow").
 * Unsigned types accept negative values (two's complement wrap), as PyTorch does.
 */
export function checkedScalar(value: number | boolean, dtype: DType): number {
  const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  if (dtype === 'bool') return v !== 0 ? 1 : 0;
  const overflow = () => new RuntimeError(`value cannot be converted to type ${C_TYPE[dtype]} without overflow`);
  if (isFloatingPoint(dtype)) {
    const max = FLOAT_MAX[dtype];
    if (max !== undefined && Number.isFinite(v) && Math.abs(v) > max) throw overflow();
    return v;
  }
  if (Number.isNaN(v) || !Number.isFinite(v)) throw overflow();
  const [lo, hi] = INT_RANGE[dtype]!;
  // JS integers act as Python ints (unsigned types wrap negatives), fractions as Python floats.
  if (Number.isInteger(v)) {
    if (v > hi || (dtype === 'uint8' ? v < -hi : v < lo)) throw overflow();
    return dtype === 'uint8' && v < 0 ? v + 256 : v;
  }
  if (v < lo || v > hi) throw overflow();
  return Math.trunc(v);
}

/** A value argument that may be a number, a boolean or a 0-d tensor (`name` for the error). */
export function scalarArg(name: string, value: unknown): number | boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Tensor) {
    if (value._shape.length !== 0) {
      throw new RuntimeError(`${name} only supports a 0-dimensional value tensor, but got tensor with ${value._shape.length} dimension(s).`);
    }
    return value.item();
  }
  throw new TypeError(`${name}(): argument 'value' must be Number or Tensor, not ${value === null ? 'null' : typeof value}`);
}

/** `[]` for 0-d tensors seen as 1-D of one element, as PyTorch's ensure_nonempty_size does. */
export function nonemptySize(t: Tensor, d: number): number {
  return t._shape.length === 0 ? 1 : t._shape[d]!;
}

export function nonemptyDim(t: Tensor): number {
  return Math.max(t._shape.length, 1);
}
