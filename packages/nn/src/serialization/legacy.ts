/**
 * PyTorch's legacy torch.save format (the default before 1.6; PyTorch 1.13 still writes it with
 * `_use_new_zipfile_serialization=False`). One stream of pickles back to back:
 *
 *   magic number | protocol version (1001) | sys_info | the object | sorted storage keys |
 *   for each key: int64 element count, then the storage's raw little-endian bytes
 *
 * The object pickle names storages by persistent id ('storage', type, key, location, numel,
 * view_metadata); view_metadata (view_key, offset, numel), written only by very old releases, makes
 * a storage that is a slice of another. Storages are allocated when the object pickle names them
 * (after checking that the rest of the file can hold them) and filled once their bytes are reached.
 * Every pickle goes through the safe unpickler: nothing from the file is executed.
 */
import { ValueError, itemsize } from '@torchts/core';
import { dataView, ensure } from './bytes.js';
import { unpickleAt } from './unpickle.js';
import type { PyValue } from './unpickle.js';
import { StorageRef, TorchPickleLoad, fillStorage, isInt, plainValueHooks, storageDtype } from './torch-pickle.js';
import type { CheckpointValue } from './torch-pickle.js';

const FMT = 'torch.load';
const PROTOCOL_VERSION = 1001;
/** 0x1950a86a20f9469cfc6c, the magic number, as LONG1 stores it (little-endian). */
const MAGIC = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
/** The magic number as pickle protocols 0 and 1 write it (text). */
const MAGIC_TEXT = 'L119547037146038801333356L\n';

/**
 * Where the pickled magic number that opens a legacy file ends, or -1 if `b` does not start with
 * one. Only protocols 2-5 qualify (PROTO, an optional FRAME, LONG1 of the magic number, STOP), so
 * no other format (zip, safetensors, npz) can be mistaken for it.
 */
function magicEnd(b: Uint8Array): number {
  if (b.length < 2 || b[0] !== 0x80 || b[1]! < 2 || b[1]! > 5) return -1;
  let pos = 2;
  if (b[pos] === 0x95) pos += 9; // FRAME and its 8-byte length
  if (b[pos] !== 0x8a || b[pos + 1] !== MAGIC.length) return -1;
  pos += 2;
  for (let k = 0; k < MAGIC.length; k++) if (b[pos + k] !== MAGIC[k]) return -1;
  pos += MAGIC.length;
  return b[pos] === 0x2e ? pos + 1 : -1;
}

function startsWithText(b: Uint8Array, text: string, at = 0): boolean {
  if (b.length < at + text.length) return false;
  for (let k = 0; k < text.length; k++) if (b[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Whether `b` is a legacy torch.save file (including the variants that are refused with an explanation). */
export function isLegacyCheckpoint(b: Uint8Array): boolean {
  return magicEnd(b) >= 0 || startsWithText(b, MAGIC_TEXT) || startsWithText(b, 'ustar', 257);
}

function readHeader(b: Uint8Array): number {
  let pos = magicEnd(b);
  if (pos < 0) {
    if (startsWithText(b, MAGIC_TEXT)) {
      throw new ValueError(`${FMT}: this legacy checkpoint was pickled with protocol 0 or 1, which is not supported (torch.save's default protocol 2 and above are)`);
    }
    if (startsWithText(b, 'ustar', 257)) {
      throw new ValueError(`${FMT}: this is the tar-based torch.save format of the earliest PyTorch releases, which is not supported; re-save it with a recent PyTorch`);
    }
    throw new ValueError(`${FMT}: not a PyTorch checkpoint: neither a zip archive (torch.save's format since 1.6) nor the legacy format (a pickled magic number)`);
  }
  let version: PyValue;
  [version, pos] = unpickleAt(b, pos, plainValueHooks(FMT, 'protocol version'));
  ensure(version === PROTOCOL_VERSION, FMT, () => `invalid legacy protocol version ${String(version)} (expected ${PROTOCOL_VERSION}); corrupt file?`);
  let sysInfo: PyValue;
  [sysInfo, pos] = unpickleAt(b, pos, plainValueHooks(FMT, 'sys_info'));
  const littleEndian = sysInfo instanceof Map ? sysInfo.get('little_endian') : undefined;
  ensure(typeof littleEndian === 'boolean', FMT, () => 'the legacy header (sys_info) is malformed: it has no little_endian flag');
  ensure(littleEndian, FMT, () => 'this legacy checkpoint was written on a big-endian machine, which is not supported; re-save it in the zip format (torch.save\'s default) or on a little-endian machine');
  return pos;
}

/** Reads a legacy (pre-1.6, non-zip) torch.save file without running any code. */
export function loadLegacyCheckpoint(b: Uint8Array, opts: { device?: string } = {}): CheckpointValue {
  const objectStart = readHeader(b);
  const load = new TorchPickleLoad(FMT, opts.device ?? 'cpu');
  const roots = new Map<string, StorageRef>();
  const views = new Map<string, StorageRef>();
  // Bytes the storages named so far need after the object pickle (8-byte count + data each):
  // checked against the file's size before anything is allocated.
  let declared = 0;

  const persistentLoad = (pid: PyValue): StorageRef => {
    ensure(Array.isArray(pid) && pid.length === 6 && pid[0] === 'storage', FMT, () => 'unsupported persistent id (expected a 6-field storage record)');
    const [, type, key, location, numel, view] = pid as [string, unknown, unknown, unknown, unknown, unknown];
    const dtype = storageDtype(type, FMT);
    ensure(typeof key === 'string' && /^[\w.-]+$/.test(key), FMT, () => `invalid storage key ${String(key)}`);
    ensure(typeof location === 'string', FMT, () => `storage '${key}' has an invalid location ${String(location)}`);
    ensure(isInt(numel) && numel >= 0, FMT, () => `invalid storage size ${String(numel)}`);
    let root = roots.get(key);
    if (root) {
      ensure(root.flat.dtype === dtype, FMT, () => `storage '${key}' is used with two types (${root!.flat.dtype} and ${dtype})`);
      ensure(root.numel === numel, FMT, () => `storage '${key}' is declared with two sizes (${root!.numel} and ${numel})`);
    } else {
      const nbytes = numel * itemsize(dtype);
      declared += 8 + nbytes;
      ensure(declared <= b.length - objectStart, FMT, () => `storage '${key}' declares ${numel} ${dtype} elements (${nbytes} bytes), more than the ${b.length - objectStart} bytes left in the file (truncated?)`);
      root = new StorageRef(load.allocate(numel, dtype), key);
      roots.set(key, root);
    }
    if (view === null) return root;
    ensure(Array.isArray(view) && view.length === 3, FMT, () => `storage '${key}' has malformed view metadata`);
    const [viewKey, offset, size] = view as [unknown, unknown, unknown];
    ensure(typeof viewKey === 'string' && isInt(offset) && isInt(size) && offset >= 0 && size >= 0, FMT, () => `storage '${key}' has malformed view metadata`);
    ensure(offset + size <= root.numel, FMT, () => `storage view '${viewKey}' (offset ${offset}, ${size} elements) lies outside storage '${key}', which has ${root!.numel}`);
    const seen = views.get(viewKey);
    if (seen) {
      ensure(seen.flat === root.flat && seen.offset === offset && seen.numel === size, FMT, () => `storage view '${viewKey}' is declared twice differently`);
      return seen;
    }
    const ref = new StorageRef(root.flat, viewKey, offset, size);
    views.set(viewKey, ref);
    return ref;
  };

  try {
    const [result, keysStart] = load.readObject(b, objectStart, persistentLoad);
    const [keys, dataStart] = unpickleAt(b, keysStart, plainValueHooks(FMT, 'storage key list'));
    ensure(Array.isArray(keys) && keys.every((k) => typeof k === 'string'), FMT, () => 'the storage key list is malformed');
    const listed = new Set(keys as string[]);
    ensure(listed.size === keys.length, FMT, () => 'the storage key list names a storage twice');
    for (const key of roots.keys()) ensure(listed.has(key), FMT, () => `storage '${key}' is used but its data is not in the file`);
    const dv = dataView(b);
    let pos = dataStart;
    for (const key of keys as string[]) {
      const root = roots.get(key);
      ensure(root !== undefined, FMT, () => `the file holds data for storage '${key}', which nothing uses`);
      ensure(pos + 8 <= b.length, FMT, () => `truncated: storage '${key}' has no element count at byte ${pos}`);
      const count = dv.getBigInt64(pos, true);
      ensure(count === BigInt(root.numel), FMT, () => `storage '${key}' has ${count} elements in the file but the pickle declares ${root.numel}`);
      pos += 8;
      const nbytes = root.numel * itemsize(root.flat.dtype);
      ensure(pos + nbytes <= b.length, FMT, () => `truncated: storage '${key}' needs ${nbytes} bytes at byte ${pos}, ${b.length - pos} remain`);
      fillStorage(root.flat, b.subarray(pos, pos + nbytes));
      pos += nbytes;
    }
    return load.finish(result);
  } catch (e) {
    load.dispose();
    throw e;
  }
}
