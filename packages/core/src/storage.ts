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

export class Storage {
  refs = 0;
  version = 0;
  private views: Partial<Record<DType, HostArray>> | null = null;

  constructor(
    readonly backend: Backend,
    readonly nbytes: number,
    /** Backend handle: a byte address for the CPU heap, a buffer object elsewhere. */
    readonly ptr: number,
    /** Host-addressable memory (CPU); null for device memory that needs a copy to read. */
    readonly buffer: ArrayBufferLike | null,
  ) {}

  get device(): string {
    return this.backend.device;
  }

  /** The whole storage seen as `dtype` elements (cached). Only for host-addressable storages. */
  host(dtype: DType): HostArray {
    let v = this.views?.[dtype];
    if (v) return v;
    if (!this.buffer) {
      throw new RuntimeError(`storage on device '${this.device}' is not host-addressable; copy it to 'cpu' first`);
    }
    v = hostArray(this.buffer, this.ptr, Math.floor(this.nbytes / bytesPer(dtype)), dtype);
    (this.views ??= {})[dtype] = v;
    return v;
  }

  incref(): void {
    this.refs++;
  }

  decref(): void {
    if (--this.refs === 0) {
      this.views = null;
      this.backend.release(this);
    }
  }
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
