/** dtypes, their sizes and categories, and PyTorch's `promote_types` table. */

export type DType =
  | 'bool'
  | 'uint8'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float16'
  | 'bfloat16'
  | 'float32'
  | 'float64';

export const DTYPES: readonly DType[] = [
  'bool', 'uint8', 'int8', 'int16', 'int32', 'int64', 'float16', 'bfloat16', 'float32', 'float64',
];

const ITEMSIZE: Record<DType, number> = {
  bool: 1, uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8,
  float16: 2, bfloat16: 2, float32: 4, float64: 8,
};

export function itemsize(dtype: DType): number {
  return ITEMSIZE[dtype];
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && x in ITEMSIZE;
}

export function isFloatingPoint(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** Integral, bool excluded (as `dtype.is_floating_point`'s counterpart in PyTorch's checks). */
export function isIntegral(dtype: DType, includeBool = false): boolean {
  if (dtype === 'bool') return includeBool;
  return !isFloatingPoint(dtype);
}

/** Category used by type promotion: 0 bool, 1 integer, 2 floating. */
export function category(dtype: DType): 0 | 1 | 2 {
  if (dtype === 'bool') return 0;
  return isFloatingPoint(dtype) ? 2 : 1;
}

/** PyTorch's printed name: `torch.float32`. */
export function dtypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

// promote_types: index order follows DTYPES. Built from PyTorch's table (c10/core/ScalarType.cpp).
const u1 = 'uint8', i1 = 'int8', i2 = 'int16', i4 = 'int32', i8 = 'int64', f2 = 'float16',
  bf = 'bfloat16', f4 = 'float32', f8 = 'float64', b1 = 'bool';
const TABLE: DType[][] = [
  /*        b1  u1  i1  i2  i4  i8  f2  bf  f4  f8 */
  /* b1 */ [b1, u1, i1, i2, i4, i8, f2, bf, f4, f8],
  /* u1 */ [u1, u1, i2, i2, i4, i8, f2, bf, f4, f8],
  /* i1 */ [i1, i2, i1, i2, i4, i8, f2, bf, f4, f8],
  /* i2 */ [i2, i2, i2, i2, i4, i8, f2, bf, f4, f8],
  /* i4 */ [i4, i4, i4, i4, i4, i8, f2, bf, f4, f8],
  /* i8 */ [i8, i8, i8, i8, i8, i8, f2, bf, f4, f8],
  /* f2 */ [f2, f2, f2, f2, f2, f2, f2, f4, f4, f8],
  /* bf */ [bf, bf, bf, bf, bf, bf, f4, bf, f4, f8],
  /* f4 */ [f4, f4, f4, f4, f4, f4, f4, f4, f4, f8],
  /* f8 */ [f8, f8, f8, f8, f8, f8, f8, f8, f8, f8],
];
const INDEX: Record<DType, number> = Object.fromEntries(DTYPES.map((d, i) => [d, i])) as Record<DType, number>;

export function promoteTypes(a: DType, b: DType): DType {
  return TABLE[INDEX[a]]![INDEX[b]]!;
}

let defaultDtype: DType = 'float32';

export function getDefaultDtype(): DType {
  return defaultDtype;
}

export function setDefaultDtype(dtype: DType): void {
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'float16' && dtype !== 'bfloat16') {
    throw new TypeError(`only floating-point types are supported as the default type, got ${dtype}`);
  }
  defaultDtype = dtype;
}

/** The dtype an integral/bool input is computed in by ops that need floats (sqrt, div, mean...). */
export function toFloating(dtype: DType): DType {
  return isFloatingPoint(dtype) ? dtype : defaultDtype;
}

// `torch.float32`-style constants (and PyTorch's aliases: torch.float, torch.long, ...).
export const float32: DType = 'float32';
export const float64: DType = 'float64';
export const float16: DType = 'float16';
export const bfloat16: DType = 'bfloat16';
export const int64: DType = 'int64';
export const int32: DType = 'int32';
export const int16: DType = 'int16';
export const int8: DType = 'int8';
export const uint8: DType = 'uint8';
export const bool: DType = 'bool';
export const float: DType = 'float32';
export const double: DType = 'float64';
export const half: DType = 'float16';
export const long: DType = 'int64';
export const int: DType = 'int32';
export const short: DType = 'int16';
