// torchvision.utils: image grids, saving images, drawing bounding boxes and segmentation masks.
export { makeGrid } from './make-grid.js';
export type { MakeGridOptions } from './make-grid.js';
export { saveImage, toUint8Image } from './save-image.js';
export type { SaveImageOptions } from './save-image.js';
export { drawBoundingBoxes } from './draw-boxes.js';
export type { DrawBoundingBoxesOptions } from './draw-boxes.js';
export { drawSegmentationMasks } from './draw-masks.js';
export type { DrawSegmentationMasksOptions } from './draw-masks.js';
export { parseColor, generateColorPalette } from './colors.js';
export type { Color } from './colors.js';
