/**
 * torchvision.utils.save_image: a float image or batch (values in [0, 1]) written as a PNG or
 * JPEG file, through makeGrid and the io encoders (sharp). The format follows the file's
 * extension unless `format` is given.
 */
import { extname } from 'node:path';
import * as torch from '@torchts/core';
import { ValueError, type Tensor } from '@torchts/core';
import { writeJpeg, writePng } from '../io/index.js';
import { makeGrid, type MakeGridOptions } from './make-grid.js';

export interface SaveImageOptions extends MakeGridOptions {
  /** 'png' or 'jpeg'; by default from the extension (.png, .jpg, .jpeg). */
  format?: 'png' | 'jpeg';
}

function formatOf(path: string, format: string | undefined): 'png' | 'jpeg' {
  const f = (format ?? extname(path).slice(1)).toLowerCase();
  if (f === 'png') return 'png';
  if (f === 'jpg' || f === 'jpeg') return 'jpeg';
  if (format !== undefined) throw new ValueError(`save_image(): unknown format '${format}' (torchts writes 'png' and 'jpeg')`);
  throw new ValueError(`unknown file extension: ${extname(path) || '(none)'} (torchts writes .png, .jpg and .jpeg)`);
}

/** The grid as torchvision converts it: round(x * 255) clamped to [0, 255], uint8 [C, H, W]. */
export function toUint8Image(input: Tensor | Tensor[], opts: MakeGridOptions = {}): Tensor {
  return torch.tidy(() => makeGrid(input, opts).mul(255).add_(0.5).clamp_(0, 255).to('uint8'));
}

export async function saveImage(input: Tensor | Tensor[], path: string, opts: SaveImageOptions = {}): Promise<void> {
  const format = formatOf(path, opts.format);
  const image = toUint8Image(input, opts);
  try {
    if (format === 'png') await writePng(image, path);
    else await writeJpeg(image, path);
  } finally {
    image.dispose();
  }
}
