/**
 * torchvision.utils.draw_bounding_boxes, pixel for pixel: boxes are drawn as PIL's
 * ImageDraw.rectangle draws them (coordinates truncated to integers and inclusive, `width`-pixel
 * outlines growing inwards, clipped to the image), and `fill` blends the box's colour at alpha
 * 100/255 with PIL's integer rounding before the outline is drawn. Label text is not drawn:
 * torchts has no font renderer, so passing `labels` throws.
 */
import * as torch from '@torchts/core';
import { NotImplementedError, ValueError, type Tensor } from '@torchts/core';
import { colorsFor, type Color, type RGB } from './colors.js';

export interface DrawBoundingBoxesOptions {
  /** Not supported (no font rendering in torchts): passing labels throws. */
  labels?: string[];
  /** One colour for every box, or one per box (default: torchvision's palette). */
  colors?: Color | Color[];
  /** Fill the boxes with their colour at alpha 100/255. */
  fill?: boolean;
  /** Outline width in pixels (default 1). */
  width?: number;
}

const FILL_ALPHA = 100;

// PIL's DIV255 rounding of dst * (255 - a) + ink * a.
const blend = (dst: number, ink: number, a: number): number => {
  const t = dst * (255 - a) + ink * a + 128;
  return ((t >> 8) + t) >> 8;
};

class Canvas {
  constructor(readonly px: Uint8Array, readonly h: number, readonly w: number) {}

  point(x: number, y: number, ink: RGB, alpha: number): void {
    if (x < 0 || x >= this.w || y < 0 || y >= this.h) return;
    const plane = this.h * this.w;
    const at = y * this.w + x;
    for (let c = 0; c < 3; c++) this.px[c * plane + at] = alpha === 255 ? ink[c]! : blend(this.px[c * plane + at]!, ink[c]!, alpha);
  }

  hline(y: number, x0: number, x1: number, ink: RGB, alpha: number): void {
    if (y < 0 || y >= this.h) return;
    for (let x = Math.max(x0, 0); x <= Math.min(x1, this.w - 1); x++) this.point(x, y, ink, alpha);
  }

  /** PIL's vertical line: |y1 - y0| points from y0 towards y1, the end point excluded. */
  vline(x: number, y0: number, y1: number, ink: RGB): void {
    const step = y1 >= y0 ? 1 : -1;
    for (let i = 0, y = y0; i < Math.abs(y1 - y0); i++, y += step) this.point(x, y, ink, 255);
  }

  rectangle([x0, y0, x1, y1]: number[], ink: RGB, width: number, fill: boolean): void {
    if (fill) for (let y = y0!; y <= y1!; y++) this.hline(y, x0!, x1!, ink, FILL_ALPHA);
    for (let i = 0; i < width; i++) {
      this.hline(y0! + i, x0!, x1!, ink, 255);
      this.hline(y1! - i, x0!, x1!, ink, 255);
      this.vline(x1! - i, y0! + width, y1! - width + 1, ink);
      this.vline(x0! + i, y0! + width, y1! - width + 1, ink);
    }
  }
}

/** Draws xyxy `boxes` [N, 4] on a uint8 image [C, H, W] (C = 1 or 3) -> a new uint8 RGB image [3, H, W]. */
export function drawBoundingBoxes(image: Tensor, boxes: Tensor, opts: DrawBoundingBoxesOptions = {}): Tensor {
  if (!torch.isTensor(image)) throw new TypeError(`Tensor expected, got ${typeof image}`);
  if (image.dtype !== 'uint8') throw new ValueError(`Tensor uint8 expected, got ${image.dtype}`);
  if (image.dim() !== 3) throw new ValueError('Pass individual images, not batches');
  if (image.shape[0] !== 1 && image.shape[0] !== 3) throw new ValueError('Only grayscale and RGB images are supported');
  if (!torch.isTensor(boxes) || boxes.dim() !== 2 || boxes.shape[1] !== 4) {
    throw new ValueError(`boxes should be a [N, 4] tensor, got ${torch.isTensor(boxes) ? `[${boxes.shape.join(', ')}]` : typeof boxes}`);
  }
  const coords = torch.readNumbers(boxes);
  const n = boxes.shape[0]!;
  for (let i = 0; i < n; i++) {
    if (coords[4 * i]! > coords[4 * i + 2]! || coords[4 * i + 1]! > coords[4 * i + 3]!) {
      throw new ValueError('Boxes need to be in (xmin, ymin, xmax, ymax) format. Use torchvision.ops.box_convert to convert them');
    }
  }
  if (n === 0) return image.clone(); // torchvision warns and returns the image as it is
  const { labels, fill = false, width = 1 } = opts;
  if (labels !== undefined && labels !== null) {
    if (labels.length !== n) throw new ValueError(`Number of boxes (${n}) and labels (${labels.length}) mismatch. Please specify labels for each box.`);
    throw new NotImplementedError('drawBoundingBoxes(): labels are not supported: torchts has no font rendering to draw text with. Draw the boxes without labels.');
  }
  if (!Number.isInteger(width) || width < 0) throw new ValueError(`drawBoundingBoxes(): width must be a non-negative integer, got ${width}`);
  const colors = colorsFor(opts.colors, n, (k) => `Number of colors (${k}) is less than number of boxes (${n}). `);
  const [c, h, w] = image.shape as [number, number, number];
  const src = torch.toTypedArray(image) as Uint8Array;
  const px = new Uint8Array(3 * h * w);
  for (let k = 0; k < 3; k++) px.set(src.subarray((c === 1 ? 0 : k) * h * w, ((c === 1 ? 0 : k) + 1) * h * w), k * h * w);
  const canvas = new Canvas(px, h, w);
  for (let i = 0; i < n; i++) {
    const box = Array.from(coords.subarray(4 * i, 4 * i + 4), Math.trunc); // boxes.to(int64)
    canvas.rectangle(box, colors[i]!, width, fill);
  }
  return torch.fromTypedArray(px, [3, h, w]);
}
