/**
 * PyTorch's torch.save zip format: `<archive>/data.pkl` (a pickle whose tensors refer to storages
 * by persistent id), `<archive>/data/<key>` (each storage's raw little-endian bytes) and
 * `<archive>/version`. Reading goes through the safe unpickler (allow-listed globals only);
 * tensors are rebuilt over their storage with the saved offset, sizes and strides, so views that
 * shared a storage in PyTorch share one here too. Writing produces files that
 * torch.load(..., weights_only=True) accepts.
 */
import { Tensor, ValueError, emptyTensor, itemsize } from '@torchts/core';
import type { DType } from '@torchts/core';
import { Parameter, isParameter } from '../parameter.js';
import { ensure, encodeUtf8 } from './bytes.js';
import { PyGlobal, unpickle } from './unpickle.js';
import type { PyValue } from './unpickle.js';
import { pickle, py } from './pickle.js';
import type { PickleNode } from './pickle.js';
import { readZip, writeZip } from './zip.js';

const FMT = 'torch.load';

const STORAGE_DTYPE: Record<string, DType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};
const DTYPE_STORAGE = Object.fromEntries(Object.entries(STORAGE_DTYPE).map(([k, v]) => [v, k])) as Record<DType, string>;

const ALLOWED_CALLS = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter']);

/** A storage loaded from the archive: a flat tensor holding its elements. */
class StorageRef {
  constructor(readonly flat: Tensor, readonly key: string) {}
}

/** What loadPytorchCheckpoint returns: dicts and OrderedDicts become Maps, lists and tuples arrays. */
export type CheckpointValue = Tensor | Map<unknown, CheckpointValue> | CheckpointValue[] | string | number | bigint | boolean | null;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function intList(v: unknown, what: string): number[] {
  ensure(Array.isArray(v) && v.every((x) => isInt(x) && x >= 0), FMT, () => `${what} must be a tuple of non-negative integers, got ${String(v)}`);
  return v as number[];
}

function checkPrefix(names: Iterable<string>): string {
  for (const n of names) {
    if (n === 'data.pkl' || n.endsWith('/data.pkl')) return n.slice(0, n.length - 'data.pkl'.length);
  }
  throw new ValueError(`${FMT}: the archive has no data.pkl record; is this a torch.save file?`);
}

/** Legacy torch.save files start with a pickled magic number: PROTO 2, LONG1 of 10 bytes. */
export function isLegacyPickle(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x80 && b[1] === 0x02 && b[2] === 0x8a && b[3] === 0x0a;
}

/** Reads a PyTorch zip checkpoint (torch.save's default format since 1.6) without running any code. */
export function loadPytorchCheckpoint(b: Uint8Array, opts: { device?: string } = {}): CheckpointValue {
  if (isLegacyPickle(b)) {
    throw new ValueError(`${FMT}: this is PyTorch's legacy (pre-1.6, non-zip) format, which is not supported; re-save it with torch.save(obj, f) from a recent PyTorch`);
  }
  ensure(b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b, FMT, () => 'not a PyTorch zip checkpoint (missing the PK zip signature)');
  const entries = readZip(b);
  const prefix = checkPrefix(entries.keys());
  const byteorder = entries.get(`${prefix}byteorder`);
  const bigEndian = byteorder !== undefined && new TextDecoder().decode(byteorder).trim() === 'big';
  const device = opts.device ?? 'cpu';
  const storages = new Map<string, StorageRef>();
  const created: Tensor[] = [];

  const loadStorage = (pid: PyValue): StorageRef => {
    ensure(Array.isArray(pid) && pid.length === 5 && pid[0] === 'storage', FMT, () => 'unsupported persistent id (expected a storage record)');
    const [, type, key, , numel] = pid as [string, unknown, unknown, unknown, unknown];
    ensure(type instanceof PyGlobal && type.module === 'torch' && type.name in STORAGE_DTYPE, FMT, () => `unsupported storage type ${type instanceof PyGlobal ? type.qualname : String(type)}`);
    ensure(typeof key === 'string' && /^[\w.-]+$/.test(key), FMT, () => `invalid storage key ${String(key)}`);
    ensure(isInt(numel) && numel >= 0, FMT, () => `invalid storage size ${String(numel)}`);
    const dtype = STORAGE_DTYPE[(type as PyGlobal).name]!;
    const seen = storages.get(key as string);
    if (seen) {
      ensure(seen.flat.dtype === dtype, FMT, () => `storage '${key}' is used with two types`);
      return seen;
    }
    const data = entries.get(`${prefix}data/${key}`);
    ensure(data !== undefined, FMT, () => `storage record '${prefix}data/${key}' is missing from the archive`);
    const isz = itemsize(dtype);
    const nbytes = (numel as number) * isz;
    ensure(data.length >= nbytes, FMT, () => `storage '${key}' declares ${numel} ${dtype} elements (${nbytes} bytes) but its record has ${data.length} bytes`);
    const flat = emptyTensor([numel as number], dtype, device);
    created.push(flat);
    if (nbytes > 0) {
      let payload = data.subarray(0, nbytes);
      if ((bigEndian && isz > 1) || dtype === 'bool') {
        payload = payload.slice();
        if (dtype === 'bool') for (let k = 0; k < nbytes; k++) payload[k] = payload[k] ? 1 : 0;
        else for (let e = 0; e < nbytes; e += isz) payload.subarray(e, e + isz).reverse();
      }
      flat._storage.backend.writeBytes(flat._storage, 0, payload);
    }
    const ref = new StorageRef(flat, key as string);
    storages.set(key as string, ref);
    return ref;
  };

  const rebuildTensor = (args: PyValue[]): Tensor => {
    ensure(args.length >= 4 && args.length <= 7, FMT, () => `_rebuild_tensor_v2 expects 6 or 7 arguments, got ${args.length}`);
    const [storage, offset, sizeArg, strideArg, requiresGrad] = args;
    ensure(storage instanceof StorageRef, FMT, () => '_rebuild_tensor_v2: the first argument is not a storage');
    ensure(isInt(offset) && offset >= 0, FMT, () => `_rebuild_tensor_v2: invalid storage offset ${String(offset)}`);
    const size = intList(sizeArg, 'size');
    const stride = intList(strideArg, 'stride');
    ensure(size.length === stride.length, FMT, () => `size (${size.length} dims) and stride (${stride.length} dims) differ in length`);
    const flat = (storage as StorageRef).flat;
    const storageNumel = flat.numel();
    if (!size.includes(0)) {
      let last = offset as number;
      for (let d = 0; d < size.length; d++) last += (size[d]! - 1) * stride[d]!;
      ensure(last < storageNumel, FMT, () => `tensor (offset ${offset}, size [${size}], stride [${stride}]) reaches element ${last} of storage '${(storage as StorageRef).key}', which has ${storageNumel}`);
    }
    const t = new Tensor(flat._storage, [...size], [...stride], offset as number, flat.dtype);
    created.push(t);
    if (requiresGrad === true) t.requiresGrad = true;
    return t;
  };

  let result: PyValue;
  try {
    result = unpickle(entries.get(`${prefix}data.pkl`)!, {
      persistentLoad: loadStorage,
      allowGlobal: (m, n) => ALLOWED_CALLS.has(`${m}.${n}`) || (m === 'torch' && n in STORAGE_DTYPE),
      rejectReason: (m, n) => (m === 'torch.storage' && n === '_load_from_bytes'
        ? 'it would run torch.load on embedded bytes (a storage pickled outside torch.save)'
        : undefined),
      call(fn, args) {
        switch (fn.qualname) {
          case 'collections.OrderedDict':
            ensure(args.length === 0, FMT, () => 'OrderedDict() with arguments is not supported');
            return new Map();
          case 'torch._utils._rebuild_tensor_v2':
            return rebuildTensor(args);
          case 'torch._utils._rebuild_parameter': {
            ensure(args.length === 3 && args[0] instanceof Tensor, FMT, () => '_rebuild_parameter expects (tensor, requires_grad, hooks)');
            const p = Parameter(args[0] as Tensor, args[1] === true);
            created.push(p);
            return p;
          }
          default:
            throw new ValueError(`${FMT}: ${fn.qualname} cannot be called`);
        }
      },
      build(obj, state) {
        // An OrderedDict's instance state (a state dict's `_metadata`) carries nothing tensors need.
        ensure(obj instanceof Map && (state === null || state instanceof Map), FMT, () => 'BUILD is only supported on OrderedDicts');
      },
    });
  } catch (e) {
    for (const t of created) if (!t.isDisposed) t.dispose();
    throw e;
  }
  // Keep what the result holds; the flat storage holders (and unreferenced tensors) go.
  const reachable = new Set<Tensor>();
  const seen = new Set<unknown>();
  // Iterative walk: a hostile pickle may nest lists deeper than the JS call stack.
  const walk = (root: unknown) => {
    const todo = [root];
    while (todo.length) {
      const v = todo.pop();
      if (seen.has(v)) continue;
      seen.add(v);
      if (v instanceof Tensor) reachable.add(v);
      else if (v instanceof StorageRef) throw new ValueError(`${FMT}: bare storages are not supported as values`);
      else if (v instanceof PyGlobal) throw new ValueError(`${FMT}: the checkpoint holds the global ${v.qualname} as a value`);
      else if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
      else if (Array.isArray(v)) for (const x of v) todo.push(x);
    }
  };
  try {
    walk(result);
  } catch (e) {
    for (const t of created) if (!t.isDisposed) t.dispose();
    throw e;
  }
  for (const t of created) if (!reachable.has(t)) t.dispose();
  return result as CheckpointValue;
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
