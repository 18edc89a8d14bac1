// Core-level misc: ranges, typed-array interop, .npy reading/writing and printing.
export { arange, linspace, logspace, eye } from './range.js';
export { toTypedArray, asTypedArray, readNumbers, contiguousBytes } from '../interop.js';
export type { TypedArray } from '../interop.js';
export { saveNpy, loadNpy, saveNpyFile, loadNpyFile } from '../npy.js';
export { setPrintoptions, getPrintoptions, formatTensor } from '../print.js';
export type { PrintOptions } from '../print.js';
