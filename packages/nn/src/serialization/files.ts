/**
 * torch.save / torch.load for torchts: bytes in memory (`save`/`load`) or files (`saveFile`/
 * `loadFile`, Node only, via a dynamic
 * import of node:fs so browser bundles do not pull it in).
 * safetensors is the default format; 'pt' writes PyTorch's zip checkpoint, 'npz' NumPy's archive.
 * `load` recognises the format from the bytes. Files are written atomically: a temporary file in
 * the same directory, written and fsynced, then renamed over the target, so a crash mid-save
 * leaves the previous file intact.
 */
import { ValueError, nodeFs, writeFileAtomic } from '@torchts/core';
import type { Tensor } from '@torchts/core';
import { asBytes } from './bytes.js';
import type { Bytes } from './bytes.js';
import { loadNpz, saveNpz } from './npz.js';
import { isLegacyCheckpoint, loadLegacyCheckpoint } from './legacy.js';
import { loadPytorchCheckpoint, savePytorchCheckpoint } from './pytorch.js';
import { loadSafetensors, saveSafetensors } from './safetensors.js';
import { isZipSignature, readZip } from './zip.js';

export type SaveFormat = 'safetensors' | 'pt' | 'npz';

export interface SaveOptions {
  /** Default 'safetensors' (for saveFile: 'pt' for .pt/.pth/.bin paths, 'npz' for .npz). */
  format?: SaveFormat;
  /** safetensors only: extra string metadata. */
  metadata?: Record<string, string>;
}

export interface LoadOptions {
  device?: string;
}

/** Serialises `obj` (a tensor, a state dict, nested containers of tensors) to bytes. */
export function save(obj: unknown, opts: SaveOptions = {}): Uint8Array {
  const format = opts.format ?? 'safetensors';
  switch (format) {
    case 'safetensors': return saveSafetensors(obj, { metadata: opts.metadata });
    case 'pt': return savePytorchCheckpoint(obj);
    case 'npz': return saveNpz(obj as Map<string, Tensor>);
    default: throw new ValueError(`save(): unknown format '${String(format)}' (expected 'safetensors', 'pt' or 'npz')`);
  }
}

/** Deserialises bytes written by `save`, torch.save (zip or legacy), safetensors or np.savez (detected from the content). */
export function load(data: Bytes, opts: LoadOptions = {}): unknown {
  const b = asBytes(data, 'load');
  if (isZipSignature(b)) {
    const names = [...readZip(b).keys()];
    if (names.some((n) => n === 'data.pkl' || n.endsWith('/data.pkl'))) return loadPytorchCheckpoint(b, opts);
    return loadNpz(b, opts);
  }
  if (isLegacyCheckpoint(b)) return loadLegacyCheckpoint(b, opts);
  return loadSafetensors(b, opts);
}

export { writeFileAtomic };

function formatForPath(path: string): SaveFormat {
  const lower = path.toLowerCase();
  if (/\.(pt|pth|bin|ckpt)$/.test(lower)) return 'pt';
  if (lower.endsWith('.npz')) return 'npz';
  return 'safetensors';
}

/** `save` to a file, atomically. */
export async function saveFile(path: string, obj: unknown, opts: SaveOptions = {}): Promise<void> {
  const bytes = save(obj, { ...opts, format: opts.format ?? formatForPath(path) });
  await writeFileAtomic(path, bytes, 'saveFile');
}

/** `load` from a file. */
export async function loadFile(path: string, opts: LoadOptions = {}): Promise<unknown> {
  const fs = await nodeFs('loadFile', 'save()/load() on bytes');
  return load(await fs.readFile(path), opts);
}
