/**
 * Routes addcmul, addcdiv, lerp and clamp with a tensor bound to the WebAssembly SIMD ternary
 * kernels (assembly/elementwise-ternary.ts); elementwise.ts's simdTernary calls this (and keeps
 * `where`, and clamp with two scalar bounds, which runs as a unary kernel). A wasm call applies when:
 * - the compute dtype is float32 or float64 and the output and every tensor operand have it
 *   (numbers and 0-d tensors are read as scalars, cast to the compute dtype as the TS kernels cast them),
 * - after coalescing the output is contiguous along the innermost dim and every operand is
 *   contiguous or broadcast (stride 0) along it (elementwise.ts planWalk; outer dims of permuted or
 *   sliced views are looped in TS),
 * - no operand partially overlaps the output (in-place on the very same elements is fine:
 *   addcmul_, addcdiv_, lerp_, clamp_),
 * - there are at least MIN_ELEMENTS elements.
 * Walks of at most two dims are split over the thread pool (each element computed by one thread).
 * Results are bit-identical to the TS kernels: float32 lanes are computed in float64, as the TS
 * kernels compute them, and rounded once (docs/cpu-kernels.md).
 *
 * elementwise.ts imports this file and this file imports its walk helpers back: only functions
 * cross the cycle, none is called while the modules load.
 */
import type { DType, Tensor } from '@torchts/core';
import { MIN_ELEMENTS, MIN_PER_THREAD, elementSize, isFloat, launch, outSource, partialOverlap, planWalk, source } from './elementwise.js';
import type { Operand, Source } from './elementwise.js';

/** The kernels' op codes (assembly/elementwise-ternary.ts uses the same numbers). */
const TERNARY: Record<string, number> = { addcmul: 0, addcdiv: 1, lerp: 2, clamp: 3 };

/** Whether the op has a wasm ternary kernel. */
export function hasTernaryKernel(name: string): boolean {
  return TERNARY[name] !== undefined;
}

/**
 * out = op(x, a, b) (addcmul/addcdiv: input, tensor1, tensor2; lerp: input, end, weight; clamp:
 * input, min, max) in wasm; false where the kernel does not apply (then the TS kernel runs).
 */
export function runTernary(name: string, out: Tensor, x: Operand, a: Operand, b: Operand, compute: DType, params: unknown): boolean {
  const code = TERNARY[name];
  if (code === undefined || !isFloat(compute) || out._dtype !== compute || out.numel() < MIN_ELEMENTS) return false;
  const sz = elementSize(compute);
  const operands = [x, a, b];
  if (operands.some((t) => typeof t === 'object' && partialOverlap(out, t, sz))) return false;
  const inputs = operands.map((t) => source(t, out._shape, compute, false));
  if (inputs.some((s) => s === null)) return false;
  const sources = [outSource(out, sz), ...(inputs as Source[])];
  const walk = planWalk(out._shape, sources);
  if (!walk) return false;
  // addcmul/addcdiv's value, already rounded to the dtype by core (unused by lerp and clamp).
  const value = (params as { value?: number } | undefined)?.value ?? 0;
  const [r, i] = [walk.row, walk.inner];
  launch(sz === 4 ? 'ternaryF32' : 'ternaryF64', walk, sources, MIN_PER_THREAD, (rows, len, p) =>
    [code, rows, len, p[0]!, r[0]!, p[1]!, r[1]!, i[1]!, p[2]!, r[2]!, i[2]!, p[3]!, r[3]!, i[3]!, value]);
  return true;
}
