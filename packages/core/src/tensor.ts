/**
 * Tensor = storage + sizes + strides + storageOffset + dtype (+ the storage's device).
 * Ops add their methods to this class from their own files (see ops/), so each op is written
 * once: definition, functional form and method together.
 */
import type { DType } from './dtype.js';
import { isFloatingPoint } from './dtype.js';
import { RuntimeError } from './errors.js';
import { getElement } from './dtypeio.js';
import { DISPOSED_STORAGE, Storage } from './storage.js';
import { contiguousStrides, isContiguousLayout, numelOf, wrapDim } from './shape.js';
import type { Shape } from './shape.js';
import { getBackend } from './device.js';
import { hooks } from './dispatcher.js';
import { onTensorCreated, onTensorDisposed } from './memory.js';

export type Scalar = number | boolean;

/** What core knows of autograd nodes: they count the tensors holding them. */
interface Counted {
  ref?(): void;
  unref?(): void;
}
export type TensorOrScalar = Tensor | Scalar;

export class Tensor {
  _storage: Storage;
  _shape: number[];
  _strides: number[];
  /** In elements. */
  _offset: number;
  _dtype: DType;
  _requiresGrad = false;
  /** Accumulated gradient (autograd). */
  grad: Tensor | null = null;
  /** The autograd node that created this tensor (see `gradFn`). */
  _gradFn: unknown = null;
  /** A weak grad_fn does not keep its node alive (autograd's saved outputs: avoids a cycle). */
  _gradFnWeak = false;
  /** Which output of `gradFn` this tensor is. */
  _outputNr = 0;
  /** For views: the tensor whose storage this one views (PyTorch's `._base`). */
  _base: Tensor | null = null;
  /** Free slot for layers (autograd metadata, retain_grad, hooks). */
  _meta: Record<string, unknown> | null = null;

  constructor(storage: Storage, shape: number[], strides: number[], offset: number, dtype: DType) {
    storage.incref();
    this._storage = storage;
    this._shape = shape;
    this._strides = strides;
    this._offset = offset;
    this._dtype = dtype;
    onTensorCreated(this);
  }

  get shape(): readonly number[] {
    return this._shape;
  }
  get dtype(): DType {
    return this._dtype;
  }
  get device(): string {
    return this._storage.backend.device;
  }
  get ndim(): number {
    return this._shape.length;
  }
  dim(): number {
    return this._shape.length;
  }
  numel(): number {
    return numelOf(this._shape);
  }
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this._shape];
    return this._shape[wrapDim(dim, this._shape.length, false)]!;
  }
  stride(): number[];
  stride(dim: number): number;
  stride(dim?: number): number[] | number {
    if (dim === undefined) return [...this._strides];
    return this._strides[wrapDim(dim, this._shape.length, false)]!;
  }
  storageOffset(): number {
    return this._offset;
  }
  elementSize(): number {
    return this._storage === DISPOSED_STORAGE ? 0 : bytesOf(this._dtype);
  }
  isContiguous(): boolean {
    return isContiguousLayout(this._shape, this._strides);
  }
  isFloatingPoint(): boolean {
    return isFloatingPoint(this._dtype);
  }
  /** Storage version counter, bumped by in-place ops (PyTorch's `._version`). */
  get _version(): number {
    return this._storage.version;
  }
  _bumpVersion(): void {
    this._storage.version++;
  }
  get isLeaf(): boolean {
    return this._gradFn === null;
  }
  /**
   * The autograd node that created this tensor; null for leaves. Nodes are reference-counted by
   * the tensors they produced (and by the nodes that lead to them), so a graph nobody can reach
   * any more frees its saved tensors at once, as PyTorch's refcounting does.
   */
  get gradFn(): unknown {
    return this._gradFn;
  }
  set gradFn(node: unknown) {
    (node as Counted | null)?.ref?.();
    const old = this._gradFn as Counted | null;
    const weak = this._gradFnWeak;
    this._gradFn = node;
    this._gradFnWeak = false;
    if (old && !weak) old.unref?.();
  }
  /** Sets a grad_fn without holding a reference on it. */
  _setWeakGradFn(node: unknown): void {
    const old = this._gradFn as Counted | null;
    const weak = this._gradFnWeak;
    this._gradFn = node;
    this._gradFnWeak = true;
    if (old && !weak) old.unref?.();
  }
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }
  set requiresGrad(value: boolean) {
    if (value && !isFloatingPoint(this._dtype)) {
      throw new RuntimeError('only Tensors of floating point and complex dtype can require gradients');
    }
    if (!value && this.gradFn !== null) {
      throw new RuntimeError(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
      );
    }
    this._requiresGrad = value;
  }
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  // ---- memory ------------------------------------------------------------------------------

  get isDisposed(): boolean {
    return this._storage === DISPOSED_STORAGE;
  }
  /** Releases this tensor's storage reference now. Views keep the storage alive. Idempotent. */
  dispose(): void {
    if (this._storage === DISPOSED_STORAGE) return;
    const s = this._storage;
    this._storage = DISPOSED_STORAGE;
    this._base = null;
    if (this._gradFn) this.gradFn = null; // may free a graph nobody else reaches
    onTensorDisposed();
    s.decref();
    if (this.grad) {
      this.grad.dispose();
      this.grad = null;
    }
  }
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- element access ----------------------------------------------------------------------

  /** The value of a one-element tensor (a boolean for bool tensors). */
  item<T extends number | boolean = number>(): T {
    const n = this.numel();
    if (n !== 1) throw new RuntimeError(`a Tensor with ${n} elements cannot be converted to Scalar`);
    const t = hostTensor(this);
    const v = getElement(t._storage.host(t._dtype), t._dtype, t._offset);
    t !== this && t.dispose();
    return (this._dtype === 'bool' ? v !== 0 : v) as T;
  }

  /** Nested JS arrays (a scalar for 0-d tensors); bool tensors give booleans. */
  tolist(): unknown {
    const t = hostTensor(this);
    const host = t._storage.host(t._dtype);
    const isBool = t._dtype === 'bool';
    const rec = (d: number, off: number): unknown => {
      if (d === t._shape.length) {
        const v = getElement(host, t._dtype, off);
        return isBool ? v !== 0 : v;
      }
      const out = new Array(t._shape[d]);
      for (let i = 0; i < t._shape[d]!; i++) out[i] = rec(d + 1, off + i * t._strides[d]!);
      return out;
    };
    const r = rec(0, t._offset);
    t !== this && t.dispose();
    return r;
  }
}

function bytesOf(dtype: DType): number {
  return dtype === 'float64' || dtype === 'int64' ? 8 : dtype === 'float32' || dtype === 'int32' ? 4
    : dtype === 'int16' || dtype === 'float16' || dtype === 'bfloat16' ? 2 : 1;
}

/** A fresh, uninitialised contiguous tensor. */
export function emptyTensor(shape: Shape, dtype: DType, device = 'cpu'): Tensor {
  const numel = numelOf(shape);
  const storage = getBackend(device).allocate(numel * bytesOf(dtype));
  return new Tensor(storage, shape as number[], contiguousStrides(shape), 0, dtype);
}

/** A new tensor object over the same storage (a view); records the base for autograd. */
export function makeView(base: Tensor, shape: number[], strides: number[], offset: number, dtype: DType = base._dtype): Tensor {
  const v = new Tensor(base._storage, shape, strides, offset, dtype);
  v._base = base._base ?? base;
  return v;
}

export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/**
 * This tensor with host-addressable memory: itself on the CPU, else a byte-exact copy of its
 * storage on the CPU (same strides and offset). Dispose the copy when it is not `t`.
 */
export function hostTensor(t: Tensor): Tensor {
  if (t._storage.buffer) return t;
  return hooks.toDevice(t, 'cpu') as Tensor;
}

// Byte-exact moves between devices (used by the CPU fallback and by `to(device)`).
hooks.toDevice = (src, device) => {
  const t = src as Tensor;
  const from = t._storage;
  const bytes = from.backend.readBytes(from, 0, from.nbytes);
  const storage = getBackend(device).allocate(from.nbytes);
  storage.backend.writeBytes(storage, 0, bytes);
  return new Tensor(storage, [...t._shape], [...t._strides], t._offset, t._dtype);
};
hooks.copyInto = (dst, src) => {
  const d = dst as Tensor;
  const s = src as Tensor;
  const bytes = s._storage.backend.readBytes(s._storage, 0, s._storage.nbytes);
  d._storage.backend.writeBytes(d._storage, 0, bytes);
};

// ---- the autograd API surface ------------------------------------------------------------
// Declared here so every package sees one Tensor type; @torchts/autograd installs the methods.

export interface RemovableHandle {
  readonly id: number;
  remove(): void;
}

export interface BackwardOptions {
  retainGraph?: boolean;
  createGraph?: boolean;
  /** Accumulate only into these tensors' `.grad`. */
  inputs?: Tensor | Tensor[];
}

export interface Tensor {
  /** Computes gradients of this tensor w.r.t. graph leaves (PyTorch's `tensor.backward`). */
  backward(gradient?: Tensor | null, opts?: BackwardOptions): void;
  /** Keeps `.grad` for this non-leaf tensor. */
  retainGrad(): void;
  readonly retainsGrad: boolean;
  /** Runs `hook(grad)` when this tensor's gradient is computed; it may return a replacement. */
  registerHook(hook: (grad: Tensor) => Tensor | void | undefined): RemovableHandle;
  /** Leaves only: runs after the gradient was accumulated into `.grad`. */
  registerPostAccumulateGradHook(hook: (tensor: Tensor) => void): RemovableHandle;
  /** Detaches this tensor from the graph in place (makes it a leaf). */
  detach_(): this;
}

for (const name of ['backward', 'retainGrad', 'registerHook', 'registerPostAccumulateGradHook', 'detach_']) {
  (Tensor.prototype as unknown as Record<string, unknown>)[name] = function () {
    throw new RuntimeError(`Tensor.${name}() needs autograd: import 'torchts' (or '@torchts/autograd')`);
  };
}
