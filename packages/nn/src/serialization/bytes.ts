/** Byte helpers shared by the serialization formats: input normalisation and bounds-checked reads. */
import { ValueError } from '@torchts/core';

export type Bytes = Uint8Array | ArrayBuffer | ArrayBufferView;

export function asBytes(data: Bytes, op: string): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError(`${op}(): expected bytes (Uint8Array or ArrayBuffer), got ${typeof data}`);
}

export function dataView(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Throws a ValueError prefixed with the format name when `cond` is false. */
export function ensure(cond: unknown, format: string, message: () => string): asserts cond {
  if (!cond) throw new ValueError(`${format}: ${message()}`);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function encodeUtf8(s: string): Uint8Array {
  return utf8.encode(s);
}

export function decodeUtf8(b: Uint8Array, format: string, what: string): string {
  try {
    return utf8Strict.decode(b);
  } catch {
    throw new ValueError(`${format}: ${what} is not valid UTF-8`);
  }
}
