/**
 * `torch.result_type`: dimensioned tensors outrank 0-d tensors, which outrank JS numbers
 * ("wrapped numbers", which behave like Python scalars); a lower-ranked operand only counts when
 * its category (bool < integer < floating) is higher than the result's so far. A fractional or
 * non-finite JS number is a float scalar and promotes integer tensors to the default dtype; an
 * integral JS number is an int scalar and keeps integer tensors integral.
 */
import type { DType } from './dtype.js';
import { category, getDefaultDtype, promoteTypes } from './dtype.js';
import { RuntimeError } from './errors.js';
import { Tensor } from './tensor.js';

export function scalarDtype(v: number | boolean | bigint): DType {
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int64';
  return Number.isInteger(v) ? 'int64' : getDefaultDtype();
}

export function resultType(...operands: ReadonlyArray<Tensor | number | boolean | bigint>): DType {
  // Fast paths for the common binary cases: same dtypes, or a float tensor with a JS number.
  if (operands.length === 2) {
    const [a, b] = operands;
    if (a instanceof Tensor) {
      if (b instanceof Tensor) {
        if (a._dtype === b._dtype) return a._dtype;
      } else if (typeof b === 'number' && category(a._dtype) === 2) return a._dtype;
    }
  }
  let dimResult: DType | null = null;
  let zeroResult: DType | null = null;
  let scalarResult: DType | null = null;
  for (const o of operands) {
    if (o instanceof Tensor) {
      if (o._shape.length > 0) dimResult = dimResult ? promoteTypes(dimResult, o._dtype) : o._dtype;
      else zeroResult = zeroResult ? promoteTypes(zeroResult, o._dtype) : o._dtype;
    } else {
      const d = scalarDtype(o);
      scalarResult = scalarResult ? promoteTypes(scalarResult, d) : d;
    }
  }
  const result = combine(dimResult, combine(zeroResult, scalarResult));
  if (result === null) throw new RuntimeError('result_type needs at least one operand');
  return result;
}

/** c10's combine_categories: the lower-priority result counts only for a higher category. */
function combine(higher: DType | null, lower: DType | null): DType | null {
  if (higher === null) return lower;
  if (lower === null || category(higher) === 2) return higher;
  if (higher === 'bool' || category(lower) === 2) return promoteTypes(higher, lower);
  return higher;
}

/** PyTorch's `can_cast` for in-place/out results: no float -> integral, no non-bool -> bool. */
export function canCast(from: DType, to: DType): boolean {
  const cf = category(from);
  const ct = category(to);
  return !(cf === 2 && ct < 2) && !(cf > 0 && ct === 0);
}

/** PyTorch's C++ type names, as used in its error messages ("Float", "Long"...). */
export function scalarTypeName(dtype: DType): string {
  return {
    bool: 'Bool', uint8: 'Byte', int8: 'Char', int16: 'Short', int32: 'Int', int64: 'Long',
    float16: 'Half', bfloat16: 'BFloat16', float32: 'Float', float64: 'Double',
  }[dtype];
}
