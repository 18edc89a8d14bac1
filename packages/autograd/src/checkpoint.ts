/**
 * Activation checkpointing (PyTorch's `torch.utils.checkpoint.checkpoint`, reentrant variant):
 * forward runs `fn` without recording a graph and keeps only its inputs; backward runs `fn` again
 * with grad enabled (and the default generator's state from the first run, so random ops draw
 * the same values) and backpropagates through that recomputed graph. Memory of intermediates is
 * traded for a second forward.
 *
 * As in PyTorch's reentrant checkpoint, gradients reach tensors `fn` closes over (parameters)
 * through an inner `backward`, so they accumulate into `.grad`; `autograd.grad` and
 * `createGraph` are not supported through a checkpoint.
 */
import { RuntimeError, Tensor, defaultGenerator, tidy } from '@torchts/core';
import { Function, FunctionCtx } from './function.js';
import { backward } from './engine.js';
import { enableGrad } from './grad-mode.js';

export interface CheckpointOptions {
  /** Restore the default generator's state for the recomputation (default true). */
  preserveRngState?: boolean;
  /** Only the reentrant variant exists; `false` is rejected. */
  useReentrant?: boolean;
}

type Fn = (...args: never[]) => unknown;

class CheckpointFunction extends Function {
  static override forward(ctx: FunctionCtx, fn: Fn, preserveRngState: boolean, ...args: unknown[]): unknown {
    ctx.fn = fn;
    ctx.rngState = preserveRngState ? defaultGenerator.getState() : null;
    // Tensors are saved (version-checked); other arguments are kept as they are.
    ctx.tensorSlots = args.map((a) => a instanceof Tensor);
    ctx.others = args.map((a) => (a instanceof Tensor ? null : a));
    ctx.saveForBackward(...args.filter((a): a is Tensor => a instanceof Tensor));
    // Intermediates die here: nothing recorded them (grad is off) and the scope frees them.
    return tidy(() => (fn as (...a: unknown[]) => unknown)(...args));
  }

  static override backward(ctx: FunctionCtx, ...grads: Array<Tensor | null>): Array<Tensor | null> {
    const saved = ctx.savedTensors;
    const fn = ctx.fn as (...a: unknown[]) => unknown;
    const slots = ctx.tensorSlots as boolean[];
    const others = ctx.others as unknown[];
    return tidy(() => {
      // Fresh leaves over the saved inputs: the recomputed graph ends at them.
      let k = 0;
      // One slot per argument: the leaf whose gradient is returned, or null.
      const leaves: Array<Tensor | null> = [];
      const args = slots.map((isTensor, i) => {
        if (!isTensor) {
          leaves.push(null);
          return others[i];
        }
        const t = saved[k++]!;
        const leaf = t.detach().requiresGrad_(t.requiresGrad);
        leaves.push(t.requiresGrad ? leaf : null);
        return leaf;
      });
      const state = ctx.rngState as Uint8Array | null;
      const current = state ? defaultGenerator.getState() : null;
      if (state) defaultGenerator.setState(state);
      let result: unknown;
      try {
        result = enableGrad(() => fn(...args));
      } finally {
        if (current) defaultGenerator.setState(current);
      }
      const outs = (Array.isArray(result) ? result : [result]) as unknown[];
      const roots: Tensor[] = [];
      const rootGrads: Tensor[] = [];
      outs.forEach((o, i) => {
        if (o instanceof Tensor && o.requiresGrad && grads[i]) {
          roots.push(o);
          rootGrads.push(grads[i]!);
        }
      });
      if (roots.length === 0) {
        throw new RuntimeError('none of output has requires_grad=True, this checkpoint() is not necessary');
      }
      backward(roots, rootGrads);
      const inputGrads = leaves.map((leaf) => {
        if (!leaf) return null;
        const g = leaf.grad;
        leaf.grad = null;
        return g;
      });
      return [null, null, ...inputGrads];
    });
  }
}

let warnedNoGrad = false;

function isOptions(x: unknown): x is CheckpointOptions {
  if (x === null || typeof x !== 'object' || Array.isArray(x) || x instanceof Tensor) return false;
  const keys = Object.keys(x);
  return keys.length > 0 && keys.every((k) => k === 'preserveRngState' || k === 'useReentrant');
}

/**
 * `checkpoint(fn, ...args)`: `fn(...args)` without keeping its intermediates for backward. A
 * trailing `{ preserveRngState, useReentrant }` object is taken as options.
 */
export function checkpoint<R>(fn: (...args: never[]) => R, ...args: unknown[]): R {
  let opts: CheckpointOptions = {};
  if (args.length > 0 && isOptions(args[args.length - 1])) opts = args.pop() as CheckpointOptions;
  if (opts.useReentrant === false) {
    throw new RuntimeError('checkpoint: only the reentrant variant is implemented (useReentrant: true)');
  }
  if (typeof fn !== 'function') throw new TypeError(`checkpoint(): argument 'function' must be callable, not ${typeof fn}`);
  if (!warnedNoGrad && !args.some((a) => a instanceof Tensor && a.requiresGrad)) {
    warnedNoGrad = true;
    console.warn('None of the inputs have requires_grad=True. Gradients will be None');
  }
  return CheckpointFunction.apply(fn, opts.preserveRngState ?? true, ...args) as R;
}
