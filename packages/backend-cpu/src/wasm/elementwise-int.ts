/**
 * Routes elementwise ops computing in an integer dtype (int8, uint8, int16, int32, int64) to the
 * WebAssembly SIMD kernels (assembly/elementwise-int.ts; `where`: the bit-select kernels of
 * assembly/elementwise.ts), and to the TS kernels otherwise. Each wrapper sits under the float
 * router (src/index.ts: simdBinary(op, simdIntBinary(op, ts))), which hands integer computes on.
 * A wasm call applies when:
 * - the op is add/sub (alpha an integer of at most 2^53), mul, bitwiseAnd/Or/Xor, maximum/minimum,
 *   clampMin/clampMax (tensor or scalar bound), clamp with both bounds (max then min, in place),
 *   eq/ne/lt/le/gt/ge into a bool output, neg, abs, bitwiseNot, or where with a bool/uint8 condition,
 * - the output has the compute dtype (bool for comparisons) and every tensor operand has it, or is
 *   0-d (read as a scalar: of the compute dtype bit for bit, else cast as the TS kernels cast),
 * - the layout fits the float kernels' walk (elementwise.ts: inner dim contiguous or broadcast,
 *   no partial overlap, at least MIN_ELEMENTS elements; large walks split over threads).
 * Results wrap at the element width, as the TS kernels' typed-array stores do and as PyTorch's
 * integers do; comparisons are signed except for uint8. They are bit-identical to the TS kernels
 * wherever those are exact, which is everywhere but int64 past 2^53 (the TS kernels compute int64 in
 * doubles and round there; the wasm kernels are exact and wrap at 64 bits).
 */
import type { DType, Op, Tensor } from '@torchts/core';
import { COMPARE, MIN_ELEMENTS, MIN_PER_THREAD, launch, runBinaryKernel, runWhere, unaryPlan } from './elementwise.js';
import type { BinaryKernel, Operand, TernaryKernel, UnaryKernel } from './elementwise.js';
import type { KernelName } from './parallel.js';
import { simd } from './simd.js';

interface IntKernels {
  binary: KernelName;
  compare: KernelName;
  unary: KernelName;
  where: KernelName;
}

/** Kernels per dtype (uint8 compares and takes max/min unsigned; where is a bit select of the width). */
const KERNELS: Partial<Record<DType, IntKernels>> = {
  int8: { binary: 'binaryI8', compare: 'compareI8', unary: 'unaryI8', where: 'whereI8' },
  uint8: { binary: 'binaryU8', compare: 'compareU8', unary: 'unaryU8', where: 'whereI8' },
  int16: { binary: 'binaryI16', compare: 'compareI16', unary: 'unaryI16', where: 'whereI16' },
  int32: { binary: 'binaryI32', compare: 'compareI32', unary: 'unaryI32', where: 'whereF32' },
  int64: { binary: 'binaryI64', compare: 'compareI64', unary: 'unaryI64', where: 'whereF64' },
};

/** Op codes of assembly/elementwise-int.ts. */
const BINARY: Record<string, number> = {
  add: 0, sub: 1, mul: 2, bitwiseAnd: 3, bitwiseOr: 4, bitwiseXor: 5, maximum: 6, minimum: 7, clampMin: 6, clampMax: 7,
};
const ADD_ALPHA = 8, SUB_ALPHA = 9;
const UNARY: Record<string, number> = { neg: 0, abs: 1, bitwiseNot: 2 };

/** The kernels for a call computing in `compute`, or undefined where only TS applies. */
function kernelsFor(compute: DType, numel: number): IntKernels | undefined {
  return simd() && numel >= MIN_ELEMENTS ? KERNELS[compute] : undefined;
}

/**
 * The binary op's code and alpha (x + alpha * y, wrapped like the TS kernel's double result stored
 * into the dtype), or undefined for an alpha the kernel cannot take exactly (not a safe integer).
 */
function binaryCode(name: string, params: unknown): { code: number; alpha: number } | undefined {
  const code = BINARY[name];
  const alpha = (params as { alpha?: number } | undefined)?.alpha ?? 1;
  if (code === undefined || !Number.isSafeInteger(alpha)) return undefined;
  return alpha === 1 ? { code, alpha } : { code: name === 'add' ? ADD_ALPHA : SUB_ALPHA, alpha };
}

/** A comparison (`cmp` defined) or arithmetic call; false where only TS applies. */
function runInt(k: IntKernels, name: string, cmp: number | undefined, out: Tensor, a: Operand, b: Operand, compute: DType, params: unknown): boolean {
  if (cmp !== undefined) return out._dtype === 'bool' && runBinaryKernel(k.compare, cmp, out, a, b, compute);
  const bc = binaryCode(name, params);
  return bc !== undefined && out._dtype === compute && runBinaryKernel(k.binary, bc.code, out, a, b, compute, [bc.alpha]);
}

export function simdIntBinary(op: Op, ts: BinaryKernel): BinaryKernel {
  const name = op.name;
  const cmp = COMPARE[name];
  if (BINARY[name] === undefined && cmp === undefined) return ts;
  return (out, a, b, compute, params) => {
    const k = kernelsFor(compute, out.numel());
    if (!k || !runInt(k, name, cmp, out, a, b, compute, params)) ts(out, a, b, compute, params);
  };
}

export function simdIntUnary(op: Op, ts: UnaryKernel): UnaryKernel {
  const code = UNARY[op.name];
  if (code === undefined) return ts;
  return (out, a, compute, params) => {
    const k = kernelsFor(compute, out.numel());
    const plan = k ? unaryPlan(out, a, compute) : null;
    if (!plan) return ts(out, a, compute, params);
    const r = plan.walk.row;
    launch(k!.unary, plan.walk, plan.sources, MIN_PER_THREAD, (rows, len, p) => [code, rows, len, p[0]!, r[0]!, p[1]!, r[1]!]);
  };
}

export function simdIntTernary(op: Op, ts: TernaryKernel): TernaryKernel {
  if (op.name === 'clamp') {
    // min(max(x, lo), hi) as two passes of the max/min kernel, the second in place. Where the second
    // does not apply, TS clamps x again: right even when out is x and already holds max(x, lo).
    return (out, x, lo, hi, compute, params) => {
      const k = kernelsFor(compute, out.numel());
      const ran = k !== undefined && out._dtype === compute && runBinaryKernel(k.binary, BINARY.maximum!, out, x, lo, compute, [1]) &&
        runBinaryKernel(k.binary, BINARY.minimum!, out, out, hi, compute, [1]);
      if (!ran) ts(out, x, lo, hi, compute, params);
    };
  }
  if (op.name !== 'where') return ts;
  return (out, cond, a, b, compute, params) => {
    const k = kernelsFor(compute, out.numel());
    if (!k || typeof cond !== 'object' || !runWhere(out, cond, a, b, compute, k.where)) ts(out, cond, a, b, compute, params);
  };
}
