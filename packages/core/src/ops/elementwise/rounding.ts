/** Rounding: floor, ceil, trunc (fix), round (half to even, with decimals) and frac. */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { rounderFor, roundHalfEven } from '../../math.js';
import type { Tensor } from '../../tensor.js';
import { defineUnary } from './define.js';
import { aliasMethods, isBool, notFloat, notImplemented, rejectWith } from './support.js';

const same = (x: number): number => x;

// Integers are already rounded: floor/ceil/trunc/round copy them; bool has no kernel.
export const floor = defineUnary('floor', { fn: Math.floor as never, intFn: same as never, validate: rejectWith('floor_vml_cpu', isBool) });
export const ceil = defineUnary('ceil', { fn: Math.ceil as never, intFn: same as never, validate: rejectWith('ceil_vml_cpu', isBool) });
export const trunc = defineUnary('trunc', { fn: Math.trunc as never, intFn: same as never, validate: rejectWith('trunc_vml_cpu', isBool) });
export const fix = trunc;

/** The fractional part x - trunc(x), keeping the sign; floats only. */
export const frac = defineUnary('frac', { fn: ((x: number) => x - Math.trunc(x)) as never, validate: rejectWith('frac_cpu', notFloat) });

interface RoundParams {
  decimals: number;
  /** 10^|decimals| in the input dtype. */
  scale: number;
  /** Rounds products to the input dtype, as PyTorch's kernel computes in it. */
  fr: (x: number) => number;
}
const ROUND_0: RoundParams = { decimals: 0, scale: 1, fr: same };

function roundParams(o: Record<string, unknown> | undefined, dtype: DType): RoundParams {
  const decimals = (o?.decimals as number | undefined) ?? 0;
  if (!Number.isInteger(decimals)) throw new TypeError(`round(): argument 'decimals' must be int, not ${typeof decimals === 'number' ? 'float' : typeof decimals}`);
  if (decimals === 0) {
    if (dtype === 'bool') notImplemented('round_vml_cpu', dtype);
    return ROUND_0;
  }
  if (!isFloatingPoint(dtype)) notImplemented('round_cpu', dtype);
  const fr = rounderFor(dtype);
  return { decimals, scale: fr(10 ** Math.abs(decimals)), fr };
}

/** Rounds half to even; with `decimals`, to that many decimal places (negative: tens, hundreds...). */
export const round = defineUnary('round', {
  fn: ((x: number, p: RoundParams) => {
    if (p.decimals === 0) return roundHalfEven(x);
    return p.decimals > 0 ? roundHalfEven(p.fr(x * p.scale)) / p.scale : roundHalfEven(p.fr(x / p.scale)) * p.scale;
  }) as never,
  intFn: same as never,
  positional: ['decimals'],
  params: roundParams,
}) as (input: Tensor, decimals?: number | { decimals?: number }) => Tensor;

aliasMethods('fix', 'trunc');

declare module '../../tensor.js' {
  interface Tensor {
    floor(): Tensor; floor_(): this;
    ceil(): Tensor; ceil_(): this;
    trunc(): Tensor; trunc_(): this;
    fix(): Tensor; fix_(): this;
    frac(): Tensor; frac_(): this;
    round(decimals?: number | { decimals?: number }): Tensor;
    round_(decimals?: number | { decimals?: number }): this;
  }
}
