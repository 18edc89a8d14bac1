/** Elementwise ops: arithmetic, math, activations, rounding, comparisons, logical/bitwise, ternary. */
export * from './arithmetic.js';
export * from './unary-math.js';
export * from './binary-math.js';
export * from './rounding.js';
export * from './activation.js';
export * from './compare.js';
export * from './logical.js';
export * from './bitwise.js';
export * from './ternary.js';
