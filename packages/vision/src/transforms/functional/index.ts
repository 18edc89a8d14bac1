/** transforms.functional: torchvision's functional transforms on tensor images [..., C, H, W]. */
export { InterpolationMode } from './interpolation.js';
export { getDimensions } from './image.js';
export { resize, resizedOutputSize } from './resize.js';
export type { ResizeOptions, SizeArg } from './resize.js';
export { crop, centerCrop, fiveCrop, tenCrop, resizedCrop } from './crop.js';
export { pad, parsePadding } from './pad.js';
export type { PadOptions, PaddingMode } from './pad.js';
export { hflip, vflip } from './flip.js';
export { rotate, affine, perspective, perspectiveCoeffs, parseShear } from './affine.js';
export type { WarpOptions, RotateOptions, AffineOptions } from './affine.js';
export { inverseAffineMatrix } from './affine-matrix.js';
export {
  blend, rgbToGrayscale, adjustBrightness, adjustContrast, adjustSaturation, adjustGamma, invert, solarize, posterize, autocontrast,
} from './color.js';
export { adjustHue, rgbToHsv, hsvToRgb } from './hue.js';
export { equalize } from './equalize.js';
export { gaussianBlur, adjustSharpness } from './blur.js';
export { erase } from './erase.js';
export { normalize } from './normalize.js';
export { convertImageDtype, toDtype } from './dtype.js';
export { toTensor, toImage } from './to-tensor.js';
export type { ImageLike, RawImage, ToTensorOptions } from './to-tensor.js';
