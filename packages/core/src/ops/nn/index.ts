/** Neural-network ops with their own kernels (convolution, pooling, ...). */
export * from './conv.js';
export * from './pool.js';
export * from './conv-weight-grad.js';
export * from './norm.js';
export * from './loss.js';
