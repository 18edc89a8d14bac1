/**
 * torchvision.io for torchts: images to and from uint8 [C, H, W] tensors through sharp.
 * Every function that decodes, encodes or touches files is async (returns a Promise).
 */
export { ImageReadMode } from './read-mode.js';
export type { ReadModeOptions } from './read-mode.js';
export { readFile, writeFile } from './file.js';
export { decodeImage, decodePng, decodeJpeg } from './decode.js';
export { encodeJpeg, encodePng, writeJpeg, writePng } from './encode.js';
export type { EncodeJpegOptions, EncodePngOptions } from './encode.js';
export { readImage } from './read.js';
