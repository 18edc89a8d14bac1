/**
 * @torchts/data: torch.utils.data for torchts — datasets, samplers, DataLoader (main thread or
 * worker threads), defaultCollate.
 */
export { Dataset, IterableDataset, TensorDataset, ConcatDataset, ChainDataset, Subset, isIterableDataset } from './dataset.js';
export type { AnyDataset } from './dataset.js';
export { randomSplit, splitLengths } from './split.js';
export {
  Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler,
} from './sampler.js';
export type { Sized, RandomSamplerOptions, WeightedRandomSamplerOptions } from './sampler.js';
export { DistributedSampler } from './distributed.js';
export type { DistributedSamplerOptions } from './distributed.js';
export { defaultCollate, defaultConvert } from './collate.js';
export { DataLoader } from './loader.js';
export type { DataLoaderOptions, Collated } from './loader.js';
export type { CollateFn } from './fetch.js';
export { datasetFromModule, setWorkerSpec } from './module-spec.js';
export type { ModuleExport, WorkerDatasetSpec } from './module-spec.js';
export { getWorkerInfo } from './worker-info.js';
export type { WorkerInfo } from './worker-info.js';
