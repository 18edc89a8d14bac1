/**
 * defaultCollate / defaultConvert: PyTorch's default_collate and default_convert for JS values.
 *
 * JS has one number type, so a batch of numbers becomes int64 when every number is an integer
 * (a safe integer) and float64 otherwise (PyTorch: int -> int64, float -> float64); booleans give
 * bool (mixed with numbers they count as 0/1, as Python's bools do); bigints give int64. Typed
 * arrays play numpy arrays' part: a batch of them becomes one tensor of the matching dtype
 * (`typedArrayDtype`: Float32Array -> float32, Uint8Array -> uint8, ...) with a new leading dim.
 */
import { RuntimeError, Tensor, asTypedArray, emptyTensor, fromTypedArray, stack, tensor, typedArrayDtype } from '@torchts/core';
import type { TypedArrayInput } from '@torchts/core';
import { isPlainObject, isTypedArray } from './values.js';

const ERR_FORMAT = 'default_collate: batch must contain tensors, typed arrays, numbers, dicts or lists; found ';

/** A short name for error messages, as Python's type names read. */
export function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'Array';
  if (typeof x === 'object' || typeof x === 'function') return (x as object).constructor?.name ?? 'Object';
  return typeof x;
}

function collateNumbers(batch: unknown[]): Tensor {
  let allBool = true;
  let integral = true;
  let anyBig = false;
  batch.forEach((v, i) => {
    if (typeof v === 'boolean') return;
    allBool = false;
    if (typeof v === 'bigint') anyBig = true;
    else if (typeof v === 'number') integral &&= Number.isSafeInteger(v);
    else throw new TypeError(`default_collate: element ${i} of the batch is ${typeName(v)}, but element 0 is a ${typeof batch[0]}`);
  });
  if (allBool) return tensor(batch as boolean[], { dtype: 'bool' });
  if (anyBig && !integral) throw new TypeError('default_collate: a batch mixes bigints with non-integer numbers');
  const values = batch.map((v) => (typeof v === 'boolean' ? Number(v) : v)) as Array<number | bigint>;
  return tensor(values as number[], { dtype: integral ? 'int64' : 'float64' });
}

function collateTypedArrays(batch: unknown[]): Tensor {
  const first = batch[0] as TypedArrayInput;
  const sameKind = batch.every((b, i) => {
    if (!isTypedArray(b)) throw new TypeError(`default_collate: element ${i} of the batch is ${typeName(b)}, but element 0 is a ${typeName(first)}`);
    return b.constructor === first.constructor;
  });
  const len = first.length;
  batch.forEach((b, i) => {
    const n = (b as TypedArrayInput).length;
    if (n !== len) throw new RuntimeError(`stack expects each tensor to be equal size, but got [${len}] at entry 0 and [${n}] at entry ${i}`);
  });
  const dtype = typedArrayDtype(first);
  if (sameKind) {
    const out = emptyTensor([batch.length, len], dtype);
    const target = asTypedArray(out);
    // One copy per row straight into the batch tensor (set() cannot mix bigint and number arrays).
    if ((target instanceof BigInt64Array) === (first instanceof BigInt64Array)) {
      batch.forEach((b, i) => (target as Float64Array).set(b as Float64Array, i * len));
      return out;
    }
    out.dispose();
  }
  const rows = batch.map((b) => fromTypedArray(b as TypedArrayInput));
  try {
    return stack(rows, 0);
  } finally {
    rows.forEach((r) => r.dispose());
  }
}

/**
 * Merges a list of samples into a batch: tensors are stacked along a new first dim, numbers and
 * typed arrays become tensors, strings stay a list, and arrays, plain objects and Maps are collated
 * element by element (every sample must have the same structure).
 */
export function defaultCollate(batch: readonly unknown[]): unknown {
  if (!Array.isArray(batch) || batch.length === 0) throw new RuntimeError('default_collate: expected a non-empty array of samples');
  const elem = batch[0];
  if (elem instanceof Tensor) {
    batch.forEach((b, i) => {
      if (!(b instanceof Tensor)) throw new TypeError(`expected Tensor as element ${i} in argument 0, but got ${typeName(b)}`);
    });
    return stack(batch as Tensor[], 0);
  }
  if (isTypedArray(elem)) return collateTypedArrays(batch);
  if (typeof elem === 'number' || typeof elem === 'boolean' || typeof elem === 'bigint') return collateNumbers(batch);
  if (typeof elem === 'string') return [...batch];
  if (Array.isArray(elem)) {
    const size = elem.length;
    batch.forEach((b, i) => {
      if (!Array.isArray(b)) throw new TypeError(`default_collate: element ${i} of the batch is ${typeName(b)}, but element 0 is an Array`);
      if (b.length !== size) throw new RuntimeError('each element in list of batch should be of equal size');
    });
    return elem.map((_, j) => defaultCollate(batch.map((b) => (b as unknown[])[j])));
  }
  if (elem instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const key of elem.keys()) {
      out.set(key, defaultCollate(batch.map((b, i) => {
        if (!(b instanceof Map) || !b.has(key)) throw new RuntimeError(`default_collate: element ${i} of the batch has no key ${String(key)}`);
        return b.get(key);
      })));
    }
    return out;
  }
  if (isPlainObject(elem)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(elem)) {
      out[key] = defaultCollate(batch.map((b, i) => {
        if (!isPlainObject(b) || !(key in b)) throw new RuntimeError(`default_collate: element ${i} of the batch has no key '${key}'`);
        return b[key];
      }));
    }
    return out;
  }
  throw new TypeError(ERR_FORMAT + typeName(elem));
}

/**
 * The conversion used when automatic batching is off (`batchSize: null`): typed arrays become
 * tensors, arrays / plain objects / Maps are converted element-wise, everything else is kept.
 */
export function defaultConvert(data: unknown): unknown {
  if (data instanceof Tensor) return data;
  if (isTypedArray(data)) return fromTypedArray(data);
  if (Array.isArray(data)) return data.map(defaultConvert);
  if (data instanceof Map) return new Map([...data].map(([k, v]) => [k, defaultConvert(v)]));
  if (isPlainObject(data)) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, defaultConvert(v)]));
  return data;
}
