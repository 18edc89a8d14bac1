/**
 * Custom differentiable functions (PyTorch's `torch.autograd.Function`):
 *
 *   class Exp extends Function {
 *     static forward(ctx: FunctionCtx, x: Tensor) { const y = x.exp(); ctx.saveForBackward(y); return y; }
 *     static backward(ctx: FunctionCtx, g: Tensor) { const [y] = ctx.savedTensors; return g.mul(y!); }
 *   }
 *   const y = Exp.apply(x);
 *
 * `forward` runs with grad recording off; when grad mode is on and a tensor argument requires
 * grad, the outputs get an `ExpBackward` node whose `apply` calls `backward`. `backward` runs in
 * the engine's grad mode, so a backward written with differentiable ops supports double backward
 * (`createGraph`).
 */
import { NotImplementedError, RuntimeError, Tensor, isFloatingPoint, untracked, zeros } from '@torchts/core';
import { isGradEnabled, noGrad } from './grad-mode.js';
import { Node } from './node.js';
import type { OutputInfo } from './node.js';
import { gradEdge, liveBase } from './layer.js';
import { FREED_MESSAGE, SavedTensor } from './saved.js';
import { anomalyEnabled } from './anomaly.js';
import { rebaseHistory } from './copy-slices.js';
import { sumToShape } from './derivatives/util.js';
import { innermostLevel, perSample } from './func/batched.js';

/** The `ctx` given to forward and backward; arbitrary properties may be set on it (`ctx.k = 3`). */
export class FunctionCtx {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [key: string]: any;
  /** Whether each forward argument is a tensor that needs a gradient. */
  needsInputGrad: boolean[] = [];
  /** @internal */ _toSave: Array<Tensor | null> = [];
  /** @internal */ _saved: Array<SavedTensor | null> | null = null;
  /** @internal */ _released = false;
  /** @internal */ _dirty = new Set<Tensor>();
  /** @internal */ _nonDifferentiable = new Set<Tensor>();
  /** @internal */ _materializeGrads = true;
  /** @internal Saved tensors handed out during the current backward. */
  _unpacked: Tensor[] = [];

  /** Saves tensors for backward (inputs, outputs or intermediates); read back with `savedTensors`. */
  saveForBackward(...tensors: Array<Tensor | null | undefined>): void {
    tensors.forEach((t, i) => {
      if (t !== null && t !== undefined && !(t instanceof Tensor)) {
        throw new TypeError(`save_for_backward can only save variables, but argument ${i} is of type ${typeof t}`);
      }
    });
    this._toSave = tensors.map((t) => t ?? null);
  }

  /** The saved tensors, checked against in-place modification since they were saved. */
  get savedTensors(): Array<Tensor | null> {
    if (this._released) throw new RuntimeError(FREED_MESSAGE);
    if (this._saved) {
      const list = this._saved.map((s) => (s ? s.unpack() : null));
      for (const t of list) if (t) this._unpacked.push(t);
      return list;
    }
    return [...this._toSave];
  }

  /** Declares inputs that forward modified in place (they must be returned as outputs). */
  markDirty(...tensors: Tensor[]): void {
    this._dirty = new Set(tensors);
  }

  /** Declares outputs that are not differentiable (their gradients are zeros or null in backward). */
  markNonDifferentiable(...tensors: Tensor[]): void {
    for (const t of tensors) this._nonDifferentiable.add(t);
  }

  /** Whether missing output gradients reach backward as zeros (default) or as null. */
  setMaterializeGrads(value: boolean): void {
    this._materializeGrads = value;
  }
}

type FunctionClass = {
  name: string;
  forward(ctx: FunctionCtx, ...args: never[]): unknown;
  backward(ctx: FunctionCtx, ...grads: never[]): unknown;
};

/** The graph node of one `apply`: calls the class's backward. */
export class FunctionNode extends Node {
  /** Per forward argument: shape/dtype of tensor arguments (null for other arguments). */
  inputs: Array<OutputInfo | null> = [];
  /** Per forward output: whether it is a tensor (non-tensor outputs get a null gradient). */
  tensorOutputs: boolean[] = [];

  constructor(name: string, readonly fn: FunctionClass, readonly ctx: FunctionCtx) {
    super(name);
  }

  apply(grads: Array<Tensor | null>): Array<Tensor | null> {
    // As in PyTorch, a second backward fails only if backward reads the freed saved tensors.
    const ctx = this.ctx;
    const made: Tensor[] = [];
    const filled = this.tensorOutputs.map((isTensor, i) => {
      const g = grads[i] ?? null;
      if (g || !isTensor || !ctx._materializeGrads) return g;
      const o = this.outputs[i]!;
      const z = untracked(() => zeros([...o.shape], { dtype: o.dtype, device: o.device }));
      made.push(z);
      return z;
    });
    ctx._unpacked = [];
    const raw = (this.fn.backward as (ctx: FunctionCtx, ...g: Array<Tensor | null>) => unknown)(ctx, ...filled);
    let list = (Array.isArray(raw) ? [...raw] : [raw]) as unknown[];
    const expected = this.inputs.length;
    // Extra trailing gradients are accepted when they are all null, as in PyTorch.
    if (list.length > expected && list.slice(expected).every((g) => g === null || g === undefined)) list = list.slice(0, expected);
    if (list.length !== expected) {
      throw new RuntimeError(`function ${this.name} returned an incorrect number of gradients (expected ${expected}, got ${list.length})`);
    }
    const out = list.map((g, i) => this.validate(g, i, grads));
    for (const z of made) if (!out.includes(z)) z.dispose();
    return out;
  }

  /** Checks one returned gradient against its input: shape (summing a broadcast one) and dtype. */
  private validate(g: unknown, i: number, incoming: Array<Tensor | null>): Tensor | null {
    if (g === null || g === undefined) return null;
    const meta = this.inputs[i];
    if (!meta) {
      throw new RuntimeError(`function ${this.name} returned a gradient different than None at position ${i + 1}, but the corresponding forward input was not a Variable`);
    }
    if (!(g instanceof Tensor)) throw new TypeError(`function ${this.name} returned a gradient of type ${typeof g} at position ${i + 1}; expected a Tensor or null`);
    let r = g;
    if (r.shape.join() !== meta.shape.join()) {
      if (!expandableTo(meta.shape, r.shape)) {
        throw new RuntimeError(`Function ${this.name} returned an invalid gradient at index ${i} - got [${r.shape.join(', ')}] but expected shape compatible with [${meta.shape.join(', ')}]`);
      }
      r = sumToShape(r, meta.shape);
    }
    if (r.dtype !== meta.dtype) {
      const cast = r.to(meta.dtype);
      if (r !== g) r.dispose();
      r = cast;
    }
    if (r !== g && !incoming.includes(g)) g.dispose();
    // A saved tensor handed back as a gradient: give the engine its own object to dispose.
    if (r === g && this.ctx._unpacked.includes(g)) r = aliasOf(g);
    return r;
  }

  override release(): void {
    const saved = this.ctx._saved;
    if (saved) for (const s of saved) s?.release();
    this.ctx._saved = null;
    this.ctx._released = true;
  }
}

/** Whether `shape` broadcasts to `target` (PyTorch's is_expandable_to). */
function expandableTo(shape: readonly number[], target: readonly number[]): boolean {
  if (shape.length > target.length) return false;
  const lead = target.length - shape.length;
  return shape.every((s, i) => s === 1 || s === target[lead + i]);
}

/** A new tensor object over the same data and history (a differentiable alias). */
function aliasOf(t: Tensor): Tensor {
  return t.requiresGrad ? t.viewAs(t) : noGrad(() => t.detach());
}

/** Base class of custom functions: subclass with static `forward` and `backward`, call `apply`. */
export class Function {
  /** Computes the outputs; runs with grad recording off. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static forward(_ctx: FunctionCtx, ..._args: any[]): any {
    throw new NotImplementedError('You must implement the forward function for custom autograd.Function.');
  }

  /** Maps output gradients to one gradient (or null) per forward argument. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  static backward(_ctx: FunctionCtx, ..._grads: any[]): any {
    throw new NotImplementedError('You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.');
  }

  /** Runs forward and records the node (when grad mode is on and an argument requires grad). */
  static apply<T extends typeof Function>(this: T, ...args: ForwardArgs<T>): ReturnType<T['forward']> {
    return applyFunction(this, args as unknown[]) as ReturnType<T['forward']>;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ForwardArgs<T extends typeof Function> = T['forward'] extends (ctx: any, ...args: infer A) => any ? A : never;

function applyFunction(cls: FunctionClass, args: unknown[]): unknown {
  // Under vmap: one call per sample (forward/backward are written for one sample).
  const level = innermostLevel(args);
  if (level) return perSample(level, args, (...slice) => applyFunction(cls, slice), `${cls.name}.apply`);
  const ctx = new FunctionCtx();
  const executable = isGradEnabled() && args.some((a) => a instanceof Tensor && a.requiresGrad);
  ctx.needsInputGrad = args.map((a) => executable && a instanceof Tensor && a.requiresGrad);
  // Edges before forward: an input modified in place keeps its old history as the edge.
  const edges = executable ? args.map((a) => (a instanceof Tensor ? gradEdge(a) : null)) : [];
  const raw = noGrad(() => (cls.forward as (ctx: FunctionCtx, ...a: unknown[]) => unknown)(ctx, ...args));
  if (!executable) return raw;

  const node = new FunctionNode(`${cls.name}Backward`, cls, ctx);
  node.forwardOp = anomalyEnabled() ? `${cls.name}\n${new Error().stack ?? ''}` : cls.name;
  node.nextEdges = edges;
  node.inputs = args.map((a) => (a instanceof Tensor ? { shape: [...a.shape], dtype: a.dtype, device: a.device } : null));

  const isTuple = Array.isArray(raw);
  const rawOutputs = (isTuple ? raw : [raw]) as unknown[];
  const inputs = new Set(args.filter((a): a is Tensor => a instanceof Tensor));
  const dirtyReturned = rawOutputs.filter((o) => o instanceof Tensor && ctx._dirty.has(o)).length;
  if (dirtyReturned !== ctx._dirty.size) {
    throw new RuntimeError('Some elements marked as dirty during the forward method were not returned as output. The inputs that are modified inplace must all be outputs of the Function.');
  }
  node.tensorOutputs = rawOutputs.map((o) => o instanceof Tensor);
  node.outputs = rawOutputs.map((o) =>
    o instanceof Tensor ? { shape: [...o.shape], dtype: o.dtype, device: o.device } : { shape: [], dtype: 'float32', device: 'cpu' },
  );

  const seen = new Set<Tensor>();
  const outputs = rawOutputs.map((o, i) => {
    if (!(o instanceof Tensor)) return o;
    const isInput = inputs.has(o);
    const dirty = ctx._dirty.has(o);
    const differentiable = !ctx._nonDifferentiable.has(o) && isFloatingPoint(o.dtype);
    // An unmodified input (or a tensor returned twice) comes back as a new alias, so the input
    // itself keeps its history.
    let out = o;
    if ((isInput && !dirty) || seen.has(o)) out = noGrad(() => o.detach());
    seen.add(o);
    if (!differentiable) {
      if (dirty && o.requiresGrad && o.gradFn === null) throw leafInPlace();
      out._requiresGrad = false;
      if (dirty) out.gradFn = null;
      return out;
    }
    if (dirty) {
      if (o.requiresGrad && o.gradFn === null) throw leafInPlace();
      if (liveBase(o)?.requiresGrad) return rebaseDirtyView(o, node, args, i, rawOutputs.length);
    }
    out.gradFn = node;
    out._requiresGrad = true;
    out._outputNr = i;
    return out;
  });

  const finalOutputs = new Set(outputs.filter((o): o is Tensor => o instanceof Tensor && o.gradFn === node));
  ctx._saved = ctx._toSave.map((t) => (t ? new SavedTensor(t, finalOutputs.has(t), node) : null));
  ctx._toSave = [];
  return isTuple ? outputs : outputs[0];
}

function leafInPlace(): RuntimeError {
  return new RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.');
}

/** A dirty output that is a view of a tensor requiring grad: route through CopySlices. */
function rebaseDirtyView(view: Tensor, node: FunctionNode, args: unknown[], outputIndex: number, nOutputs: number): Tensor {
  if (args[0] !== view || outputIndex !== 0 || nOutputs !== 1) {
    throw new NotImplementedError('custom Function: marking a view dirty is supported when it is the first argument and the only output');
  }
  const base = view._base!;
  rebaseHistory(view, base, node, gradEdge(base));
  return view;
}
