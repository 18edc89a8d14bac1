/**
 * NumPy's .npy format (versions 1.0, 2.0 and 3.0): `saveNpy(tensor)` writes the bytes NumPy's
 * `np.save` writes for the same array; `loadNpy(bytes)` reads little- and big-endian
 * '<f2' '<f4' '<f8' '<i2' '<i4' '<i8' '|i1' '|u1' '|b1' arrays, C or Fortran order (Fortran data
 * comes back as a contiguous tensor with the same shape and values).
 *
 * The header is a Python dict literal; it is parsed by a small literal-only parser, never
 * evaluated, and object ('|O') or structured dtypes are refused (they would need pickle).
 * bfloat16 has no NumPy dtype: convert first (`t.float()`). `saveNpyFile`/`loadNpyFile` use node:fs
 * through a dynamic import, so bundles for browsers do not pull it in.
 */
import { nodeFs, writeFileAtomic } from './files.js';
import type { DType } from './dtype.js';
import { itemsize } from './dtype.js';
import { ValueError } from './errors.js';
import { Tensor, emptyTensor } from './tensor.js';
import { numelOf } from './shape.js';
import { contiguousBytes } from './interop.js';
import { contiguous } from './ops/copy.js';
import { permuteOp } from './ops/view.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ARRAY_ALIGN = 64;
const GROWTH_AXIS_MAX_DIGITS = 21;

const DESCR: Partial<Record<DType, string>> = {
  float16: '<f2', float32: '<f4', float64: '<f8', int8: '|i1', int16: '<i2', int32: '<i4', int64: '<i8', uint8: '|u1', bool: '|b1',
};
const FROM_CODE: Record<string, DType> = {
  f2: 'float16', f4: 'float32', f8: 'float64', i1: 'int8', i2: 'int16', i4: 'int32', i8: 'int64', u1: 'uint8', b1: 'bool',
};

function pyTuple(shape: readonly number[]): string {
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(', ')})`;
}

/** The .npy bytes of a tensor (C order, little-endian), byte for byte what NumPy writes. */
export function saveNpy(t: Tensor): Uint8Array {
  if (!(t instanceof Tensor)) throw new TypeError(`saveNpy(): expected a Tensor, got ${typeof t}`);
  const descr = DESCR[t._dtype];
  if (!descr) throw new ValueError(`saveNpy(): ${t._dtype} has no NumPy dtype; convert the tensor first (e.g. tensor.float())`);
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${pyTuple(t._shape)}, }`;
  if (t._shape.length > 0) header += ' '.repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - String(t._shape[0]).length));
  const text = new TextEncoder().encode(header);
  // Version 1.0 has a 2-byte header length; 2.0 a 4-byte one (only needed for huge shapes).
  const hlen = text.length + 1;
  const padFor = (prefixLen: number) => ARRAY_ALIGN - ((prefixLen + hlen) % ARRAY_ALIGN);
  const v1 = hlen + padFor(10) <= 65535;
  const prefix = v1 ? 10 : 12;
  const padlen = padFor(prefix);
  const data = contiguousBytes(t);
  const out = new Uint8Array(prefix + hlen + padlen + data.length);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (v1) dv.setUint16(8, hlen + padlen, true);
  else dv.setUint32(8, hlen + padlen, true);
  out.set(text, prefix);
  out.fill(0x20, prefix + text.length, prefix + text.length + padlen);
  out[prefix + text.length + padlen] = 0x0a;
  out.set(data, prefix + hlen + padlen);
  return out;
}

// ---- header parsing ---------------------------------------------------------------------------

type PyValue = string | number | boolean | null | PyValue[] | { [k: string]: PyValue };

/** Parses the Python literal subset .npy headers use: dicts, tuples, lists, strings, ints, True/False/None. */
function parsePyLiteral(src: string): PyValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new ValueError(`Cannot parse header: ${what} at position ${i} of ${JSON.stringify(src.slice(0, 200))}`);
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i]!)) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = src[i];
    if (c === '{') {
      i++;
      const obj: Record<string, PyValue> = {};
      for (;;) {
        ws();
        if (src[i] === '}') {
          i++;
          return obj;
        }
        const k = value();
        if (typeof k !== 'string') fail('a non-string dict key');
        ws();
        if (src[i++] !== ':') fail("expected ':'");
        obj[k as string] = value();
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== '}') fail("expected ',' or '}'");
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const items: PyValue[] = [];
      for (;;) {
        ws();
        if (src[i] === close) {
          i++;
          return items;
        }
        items.push(value());
        ws();
        if (src[i] === ',') i++;
        else if (src[i] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let s = '';
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') i++;
        s += src[i++];
      }
      if (src[i++] !== c) fail('an unterminated string');
      return s;
    }
    const word = /^(True|False|None|-?\d+L?)/.exec(src.slice(i));
    if (!word) return fail('an unsupported literal');
    i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace('L', ''));
  };
  const v = value();
  ws();
  if (i !== src.length) fail('trailing characters');
  return v;
}

interface Header {
  dtype: DType;
  bigEndian: boolean;
  fortran: boolean;
  shape: number[];
}

function parseHeader(text: string): Header {
  const d = parsePyLiteral(text);
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new ValueError(`Header is not a dictionary: ${JSON.stringify(text)}`);
  const keys = Object.keys(d).sort();
  if (keys.join(',') !== 'descr,fortran_order,shape') {
    throw new ValueError(`Header does not contain the correct keys: ${JSON.stringify(keys)}`);
  }
  const { descr, fortran_order: fortran, shape } = d as { descr: PyValue; fortran_order: PyValue; shape: PyValue };
  if (typeof descr !== 'string') throw new ValueError('loadNpy(): structured (record) dtypes are not supported');
  if (descr.includes('O')) throw new ValueError(`loadNpy(): object arrays ('${descr}') are not supported (they need pickle, which is never run)`);
  const order = descr[0] === '<' || descr[0] === '>' || descr[0] === '|' || descr[0] === '=' ? descr[0] : '=';
  const code = order === descr[0] ? descr.slice(1) : descr;
  const dtype = FROM_CODE[code === '?' ? 'b1' : code];
  if (!dtype) {
    throw new ValueError(`loadNpy(): unsupported dtype '${descr}' (supported: float16/32/64, int8/16/32/64, uint8, bool)`);
  }
  if (typeof fortran !== 'boolean') throw new ValueError(`fortran_order is not a valid bool: ${String(fortran)}`);
  if (!Array.isArray(shape) || !shape.every((s) => typeof s === 'number' && Number.isInteger(s) && s >= 0)) {
    throw new ValueError(`shape is not valid: ${JSON.stringify(shape)}`);
  }
  return { dtype, bigEndian: order === '>', fortran, shape: shape as number[] };
}

function asBytes(data: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new TypeError(`loadNpy(): expected bytes (Uint8Array or ArrayBuffer), got ${typeof data}`);
}

export interface LoadNpyOptions {
  device?: string;
}

/** A tensor from .npy bytes. Never executes anything from the file. */
export function loadNpy(data: Uint8Array | ArrayBuffer | ArrayBufferView, opts: LoadNpyOptions = {}): Tensor {
  const bytes = asBytes(data);
  if (bytes.length < 10 || MAGIC.some((m, k) => bytes[k] !== m)) {
    throw new ValueError('loadNpy(): not a .npy file (the magic string is not correct; expected \\x93NUMPY)');
  }
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (!(minor === 0 && (major === 1 || major === 2 || major === 3))) {
    throw new ValueError(`loadNpy(): we only support format version (1,0), (2,0), and (3,0), not (${major}, ${minor})`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = major === 1 ? 10 : 12;
  if (bytes.length < prefix) throw new ValueError('loadNpy(): truncated file (incomplete header length)');
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (prefix + hlen > bytes.length) {
    throw new ValueError(`loadNpy(): truncated file: the header needs ${prefix + hlen} bytes, the file has ${bytes.length}`);
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(prefix, prefix + hlen));
  const header = parseHeader(text.trim());
  const isz = itemsize(header.dtype);
  const numel = numelOf(header.shape);
  const nbytes = numel * isz;
  const start = prefix + hlen;
  if (start + nbytes > bytes.length) {
    throw new ValueError(`loadNpy(): truncated file: shape ${pyTuple(header.shape)} of '${header.dtype}' needs ${nbytes} data bytes, the file has ${bytes.length - start}`);
  }
  const payload = bytes.slice(start, start + nbytes);
  if (header.bigEndian && isz > 1) {
    for (let e = 0; e < nbytes; e += isz) payload.subarray(e, e + isz).reverse();
  }
  if (header.dtype === 'bool') for (let k = 0; k < nbytes; k++) payload[k] = payload[k] ? 1 : 0;
  // Fortran order is C order of the reversed shape; reversing the dims back gives the array.
  const storedShape = header.fortran ? [...header.shape].reverse() : header.shape;
  const t = emptyTensor(storedShape, header.dtype, opts.device ?? 'cpu');
  if (nbytes > 0) t._storage.backend.writeBytes(t._storage, 0, payload);
  if (!header.fortran || header.shape.length < 2) return t;
  const view = permuteOp.call(t, storedShape.map((_, k) => storedShape.length - 1 - k));
  const out = contiguous(view);
  view.dispose();
  t.dispose();
  return out;
}

// ---- files (Node) -----------------------------------------------------------------------------

/**
 * Writes `t` as a .npy file atomically: to a temporary file in the same directory, flushed to disk
 * (fsync), then renamed over `path`, so readers never see a partial file.
 */
export async function saveNpyFile(path: string, t: Tensor): Promise<void> {
  await writeFileAtomic(path, saveNpy(t), 'saveNpyFile');
}

export async function loadNpyFile(path: string, opts: LoadNpyOptions = {}): Promise<Tensor> {
  const fs = await nodeFs('loadNpyFile', 'saveNpy()/loadNpy() on bytes');
  return loadNpy(await fs.readFile(path), opts);
}
