/** Python's formatting of values in module printouts (`1.0`, `1e-05`, `True`, `None`). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return pyNumber(x);
}

/** A number as Python prints it (integers without a decimal point). */
export function pyNumber(x: number): string {
  return String(x).replace(/e([+-])(\d)$/, 'e$10$2');
}

export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
