/**
 * Choosing between the fused step kernels (core's sgd_step_ / adam_step_: one pass over memory per
 * parameter) and the composite update (one elementwise op per formula term, PyTorch's
 * single-tensor code). Both give the same bits; the fused kernel is the default where it applies.
 *
 * `fused: true` always runs the fused op (any layout; other devices through core's CPU fallback),
 * `fused: false` or `foreach: true` the composite, and neither (the default) the fused op when
 * every tensor is float32/float64, contiguous and on a device with the kernel.
 */
import { RuntimeError, Tensor } from '@torchts/core';
import type { ParamGroup } from './optimizer.js';

/** The implementation options SGD, Adam and AdamW accept (PyTorch's keywords). A type, not an
 * interface, so optimizers stay assignable to `Optimizer` (whose options are a Record). */
export type StepImplOptions = {
  /** Fused per-parameter kernel: true forces it, false forbids it, unset/null uses it where it applies. */
  fused?: boolean | null;
  /** true: the composite per-op update (PyTorch's multi-tensor path has the same math); null as unset. */
  foreach?: boolean | null;
};

/** `options` without `fused`/`foreach` keys that are undefined (PyTorch's None is `null` or left out). */
export function withImplOptions<O extends StepImplOptions>(options: O): O {
  const o = { ...options };
  if (o.fused === undefined) delete o.fused;
  if (o.foreach === undefined) delete o.foreach;
  return o;
}

const FUSED_DTYPES = new Set(['float32', 'float64']);

/** PyTorch's constructor checks for `fused` (float32/float64 instead of CUDA-only). */
export function checkFusedOptions(o: Record<string, unknown>, params: Iterable<Tensor>): void {
  if (o.fused && o.foreach) throw new RuntimeError('`fused` and `foreach` cannot be `True` together.');
  if (o.fused && [...params].some((p) => !FUSED_DTYPES.has(p.dtype))) {
    throw new RuntimeError('`fused=True` requires all the params to be float32 or float64 Tensors');
  }
}

/** Whether this group's step for these tensors (nulls ignored) runs the fused `op`. */
export function useFused(group: ParamGroup, op: { kernels: ReadonlyMap<string, unknown> }, tensors: (Tensor | null)[]): boolean {
  const fused = group.fused as boolean | undefined;
  if (fused === true) return true;
  if (fused === false || group.foreach === true) return false;
  const first = tensors[0]!;
  return op.kernels.has(first.device) && tensors.every((t) => t === null ||
    (FUSED_DTYPES.has(t.dtype) && t.device === first.device && t.isContiguous()));
}
