/** Kinds of JS values that collation and thread transfer treat specially. */
import type { TypedArrayInput } from '@torchts/core';

export function isTypedArray(x: unknown): x is TypedArrayInput {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** A plain object ({...} or Object.create(null)): walked key by key, like a Python dict. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}
