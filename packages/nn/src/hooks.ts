/**
 * Module hooks: removable handles and PyTorch's full backward hooks. A full backward hook sees the
 * gradients w.r.t. the module's tensor inputs (gradInput) and outputs (gradOutput). As in PyTorch's
 * BackwardHook, an identity autograd Function wraps the outputs (its backward records gradOutput)
 * and another wraps the inputs (its backward receives gradInput, calls the hooks, and may replace it).
 */
import { RuntimeError, Tensor, keep } from '@torchts/core';
import { Function, isGradEnabled, noGrad } from '@torchts/autograd';
import type { FunctionCtx } from '@torchts/autograd';

let nextHandleId = 0;

/** Removes a hook from the map it was registered in (`handle.remove()`). */
export class RemovableHandle {
  readonly id = nextHandleId++;
  private readonly maps: Array<Map<number, unknown>>;
  constructor(...maps: Array<Map<number, unknown>>) {
    this.maps = maps;
  }
  remove(): void {
    for (const m of this.maps) m.delete(this.id);
  }
}

export type ModuleT = object;
export type BackwardHookFn<M> = (module: M, gradInput: Array<Tensor | null>, gradOutput: Array<Tensor | null>) => Array<Tensor | null> | void | undefined | null;

/** Identity whose backward hands the incoming gradients to `ctx.onGrads` (which may replace them). */
class BackwardHookFunction extends Function {
  static override forward(ctx: FunctionCtx, onGrads: (g: Array<Tensor | null>) => Array<Tensor | null> | void, ...xs: Tensor[]): Tensor[] {
    ctx.onGrads = onGrads;
    return xs;
  }
  static override backward(ctx: FunctionCtx, ...grads: Array<Tensor | null>): Array<Tensor | null> {
    const replaced = (ctx.onGrads as (g: Array<Tensor | null>) => Array<Tensor | null> | void)(grads);
    return [null, ...(replaced ?? grads)];
  }
}

/** Wraps the tensors of `values` that require grad; returns the values with those replaced. */
function wrap(values: unknown[], onGrads: (g: Array<Tensor | null>) => Array<Tensor | null> | void): { values: unknown[]; positions: number[] } {
  const positions = values.flatMap((v, i) => (v instanceof Tensor && v.requiresGrad ? [i] : []));
  if (positions.length === 0 || !isGradEnabled()) return { values, positions: [] };
  const wrapped = BackwardHookFunction.apply(onGrads, ...positions.map((i) => values[i] as Tensor)) as Tensor[];
  const out = [...values];
  positions.forEach((p, k) => (out[p] = wrapped[k]));
  return { values: out, positions };
}

/** One forward call's backward-hook bookkeeping. */
export class BackwardHookState<M> {
  private gradOutput: Array<Tensor | null> | null = null;
  private nInputs = 0;
  private inputPositions: number[] = [];
  constructor(
    private readonly module: M,
    private readonly hooks: () => Iterable<BackwardHookFn<M>>,
  ) {}

  setupInputs(args: unknown[]): unknown[] {
    this.nInputs = args.length;
    const { values, positions } = wrap(args, (grads) => {
      const gradInput: Array<Tensor | null> = Array.from({ length: this.nInputs }, () => null);
      positions.forEach((p, k) => (gradInput[p] = grads[k]));
      const result = this.runHooks(gradInput);
      return positions.map((p) => result[p]);
    });
    this.inputPositions = positions;
    return values;
  }

  setupOutputs(output: unknown): unknown {
    const isArray = Array.isArray(output);
    const outs = isArray ? (output as unknown[]) : [output];
    const { values, positions } = wrap(outs, (grads) => {
      // The engine frees these buffers once this node is done: keep copies until the hooks ran.
      this.gradOutput = Array.from({ length: outs.length }, () => null);
      positions.forEach((p, k) => (this.gradOutput![p] = grads[k] ? keep(noGrad(() => grads[k]!.clone())) : null));
      // No input needs a gradient: PyTorch calls the hooks here with gradInput of Nones.
      if (this.inputPositions.length === 0) this.runHooks(Array.from({ length: this.nInputs }, () => null));
    });
    return isArray ? values : values[0];
  }

  private runHooks(gradInput: Array<Tensor | null>): Array<Tensor | null> {
    let current = gradInput;
    for (const h of this.hooks()) {
      const r = h(this.module, current, this.gradOutput ?? []);
      if (r !== undefined && r !== null) {
        if (r.length !== current.length) throw new RuntimeError(`Backward hook returned an invalid number of grad_input, got ${r.length}, but expected ${current.length}`);
        current = r;
      }
    }
    for (const g of this.gradOutput ?? []) g?.dispose();
    this.gradOutput = null;
    return current;
  }
}
