/** Saving and loading tensors and state dicts: safetensors, PyTorch's torch.save formats (zip; legacy read-only), .npz. */
export { save, load, saveFile, loadFile, writeFileAtomic } from './files.js';
export type { SaveFormat, SaveOptions, LoadOptions } from './files.js';
export { saveSafetensors, loadSafetensors, safetensorsMetadata } from './safetensors.js';
export type { SaveSafetensorsOptions } from './safetensors.js';
export { loadPytorchCheckpoint, savePytorchCheckpoint } from './pytorch.js';
export { loadLegacyCheckpoint, isLegacyCheckpoint } from './legacy.js';
export type { CheckpointValue } from './pytorch.js';
export { saveNpz, loadNpz } from './npz.js';
