/**
 * Shared pieces of the loss functions: reduction parsing, PyTorch's size formatting in messages,
 * and the class-index checks that nll_loss / multi_margin_loss make.
 */
import { IndexError, RuntimeError, ValueError, tidy } from '@torchts/core';
import type { Tensor } from '@torchts/core';

export type Reduction = 'none' | 'mean' | 'sum';

/** PyTorch's C++ size formatting: `[2, 3]`. */
export function sizes(t: Tensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** Python's `torch.Size([2, 3])`, used by losses whose checks live in torch/nn/functional.py. */
export function pySize(t: Tensor): string {
  return `torch.Size([${t.shape.join(', ')}])`;
}

export function checkReduction(reduction: string, allowed: readonly string[] = ['none', 'mean', 'sum']): void {
  if (!allowed.includes(reduction)) throw new ValueError(`${reduction} is not a valid value for reduction`);
}

/** Applies 'none' | 'mean' | 'sum' to an elementwise loss (the input tensor is consumed by the caller's tidy). */
export function applyReduction(loss: Tensor, reduction: string): Tensor {
  checkReduction(reduction);
  if (reduction === 'none') return loss;
  return reduction === 'mean' ? loss.mean() : loss.sum();
}

export function requireFloat(op: string, t: Tensor, what = 'input'): void {
  if (!t.isFloatingPoint()) throw new RuntimeError(`${op}: expected a floating point ${what}, got ${t.dtype}`);
}

/** Targets (class indices) must be int64, as PyTorch's CPU kernels require. */
export function requireIndexTarget(t: Tensor): void {
  if (t.dtype !== 'int64' && t.dtype !== 'uint8') {
    throw new RuntimeError(`expected scalar type Long but found ${scalarName(t.dtype)}`);
  }
}

function scalarName(dtype: string): string {
  const names: Record<string, string> = {
    int32: 'Int', int16: 'Short', int8: 'Char', uint8: 'Byte', bool: 'Bool', float32: 'Float',
    float64: 'Double', float16: 'Half', bfloat16: 'BFloat16', int64: 'Long',
  };
  return names[dtype] ?? dtype;
}

/** Throws PyTorch's "Target k is out of bounds." for the first class index outside [0, n). */
export function checkTargetBounds(target: Tensor, n: number, valid: Tensor | null): void {
  if (target.numel() === 0) return;
  const values = tidy(() => target.reshape(-1).tolist() as number[]);
  const ok = valid ? tidy(() => valid.reshape(-1).tolist() as boolean[]) : null;
  for (let i = 0; i < values.length; i++) {
    if (ok && !ok[i]) continue;
    const v = values[i]!;
    if (v < 0 || v >= n) throw new IndexError(`Target ${v} is out of bounds.`);
  }
}
