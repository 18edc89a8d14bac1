/** Python's formatting of values in module printouts (`1.0`, `1e-05`, `True`, `None`). */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Number.isInteger(x) && Math.abs(x) < 1e16) return `${x}.0`;
  return pyNumber(x);
}

/** A number as Python's repr prints it (integers without a decimal point; exponents below -4 or from 16 up: `1e-05`). */
export function pyNumber(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  const [mantissa, e] = x.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return String(x);
}

export function pyBool(b: boolean): string {
  return b ? 'True' : 'False';
}
