/** Argument parsing and PyTorch's validation messages shared by the random ops. */
import type { DType } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import type { Generator } from '../../random/generator.js';
import { generatorOf } from '../../random/generator.js';

export interface GeneratorOptions {
  generator?: Generator | null;
}

/** Splits trailing keyword options off positional arguments; names fill from the options too. */
export function positional(args: readonly unknown[], names: readonly string[]): { values: unknown[]; count: number; opts: Record<string, unknown>; gen: Generator } {
  let opts: Record<string, unknown> = {};
  let rest = args;
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !(last instanceof Tensor) && !Array.isArray(last)) {
    opts = last as Record<string, unknown>;
    rest = args.slice(0, -1);
  }
  if (rest.length > names.length) throw new TypeError(`expected at most ${names.length} positional arguments, got ${rest.length}`);
  const values = names.map((n, i) => (rest[i] !== undefined ? rest[i] : opts[n]));
  return { values, count: rest.length, opts, gen: generatorOf(opts as { generator?: Generator | null }) };
}

/** PyTorch's AT_DISPATCH error: `"normal_kernel_cpu" not implemented for 'Long'`. */
export function notImplemented(kernel: string, dtype: DType): RuntimeError {
  return new RuntimeError(`"${kernel}" not implemented for '${scalarTypeName(dtype)}'`);
}

/** The C++ type names PyTorch prints for a TypeMeta ("from is out of bounds for unsigned char"). */
export function cppTypeName(dtype: DType): string {
  return {
    bool: 'bool', uint8: 'unsigned char', int8: 'signed char', int16: 'short int', int32: 'int', int64: 'long int',
    float16: 'c10::Half', bfloat16: 'c10::BFloat16', float32: 'float', float64: 'double',
  }[dtype];
}

/** std::numeric_limits<T>::lowest()/max() of each dtype. */
export function dtypeLimits(dtype: DType): { min: number; max: number } {
  switch (dtype) {
    case 'bool': return { min: 0, max: 1 };
    case 'uint8': return { min: 0, max: 255 };
    case 'int8': return { min: -128, max: 127 };
    case 'int16': return { min: -32768, max: 32767 };
    case 'int32': return { min: -2147483648, max: 2147483647 };
    case 'int64': return { min: -(2 ** 63), max: 2 ** 63 - 1 };
    case 'float16': return { min: -65504, max: 65504 };
    case 'bfloat16': return { min: -3.3895313892515355e38, max: 3.3895313892515355e38 };
    case 'float32': return { min: -3.4028234663852886e38, max: 3.4028234663852886e38 };
    case 'float64': return { min: -Number.MAX_VALUE, max: Number.MAX_VALUE };
  }
}

export function requireNumber(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${op}(): argument '${name}' must be a number, not ${v === null ? 'null' : typeof v}`);
  return v;
}

export function requireInt(op: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${op}(): argument '${name}' must be int, not ${typeof v === 'number' ? 'float' : v === null ? 'null' : typeof v}`);
  }
  return v;
}

/** empty_like's "preserve" layout: a dense input's strides are kept (so draws follow its memory order). */
export function preservedStrides(t: Tensor): number[] | null {
  const nd = t._shape.length;
  if (t.numel() === 0) return null;
  const dims = [...Array(nd).keys()].sort((a, b) => t._strides[b]! - t._strides[a]! || a - b);
  let expected = 1;
  for (let k = nd - 1; k >= 0; k--) {
    const d = dims[k]!;
    const size = t._shape[d]!;
    if (size === 1) continue;
    if (t._strides[d] !== expected) return null;
    expected *= size;
  }
  return [...t._strides];
}
