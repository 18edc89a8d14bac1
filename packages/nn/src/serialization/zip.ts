/**
 * A minimal ZIP reader and writer for checkpoint archives (PyTorch's torch.save zip format and
 * NumPy's .npz). Only stored (uncompressed) entries are read or written: PyTorch and np.savez
 * store; a deflated entry gets a clear error. Every offset and size is bounds-checked against the
 * buffer, so corrupt or truncated archives fail with a message instead of reading garbage.
 */
import { ValueError } from '@torchts/core';
import { concatBytes, dataView, decodeUtf8, encodeUtf8, ensure } from './bytes.js';

const FMT = 'zip';
const LOCAL_SIG = 0x04034b50;
const CENTRAL_SIG = 0x02014b50;
const EOCD_SIG = 0x06054b50;
const ZIP64_EOCD_SIG = 0x06064b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
const MAX_ENTRIES = 1 << 20;

let crcTable: Uint32Array | null = null;

export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Whether `b` starts like a zip archive (a local file header). */
export function isZipSignature(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

/** Entry name -> its bytes (a view into the archive, no copy), in central-directory order. */
export type ZipEntries = Map<string, Uint8Array>;

function u64(dv: DataView, at: number, what: string): number {
  const v = dv.getBigUint64(at, true);
  ensure(v <= BigInt(Number.MAX_SAFE_INTEGER), FMT, () => `${what} ${v} is too large`);
  return Number(v);
}

function findEocd(b: Uint8Array, dv: DataView): number {
  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  const stop = Math.max(0, b.length - 22 - 65535);
  for (let at = b.length - 22; at >= stop; at--) {
    if (dv.getUint32(at, true) === EOCD_SIG) return at;
  }
  throw new ValueError(`${FMT}: not a zip archive or truncated (no end-of-central-directory record found)`);
}

/** Reads a zip archive's stored entries, checking their CRC-32. */
export function readZip(b: Uint8Array): ZipEntries {
  ensure(b.length >= 22, FMT, () => `not a zip archive or truncated (${b.length} bytes)`);
  const dv = dataView(b);
  const eocd = findEocd(b, dv);
  let count = dv.getUint16(eocd + 10, true);
  let cdSize = dv.getUint32(eocd + 12, true);
  let cdOffset = dv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    ensure(loc >= 0 && dv.getUint32(loc, true) === ZIP64_LOCATOR_SIG, FMT, () => 'zip64 end-of-central-directory locator missing');
    const z = u64(dv, loc + 8, 'zip64 record offset');
    ensure(z + 56 <= b.length && dv.getUint32(z, true) === ZIP64_EOCD_SIG, FMT, () => 'zip64 end-of-central-directory record missing or out of range');
    count = u64(dv, z + 32, 'entry count');
    cdSize = u64(dv, z + 40, 'central directory size');
    cdOffset = u64(dv, z + 48, 'central directory offset');
  }
  ensure(count <= MAX_ENTRIES, FMT, () => `implausible entry count ${count}`);
  ensure(cdOffset + cdSize <= b.length, FMT, () => `central directory (offset ${cdOffset}, ${cdSize} bytes) lies beyond the end of the ${b.length}-byte file (truncated?)`);
  const out: ZipEntries = new Map();
  let at = cdOffset;
  for (let e = 0; e < count; e++) {
    ensure(at + 46 <= b.length && dv.getUint32(at, true) === CENTRAL_SIG, FMT, () => `central directory entry ${e} is corrupt`);
    const flags = dv.getUint16(at + 8, true);
    const method = dv.getUint16(at + 10, true);
    const crc = dv.getUint32(at + 16, true);
    let csize = dv.getUint32(at + 20, true);
    let usize = dv.getUint32(at + 24, true);
    const nameLen = dv.getUint16(at + 28, true);
    const extraLen = dv.getUint16(at + 30, true);
    const commentLen = dv.getUint16(at + 32, true);
    let localOffset = dv.getUint32(at + 42, true);
    const next = at + 46 + nameLen + extraLen + commentLen;
    ensure(next <= b.length, FMT, () => `central directory entry ${e} runs past the end of the file`);
    const name = decodeUtf8(b.subarray(at + 46, at + 46 + nameLen), FMT, `entry ${e}'s name`);
    // Zip64 extended information: the 0xffffffff fields, in order, as 8-byte values.
    let x = at + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = dv.getUint16(x, true);
      const len = dv.getUint16(x + 2, true);
      ensure(x + 4 + len <= xEnd, FMT, () => `entry '${name}' has a malformed extra field`);
      if (id === 0x0001) {
        let p = x + 4;
        const take = (): number => {
          ensure(p + 8 <= x + 4 + len, FMT, () => `entry '${name}' has a short zip64 extra field`);
          const v = u64(dv, p, `entry '${name}' size/offset`);
          p += 8;
          return v;
        };
        if (usize === 0xffffffff) usize = take();
        if (csize === 0xffffffff) csize = take();
        if (localOffset === 0xffffffff) localOffset = take();
      }
      x += 4 + len;
    }
    ensure(!(flags & 1), FMT, () => `entry '${name}' is encrypted`);
    ensure(method === 0, FMT, () => `entry '${name}' is compressed (method ${method}); only stored (uncompressed) entries are supported`);
    ensure(csize === usize, FMT, () => `stored entry '${name}' has different compressed (${csize}) and uncompressed (${usize}) sizes`);
    ensure(localOffset + 30 <= b.length && dv.getUint32(localOffset, true) === LOCAL_SIG, FMT, () => `entry '${name}': local header at ${localOffset} is missing or out of range`);
    const start = localOffset + 30 + dv.getUint16(localOffset + 26, true) + dv.getUint16(localOffset + 28, true);
    ensure(start + csize <= b.length, FMT, () => `entry '${name}' (${csize} bytes at ${start}) runs past the end of the ${b.length}-byte file (truncated?)`);
    const data = b.subarray(start, start + csize);
    ensure(crc32(data) === crc, FMT, () => `entry '${name}' fails its CRC-32 check (corrupt data)`);
    ensure(!out.has(name), FMT, () => `duplicate entry '${name}'`);
    out.set(name, data);
    at = next;
  }
  return out;
}

export interface ZipWriteOptions {
  /** Pad so each entry's data starts at a multiple of this (PyTorch aligns storages to 64). */
  align?: number;
}

/** Writes stored entries (no zip64: archives must stay below 4 GiB). */
export function writeZip(entries: Iterable<[string, Uint8Array]>, opts: ZipWriteOptions = {}): Uint8Array {
  const align = opts.align ?? 1;
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  let count = 0;
  for (const [name, data] of entries) {
    const nameBytes = encodeUtf8(name);
    const crc = crc32(data);
    let pad = 0;
    if (align > 1) {
      const base = offset + 30 + nameBytes.length + 4; // 4: the padding field's own header
      pad = (align - (base % align)) % align;
    }
    const extraLen = align > 1 ? 4 + pad : 0;
    const local = new Uint8Array(30 + nameBytes.length + extraLen);
    const lv = dataView(local);
    lv.setUint32(0, LOCAL_SIG, true);
    lv.setUint16(4, 20, true); // version needed
    lv.setUint16(6, 1 << 11, true); // names are UTF-8
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, extraLen, true);
    local.set(nameBytes, 30);
    if (extraLen) {
      lv.setUint16(30 + nameBytes.length, 0x4246, true); // 'FB', as PyTorch writes its padding
      lv.setUint16(32 + nameBytes.length, pad, true);
    }
    const cd = new Uint8Array(46 + nameBytes.length);
    const cv = dataView(cd);
    cv.setUint32(0, CENTRAL_SIG, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 1 << 11, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    parts.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
    count++;
    if (offset > 0xffffffff) throw new ValueError('zip: archives larger than 4 GiB are not supported by this writer');
  }
  const cdBytes = concatBytes(central);
  const eocd = new Uint8Array(22);
  const ev = dataView(eocd);
  ev.setUint32(0, EOCD_SIG, true);
  ev.setUint16(8, count, true);
  ev.setUint16(10, count, true);
  ev.setUint32(12, cdBytes.length, true);
  ev.setUint32(16, offset, true);
  if (count > 0xffff) throw new ValueError('zip: more than 65535 entries are not supported by this writer');
  return concatBytes([...parts, cdBytes, eocd]);
}
