/** Shape arithmetic shared by every op: numel, strides, broadcasting, dim wrapping. */
import { IndexError, RuntimeError } from './errors.js';

export type Shape = readonly number[];

export function numelOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= Math.max(shape[i]!, 1);
  }
  return strides;
}

export function isContiguousLayout(shape: Shape, strides: Shape): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const size = shape[i]!;
    if (size === 0) return true;
    if (size !== 1 && strides[i] !== expected) return false;
    expected *= size;
  }
  return true;
}

export function shapeEqual(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `[2, 3]` — how PyTorch prints a torch.Size inside messages. */
export function fmtShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function broadcastShapes(a: Shape, b: Shape): number[] {
  if (shapeEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)]!;
    const db = i < n - b.length ? 1 : b[i - (n - b.length)]!;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else {
      throw new RuntimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
    }
  }
  return out;
}

export function broadcastAll(shapes: readonly Shape[]): number[] {
  let out: number[] = shapes[0] ? [...shapes[0]] : [];
  for (let i = 1; i < shapes.length; i++) out = broadcastShapes(out, shapes[i]!);
  return out;
}

/** Wraps a possibly negative dim into [0, ndim), with PyTorch's IndexError text. */
export function wrapDim(dim: number, ndim: number, scalarOk = true): number {
  const n = ndim === 0 && scalarOk ? 1 : ndim;
  if (!Number.isInteger(dim)) throw new TypeError(`dim must be an integer, got ${dim}`);
  if (dim < -n || dim >= n) {
    if (n === 0) throw new IndexError(`Dimension specified as ${dim} but tensor has no dimensions`);
    throw new IndexError(
      `Dimension out of range (expected to be in range of [${-n}, ${n - 1}], but got ${dim})`,
    );
  }
  return dim < 0 ? dim + n : dim;
}

/** Wraps a list of dims, rejecting repeats as PyTorch does. */
export function wrapDims(dims: readonly number[], ndim: number): number[] {
  const seen = new Set<number>();
  return dims.map((d) => {
    const w = wrapDim(d, ndim);
    if (seen.has(w)) throw new RuntimeError(`dim ${w} appears multiple times in the list of dims`);
    seen.add(w);
    return w;
  });
}

/** Accepts `f(2, 3)`, `f([2, 3])` and validates sizes. */
export function parseSize(args: readonly unknown[]): number[] {
  const raw = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  return raw.map((s, i) => {
    if (typeof s !== 'number' || !Number.isInteger(s)) {
      throw new TypeError(`size must be a list of integers, but element ${i} is ${String(s)}`);
    }
    if (s < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${s}: ${fmtShape(raw as number[])}`);
    return s;
  });
}

/** Resolves one -1 in a view/reshape shape. */
export function inferSize(shape: readonly number[], numel: number): number[] {
  let infer = -1;
  let known = 1;
  for (let i = 0; i < shape.length; i++) {
    const s = shape[i]!;
    if (s === -1) {
      if (infer >= 0) throw new RuntimeError('only one dimension can be inferred');
      infer = i;
    } else if (s < 0 || !Number.isInteger(s)) {
      throw new RuntimeError(`invalid shape dimension ${s}`);
    } else known *= s;
  }
  const out = [...shape];
  if (infer >= 0) {
    if (known === 0 || numel % known !== 0) {
      throw new RuntimeError(`shape '${fmtShape(shape)}' is invalid for input of size ${numel}`);
    }
    out[infer] = numel / known;
  } else if (known !== numel) {
    throw new RuntimeError(`shape '${fmtShape(shape)}' is invalid for input of size ${numel}`);
  }
  return out;
}
