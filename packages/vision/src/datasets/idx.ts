/**
 * The IDX format of MNIST and its relatives (LeCun's "SN3 Pascal Vincent" files): two zero bytes,
 * a dtype code, a dimension count, the dimensions as big-endian uint32, then the values
 * big-endian. Parsing is strict: every inconsistency is an error naming the file and the problem,
 * found from the header before anything is allocated.
 */
import { RuntimeError } from '@torchts/core';
import { readMaybeGzip } from './files.js';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

const DTYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

export interface IdxArray {
  dtype: IdxDtype;
  shape: number[];
  /** uint8 data is a view of the file's bytes; other dtypes are decoded to native typed arrays. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const fail = (problem: string): never => {
    throw new RuntimeError(`${file}: invalid IDX file: ${problem}`);
  };
  if (bytes.length < 4) fail(`the file holds ${bytes.length} bytes, fewer than the 4-byte magic number`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
    fail(`bad magic number 0x${magic} (IDX files start with two zero bytes)`);
  }
  const code = bytes[2]!;
  const type = DTYPES[code] ?? fail(`unknown dtype code 0x${code.toString(16).padStart(2, '0')} (expected 0x08, 0x09, 0x0b, 0x0c, 0x0d or 0x0e)`);
  const ndim = bytes[3]!;
  if (ndim === 0) fail('the header declares 0 dimensions');
  const headerBytes = 4 + 4 * ndim;
  if (bytes.length < headerBytes) fail(`truncated header: ${ndim} dimensions need ${headerBytes} bytes, the file holds ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const numel = shape.reduce((a, b) => a * b, 1);
  const expected = numel * type.size;
  const found = bytes.length - headerBytes;
  const described = `${shape.join('x')} ${type.dtype} (${expected} bytes of data)`;
  if (found < expected) fail(`truncated data: the header declares ${described} but only ${found} bytes follow the header`);
  if (found > expected) fail(`the header declares ${described} but ${found - expected} extra bytes follow the data`);
  const body = bytes.subarray(headerBytes);
  if (type.dtype === 'uint8') return { dtype: 'uint8', shape, data: body };
  return { dtype: type.dtype, shape, data: decodeBigEndian(body, type.dtype, numel) };
}

function decodeBigEndian(body: Uint8Array, dtype: Exclude<IdxDtype, 'uint8'>, n: number): IdxArray['data'] {
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (dtype) {
    case 'int8': return new Int8Array(body.buffer, body.byteOffset, n).slice();
    case 'int16': return Int16Array.from({ length: n }, (_, i) => v.getInt16(2 * i, false));
    case 'int32': return Int32Array.from({ length: n }, (_, i) => v.getInt32(4 * i, false));
    case 'float32': return Float32Array.from({ length: n }, (_, i) => v.getFloat32(4 * i, false));
    case 'float64': return Float64Array.from({ length: n }, (_, i) => v.getFloat64(8 * i, false));
  }
}

/** Reads an IDX file, gzip-compressed or not. */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

/** Reads an IDX file that must be uint8 with `ndim` dimensions (MNIST images: 3, labels: 1). */
export function readUint8Idx(path: string, ndim: number, what: string): { shape: number[]; data: Uint8Array } {
  const arr = readIdxFile(path);
  if (arr.dtype !== 'uint8') throw new RuntimeError(`${path}: ${what} must be uint8 (dtype code 0x08), found ${arr.dtype}`);
  if (arr.shape.length !== ndim) throw new RuntimeError(`${path}: ${what} must have ${ndim} dimension${ndim === 1 ? '' : 's'}, found ${arr.shape.length} (${arr.shape.join('x')})`);
  return { shape: arr.shape, data: arr.data as Uint8Array };
}
