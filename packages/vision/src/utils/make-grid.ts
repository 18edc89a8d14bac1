/**
 * torchvision.utils.make_grid: a batch of images [B, C, H, W] (or a list of [C, H, W], or one
 * image) tiled into one image [C, rows * (H + padding) + padding, cols * (W + padding) + padding],
 * `nrow` images per row. Single-channel images become three-channel, as torchvision does, so the
 * grid can be saved as RGB.
 */
import * as torch from '@torchts/core';
import { ValueError, type Tensor } from '@torchts/core';

export interface MakeGridOptions {
  /** Images per row (default 8). */
  nrow?: number;
  /** Pixels between images and around the grid (default 2). */
  padding?: number;
  /** Shift and scale values into [0, 1] by `valueRange`, or by the min and max of the images. */
  normalize?: boolean;
  /** [min, max] used by `normalize` (values are clamped to it first). */
  valueRange?: readonly [number, number];
  /** Normalise each image by its own min and max instead of the batch's. */
  scaleEach?: boolean;
  /** The value of the padding (default 0). */
  padValue?: number;
}

// In place: clamp to [low, high], then map it onto [0, 1].
function normalizeInPlace(img: Tensor, range: readonly [number, number] | undefined): void {
  const [low, high] = range ?? [img.min().item(), img.max().item()];
  img.clamp_(low, high);
  img.sub_(low).div_(Math.max(high - low, 1e-5));
}

export function makeGrid(input: Tensor | Tensor[], opts: MakeGridOptions = {}): Tensor {
  const { nrow = 8, padding = 2, normalize = false, valueRange, scaleEach = false, padValue = 0 } = opts;
  if (Array.isArray(input)) {
    const bad = input.find((t) => !torch.isTensor(t));
    if (bad !== undefined) throw new TypeError(`tensor or list of tensors expected, got a list containing ${typeof bad}`);
  } else if (!torch.isTensor(input)) throw new TypeError(`tensor or list of tensors expected, got ${typeof input}`);
  if (valueRange !== undefined && (!Array.isArray(valueRange) || valueRange.length !== 2)) {
    throw new TypeError('value_range has to be a tuple (min, max) if specified. min and max are numbers');
  }
  if (!Number.isInteger(nrow) || nrow < 1) throw new ValueError(`make_grid(): nrow must be a positive integer, got ${nrow}`);
  if (!Number.isInteger(padding) || padding < 0) throw new ValueError(`make_grid(): padding must be a non-negative integer, got ${padding}`);
  return torch.tidy(() => {
    let t = Array.isArray(input) ? torch.stack(input, 0) : input;
    if (t.dim() === 2) t = t.unsqueeze(0);
    if (t.dim() === 3) {
      if (t.shape[0] === 1) t = torch.cat([t, t, t], 0);
      t = t.unsqueeze(0);
    }
    if (t.dim() !== 4) throw new ValueError(`make_grid(): expected images of 2, 3 or 4 dimensions, got ${t.dim()} ([${t.shape.join(', ')}])`);
    if (t.shape[1] === 1) t = torch.cat([t, t, t], 1);
    if (normalize) {
      t = t.clone();
      if (scaleEach) for (let i = 0; i < t.shape[0]!; i++) normalizeInPlace(t.select(0, i), valueRange);
      else normalizeInPlace(t, valueRange);
    }
    if (t.shape[0] === 1) return t.squeeze(0);
    const [n, c, h, w] = t.shape as [number, number, number, number];
    const cols = Math.min(nrow, n);
    const rows = Math.ceil(n / cols);
    const cellH = h + padding;
    const cellW = w + padding;
    const grid = t.newFull([c, cellH * rows + padding, cellW * cols + padding], padValue);
    for (let k = 0; k < n; k++) {
      const y = Math.floor(k / cols);
      const x = k % cols;
      grid.narrow(1, y * cellH + padding, h).narrow(2, x * cellW + padding, w).copy_(t.select(0, k));
    }
    return grid;
  });
}
