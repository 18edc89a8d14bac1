/** Argument checks and PyTorch's error texts shared by the linear-algebra ops. */
import type { DType } from '../../dtype.js';
import { isIntegral } from '../../dtype.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { fmtShape, shapeEqual } from '../../shape.js';
import { Tensor } from '../../tensor.js';

function typeOfArg(x: unknown): string {
  if (x === null) return 'NoneType';
  if (x === undefined) return 'undefined';
  if (Array.isArray(x)) return 'list';
  if (typeof x === 'number') return Number.isInteger(x) ? 'int' : 'float';
  if (typeof x === 'boolean') return 'bool';
  return typeof x;
}

/** A JS TypeError like Python's for a non-tensor argument. */
export function requireTensor(op: string, name: string, position: number, x: unknown): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${op}(): argument '${name}' (position ${position}) must be Tensor, not ${typeOfArg(x)}`);
}

/** PyTorch's dispatch error for a dtype a kernel family does not cover (bool here). */
export function rejectBool(kernelName: string, dtype: DType): void {
  if (dtype === 'bool') throw new RuntimeError(`"${kernelName}" not implemented for '${scalarTypeName(dtype)}'`);
}

/** The `data_ptr<scalar_t>()` mismatch PyTorch's kernels raise when operand dtypes differ. */
export function expectSameType(expected: DType, found: DType): void {
  if (expected !== found) {
    throw new RuntimeError(`expected scalar type ${scalarTypeName(expected)} but found ${scalarTypeName(found)}`);
  }
}

/** The C++ type names (caffe2::TypeMeta) PyTorch prints in "Bad in-place call" errors. */
const CPP_NAMES: Record<DType, string> = {
  bool: 'bool', uint8: 'unsigned char', int8: 'signed char', int16: 'short int', int32: 'int',
  int64: 'long int', float16: 'c10::Half', bfloat16: 'c10::BFloat16', float32: 'float', float64: 'double',
};

export function cppTypeName(dtype: DType): string {
  return CPP_NAMES[dtype];
}

/** Structured kernels' checks that an in-place call's self can hold the result. */
export function checkInplace(self: Tensor, dtype: DType, shape: readonly number[]): void {
  if (self._dtype !== dtype) {
    throw new RuntimeError(`Bad in-place call: input tensor dtype ${CPP_NAMES[self._dtype]} and output tensor dtype ${CPP_NAMES[dtype]} should match`);
  }
  if (!shapeEqual(self._shape, shape)) {
    throw new RuntimeError(`Bad in-place call: input tensor size ${fmtShape(self._shape)} and output tensor size ${fmtShape(shape)} should match`);
  }
}

export interface ScaleOptions {
  beta?: number | boolean;
  alpha?: number | boolean;
}

/** beta/alpha as the kernel sees them: Scalar.to<scalar_t>(), so integral dtypes truncate. */
export function coefficient(v: number | boolean | undefined, dtype: DType, what: string): number {
  if (v === undefined) return 1;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number') throw new TypeError(`argument '${what}' must be Number, not ${typeOfArg(v)}`);
  return isIntegral(dtype) ? Math.trunc(v) : v;
}

export function scaleOptions(x: unknown): ScaleOptions {
  if (x === undefined || x === null) return {};
  if (typeof x !== 'object' || x instanceof Tensor || Array.isArray(x)) {
    throw new TypeError('expected an options object { beta?, alpha? } as the last argument');
  }
  return x as ScaleOptions;
}

/** Runs `fn`, which fills `out`; disposes `out` if it throws, so a failed call leaks nothing. */
export function fillOrDispose(out: Tensor, fn: () => Tensor): Tensor {
  try {
    return fn();
  } catch (e) {
    out.dispose();
    throw e;
  }
}

/**
 * Collects the temporaries of a composite op and disposes them afterwards (even when it throws),
 * except the tensor it returns.
 */
export function withTemps<T extends Tensor>(fn: (tmp: <U extends Tensor>(t: U) => U) => T): T {
  const temps: Tensor[] = [];
  let result: T | undefined;
  try {
    result = fn((t) => {
      temps.push(t);
      return t;
    });
    return result;
  } finally {
    for (const t of temps) if (t !== result) t.dispose();
  }
}
