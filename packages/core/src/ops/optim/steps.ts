/**
 * Fused optimizer steps: one in-place op per parameter that applies torch.optim's single-tensor
 * update (PyTorch 1.13's formula order) in one pass over memory, instead of ~10 elementwise ops.
 *
 *   sgd_step_  (param, grad, momentumBuffer | null, options)            writes param, momentumBuffer
 *   adam_step_ (param, grad, expAvg, expAvgSq, maxExpAvgSq | null, options)
 *                                                     writes param, expAvg, expAvgSq, maxExpAvgSq
 *
 * Every value is rounded to the parameter's dtype where the composite form
 * (`buf.mul_(momentum).add_(d, {alpha})`, `param.addcdiv_(...)`...) rounds it, so the result is the
 * composite's to the bit. `sgdStepScalars` / `adamStepScalars` are those roundings, shared by every
 * kernel. float32 and float64 only; tensors share the parameter's shape, dtype and device and do
 * not overlap in memory.
 */
import { defineOp } from '../../dispatcher.js';
import { RuntimeError, ValueError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { typeName } from '../indexing/util.js';

export interface SgdStepOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
  /** The momentum buffer is filled with the (decayed) gradient instead of being updated (PyTorch's `buf is None`). */
  firstStep?: boolean;
}

export interface AdamStepOptions {
  /** The step count after this step's increment (1 on the first step). */
  step: number;
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  maximize?: boolean;
  /** AdamW: decoupled weight decay (param *= 1 - lr * weightDecay) instead of an L2 term in the gradient. */
  decoupled?: boolean;
}

/** The scalars of one SGD step, rounded as the composite rounds them. */
export interface SgdStepScalars {
  /** -lr (add_'s alpha: rounded, as every alpha below). */
  negLr: number;
  weightDecay: number;
  /** momentum rounded to the dtype (mul_'s scalar); 0 without momentum. */
  momentum: number;
  /** momentum as nesterov's alpha. */
  momentumAlpha: number;
  /** 1 - dampening (an alpha). */
  keep: number;
  maximize: boolean;
  nesterov: boolean;
  firstStep: boolean;
}

/** The scalars of one Adam step, rounded as the composite rounds them. */
export interface AdamStepScalars {
  /** AdamW's factor 1 - lr * weightDecay (rounded), or 1. */
  decay: number;
  /** Adam's L2 weight decay (an alpha, rounded), 0 for AdamW. */
  weightDecay: number;
  beta1: number;
  /** 1 - beta1 (an alpha, rounded). */
  oneMinusBeta1: number;
  beta2: number;
  /** 1 - beta2 (addcmul's value, rounded). */
  oneMinusBeta2: number;
  /** sqrt(1 - beta2^step) (rounded). */
  bc2Sqrt: number;
  eps: number;
  /** -lr / (1 - beta1^step) (addcdiv's value, rounded). */
  negStepSize: number;
  maximize: boolean;
  amsgrad: boolean;
  decoupled: boolean;
}

const STEP_DTYPES = new Set(['float32', 'float64']);

function roundTo(dtype: string): (x: number) => number {
  return dtype === 'float32' ? Math.fround : (x) => x;
}

export function sgdStepScalars(dtype: string, o: SgdStepOptions): SgdStepScalars {
  const r = roundTo(dtype);
  const momentum = o.momentum ?? 0;
  return {
    negLr: r(-o.lr), weightDecay: r(o.weightDecay ?? 0), momentum: r(momentum), momentumAlpha: r(momentum), keep: r(1 - (o.dampening ?? 0)),
    maximize: o.maximize ?? false, nesterov: o.nesterov ?? false, firstStep: o.firstStep ?? false,
  };
}

export function adamStepScalars(dtype: string, o: AdamStepOptions): AdamStepScalars {
  const r = roundTo(dtype);
  const lr = o.lr ?? 1e-3, beta1 = o.beta1 ?? 0.9, beta2 = o.beta2 ?? 0.999, weightDecay = o.weightDecay ?? 0;
  const decoupled = o.decoupled ?? false;
  return {
    decay: decoupled ? r(1 - lr * weightDecay) : 1, weightDecay: decoupled ? 0 : r(weightDecay),
    beta1: r(beta1), oneMinusBeta1: r(1 - beta1), beta2: r(beta2), oneMinusBeta2: r(1 - beta2),
    bc2Sqrt: r(Math.sqrt(1 - beta2 ** o.step)), eps: r(o.eps ?? 1e-8), negStepSize: r(-(lr / (1 - beta1 ** o.step))),
    maximize: o.maximize ?? false, amsgrad: o.amsgrad ?? false, decoupled,
  };
}

function checkNumber(name: string, what: string, v: unknown, min = 0): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !(v >= min)) throw new ValueError(`${name}(): invalid ${what} value: ${String(v)}`);
}

/** Highest element a view touches, relative to its offset (strides are non-negative here). */
function lastElement(t: Tensor): number {
  return t._shape.reduce((s, n, i) => s + (n - 1) * Math.abs(t._strides[i]!), 0);
}

function overlaps(a: Tensor, b: Tensor): boolean {
  if (a._storage !== b._storage || a.numel() === 0) return false;
  return a._offset <= b._offset + lastElement(b) && b._offset <= a._offset + lastElement(a);
}

/** Same shape, dtype and device as `param`, float32/float64, no two tensors sharing memory. */
function checkTensors(name: string, named: [string, Tensor | null][]): void {
  const param = named[0]![1]!;
  for (const [what, t] of named) {
    if (t === null) continue;
    if (!(t instanceof Tensor)) throw new TypeError(`${name}(): argument '${what}' must be Tensor, not ${typeof t}`);
    if (!STEP_DTYPES.has(t._dtype)) throw new RuntimeError(`"${name}" not implemented for '${typeName(t._dtype)}'`);
    if (t._dtype !== param._dtype) {
      throw new RuntimeError(`${name}(): expected ${what} to have dtype ${typeName(param._dtype)} (the param's), but got ${typeName(t._dtype)}`);
    }
    if (t.device !== param.device) throw new RuntimeError(`${name}(): expected ${what} on device ${param.device} (the param's), but got ${t.device}`);
    if (t._shape.length !== param._shape.length || t._shape.some((s, i) => s !== param._shape[i])) {
      throw new RuntimeError(`${name}(): expected ${what} to have the param's shape ${fmtShape(param._shape)}, but got ${fmtShape(t._shape)}`);
    }
  }
  const present = named.filter((x): x is [string, Tensor] => x[1] !== null);
  for (let i = 0; i < present.length; i++) {
    for (let j = i + 1; j < present.length; j++) {
      if (overlaps(present[i]![1], present[j]![1])) {
        throw new RuntimeError(`${name}(): ${present[i]![0]} and ${present[j]![0]} share memory; each must be a separate tensor`);
      }
    }
  }
}

export const sgdStepOp = defineOp('sgd_step_', (param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, options: SgdStepOptions): Tensor => {
  const name = 'sgd_step_';
  if (!options || typeof options.lr !== 'number') throw new TypeError(`${name}(): the option 'lr' (a number) is required`);
  checkNumber(name, 'learning rate', options.lr);
  checkNumber(name, 'momentum', options.momentum);
  checkNumber(name, 'weight_decay', options.weightDecay);
  const momentum = options.momentum ?? 0;
  if (options.nesterov && (momentum <= 0 || (options.dampening ?? 0) !== 0)) throw new ValueError('Nesterov momentum requires a momentum and zero dampening');
  if (momentum !== 0 && !momentumBuffer) throw new RuntimeError(`${name}(): a momentum buffer is required when momentum is not 0`);
  const buf = momentum !== 0 ? momentumBuffer : null;
  checkTensors(name, [['param', param], ['grad', grad], ['momentum_buffer', buf]]);
  if (param.numel() > 0) sgdStepOp.kernel(param.device)(param, grad, buf, sgdStepScalars(param._dtype, options));
  param._bumpVersion();
  buf?._bumpVersion();
  return param;
}, { inplace: true, writes: [0, 2] });

export const adamStepOp = defineOp('adam_step_', (
  param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, options: AdamStepOptions,
): Tensor => {
  const name = 'adam_step_';
  if (!options || typeof options.step !== 'number' || !(options.step >= 1)) {
    throw new ValueError(`${name}(): the option 'step' (the step count, at least 1) is required, got ${String(options?.step)}`);
  }
  checkNumber(name, 'learning rate', options.lr);
  checkNumber(name, 'epsilon', options.eps);
  checkNumber(name, 'weight_decay', options.weightDecay);
  [options.beta1, options.beta2].forEach((b, i) => {
    if (b !== undefined && !(b >= 0 && b < 1)) throw new ValueError(`${name}(): invalid beta parameter at index ${i}: ${String(b)}`);
  });
  if (options.amsgrad && !maxExpAvgSq) throw new RuntimeError(`${name}(): amsgrad requires the max_exp_avg_sq tensor`);
  const maxSq = options.amsgrad ? maxExpAvgSq : null;
  checkTensors(name, [['param', param], ['grad', grad], ['exp_avg', expAvg], ['exp_avg_sq', expAvgSq], ['max_exp_avg_sq', maxSq]]);
  if (param.numel() > 0) adamStepOp.kernel(param.device)(param, grad, expAvg, expAvgSq, maxSq, adamStepScalars(param._dtype, options));
  for (const t of [param, expAvg, expAvgSq, maxSq]) t?._bumpVersion();
  return param;
}, { inplace: true, writes: [0, 2, 3, 4] });

/**
 * One SGD step in place (torch.optim.SGD's update for one parameter): `param` and, with momentum,
 * `momentumBuffer` are updated. Returns `param`.
 */
export function sgdStep_(param: Tensor, grad: Tensor, momentumBuffer: Tensor | null, options: SgdStepOptions): Tensor {
  return sgdStepOp.call(param, grad, momentumBuffer, options);
}

/**
 * One Adam/AdamW step in place (torch.optim.Adam's / AdamW's single-tensor update for one
 * parameter): `param`, `expAvg`, `expAvgSq` and, with amsgrad, `maxExpAvgSq` are updated.
 * `options.step` is the step count after this step's increment. Returns `param`.
 */
export function adamStep_(
  param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, options: AdamStepOptions,
): Tensor {
  return adamStepOp.call(param, grad, expAvg, expAvgSq, maxExpAvgSq, options);
}
