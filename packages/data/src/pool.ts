/**
 * The main-thread side of `numWorkers > 0`: worker threads, task dispatch and in-order delivery.
 *
 * Batch k of an epoch goes to the k-th active worker in round-robin order and batches are yielded
 * in task order, so the data is the same whatever numWorkers. At most prefetchFactor * numWorkers
 * tasks are outstanding. Workers are unref'd except while the main thread waits for one of them, so
 * they never keep the process alive once nobody consumes their batches.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { IndexError, NotImplementedError, RuntimeError, ValueError } from '@torchts/core';
import type { FromWorker, SerializedError, ToWorker, WorkerBoot } from './protocol.js';
import { decode } from './transfer.js';

/**
 * The worker entry: dist/worker.js next to this module in a build; when this module runs from its
 * TypeScript source (vitest), the built one in ../dist (workers run plain Node, which loads JS only).
 */
export function workerEntry(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? '../dist/worker.js' : './worker.js', here);
}

/**
 * The parent's Node flags minus those a worker must not inherit: --input-type (only valid with
 * --eval), --expose-gc (process-wide; workers refuse it) and the 'source' export condition (it
 * would point workers at TypeScript sources).
 */
export function workerExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--input-type')) {
      if (a === '--input-type') i++;
      continue;
    }
    if ((a === '--conditions' || a === '-C') && argv[i + 1] === 'source') {
      i++;
      continue;
    }
    if (a === '--conditions=source' || a === '-C=source' || a === '--expose-gc' || a === '--expose_gc') continue;
    out.push(a);
  }
  return out;
}

const ERROR_CLASSES: Record<string, new (message: string) => Error> = {
  Error, TypeError, RangeError, SyntaxError, ReferenceError, RuntimeError, IndexError, ValueError, NotImplementedError,
};

function workerError(err: SerializedError, prefix: string): Error {
  const Cls = ERROR_CLASSES[err.name] ?? Error;
  const e = new Cls(`${prefix}: ${err.message}`);
  const cause = new Error(err.message);
  cause.stack = `Original ${err.stack}`;
  (e as Error & { cause?: unknown }).cause = cause;
  return e;
}

const SUPERSEDED = 'DataLoader: this iteration was superseded by a new iteration of the same loader (persistentWorkers)';

type Result = Extract<FromWorker, { type: 'data' | 'end' | 'error' }>;

interface Waiter {
  task: number;
  resolve: (r: Result) => void;
  reject: (e: Error) => void;
}

export interface PoolOptions {
  boot: Omit<WorkerBoot, 'workerId'>;
  prefetchFactor: number;
  /** Seconds to wait for a batch; 0: forever. */
  timeout: number;
}

export class WorkerPool {
  private readonly workers: Worker[];
  private readonly results = new Map<number, Result>();
  private waiter: Waiter | null = null;
  private failure: Error | null = null;
  private closed = false;
  private epoch = 0;

  /** Pools whose workers are running (for tests and diagnostics). */
  static live = 0;

  constructor(private readonly opts: PoolOptions) {
    const n = opts.boot.numWorkers;
    const entry = workerEntry();
    if (entry.protocol === 'file:' && !existsSync(fileURLToPath(entry))) {
      throw new RuntimeError(`DataLoader workers run the built package, but ${fileURLToPath(entry)} is missing: build @torchts/data (tsc -b)`);
    }
    WorkerPool.live++;
    this.workers = Array.from({ length: n }, (_, workerId) => {
      const w = new Worker(entry, { execArgv: workerExecArgv(), workerData: { ...opts.boot, workerId } satisfies WorkerBoot });
      w.on('message', (msg: FromWorker) => this.onMessage(workerId, msg));
      w.on('error', (e) => this.fail(new RuntimeError(`DataLoader worker ${workerId} crashed: ${e instanceof Error ? e.message : String(e)}`)));
      w.on('exit', (code) => {
        if (!this.closed) this.fail(new RuntimeError(`DataLoader worker ${workerId} exited unexpectedly with exit code ${code}`));
      });
      // After the listeners: adding a 'message' listener refs the worker's port again.
      w.unref();
      return w;
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onMessage(workerId: number, msg: FromWorker): void {
    if (msg.type === 'ready') return;
    if (msg.type === 'init-error') {
      this.fail(workerError(msg.error, `DataLoader worker ${workerId} failed to start`));
      return;
    }
    if (msg.epoch !== this.epoch) return; // a batch of an abandoned epoch
    if (this.waiter?.task === msg.task) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(msg);
    } else {
      this.results.set(msg.task, msg);
    }
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.failure ??= e;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure);
    this.close();
  }

  /** Terminates the workers (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    WorkerPool.live--;
    const w = this.waiter;
    this.waiter = null;
    w?.reject(this.failure ?? new RuntimeError('DataLoader: the workers were shut down during the iteration'));
    for (const w of this.workers) void w.terminate();
    this.results.clear();
  }

  private post(workerId: number, msg: ToWorker): void {
    this.workers[workerId]!.postMessage(msg);
  }

  private async wait(epoch: number, task: number, workerId: number): Promise<Result> {
    if (epoch !== this.epoch) throw new RuntimeError(SUPERSEDED);
    const ready = this.results.get(task);
    if (ready) {
      this.results.delete(task);
      return ready;
    }
    if (this.failure) throw this.failure;
    if (this.closed) throw new RuntimeError('DataLoader: the workers were shut down during the iteration');
    const worker = this.workers[workerId]!;
    worker.ref();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await new Promise<Result>((resolve, reject) => {
        this.waiter = { task, resolve, reject };
        if (this.opts.timeout > 0) {
          timer = setTimeout(() => this.fail(new RuntimeError(`DataLoader timed out after ${this.opts.timeout} seconds`)), this.opts.timeout * 1000);
        }
      });
    } finally {
      clearTimeout(timer);
      worker.unref();
    }
  }

  /**
   * One epoch: `tasks` gives each batch's indices (map-style; null for iterable datasets, whose
   * workers each stream their own copy until they report the end).
   */
  async *run(tasks: Iterator<number[] | number> | null): AsyncGenerator<unknown, void, undefined> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new RuntimeError('DataLoader: the worker pool has been shut down');
    const epoch = ++this.epoch;
    this.results.clear();
    // A second iteration of a persistent loader supersedes the first.
    this.waiter?.reject(new RuntimeError(SUPERSEDED));
    this.waiter = null;

    const n = this.workers.length;
    const limit = this.opts.prefetchFactor * n;
    const active = new Array<boolean>(n).fill(true);
    const owner = new Map<number, number>();
    let cycle = 0;
    let sent = 0;
    let received = 0;
    let exhausted = false;

    const tryPut = (): void => {
      if (exhausted || sent - received >= limit) return;
      let w = -1;
      for (let k = 0; k < n; k++) {
        const c = (cycle + k) % n;
        if (active[c]) {
          w = c;
          cycle = (c + 1) % n;
          break;
        }
      }
      if (w < 0) return;
      if (tasks) {
        const r = tasks.next();
        if (r.done) {
          exhausted = true;
          return;
        }
        this.post(w, { type: 'fetch', epoch, task: sent, indices: r.value });
      } else {
        this.post(w, { type: 'next', epoch, task: sent });
      }
      owner.set(sent, w);
      sent++;
    };

    for (let i = 0; i < limit; i++) tryPut();
    while (received < sent) {
      const task = received;
      const workerId = owner.get(task)!;
      const r = await this.wait(epoch, task, workerId);
      owner.delete(task);
      received++;
      if (r.type === 'end') {
        active[workerId] = false;
        tryPut();
        continue;
      }
      if (r.type === 'error') {
        const where = r.sampleIndex === null ? `batch ${task}` : `batch ${task} (dataset index ${r.sampleIndex})`;
        const e = workerError(r.error, `Caught ${r.error.name} in DataLoader worker ${workerId} while loading ${where}`);
        this.close();
        throw e;
      }
      tryPut();
      yield decode(r.payload);
    }
  }
}
