/** Messages between the DataLoader and its worker threads. */
import type { ModuleExport, WorkerDatasetSpec } from './module-spec.js';

/** How a worker turns samples into what it sends back. */
export type WorkerCollate = 'default' | 'convert' | 'main' | ModuleExport;

/** `workerData` of each worker. */
export interface WorkerBoot {
  workerId: number;
  numWorkers: number;
  baseSeed: bigint;
  dataset: WorkerDatasetSpec;
  workerInitFn: ModuleExport | null;
  /** 'main': send the samples, the main thread runs its collateFn. */
  collate: WorkerCollate;
  iterable: boolean;
  batchSize: number | null;
  dropLast: boolean;
}

export interface SerializedError {
  name: string;
  message: string;
  stack: string;
}

export type ToWorker =
  | { type: 'fetch'; epoch: number; task: number; indices: number[] | number }
  | { type: 'next'; epoch: number; task: number };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'init-error'; error: SerializedError }
  | { type: 'data'; epoch: number; task: number; payload: unknown }
  | { type: 'end'; epoch: number; task: number }
  | { type: 'error'; epoch: number; task: number; error: SerializedError; sampleIndex: number | null };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) return { name: e.constructor?.name ?? e.name, message: e.message, stack: e.stack ?? `${e.name}: ${e.message}` };
  return { name: 'Error', message: String(e), stack: String(e) };
}
