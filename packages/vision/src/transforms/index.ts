/**
 * torchvision.transforms for torchts: transforms of tensor images [..., C, H, W] (uint8 or float),
 * as nn.Modules (`t.call(img)`), and their functional forms in `functional`. Random transforms
 * draw from torch's default generator (or `{ generator }`), in torchvision's order.
 */
export * as functional from './functional/index.js';
export { InterpolationMode } from './functional/index.js';
export { Transform, RandomTransform, applyTransform } from './transform.js';
export type { TransformLike, RandomTransformOptions } from './transform.js';
export { Compose, Lambda, RandomApply, RandomChoice, RandomOrder } from './compose.js';
export { ToTensor, ToImage, ToDtype, ConvertImageDtype, Normalize } from './convert.js';
export { Resize, RandomResizedCrop } from './resize.js';
export type { ResizeTransformOptions, RandomResizedCropOptions } from './resize.js';
export { CenterCrop, RandomCrop, FiveCrop, TenCrop, Pad } from './crop.js';
export type { RandomCropOptions, PadTransformOptions } from './crop.js';
export { RandomHorizontalFlip, RandomVerticalFlip } from './flip.js';
export { RandomRotation, RandomAffine, RandomPerspective } from './affine.js';
export type { RandomAffineOptions, AffineParams, RandomPerspectiveOptions } from './affine.js';
export {
  ColorJitter, Grayscale, RandomGrayscale, GaussianBlur, RandomInvert, RandomPosterize, RandomSolarize, RandomAdjustSharpness,
  RandomAutocontrast, RandomEqualize,
} from './color.js';
export type { ColorJitterOptions, ColorJitterParams } from './color.js';
export { RandomErasing } from './erasing.js';
export type { RandomErasingOptions, ErasingParams } from './erasing.js';
export { AutoAugment, AutoAugmentPolicy, RandAugment, TrivialAugmentWide, applyOp } from './auto-augment.js';
export type { AugmentOp, RandAugmentOptions } from './auto-augment.js';
