/** torchvision.io.read_image: a file to a uint8 [C, H, W] tensor (async). */
import type { Tensor } from '@torchts/core';
import { decodeImage } from './decode.js';
import { readFile } from './file.js';
import type { ReadModeOptions } from './read-mode.js';

export async function readImage(path: string, opts?: ReadModeOptions): Promise<Tensor> {
  const bytes = await readFile(path);
  try {
    return await decodeImage(bytes, opts);
  } finally {
    bytes.dispose();
  }
}
