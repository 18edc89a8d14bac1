/**
 * PyTorch's torch.save zip format: `<archive>/data.pkl` (a pickle whose tensors refer to storages
 * by persistent id), `<archive>/data/<key>` (each storage's raw little-endian bytes) and
 * `<archive>/version`. Reading goes through the safe unpickler (allow-listed globals only);
 * tensors are rebuilt over their storage with the saved offset, sizes and strides, so views that
 * shared a storage in PyTorch share one here too. Writing produces files that
 * torch.load(..., weights_only=True) accepts.
 */
import { Tensor, ValueError, itemsize } from '@torchts/core';
import type { DType } from '@torchts/core';
import { isParameter } from '../parameter.js';
import { ensure, encodeUtf8 } from './bytes.js';
import type { PyValue } from './unpickle.js';
import { pickle, py } from './pickle.js';
import type { PickleNode } from './pickle.js';
import { loadLegacyCheckpoint } from './legacy.js';
import { STORAGE_DTYPE, StorageRef, TorchPickleLoad, fillStorage, isInt, storageDtype } from './torch-pickle.js';
import type { CheckpointValue } from './torch-pickle.js';
import { isZipSignature, readZip, writeZip } from './zip.js';

export type { CheckpointValue };

const FMT = 'torch.load';

const DTYPE_STORAGE = Object.fromEntries(Object.entries(STORAGE_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

function checkPrefix(names: Iterable<string>): string {
  for (const n of names) {
    if (n === 'data.pkl' || n.endsWith('/data.pkl')) return n.slice(0, n.length - 'data.pkl'.length);
  }
  throw new ValueError(`${FMT}: the archive has no data.pkl record; is this a torch.save file?`);
}

/**
 * Reads a PyTorch checkpoint without running any code: the zip format (torch.save's default since
 * 1.6) or the legacy stream (`_use_new_zipfile_serialization=False`), told apart by their bytes.
 */
export function loadPytorchCheckpoint(b: Uint8Array, opts: { device?: string } = {}): CheckpointValue {
  if (!isZipSignature(b)) return loadLegacyCheckpoint(b, opts);
  const entries = readZip(b);
  const prefix = checkPrefix(entries.keys());
  const byteorder = entries.get(`${prefix}byteorder`);
  const bigEndian = byteorder !== undefined && new TextDecoder().decode(byteorder).trim() === 'big';
  const load = new TorchPickleLoad(FMT, opts.device ?? 'cpu');
  const storages = new Map<string, StorageRef>();

  const loadStorage = (pid: PyValue): StorageRef => {
    ensure(Array.isArray(pid) && pid.length === 5 && pid[0] === 'storage', FMT, () => 'unsupported persistent id (expected a storage record)');
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    const dtype = storageDtype(type, FMT);
    ensure(typeof key === 'string' && /^[\w.-]+$/.test(key), FMT, () => `invalid storage key ${String(key)}`);
    ensure(isInt(numel) && numel >= 0, FMT, () => `invalid storage size ${String(numel)}`);
    const seen = storages.get(key);
    if (seen) {
      ensure(seen.flat.dtype === dtype, FMT, () => `storage '${key}' is used with two types`);
      return seen;
    }
    const data = entries.get(`${prefix}data/${key}`);
    ensure(data !== undefined, FMT, () => `storage record '${prefix}data/${key}' is missing from the archive`);
    const nbytes = numel * itemsize(dtype);
    ensure(data.length >= nbytes, FMT, () => `storage '${key}' declares ${numel} ${dtype} elements (${nbytes} bytes) but its record has ${data.length} bytes`);
    const flat = load.allocate(numel, dtype);
    fillStorage(flat, data.subarray(0, nbytes), bigEndian);
    const ref = new StorageRef(flat, key);
    storages.set(key, ref);
    return ref;
  };

  try {
    const [result] = load.readObject(entries.get(`${prefix}data.pkl`)!, 0, loadStorage);
    return load.finish(result);
  } catch (e) {
    load.dispose();
    throw e;
  }
}

// ---- writing ----------------------------------------------------------------------------------

function storageBytes(t: Tensor, numel: number): Uint8Array {
  const s = t._storage;
  const n = numel * itemsize(t._dtype);
  if (s.buffer) return new Uint8Array(s.buffer, s.ptr, n).slice();
  return s.backend.readBytes(s, 0, n);
}

/** The bytes of a torch.save zip checkpoint holding `obj` (tensors, Maps, objects, arrays, scalars). */
export function savePytorchCheckpoint(obj: unknown, opts: { archiveName?: string } = {}): Uint8Array {
  const prefix = `${opts.archiveName ?? 'archive'}/`;
  const keys = new Map<unknown, Map<DType, string>>();
  const records: [string, Uint8Array][] = [];
  const storageOf = (t: Tensor): PickleNode => {
    let byDtype = keys.get(t._storage);
    if (!byDtype) keys.set(t._storage, (byDtype = new Map()));
    const numel = Math.floor(t._storage.nbytes / itemsize(t._dtype));
    let key = byDtype.get(t._dtype);
    if (key === undefined) {
      key = String(records.length);
      byDtype.set(t._dtype, key);
      records.push([`${prefix}data/${key}`, storageBytes(t, numel)]);
    }
    return py.persid(py.tuple([py.str('storage'), py.global('torch', DTYPE_STORAGE[t._dtype]), py.str(key), py.str('cpu'), py.int(numel)]));
  };
  const hooks = () => py.call('collections', 'OrderedDict', []);
  const active = new Set<unknown>();
  const node = (v: unknown, path: string): PickleNode => {
    if (v instanceof Tensor) {
      if (v.isDisposed) throw new ValueError(`save: the tensor at '${path}' has been disposed`);
      const rebuilt = py.call('torch._utils', '_rebuild_tensor_v2', [
        storageOf(v), py.int(v._offset), py.tuple(v._shape.map(py.int)), py.tuple(v._strides.map(py.int)),
        py.bool(isParameter(v) ? false : v.requiresGrad), hooks(),
      ]);
      return isParameter(v) ? py.call('torch._utils', '_rebuild_parameter', [rebuilt, py.bool(v.requiresGrad), hooks()]) : rebuilt;
    }
    if (v === null || v === undefined) return py.none();
    if (typeof v === 'boolean') return py.bool(v);
    if (typeof v === 'bigint') return py.int(v);
    if (typeof v === 'number') return Number.isInteger(v) && Number.isSafeInteger(v) ? py.int(v) : py.float(v);
    if (typeof v === 'string') return py.str(v);
    if (typeof v !== 'object') throw new TypeError(`save: cannot save a ${typeof v} at '${path}'`);
    if (active.has(v)) throw new ValueError(`save: the object at '${path}' contains itself`);
    active.add(v);
    try {
      if (Array.isArray(v)) return py.list(v.map((x, k) => node(x, `${path}[${k}]`)));
      if (v instanceof Map) {
        return py.call('collections', 'OrderedDict', [], [...v].map(([k, x]) => [node(k, path), node(x, `${path}.${String(k)}`)] as [PickleNode, PickleNode]));
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`save: cannot save a ${proto?.constructor?.name ?? 'object'} at '${path}' (only tensors, Maps, plain objects, arrays and scalars)`);
      return py.dict(Object.entries(v).map(([k, x]) => [py.str(k), node(x, path ? `${path}.${k}` : k)] as [PickleNode, PickleNode]));
    } finally {
      active.delete(v);
    }
  };
  const pkl = pickle(node(obj, ''));
  return writeZip([[`${prefix}data.pkl`, pkl], ...records, [`${prefix}version`, encodeUtf8('3\n')]], { align: 64 });
}
