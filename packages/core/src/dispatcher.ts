/**
 * The op registry and dispatcher (a small subset of PyTorch's).
 *
 * An op is defined once, in core: its name and its `impl` (argument parsing, shape and dtype
 * rules, output allocation), which runs the device's kernel via `kernel(device)`. Backends only
 * register kernels, per op (`registerKernel`) or per op family (`registerFamily`: one factory
 * builds the kernels of, say, every unary elementwise op from the op's scalar definition).
 *
 * Layers (Profiler/Trace, Autocast, Autograd) sit above the backend, highest priority first.
 * A call runs the first active, non-excluded layer; the layer calls `next` to fall through, and
 * while it does, that layer is excluded (how `noGrad`-like "below autograd" works). With no
 * layer registered a call is a direct function call: no allocation beyond the outputs.
 */
import { deviceType, getBackend } from './device.js';
import { NotImplementedError, RuntimeError } from './errors.js';
import { Storage } from './storage.js';

/** Marker interface for tensors as seen by the dispatcher (avoids an import cycle). */
export interface DispatchTensor {
  readonly device: string;
  readonly requiresGrad: boolean;
  _storage: Storage;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Kernel = (...args: any[]) => any;

export interface OpInfo {
  /** Kernel family, for backends that build kernels per family (e.g. 'unary', 'binary'). */
  family?: string;
  /** Indices of kernel arguments the kernel writes (copied back by the CPU fallback). Default [0]. */
  writes?: readonly number[];
  /** The op returns a view of its input (autograd tracks bases of views). */
  view?: boolean;
  /** The op writes into its first argument. */
  inplace?: boolean;
  /** Free-form data for kernel factories (scalar functions, identities...). */
  [key: string]: unknown;
}

export class Op<F extends (...args: never[]) => unknown = Kernel> {
  readonly kernels = new Map<string, Kernel>();
  /** The entry point: layers, then `impl`. */
  readonly call: F;

  constructor(
    readonly name: string,
    /** Backend-level implementation (below every layer). */
    readonly impl: F,
    readonly info: OpInfo = {},
  ) {
    const self = this;
    // `apply(undefined, arguments)` is optimised by V8 (no arguments object, no rest array).
    this.call = function dispatched() {
      // eslint-disable-next-line prefer-rest-params
      if (layers.length === 0) return (impl as Kernel).apply(undefined, arguments as unknown as unknown[]);
      // eslint-disable-next-line prefer-rest-params
      return runLayers(self as unknown as Op, Array.prototype.slice.call(arguments), 0);
    } as unknown as F;
  }

  /** The kernel for a device: registered, built from the family, or the CPU one via fallback. */
  kernel(device: string): Kernel {
    const k = this.kernels.get(device);
    if (k) return k;
    return resolveKernel(this as unknown as Op, device);
  }
}

const ops = new Map<string, Op>();
const families = new Map<string, Map<string, (op: Op) => Kernel>>();

export function defineOp<F extends (...args: never[]) => unknown>(name: string, impl: F, info: OpInfo = {}): Op<F> {
  if (ops.has(name)) throw new Error(`op '${name}' is defined twice`);
  const op = new Op(name, impl, info);
  ops.set(name, op as unknown as Op);
  return op;
}

export function getOp(name: string): Op {
  const op = ops.get(name);
  if (!op) throw new RuntimeError(`unknown op '${name}'`);
  return op;
}

export function allOps(): Op[] {
  return [...ops.values()];
}

export function registerKernel(opName: string, device: string, kernel: Kernel): void {
  getOp(opName).kernels.set(device, kernel);
}

/** Registers a factory that builds the kernel of every op of `family` on `device`. */
export function registerFamily(device: string, family: string, factory: (op: Op) => Kernel): void {
  let m = families.get(device);
  if (!m) families.set(device, (m = new Map()));
  m.set(family, factory);
  for (const op of ops.values()) if (op.info.family === family) op.kernels.delete(device);
}

const warnedFallback = new Set<string>();

function resolveKernel(op: Op, device: string): Kernel {
  const type = deviceType(device);
  const family = op.info.family ? families.get(type)?.get(op.info.family) : undefined;
  if (family) {
    const k = family(op);
    op.kernels.set(device, k);
    return k;
  }
  if (type !== device) {
    const k = op.kernels.get(type);
    if (k) return k;
  }
  if (type === 'cpu') {
    throw new NotImplementedError(`Could not run '${op.name}' with arguments from the 'cpu' backend: no kernel is registered for it`);
  }
  const cpu = op.kernel('cpu');
  const k = cpuFallback(op, device, cpu);
  op.kernels.set(device, k);
  return k;
}

/**
 * Runs the CPU kernel for a device that has none: copies tensor arguments to the CPU, runs,
 * copies written arguments back and moves returned tensors to the device. Warns once per op.
 */
function cpuFallback(op: Op, device: string, cpuKernel: Kernel): Kernel {
  return (...args: unknown[]) => {
    if (!warnedFallback.has(`${op.name}@${device}`)) {
      warnedFallback.add(`${op.name}@${device}`);
      console.warn(`torchts: '${op.name}' has no kernel for device '${device}'; falling back to the CPU (copying inputs and outputs)`);
    }
    const writes = op.info.writes ?? [0];
    const moved = args.map((a) => mapTensors(a, (t) => hooks.toDevice(t, 'cpu')));
    const result = cpuKernel(...moved);
    for (const i of writes) {
      zipTensors(args[i], moved[i], (orig, copy) => hooks.copyInto(orig, copy));
    }
    return mapTensors(result, (t) => hooks.toDevice(t, device));
  };
}

function mapTensors(v: unknown, f: (t: DispatchTensor) => unknown): unknown {
  if (isTensor(v)) return f(v);
  if (Array.isArray(v)) return v.map((x) => mapTensors(x, f));
  return v;
}

function zipTensors(a: unknown, b: unknown, f: (x: DispatchTensor, y: DispatchTensor) => void): void {
  if (isTensor(a) && isTensor(b)) f(a, b);
  else if (Array.isArray(a) && Array.isArray(b)) a.forEach((x, i) => zipTensors(x, b[i], f));
}

function isTensor(v: unknown): v is DispatchTensor {
  return typeof v === 'object' && v !== null && '_storage' in v && (v as DispatchTensor)._storage instanceof Storage;
}

/** Filled in by tensor.ts: byte-exact device moves used by the CPU fallback. */
export const hooks = {
  toDevice: (_t: DispatchTensor, _device: string): DispatchTensor => {
    throw new Error('tensor hooks not installed');
  },
  copyInto: (_dst: DispatchTensor, _src: DispatchTensor): void => {
    throw new Error('tensor hooks not installed');
  },
};

// ---- layers --------------------------------------------------------------------------------

export interface Layer {
  readonly name: string;
  /** Higher runs first: Profiler 300, Autocast 200, Autograd 100. */
  readonly priority: number;
  /** Whether this call needs the layer (e.g. autograd: grad mode on and an input requires grad). */
  active(op: Op, args: readonly unknown[]): boolean;
  handle(op: Op, args: unknown[], next: (args: unknown[]) => unknown): unknown;
}

const layers: Layer[] = [];
const excluded = new Set<Layer>();

export function registerLayer(layer: Layer): () => void {
  layers.push(layer);
  layers.sort((a, b) => b.priority - a.priority);
  return () => {
    const i = layers.indexOf(layer);
    if (i >= 0) layers.splice(i, 1);
  };
}

function runLayers(op: Op, args: unknown[], from: number): unknown {
  for (let i = from; i < layers.length; i++) {
    const layer = layers[i]!;
    if (excluded.has(layer) || !layer.active(op, args)) continue;
    return layer.handle(op, args, (nextArgs) => {
      if (excluded.has(layer)) return runLayers(op, nextArgs, i + 1);
      excluded.add(layer);
      try {
        return runLayers(op, nextArgs, i + 1);
      } finally {
        excluded.delete(layer);
      }
    });
  }
  return op.impl(...(args as never[]));
}

/** Runs `fn` with a layer excluded (its ops fall through it), restoring the previous state. */
export function withLayerExcluded<T>(name: string, fn: () => T): T {
  const layer = layers.find((l) => l.name === name);
  if (!layer || excluded.has(layer)) return fn();
  excluded.add(layer);
  try {
    return fn();
  } finally {
    excluded.delete(layer);
  }
}

/** Whether any argument (or element of an array argument) is a tensor that requires grad. */
export function anyRequiresGrad(args: readonly unknown[]): boolean {
  for (const a of args) {
    if (isTensor(a)) {
      if (a.requiresGrad) return true;
    } else if (Array.isArray(a)) {
      for (const x of a) if (isTensor(x) && x.requiresGrad) return true;
    }
  }
  return false;
}

export function backendOf(device: string) {
  return getBackend(device);
}
