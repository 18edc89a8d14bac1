/** Small helpers shared by the elementwise op files: PyTorch's dtype errors and aliases. */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';

/** PyTorch's dispatch error: `"floor_vml_cpu" not implemented for 'Bool'`. */
export function notImplemented(kernel: string, dtype: DType): never {
  throw new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
}

/** A `validate` that rejects the dtypes `rejected` picks, naming PyTorch's kernel. */
export function rejectWith(kernel: string, rejected: (d: DType) => boolean): (d: DType) => void {
  return (d) => {
    if (rejected(d)) notImplemented(kernel, d);
  };
}

export const isBool = (d: DType): boolean => d === 'bool';
export const notFloat = (d: DType): boolean => !isFloatingPoint(d);
export const isFloat = (d: DType): boolean => isFloatingPoint(d);

/** caffe2 TypeMeta names, which some PyTorch messages print ("expected dtype float ..."). */
export function typeMetaName(d: DType): string {
  return {
    bool: 'bool', uint8: 'unsigned char', int8: 'signed char', int16: 'short int', int32: 'int', int64: 'long int',
    float16: 'c10::Half', bfloat16: 'c10::BFloat16', float32: 'float', float64: 'double',
  }[d];
}

/** Installs `alias` (and `alias_` when `target_` exists) as Tensor methods calling `target`'s. */
export function aliasMethods(alias: string, target: string): void {
  const proto = Tensor.prototype as unknown as Record<string, unknown>;
  proto[alias] = proto[target];
  if (proto[`${target}_`]) proto[`${alias}_`] = proto[`${target}_`];
}

// c10's checked scalar conversion: [lowest, max, C++ name]. uint8 also takes integers down to -255
// (they wrap, as `a - b` on bytes does).
const LIMITS: Partial<Record<DType, readonly [number, number, string]>> = {
  uint8: [0, 255, 'uint8_t'], int8: [-128, 127, 'int8_t'], int16: [-32768, 32767, 'int16_t'],
  int32: [-2147483648, 2147483647, 'int'], int64: [-(2 ** 63), 2 ** 63, 'int64_t'],
  float16: [-65504, 65504, 'at::Half'], bfloat16: [-3.3895313892515355e38, 3.3895313892515355e38, 'at::BFloat16'],
  float32: [-3.4028234663852886e38, 3.4028234663852886e38, 'float'],
};

/**
 * Ops that convert a scalar argument to the tensor's dtype with c10's check (clamp bounds, where
 * values, pow exponents, addcmul's value...) refuse numbers the dtype cannot hold, where plain
 * arithmetic would wrap: `value cannot be converted to type uint8_t without overflow`.
 */
export function checkScalarFits(v: unknown, dtype: DType): void {
  if (typeof v !== 'number') return;
  const lim = LIMITS[dtype];
  if (!lim) return;
  const float = isFloatingPoint(dtype);
  if (float && (v !== v || v === Infinity || v === -Infinity)) return;
  const lowest = dtype === 'uint8' && Number.isInteger(v) ? -255 : lim[0];
  if (!(v >= lowest && v <= lim[1])) throw new RuntimeError(`value cannot be converted to type ${lim[2]} without overflow`);
}
