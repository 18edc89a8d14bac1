/**
 * What both torch.save formats (the zip archive and the legacy pre-1.6 stream) share: the object
 * pickle, read through the safe unpickler with PyTorch's allow-list (OrderedDict, the tensor and
 * parameter rebuild functions, typed storage classes), tensors rebuilt as views over storages
 * loaded once per key, and cleanup so that a failed load or an unreferenced storage frees its memory.
 */
import { Tensor, ValueError, emptyTensor, isFloatingPoint, itemsize } from '@torchts/core';
import type { DType } from '@torchts/core';
import { Parameter } from '../parameter.js';
import { ensure } from './bytes.js';
import { PyGlobal, unpickleAt } from './unpickle.js';
import type { PyValue, UnpickleHooks } from './unpickle.js';

export const STORAGE_DTYPE: Record<string, DType> = {
  FloatStorage: 'float32', DoubleStorage: 'float64', HalfStorage: 'float16', BFloat16Storage: 'bfloat16',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const ALLOWED_CALLS = new Set([
  'collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_tensor', 'torch._utils._rebuild_parameter',
]);
// Files saved from CUDA tensors by older PyTorch name torch.cuda.<Type>Storage; they load on opts.device.
const STORAGE_MODULES = new Set(['torch', 'torch.cuda']);

/** What a torch.save file holds once loaded: dicts and OrderedDicts become Maps, lists and tuples arrays. */
export type CheckpointValue = Tensor | Map<unknown, CheckpointValue> | CheckpointValue[] | string | number | bigint | boolean | null;

/** A storage as the pickle sees it: `numel` elements of `flat` from `offset` (non-zero only for legacy storage views). */
export class StorageRef {
  constructor(readonly flat: Tensor, readonly key: string, readonly offset = 0, readonly numel = flat.numel()) {}
}

export const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function intList(v: unknown, what: string, fmt: string): number[] {
  ensure(Array.isArray(v) && v.every((x) => isInt(x) && x >= 0), fmt, () => `${what} must be a tuple of non-negative integers, got ${String(v)}`);
  return v as number[];
}

/** The dtype of a storage type global (torch.FloatStorage ...), or a clear error. */
export function storageDtype(type: unknown, fmt: string): DType {
  ensure(
    type instanceof PyGlobal && STORAGE_MODULES.has(type.module) && type.name in STORAGE_DTYPE,
    fmt,
    () => `unsupported storage type ${type instanceof PyGlobal ? type.qualname : String(type)}`,
  );
  return STORAGE_DTYPE[(type as PyGlobal).name]!;
}

function checkCanRequireGrad(t: Tensor, fmt: string): void {
  ensure(isFloatingPoint(t.dtype), fmt, () => `a ${t.dtype} tensor is marked requires_grad; only floating point tensors can require gradients`);
}

/** Hooks for pickles that may hold plain values only (the legacy format's header and key list). */
export function plainValueHooks(fmt: string, what: string): UnpickleHooks {
  const refuse = (): never => {
    throw new ValueError(`${fmt}: the ${what} pickle holds an object; only plain values belong there`);
  };
  return { persistentLoad: refuse, call: refuse, build: refuse, allowGlobal: () => false };
}

/** Writes `payload` (the file's little-endian bytes, or big-endian ones to swap) into a fresh storage. */
export function fillStorage(flat: Tensor, payload: Uint8Array, bigEndian = false): void {
  if (payload.length === 0) return;
  const isz = itemsize(flat.dtype);
  if ((bigEndian && isz > 1) || flat.dtype === 'bool') {
    payload = payload.slice();
    // A bool byte other than 0/1 would read back as neither true nor false.
    if (flat.dtype === 'bool') for (let k = 0; k < payload.length; k++) payload[k] = payload[k] ? 1 : 0;
    else for (let e = 0; e < payload.length; e += isz) payload.subarray(e, e + isz).reverse();
  }
  flat._storage.backend.writeBytes(flat._storage, 0, payload);
}

/**
 * One load of a torch.save file: tracks every tensor it creates, so that `dispose` frees them all
 * after a failure and `finish` frees those the result does not reach.
 */
export class TorchPickleLoad {
  private readonly created: Tensor[] = [];

  constructor(readonly fmt: string, readonly device: string) {}

  /** An uninitialised flat storage of `numel` elements; the caller fills it before returning the result. */
  allocate(numel: number, dtype: DType): Tensor {
    const flat = emptyTensor([numel], dtype, this.device);
    this.created.push(flat);
    return flat;
  }

  /** Reads the object pickle at `start`; `persistentLoad` turns storage records into StorageRefs. */
  readObject(b: Uint8Array, start: number, persistentLoad: (pid: PyValue) => StorageRef): [PyValue, number] {
    const fmt = this.fmt;
    return unpickleAt(b, start, {
      persistentLoad,
      allowGlobal: (m, n) => ALLOWED_CALLS.has(`${m}.${n}`) || (STORAGE_MODULES.has(m) && n in STORAGE_DTYPE),
      rejectReason: (m, n) => {
        if (m === 'torch.storage' && n === '_load_from_bytes') return 'it would run torch.load on embedded bytes (a storage pickled outside torch.save)';
        if (STORAGE_MODULES.has(m) && n.endsWith('Storage')) return 'torchts has no dtype for this storage type';
        if (/^[A-Z]/.test(n)) return 'classes are never instantiated, so a whole pickled model (torch.save(model)) cannot be read; save model.state_dict() instead';
        return undefined;
      },
      call: (fn, args) => {
        switch (fn.qualname) {
          case 'collections.OrderedDict': {
            // Python 3 pickles OrderedDict() then its items; Python 2 passed the items as [[key, value], ...].
            const items = args.length === 1 ? args[0] : [];
            ensure(
              args.length <= 1 && Array.isArray(items) && items.every((kv) => Array.isArray(kv) && kv.length === 2),
              fmt,
              () => 'OrderedDict() takes no arguments or one list of [key, value] pairs',
            );
            return new Map(items as [PyValue, PyValue][]);
          }
          case 'torch._utils._rebuild_tensor_v2':
            return this.rebuildTensor(args);
          case 'torch._utils._rebuild_tensor': // PyTorch < 0.4: (storage, offset, size, stride)
            ensure(args.length === 4, fmt, () => `_rebuild_tensor expects 4 arguments, got ${args.length}`);
            return this.rebuildTensor(args);
          case 'torch._utils._rebuild_parameter': {
            ensure(args.length === 3 && args[0] instanceof Tensor, fmt, () => '_rebuild_parameter expects (tensor, requires_grad, hooks)');
            if (args[1] === true) checkCanRequireGrad(args[0] as Tensor, fmt);
            const p = Parameter(args[0] as Tensor, args[1] === true);
            this.created.push(p);
            return p;
          }
          default:
            throw new ValueError(`${fmt}: ${fn.qualname} cannot be called`);
        }
      },
      build(obj, state) {
        // An OrderedDict's instance state (a state dict's `_metadata`) carries nothing tensors need.
        ensure(obj instanceof Map && (state === null || state instanceof Map), fmt, () => 'BUILD is only supported on OrderedDicts');
      },
    });
  }

  private rebuildTensor(args: PyValue[]): Tensor {
    const fmt = this.fmt;
    ensure(args.length >= 4 && args.length <= 7, fmt, () => `_rebuild_tensor_v2 expects 6 or 7 arguments, got ${args.length}`);
    const [storage, offset, sizeArg, strideArg, requiresGrad] = args;
    ensure(storage instanceof StorageRef, fmt, () => '_rebuild_tensor_v2: the first argument is not a storage');
    ensure(isInt(offset) && offset >= 0, fmt, () => `_rebuild_tensor_v2: invalid storage offset ${String(offset)}`);
    const size = intList(sizeArg, 'size', fmt);
    const stride = intList(strideArg, 'stride', fmt);
    ensure(size.length === stride.length, fmt, () => `size (${size.length} dims) and stride (${stride.length} dims) differ in length`);
    const ref = storage as StorageRef;
    if (!size.includes(0)) {
      let last = offset as number;
      for (let d = 0; d < size.length; d++) last += (size[d]! - 1) * stride[d]!;
      ensure(last < ref.numel, fmt, () => `tensor (offset ${offset}, size [${size}], stride [${stride}]) reaches element ${last} of storage '${ref.key}', which has ${ref.numel}`);
    }
    const t = new Tensor(ref.flat._storage, [...size], [...stride], ref.offset + (offset as number), ref.flat.dtype);
    this.created.push(t);
    if (requiresGrad === true) {
      checkCanRequireGrad(t, fmt);
      t.requiresGrad = true;
    }
    return t;
  }

  /** Frees everything this load created (after a failure). */
  dispose(): void {
    for (const t of this.created) if (!t.isDisposed) t.dispose();
  }

  /** Checks the result holds only values, then frees the tensors it does not reach (flat storage holders among them). */
  finish(result: PyValue): CheckpointValue {
    const reachable = new Set<Tensor>();
    const seen = new Set<unknown>();
    // Iterative walk: a hostile pickle may nest lists deeper than the JS call stack.
    const todo = [result];
    while (todo.length) {
      const v = todo.pop();
      if (seen.has(v)) continue;
      seen.add(v);
      if (v instanceof Tensor) reachable.add(v);
      else if (v instanceof StorageRef) throw new ValueError(`${this.fmt}: bare storages are not supported as values`);
      else if (v instanceof PyGlobal) throw new ValueError(`${this.fmt}: the checkpoint holds the global ${v.qualname} as a value`);
      else if (v instanceof Map) for (const [k, x] of v) todo.push(k, x);
      else if (Array.isArray(v)) for (const x of v) todo.push(x);
    }
    for (const t of this.created) if (!reachable.has(t)) t.dispose();
    return result as CheckpointValue;
  }
}
