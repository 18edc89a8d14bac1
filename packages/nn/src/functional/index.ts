/** nn.functional: the functional forms of layers and losses. */
export * from './loss.js';
export * from './distance.js';
export * from './conv.js';
export * from './pool.js';
export * from './norm.js';
export * from './activation.js';
export * from './linear.js';
export * from './dropout.js';
export * from './embedding.js';
export * from './ctc.js';
export * from './fold.js';
export * from './attention.js';
export * from './embedding-bag.js';
export * from './rnn.js';
export * from './interpolate.js';
export * from './grid.js';
