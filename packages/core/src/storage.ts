/**
 * A Storage is a reference-counted block of device memory. Tensors are views over it; every
 * tensor holds one reference, released by `dispose()` or, as a safety net, by the GC.
 * `version` is PyTorch's version counter: shared by all views, bumped by in-place writes.
 */
import type { DType } from './dtype.js';
import { RuntimeError } from './errors.js';
import type { HostArray } from './dtypeio.js';
import { hostArray } from './dtypeio.js';
import type { Backend } from './device.js';

/**
 * What the GC safety net needs to give a storage's memory back without the Storage object:
 * the FinalizationRegistry holds this record, never the Storage.
 */
export interface StorageRecord {
  backend: Backend;
  ptr: number;
  nbytes: number;
  /** Bytes actually reserved (the allocator's size class); views cover all of it. */
  capacity: number;
  /** Live tensors holding this storage. */
  refs: number;
  /** false while the storage sits in its backend's pool. */
  inUse: boolean;
}

export class Storage {
  version = 0;
  readonly record: StorageRecord;
  private views: Partial<Record<DType, HostArray>> | null = null;

  constructor(
    readonly backend: Backend,
    nbytes: number,
    /** Backend handle: a byte address for the CPU heap, a buffer id or object elsewhere. */
    readonly ptr: number,
    /** Host-addressable memory (CPU); null for device memory that needs a copy to read. */
    readonly buffer: ArrayBufferLike | null,
    capacity = nbytes,
  ) {
    this.record = { backend, ptr, nbytes, capacity, refs: 0, inUse: true };
    if (capacity > 0) storageRegistry.register(this, this.record);
  }

  get nbytes(): number {
    return this.record.nbytes;
  }
  get refs(): number {
    return this.record.refs;
  }
  get device(): string {
    return this.backend.device;
  }

  /** Hands a pooled storage out again (backends' allocators call this). */
  reuse(nbytes: number): this {
    this.record.nbytes = nbytes;
    this.record.inUse = true;
    this.version = 0;
    return this;
  }

  /** The whole storage seen as `dtype` elements (cached). Only for host-addressable storages. */
  host(dtype: DType): HostArray {
    let v = this.views?.[dtype];
    if (v) return v;
    if (!this.buffer) {
      throw new RuntimeError(`storage on device '${this.device}' is not host-addressable; copy it to 'cpu' first`);
    }
    v = hostArray(this.buffer, this.ptr, Math.floor(this.record.capacity / bytesPer(dtype)), dtype);
    (this.views ??= {})[dtype] = v;
    return v;
  }

  incref(): void {
    this.record.refs++;
  }

  decref(): void {
    if (--this.record.refs === 0) {
      this.record.inUse = false;
      this.backend.release(this);
    }
  }
}

/**
 * The GC safety net: a Storage that becomes unreachable while tensors still held it (they were
 * never disposed) gives its memory back. Registered once per Storage object; backends pool and
 * reuse Storage objects, so a steady training loop registers nothing.
 */
const storageRegistry = new FinalizationRegistry<StorageRecord>((record) => {
  if (!record.inUse) return;
  record.inUse = false;
  onStorageCollected(record.refs);
  record.backend.reclaim?.(record);
});

let onStorageCollected: (refs: number) => void = () => {};
/** memory.ts counts the tensors that died with a collected storage. */
export function setStorageCollectedHook(fn: (refs: number) => void): void {
  onStorageCollected = fn;
}

function bytesPer(dtype: DType): number {
  return dtype === 'float64' || dtype === 'int64' ? 8 : dtype === 'float32' || dtype === 'int32' ? 4
    : dtype === 'int16' || dtype === 'float16' || dtype === 'bfloat16' ? 2 : 1;
}

/** What a disposed tensor points at: any use names the mistake instead of reading freed memory. */
class DisposedStorage extends Storage {
  override host(): HostArray {
    throw new RuntimeError('Tensor has been disposed; it cannot be used after dispose()');
  }
  override incref(): void {
    throw new RuntimeError('Tensor has been disposed; it cannot be used after dispose()');
  }
  override decref(): void {}
}

export const DISPOSED_STORAGE: Storage = new DisposedStorage(
  { device: 'disposed', allocate: () => { throw new RuntimeError('disposed'); }, release: () => {}, readBytes: () => { throw new RuntimeError('Tensor has been disposed; it cannot be used after dispose()'); }, writeBytes: () => { throw new RuntimeError('Tensor has been disposed; it cannot be used after dispose()'); }, stats: () => ({ liveBytes: 0, pooledBytes: 0, heapBytes: 0, liveStorages: 0 }) },
  0, 0, null,
);
