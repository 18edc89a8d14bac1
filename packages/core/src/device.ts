/**
 * Devices and their backends. Core knows no backend: a backend package registers itself here
 * ('cpu' by @torchts/backend-cpu) and core allocates through this interface only.
 */
import { RuntimeError } from './errors.js';
import type { Storage, StorageRecord } from './storage.js';

export interface MemoryStats {
  /** Bytes held by live storages. */
  liveBytes: number;
  /** Bytes freed by tensors and kept by the allocator for reuse. */
  pooledBytes: number;
  /** Bytes the device heap occupies in total (live + pooled + fragmentation). */
  heapBytes: number;
  liveStorages: number;
}

export interface Backend {
  readonly device: string;
  /** A storage of at least `nbytes`; contents are unspecified. */
  allocate(nbytes: number): Storage;
  /** Returns the storage to the allocator (called when its last reference goes); may pool it. */
  release(storage: Storage): void;
  /** Frees the memory of a storage the GC collected while still in use (the safety net). */
  reclaim?(record: StorageRecord): void;
  /** Copies bytes out of a storage (for non-host devices and the CPU fallback). */
  readBytes(storage: Storage, byteOffset: number, nbytes: number): Uint8Array;
  writeBytes(storage: Storage, byteOffset: number, bytes: Uint8Array): void;
  stats(): MemoryStats;
}

const backends = new Map<string, Backend>();

export function registerBackend(backend: Backend): void {
  backends.set(backend.device, backend);
}

export function hasBackend(device: string): boolean {
  return backends.has(device);
}

export function registeredDevices(): string[] {
  return [...backends.keys()];
}

/** Normalises `'cuda:0'`-style names to the backend's device type. */
export function deviceType(device: string): string {
  const i = device.indexOf(':');
  return i < 0 ? device : device.slice(0, i);
}

export function getBackend(device: string): Backend {
  const b = backends.get(device) ?? backends.get(deviceType(device));
  if (!b) {
    const known = [...backends.keys()].join(', ') || 'none';
    if (device === 'cpu') {
      throw new RuntimeError(
        "no backend registered for device 'cpu': import 'torchts' (or '@torchts/backend-cpu') before creating tensors",
      );
    }
    throw new RuntimeError(`Expected one of the registered devices (${known}) but got device type '${device}'`);
  }
  return b;
}
