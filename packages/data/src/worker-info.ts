/** `getWorkerInfo()`: which DataLoader worker this code runs in (null on the main thread). */

export interface WorkerInfo {
  /** The worker's id, 0 .. numWorkers - 1. */
  readonly id: number;
  readonly numWorkers: number;
  /** The seed of the worker's default generator (the loader's base seed + id). */
  readonly seed: bigint;
  /** The worker's own copy of the dataset (use it to shard an IterableDataset). */
  readonly dataset: unknown;
}

let current: WorkerInfo | null = null;

export function getWorkerInfo(): WorkerInfo | null {
  return current;
}

/** Set once by the worker entry, before the dataset is used. */
export function setWorkerInfo(info: WorkerInfo): void {
  current = Object.freeze({ ...info });
}
