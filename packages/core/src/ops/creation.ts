/**
 * Creation from data and constant fills: tensor, fromTypedArray, empty/zeros/ones/full and their
 * `*Like` and `new*` forms. (Ranges, eye and random creation live in their own files.)
 */
import type { DType } from '../dtype.js';
import { getDefaultDtype, isDType, itemsize } from '../dtype.js';
import { defineOp } from '../dispatcher.js';
import { RuntimeError, ValueError } from '../errors.js';
import { encodeRange, hostArray } from '../dtypeio.js';
import { numelOf, parseSize } from '../shape.js';
import { Tensor, emptyTensor } from '../tensor.js';

export interface TensorOptions {
  dtype?: DType;
  device?: string;
  requiresGrad?: boolean;
}

export type NestedArray = number | boolean | bigint | readonly NestedArray[];
export type TypedArrayInput =
  | Float32Array | Float64Array | Int32Array | Int16Array | Int8Array | Uint8Array | Uint8ClampedArray | BigInt64Array | Uint16Array | Uint32Array;
export type TensorData = NestedArray | TypedArrayInput;

export function typedArrayDtype(a: TypedArrayInput): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Int8Array) return 'int8';
  if (a instanceof Uint8Array || a instanceof Uint8ClampedArray) return 'uint8';
  if (a instanceof BigInt64Array) return 'int64';
  // No unsigned 16/32-bit dtypes in PyTorch 1.13: widen to int32/int64 as torch.from_numpy refuses.
  if (a instanceof Uint16Array) return 'int32';
  return 'int64';
}

function isTypedArray(x: unknown): x is TypedArrayInput {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** Walks nested arrays: shape, flat numbers, and the inferred dtype. */
function flattenData(data: TensorData): { shape: number[]; values: Array<number | bigint> | TypedArrayInput; dtype: DType } {
  if (isTypedArray(data)) return { shape: [data.length], values: data, dtype: typedArrayDtype(data) };
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  if (isTypedArray(probe)) shape.push(probe.length);
  const values: Array<number | bigint> = [];
  let sawFloat = false;
  let sawBool = false;
  let sawBig = false;
  let sawTyped: DType | null = null;
  const walk = (x: unknown, d: number): void => {
    if (d === shape.length) {
      if (typeof x === 'number') {
        sawFloat = true;
        values.push(x);
      } else if (typeof x === 'boolean') {
        sawBool = true;
        values.push(x ? 1 : 0);
      } else if (typeof x === 'bigint') {
        sawBig = true;
        values.push(x); // kept exact for int64 storage

      } else if (x instanceof Tensor) {
        throw new ValueError('only one element tensors can be converted to Python scalars');
      } else {
        throw new TypeError(`Could not infer dtype of ${x === null ? 'null' : Array.isArray(x) ? 'Array' : typeof x}`);
      }
      return;
    }
    const len = shape[d]!;
    if (isTypedArray(x)) {
      if (x.length !== len || d !== shape.length - 1) throw new ValueError(`expected sequence of length ${len} at dim ${d} (got ${x.length})`);
      sawTyped = typedArrayDtype(x);
      for (let i = 0; i < x.length; i++) values.push(x instanceof BigInt64Array ? x[i]! : Number(x[i]));
      return;
    }
    if (!Array.isArray(x)) throw new ValueError(`expected sequence of length ${len} at dim ${d} (got a scalar)`);
    if (x.length !== len) throw new ValueError(`expected sequence of length ${len} at dim ${d} (got ${x.length})`);
    for (const y of x) walk(y, d + 1);
  };
  walk(data, 0);
  const dtype: DType = sawFloat ? getDefaultDtype() : sawBig ? 'int64' : sawTyped ?? (sawBool ? 'bool' : getDefaultDtype());
  return { shape, values, dtype };
}

/**
 * Writes JS numbers (or bigints) into a fresh tensor's storage, casting to its dtype. bigints go
 * into int64 storage exactly (all 64 bits); everything else goes through JS numbers.
 */
export function writeValues(t: Tensor, values: ArrayLike<number | bigint>): void {
  const n = values.length;
  const size = itemsize(t._dtype);
  const hasBig = values instanceof BigInt64Array || (Array.isArray(values) && values.some((v) => typeof v === 'bigint'));
  const exactInt64 = hasBig && t._dtype === 'int64';
  const bytes = t._storage.buffer ? null : new Uint8Array(n * size);
  if (exactInt64) {
    const target = bytes ? new BigInt64Array(bytes.buffer) : new BigInt64Array(t._storage.buffer!, t._storage.ptr + t._offset * 8, n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      target[i] = typeof v === 'bigint' ? BigInt.asIntN(64, v) : BigInt(Math.trunc(v));
    }
  } else {
    const nums: ArrayLike<number> = hasBig
      ? Array.from(values as ArrayLike<number | bigint>, (v) => Number(v))
      : (values as ArrayLike<number>);
    if (bytes) encodeRange(hostArray(bytes.buffer, 0, n, t._dtype), t._dtype, 0, nums);
    else encodeRange(t._storage.host(t._dtype), t._dtype, t._offset, nums);
  }
  if (bytes) t._storage.backend.writeBytes(t._storage, t._offset * size, bytes);
}

function finish(t: Tensor, opts?: TensorOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

/** `torch.tensor`: copies data; numbers give the default dtype (see docs: differences). */
export function tensor(data: TensorData, opts: TensorOptions = {}): Tensor {
  if (data instanceof Tensor) throw new TypeError('torch.tensor(): expected data, got a Tensor; use tensor.clone().detach()');
  const { shape, values, dtype } = flattenData(data);
  const t = emptyTensor(shape, opts.dtype ?? dtype, opts.device ?? 'cpu');
  writeValues(t, values as ArrayLike<number>);
  return finish(t, opts);
}

/** A tensor copying a typed array, with an optional shape (`torch.from_numpy`-like, but a copy). */
export function fromTypedArray(data: TypedArrayInput, shape?: number[], opts: TensorOptions = {}): Tensor {
  const s = shape ?? [data.length];
  if (numelOf(s) !== data.length) throw new RuntimeError(`shape '[${s.join(', ')}]' is invalid for input of size ${data.length}`);
  const t = emptyTensor(s, opts.dtype ?? typedArrayDtype(data), opts.device ?? 'cpu');
  writeValues(t, data as ArrayLike<number>);
  return finish(t, opts);
}

/** Splits `f(2, 3, {dtype})` / `f([2, 3], {dtype})` into a size and options. */
export function sizeAndOptions<O extends object>(args: readonly unknown[]): { size: number[]; opts: O } {
  let opts = {} as O;
  let rest = args;
  const last = args[args.length - 1];
  if (last !== null && typeof last === 'object' && !Array.isArray(last)) {
    opts = last as O;
    rest = args.slice(0, -1);
  }
  return { size: parseSize(rest), opts };
}

/** Kernel signature: (self, value). */
export const fillOp = defineOp('fill_', (self: Tensor, value: number | boolean | Tensor): Tensor => {
  let v: number | boolean;
  if (value instanceof Tensor) {
    if (value._shape.length !== 0) {
      throw new RuntimeError(`fill_ only supports 0-dimension value tensor but got tensor with ${value._shape.length} dimensions.`);
    }
    v = value.item();
  } else v = value;
  fillOp.kernel(self.device)(self, typeof v === 'boolean' ? (v ? 1 : 0) : v);
  self._bumpVersion();
  return self;
}, { inplace: true });

function filled(size: number[], value: number | boolean, dtype: DType, opts: TensorOptions): Tensor {
  const t = emptyTensor(size, dtype, opts.device ?? 'cpu');
  if (t.numel() > 0) fillOp.call(t, value);
  return finish(t, opts);
}

export function empty(...args: Array<number | number[] | TensorOptions>): Tensor {
  const { size, opts } = sizeAndOptions<TensorOptions>(args);
  return finish(emptyTensor(size, opts.dtype ?? getDefaultDtype(), opts.device ?? 'cpu'), opts);
}

export function zeros(...args: Array<number | number[] | TensorOptions>): Tensor {
  const { size, opts } = sizeAndOptions<TensorOptions>(args);
  return filled(size, 0, opts.dtype ?? getDefaultDtype(), opts);
}

export function ones(...args: Array<number | number[] | TensorOptions>): Tensor {
  const { size, opts } = sizeAndOptions<TensorOptions>(args);
  return filled(size, 1, opts.dtype ?? getDefaultDtype(), opts);
}

/** `torch.full`: an integral fill value gives int64, a boolean bool, a fractional one the default dtype. */
export function full(size: number[], fillValue: number | boolean, opts: TensorOptions = {}): Tensor {
  const dtype = opts.dtype ?? (typeof fillValue === 'boolean' ? 'bool' : Number.isInteger(fillValue) ? 'int64' : getDefaultDtype());
  return filled(parseSize([size]), fillValue, dtype, opts);
}

function likeOpts(t: Tensor, opts?: TensorOptions | DType): TensorOptions {
  const o = typeof opts === 'string' && isDType(opts) ? { dtype: opts } : ((opts ?? {}) as TensorOptions);
  return { dtype: o.dtype ?? t._dtype, device: o.device ?? t.device, requiresGrad: o.requiresGrad };
}

export function emptyLike(t: Tensor, opts?: TensorOptions): Tensor {
  const o = likeOpts(t, opts);
  return finish(emptyTensor([...t._shape], o.dtype!, o.device), o);
}
export function zerosLike(t: Tensor, opts?: TensorOptions): Tensor {
  const o = likeOpts(t, opts);
  return filled([...t._shape], 0, o.dtype!, o);
}
export function onesLike(t: Tensor, opts?: TensorOptions): Tensor {
  const o = likeOpts(t, opts);
  return filled([...t._shape], 1, o.dtype!, o);
}
export function fullLike(t: Tensor, fillValue: number | boolean, opts?: TensorOptions): Tensor {
  const o = likeOpts(t, opts);
  return filled([...t._shape], fillValue, o.dtype!, o);
}

declare module '../tensor.js' {
  interface Tensor {
    fill_(value: number | boolean | Tensor): this;
    zero_(): this;
    newTensor(data: TensorData, opts?: TensorOptions): Tensor;
    newEmpty(size: number[], opts?: TensorOptions): Tensor;
    newZeros(size: number[], opts?: TensorOptions): Tensor;
    newOnes(size: number[], opts?: TensorOptions): Tensor;
    newFull(size: number[], fillValue: number | boolean, opts?: TensorOptions): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.fill_ = function (this: Tensor, v: number | boolean | Tensor) {
  return fillOp.call(this, v);
};
proto.zero_ = function (this: Tensor) {
  return fillOp.call(this, 0);
};
proto.newTensor = function (this: Tensor, data: TensorData, opts?: TensorOptions) {
  return tensor(data, likeOpts(this, opts));
};
proto.newEmpty = function (this: Tensor, size: number[], opts?: TensorOptions) {
  const o = likeOpts(this, opts);
  return finish(emptyTensor(parseSize([size]), o.dtype!, o.device), o);
};
proto.newZeros = function (this: Tensor, size: number[], opts?: TensorOptions) {
  return filled(parseSize([size]), 0, likeOpts(this, opts).dtype!, likeOpts(this, opts));
};
proto.newOnes = function (this: Tensor, size: number[], opts?: TensorOptions) {
  return filled(parseSize([size]), 1, likeOpts(this, opts).dtype!, likeOpts(this, opts));
};
proto.newFull = function (this: Tensor, size: number[], v: number | boolean, opts?: TensorOptions) {
  return filled(parseSize([size]), v, likeOpts(this, opts).dtype!, likeOpts(this, opts));
};

