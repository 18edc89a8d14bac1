// Ops of the 'reduction' family: sums and means, min/max, statistics, scans, softmax, ordering, unique.
export * from './sum.js';
export * from './minmax.js';
export * from './stats.js';
export * from './scan.js';
export * from './softmax.js';
export * from './softmax-backward.js';
export * from './sort.js';
export * from './unique.js';
export type { Dims, ReduceOptions, ReduceArgs, ValuesIndices } from './parse.js';
