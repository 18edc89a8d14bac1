/**
 * The CPU device's memory: one shared WebAssembly.Memory (so TS kernels, wasm SIMD kernels and
 * worker threads all see the same bytes) carved up by a size-class allocator.
 *
 * - Sizes are rounded to classes (64-byte steps up to 1 KiB, then four classes per power of two:
 *   at most 25% slack); freed blocks go to their class's free list and are reused first, so a
 *   training loop reaches a steady state and stops growing.
 * - The heap grows with `memory.grow` as needed. wasm32 caps it at 65536 pages = 4 GiB: past that
 *   an allocation first tries a larger pooled block, then throws a RuntimeError saying so.
 * - Blocks are 64-byte aligned (cache lines; SIMD loads).
 */
import { RuntimeError, Storage } from '@torchts/core';
import type { Backend, MemoryStats, StorageRecord } from '@torchts/core';

const PAGE = 65536;
const MAX_PAGES = 65536;
const ALIGN = 64;

export function sizeClass(nbytes: number): number {
  if (nbytes <= 1024) return Math.max(ALIGN, Math.ceil(nbytes / ALIGN) * ALIGN);
  const pow = 2 ** Math.floor(Math.log2(nbytes - 1));
  const step = pow / 4;
  return Math.ceil(nbytes / step) * step;
}

function fmtBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(2)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(2)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(2)} KiB`;
  return `${n} bytes`;
}

export class CpuHeap implements Backend {
  readonly device = 'cpu';
  readonly memory: WebAssembly.Memory;
  private buffer: ArrayBuffer | SharedArrayBuffer;
  private top = ALIGN; // address 0 stays unused so that a null pointer is never a live block
  /** Released Storage objects per size class, reused with their cached typed-array views. */
  private readonly pooled = new Map<number, Storage[]>();
  /** Blocks whose Storage object the GC collected (safety net), per size class. */
  private readonly freeBlocks = new Map<number, number[]>();
  private readonly scratchBlocks = new Map<string, { ptr: number; size: number }>();
  /** Every buffer object the memory has had (a grow gives a new one; shared ones never detach). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private liveBytes = 0;
  private pooledBytes = 0;
  private liveStorages = 0;

  constructor(initialPages = 256) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: MAX_PAGES, shared: true });
    this.buffer = this.memory.buffer;
    this.buffers.add(this.buffer);
  }

  allocate(nbytes: number): Storage {
    if (nbytes === 0) return new Storage(this, 0, 0, this.buffer);
    const size = sizeClass(nbytes);
    this.liveBytes += nbytes;
    this.liveStorages++;
    const reused = this.pooled.get(size)?.pop();
    if (reused) {
      this.pooledBytes -= size;
      return reused.reuse(nbytes);
    }
    let ptr = this.freeBlocks.get(size)?.pop();
    if (ptr !== undefined) this.pooledBytes -= size;
    else ptr = this.bump(size, nbytes);
    return new Storage(this, nbytes, ptr, this.buffer, size);
  }

  release(storage: Storage): void {
    if (storage.nbytes === 0) return;
    const size = storage.record.capacity;
    let list = this.pooled.get(size);
    if (!list) this.pooled.set(size, (list = []));
    list.push(storage);
    this.liveBytes -= storage.nbytes;
    this.pooledBytes += size;
    this.liveStorages--;
  }

  reclaim(record: StorageRecord): void {
    let list = this.freeBlocks.get(record.capacity);
    if (!list) this.freeBlocks.set(record.capacity, (list = []));
    list.push(record.ptr);
    this.liveBytes -= record.nbytes;
    this.pooledBytes += record.capacity;
    this.liveStorages--;
  }

  private bump(size: number, requested: number): number {
    const end = this.top + size;
    if (end > this.buffer.byteLength) {
      const needPages = Math.ceil((end - this.buffer.byteLength) / PAGE);
      const have = this.buffer.byteLength / PAGE;
      // Grow geometrically (fewer grows), but never past the wasm32 limit.
      const grow = Math.min(Math.max(needPages, Math.ceil(have / 2)), MAX_PAGES - have);
      if (grow < needPages) return this.fromLargerClass(size, requested);
      this.memory.grow(grow);
      this.buffer = this.memory.buffer;
      this.buffers.add(this.buffer);
    }
    const ptr = this.top;
    this.top = end;
    return ptr;
  }

  /**
   * Last resort at the 4 GiB limit: the smallest free block of a larger class. Its Storage object
   * (if pooled) is dropped, so the block serves the smaller class from now on.
   */
  private fromLargerClass(size: number, requested: number): number {
    let best = -1;
    for (const [cls, list] of this.pooled) if (cls >= size && list.length && (best < 0 || cls < best)) best = cls;
    for (const [cls, list] of this.freeBlocks) if (cls >= size && list.length && (best < 0 || cls < best)) best = cls;
    if (best < 0) {
      throw new RuntimeError(
        `CPU out of memory: tried to allocate ${fmtBytes(requested)} (${fmtBytes(this.liveBytes)} in live tensors, ` +
          `${fmtBytes(this.pooledBytes)} pooled, heap ${fmtBytes(this.top)}). The CPU device keeps all tensors in one ` +
          'wasm32 WebAssembly.Memory, which is limited to 4 GiB: dispose() tensors you no longer need or use smaller batches.',
      );
    }
    this.pooledBytes -= best;
    const block = this.freeBlocks.get(best)?.pop();
    if (block !== undefined) return block;
    // A pooled Storage has inUse = false, so the GC safety net ignores it once it is dropped.
    return this.pooled.get(best)!.pop()!.ptr;
  }

  /**
   * The address of a kernel workspace (GEMM packing panels, conv's im2col buffer) of at least
   * `nbytes`, one per `slot`, kept across calls (kernels run synchronously) and outside the storage
   * accounting: it shows in heapBytes only. A slot that must grow hands its old block to the pool.
   */
  scratch(slot: string, nbytes: number): number {
    const have = this.scratchBlocks.get(slot);
    if (have && have.size >= nbytes) return have.ptr;
    const size = sizeClass(Math.max(nbytes, 64));
    let ptr = this.freeBlocks.get(size)?.pop();
    if (ptr !== undefined) this.pooledBytes -= size;
    else ptr = this.bump(size, nbytes);
    if (have) {
      let list = this.freeBlocks.get(have.size);
      if (!list) this.freeBlocks.set(have.size, (list = []));
      list.push(have.ptr);
      this.pooledBytes += have.size;
    }
    this.scratchBlocks.set(slot, { ptr, size });
    return ptr;
  }

  /** Whether `buffer` is (a past size of) this heap's memory: wasm kernels can address it. */
  owns(buffer: ArrayBufferLike): boolean {
    return this.buffers.has(buffer);
  }

  readBytes(storage: Storage, byteOffset: number, nbytes: number): Uint8Array {
    return new Uint8Array(storage.buffer!, storage.ptr + byteOffset, nbytes).slice();
  }

  writeBytes(storage: Storage, byteOffset: number, bytes: Uint8Array): void {
    new Uint8Array(storage.buffer!, storage.ptr + byteOffset, bytes.length).set(bytes);
  }

  stats(): MemoryStats {
    return { liveBytes: this.liveBytes, pooledBytes: this.pooledBytes, heapBytes: this.top, liveStorages: this.liveStorages };
  }

  /** The current buffer of the shared memory (valid for every storage allocated so far). */
  get heapBuffer(): ArrayBuffer | SharedArrayBuffer {
    return this.buffer;
  }
}
