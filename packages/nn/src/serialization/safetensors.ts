/**
 * The safetensors format: 8-byte little-endian header length N, N bytes of JSON
 * ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, padded
 * with spaces to a multiple of 8 as the reference writer does), then the tensors' contiguous
 * little-endian bytes. Tensors are laid out as the reference implementation orders them (larger
 * dtypes first, then by name). Nested objects are flattened with '.' and their shape recorded in
 * __metadata__["torchts.structure"] so `loadSafetensors` returns the same kind of object.
 */
import { Tensor, ValueError, contiguousBytes, emptyTensor, itemsize } from '@torchts/core';
import type { DType } from '@torchts/core';
import { asBytes, concatBytes, dataView, decodeUtf8, encodeUtf8, ensure } from './bytes.js';
import type { Bytes } from './bytes.js';
import { flatten, unflatten } from './structure.js';

const FMT = 'safetensors';
const MAX_HEADER = 100_000_000; // the reference implementation's limit
export const STRUCTURE_KEY = 'torchts.structure';

const CODE: Record<DType, string> = {
  float32: 'F32', float64: 'F64', float16: 'F16', bfloat16: 'BF16', int64: 'I64', int32: 'I32', int16: 'I16',
  int8: 'I8', uint8: 'U8', bool: 'BOOL',
};
const FROM_CODE = Object.fromEntries(Object.entries(CODE).map(([k, v]) => [v, k])) as Record<string, DType>;
// The reference Dtype enum order (its writer sorts by it, descending).
const RANK: Record<DType, number> = { bool: 0, uint8: 1, int8: 2, int16: 3, float16: 4, bfloat16: 5, int32: 6, float32: 7, float64: 8, int64: 9 };

export interface SaveSafetensorsOptions {
  /** Extra string metadata stored in __metadata__. */
  metadata?: Record<string, string>;
}

/** The safetensors bytes of a tensor, a state dict (Map or object) or nested containers of tensors. */
export function saveSafetensors(obj: unknown, opts: SaveSafetensorsOptions = {}): Uint8Array {
  const { tensors, structure } = flatten(obj, 'saveSafetensors');
  const sorted = [...tensors].sort(([an, a], [bn, b]) => RANK[b._dtype] - RANK[a._dtype] || (an < bn ? -1 : an > bn ? 1 : 0));
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.metadata ?? {})) {
    if (typeof v !== 'string') throw new TypeError(`saveSafetensors(): metadata values must be strings (key '${k}')`);
    metadata[k] = v;
  }
  metadata[STRUCTURE_KEY] = JSON.stringify(structure);
  const header: Record<string, unknown> = { __metadata__: metadata };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of sorted) {
    const data = contiguousBytes(t);
    header[name] = { dtype: CODE[t._dtype], shape: [...t._shape], data_offsets: [offset, offset + data.length] };
    blobs.push(data);
    offset += data.length;
  }
  let text = JSON.stringify(header);
  const raw = encodeUtf8(text);
  const padded = Math.ceil((raw.length + 8) / 8) * 8 - 8;
  text += ' '.repeat(padded - raw.length);
  const head = new Uint8Array(8);
  dataView(head).setBigUint64(0, BigInt(padded), true);
  return concatBytes([head, encodeUtf8(text), ...blobs]);
}

interface Parsed {
  entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[];
  metadata: Record<string, string>;
  dataStart: number;
}

function parseHeader(b: Uint8Array): Parsed {
  ensure(b.length >= 8, FMT, () => `file too short (${b.length} bytes) to hold the 8-byte header length`);
  const n64 = dataView(b).getBigUint64(0, true);
  ensure(n64 <= BigInt(MAX_HEADER), FMT, () => `header length ${n64} is too large (limit ${MAX_HEADER})`);
  const n = Number(n64);
  ensure(8 + n <= b.length, FMT, () => `header length ${n} runs past the end of the ${b.length}-byte file (truncated?)`);
  const text = decodeUtf8(b.subarray(8, 8 + n), FMT, 'the header');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${FMT}: the header is not valid JSON (${(e as Error).message})`);
  }
  ensure(json !== null && typeof json === 'object' && !Array.isArray(json), FMT, () => 'the header is not a JSON object');
  const dataLen = b.length - 8 - n;
  const metadata: Record<string, string> = {};
  const entries: Parsed['entries'] = [];
  for (const [name, info] of Object.entries(json as Record<string, unknown>)) {
    if (name === '__metadata__') {
      ensure(info !== null && typeof info === 'object' && !Array.isArray(info), FMT, () => '__metadata__ is not an object');
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        ensure(typeof v === 'string', FMT, () => `__metadata__ value for '${k}' is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    ensure(info !== null && typeof info === 'object' && !Array.isArray(info), FMT, () => `entry '${name}' is not an object`);
    const { dtype: code, shape, data_offsets: offs } = info as Record<string, unknown>;
    const dtype = typeof code === 'string' ? FROM_CODE[code] : undefined;
    ensure(dtype, FMT, () => `tensor '${name}' has unsupported dtype ${JSON.stringify(code)} (supported: ${Object.values(CODE).join(', ')})`);
    ensure(Array.isArray(shape) && shape.every((s) => Number.isSafeInteger(s) && s >= 0), FMT, () => `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    ensure(Array.isArray(offs) && offs.length === 2 && offs.every((o) => Number.isSafeInteger(o) && o >= 0), FMT, () => `tensor '${name}' has invalid data_offsets ${JSON.stringify(offs)}`);
    const [begin, end] = offs as [number, number];
    ensure(begin <= end && end <= dataLen, FMT, () => `tensor '${name}' has data_offsets [${begin}, ${end}] outside the ${dataLen}-byte data section`);
    // Compare sizes without overflowing: the element count must fit in the bytes given.
    let numel = 1;
    for (const s of shape as number[]) numel *= s;
    ensure(numel * itemsize(dtype) === end - begin, FMT, () => `tensor '${name}' of shape [${shape}] and dtype ${code} needs ${numel * itemsize(dtype!)} bytes, its data_offsets span ${end - begin}`);
    entries.push({ name, dtype, shape: [...(shape as number[])], begin, end });
  }
  return { entries, metadata, dataStart: 8 + n };
}

/** The `__metadata__` string map of a safetensors file (without reading tensors). */
export function safetensorsMetadata(data: Bytes): Record<string, string> {
  return parseHeader(asBytes(data, 'safetensorsMetadata')).metadata;
}

/**
 * Reads safetensors bytes: the saved object when torchts wrote it (its structure is recorded), else
 * a Map from tensor name to tensor in header order (a state dict).
 */
export function loadSafetensors(data: Bytes, opts: { device?: string } = {}): unknown {
  const b = asBytes(data, 'loadSafetensors');
  const { entries, metadata, dataStart } = parseHeader(b);
  const tensors = new Map<string, Tensor>();
  try {
    for (const e of entries) {
      const t = emptyTensor(e.shape, e.dtype, opts.device ?? 'cpu');
      tensors.set(e.name, t);
      if (e.end > e.begin) {
        let payload = b.subarray(dataStart + e.begin, dataStart + e.end);
        if (e.dtype === 'bool') payload = payload.map((x) => (x ? 1 : 0));
        t._storage.backend.writeBytes(t._storage, 0, payload);
      }
    }
    const structure = metadata[STRUCTURE_KEY];
    if (structure === undefined) return tensors;
    let parsed: unknown;
    try {
      parsed = JSON.parse(structure);
    } catch {
      throw new ValueError(`${FMT}: __metadata__["${STRUCTURE_KEY}"] is not valid JSON`);
    }
    const result = unflatten(parsed, tensors, FMT);
    const used = new Set<unknown>();
    const mark = (v: unknown) => {
      if (v instanceof Tensor) used.add(v);
      else if (v instanceof Map) for (const x of v.values()) mark(x);
      else if (Array.isArray(v)) v.forEach(mark);
      else if (v && typeof v === 'object') Object.values(v).forEach(mark);
    };
    mark(result);
    for (const t of tensors.values()) if (!used.has(t)) t.dispose();
    return result;
  } catch (e) {
    for (const t of tensors.values()) if (!t.isDisposed) t.dispose();
    throw e;
  }
}
