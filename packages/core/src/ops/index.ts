/** Every op family; importing this module defines the ops and installs their Tensor methods. */
export * from './copy.js';
export * from './view.js';
export * from './creation.js';
export { defineUnary, defineBinary, defineTernary, deviceOf } from './elementwise/define.js';
export * from './elementwise/arithmetic.js';
