/** Every op family; importing this module defines the ops and installs their Tensor methods. */
export * from './copy.js';
export * from './view.js';
export * from './creation.js';
export { defineUnary, defineBinary, defineTernary, deviceOf, asOptions } from './elementwise/define.js';
export * from './elementwise/index.js';
export * from './reduction/index.js';
export * from './linalg/index.js';
export * from './shape/index.js';
export * from './indexing/index.js';
export * from './random/index.js';
export * from './io.js';
export * from './nn/index.js';
export * from './optim/steps.js';
