// Ops of the 'shape' family: joining, splitting, repeating, reordering, triangles, padding.
export * from './cat.js';
export * from './split.js';
export * from './repeat.js';
export * from './flip.js';
export * from './tril.js';
export * from './pad.js';
