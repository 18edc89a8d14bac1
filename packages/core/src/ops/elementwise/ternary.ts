/**
 * Ops of three operands: where, lerp, addcmul, addcdiv, and clamp (min and/or max, numbers or
 * tensors; clip is its alias; clampMin/clampMax take one bound).
 */
import type { DType } from '../../dtype.js';
import { isFloatingPoint } from '../../dtype.js';
import { getOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { rounderFor } from '../../math.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor } from '../../tensor.js';
import type { TensorOrScalar } from '../../tensor.js';
import { asOptions, defineBinary, defineTernary } from './define.js';
import { checkScalarFits, notImplemented, typeMetaName } from './support.js';

const whereOp = defineTernary('where', {
  fn: ((c: number, x: number, y: number) => (c !== 0 ? x : y)) as never,
  promoteOperands: [1, 2],
  method: false,
  validate: (d, [condition, x, y]) => {
    // uint8 conditions are deprecated in PyTorch but still accepted.
    if (condition instanceof Tensor && condition._dtype !== 'bool' && condition._dtype !== 'uint8') {
      throw new RuntimeError(`where expected condition to be a boolean tensor, but got a tensor with dtype ${scalarTypeName(condition._dtype)}`);
    }
    checkScalarFits(x, d);
    checkScalarFits(y, d);
  },
});

/** input where condition holds, else other (broadcast; the result dtype promotes input and other). */
export function where(condition: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor {
  if (input === undefined && other === undefined) {
    throw new TypeError('where(condition) with one argument is nonzero(condition, { asTuple: true }); pass input and other for the elementwise form');
  }
  return whereOp(condition, input, other);
}

interface StepParams {
  /** Rounds an intermediate result as PyTorch's float32 kernel does (identity for other dtypes). */
  step: (x: number) => number;
}

interface ValueParams extends StepParams {
  value: number;
}

const exact = (x: number): number => x;
const stepRounding = (dtype: DType): ((x: number) => number) => (dtype === 'float32' ? Math.fround : exact);
/** lerp's params, one object per rounding (no allocation per call). */
const FLOAT32_STEPS: StepParams = { step: Math.fround };
const EXACT_STEPS: StepParams = { step: exact };

/**
 * The `value` option in the op's dtype (truncated for integers, rounded for floats), and the
 * per-step rounding of float32 (measured against PyTorch 1.13's CPU kernels: addcmul is
 * fma(value * tensor1, tensor2, input), addcdiv rounds value * tensor1, the quotient and the sum).
 */
function valueParams(o: Record<string, unknown> | undefined, dtype: DType): ValueParams {
  const v = (o?.value as number | undefined) ?? 1;
  checkScalarFits(v, dtype);
  return { value: isFloatingPoint(dtype) ? rounderFor(dtype)(v) : Math.trunc(v), step: stepRounding(dtype) };
}

function isIntegralOperand(o: TensorOrScalar): boolean {
  return o instanceof Tensor ? !isFloatingPoint(o._dtype) : Number.isInteger(o);
}

/** input + value * tensor1 * tensor2. */
export const addcmul = defineTernary('addcmul', {
  // float32: value * tensor1 rounded, then one rounding of the fused multiply-add (on store).
  fn: ((x: number, a: number, b: number, p: ValueParams) => x + p.step(p.value * a) * b) as never,
  params: valueParams,
  inplace: true,
  validate: (d) => {
    if (d === 'bool') notImplemented('addcmul_cpu_out', d);
  },
}) as (input: Tensor, tensor1: TensorOrScalar, tensor2: TensorOrScalar, opts?: { value?: number }) => Tensor;

/** input + value * tensor1 / tensor2 (true division; integer tensor1 and tensor2 are refused). */
export const addcdiv = defineTernary('addcdiv', {
  fn: ((x: number, a: number, b: number, p: ValueParams) => x + p.step(p.step(p.value * a) / b)) as never,
  params: valueParams,
  inplace: true,
  validate: (_d, [, t1, t2]) => {
    if (isIntegralOperand(t1!) && isIntegralOperand(t2!)) {
      throw new RuntimeError(
        'Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.',
      );
    }
  },
}) as (input: Tensor, tensor1: TensorOrScalar, tensor2: TensorOrScalar, opts?: { value?: number }) => Tensor;

/** input + weight * (end - input), in the (floating) dtype all three share. */
export const lerp = defineTernary('lerp', {
  // PyTorch's formula: the second form is exact at weight 1. float32 rounds end - input and 1 - weight,
  // then each form is one fused multiply-add (measured against PyTorch 1.13's float32 kernel).
  fn: ((x: number, e: number, w: number, p: StepParams) => {
    const d = p.step(e - x);
    return Math.abs(w) < 0.5 ? x + w * d : e - d * p.step(1 - w);
  }) as never,
  params: (_o: unknown, dtype: DType): StepParams => (dtype === 'float32' ? FLOAT32_STEPS : EXACT_STEPS),
  promoteOperands: [0],
  inplace: true,
  validate: (d, [, end, weight]) => {
    if (end instanceof Tensor && end._dtype !== d) throw new RuntimeError(`expected dtype ${typeMetaName(d)} for \`end\` but got dtype ${typeMetaName(end._dtype)}`);
    if (weight instanceof Tensor && weight._dtype !== d) {
      throw new RuntimeError(`expected dtype ${typeMetaName(d)} for \`weight\` but got dtype ${typeMetaName(weight._dtype)}`);
    }
    if (!isFloatingPoint(d)) notImplemented(weight instanceof Tensor ? 'lerp_kernel_tensor' : 'lerp_kernel_scalar', d);
  },
}) as (input: Tensor, end: TensorOrScalar, weight: TensorOrScalar) => Tensor;

// ---- clamp -----------------------------------------------------------------------------------

type Bound = TensorOrScalar | null | undefined;
export interface ClampOptions {
  min?: Bound;
  max?: Bound;
}

/** Bool tensors clamp only against tensor bounds (PyTorch has no bool scalar kernel); numbers must fit. */
function checkBounds(kernel: string) {
  return (d: DType, operands: readonly TensorOrScalar[]): void => {
    for (let i = 1; i < operands.length; i++) {
      const o = operands[i];
      if (o instanceof Tensor) continue;
      if (d === 'bool') notImplemented(kernel, d);
      checkScalarFits(o, d);
    }
  };
}

const clampBoth = defineTernary('clamp', {
  // min(max(x, lo), hi): NaN anywhere gives NaN; lo > hi gives hi, as in PyTorch.
  fn: ((x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi)) as never,
  method: false,
  inplace: true,
  validate: checkBounds('clamp_scalar_cpu'),
});
const clampBothInplace = getOp('clamp_').call as (self: Tensor, lo: TensorOrScalar, hi: TensorOrScalar) => Tensor;

export const clampMin = defineBinary('clampMin', { fn: ((x: number, y: number) => Math.max(x, y)) as never, validate: checkBounds('clamp_min_scalar_cpu') });
export const clampMax = defineBinary('clampMax', { fn: ((x: number, y: number) => Math.min(x, y)) as never, validate: checkBounds('clamp_max_scalar_cpu') });

function bounds(min: Bound | ClampOptions, max: Bound): [Bound, Bound] {
  const o = asOptions(min) as ClampOptions | undefined;
  const lo = o ? o.min : (min as Bound);
  const hi = o ? o.max : max;
  if ((lo === null || lo === undefined) && (hi === null || hi === undefined)) {
    throw new RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  }
  return [lo, hi];
}

/** Clamps into [min, max]; either bound may be omitted (null), each a number or a tensor. */
export function clamp(input: Tensor, min?: Bound | ClampOptions, max?: Bound): Tensor {
  const [lo, hi] = bounds(min, max);
  if (hi === null || hi === undefined) return clampMin(input, lo!);
  if (lo === null || lo === undefined) return clampMax(input, hi);
  return clampBoth(input, lo, hi);
}
export const clip = clamp;

function clampInplace(self: Tensor, min?: Bound | ClampOptions, max?: Bound): Tensor {
  const [lo, hi] = bounds(min, max);
  if (hi === null || hi === undefined) return self.clampMin_(lo!);
  if (lo === null || lo === undefined) return self.clampMax_(hi);
  return clampBothInplace(self, lo, hi);
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.where = function (this: Tensor, condition: Tensor, other: TensorOrScalar) {
  return whereOp(condition, this, other);
};
proto.clamp = proto.clip = function (this: Tensor, min?: Bound | ClampOptions, max?: Bound) {
  return clamp(this, min, max);
};
proto.clamp_ = proto.clip_ = function (this: Tensor, min?: Bound | ClampOptions, max?: Bound) {
  return clampInplace(this, min, max);
};

declare module '../../tensor.js' {
  interface Tensor {
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    lerp(end: TensorOrScalar, weight: TensorOrScalar): Tensor;
    lerp_(end: TensorOrScalar, weight: TensorOrScalar): this;
    addcmul(tensor1: TensorOrScalar, tensor2: TensorOrScalar, opts?: { value?: number }): Tensor;
    addcmul_(tensor1: TensorOrScalar, tensor2: TensorOrScalar, opts?: { value?: number }): this;
    addcdiv(tensor1: TensorOrScalar, tensor2: TensorOrScalar, opts?: { value?: number }): Tensor;
    addcdiv_(tensor1: TensorOrScalar, tensor2: TensorOrScalar, opts?: { value?: number }): this;
    clamp(min?: Bound | ClampOptions, max?: Bound): Tensor;
    clamp_(min?: Bound | ClampOptions, max?: Bound): this;
    clip(min?: Bound | ClampOptions, max?: Bound): Tensor;
    clip_(min?: Bound | ClampOptions, max?: Bound): this;
    clampMin(min: TensorOrScalar): Tensor;
    clampMin_(min: TensorOrScalar): this;
    clampMax(max: TensorOrScalar): Tensor;
    clampMax_(max: TensorOrScalar): this;
  }
}
