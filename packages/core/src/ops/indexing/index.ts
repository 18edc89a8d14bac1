// Ops of the 'indexing' family: gather/scatter, index_* ops, masks, nonzero, take, search,
// histograms, advanced indexing (index / index_put_) and the x.index(...) subscript API.
export * from './gather.js';
export * from './indexSelect.js';
export * from './masked.js';
export * from './nonzero.js';
export * from './search.js';
export * from './histogram.js';
export * from './advanced.js';
export * from './subscript.js';
