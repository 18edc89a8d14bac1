/** NumPy's .npz: a zip of '<name>.npy' entries (np.savez), written and read with core's .npy code. */
import { Tensor, ValueError, loadNpy, saveNpy } from '@torchts/core';
import { asBytes } from './bytes.js';
import type { Bytes } from './bytes.js';
import { readZip, writeZip } from './zip.js';

/** The .npz bytes of named tensors (a Map or plain object), as np.savez(file, **arrays) stores them. */
export function saveNpz(arrays: Map<string, Tensor> | Record<string, Tensor>): Uint8Array {
  const items = arrays instanceof Map ? [...arrays] : Object.entries(arrays);
  return writeZip(items.map(([name, t]) => {
    if (!(t instanceof Tensor)) throw new TypeError(`saveNpz(): '${name}' is not a Tensor`);
    return [`${name}.npy`, saveNpy(t)] as [string, Uint8Array];
  }));
}

/** Named tensors from .npz bytes (entry names without '.npy'), in archive order. */
export function loadNpz(data: Bytes, opts: { device?: string } = {}): Map<string, Tensor> {
  const entries = readZip(asBytes(data, 'loadNpz'));
  const out = new Map<string, Tensor>();
  try {
    for (const [name, bytes] of entries) {
      const key = name.endsWith('.npy') ? name.slice(0, -4) : name;
      try {
        out.set(key, loadNpy(bytes, opts));
      } catch (e) {
        throw new ValueError(`loadNpz(): entry '${name}': ${(e as Error).message}`);
      }
    }
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  return out;
}
