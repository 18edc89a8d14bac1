/**
 * A worker_threads pool for the WebAssembly kernels, over the heap's shared memory.
 *
 * - Each worker instantiates the same compiled wasm Module against the same shared Memory, so a
 *   job is just a kernel name plus arguments (addresses and sizes), written into a shared
 *   Float64Array; no postMessage per job.
 * - Synchronisation is Atomics only: the caller bumps a worker's sequence word and notifies; the
 *   worker runs the job, stores its status and notifies back; the caller runs its own share
 *   meanwhile and then waits (Atomics.wait is allowed on Node's main thread).
 * - Workers are unref'd: the pool never keeps the process alive. A kernel error (a wasm trap) in a
 *   worker is caught there, its message written to shared memory, and rethrown in the caller.
 * - Work is split so that each output element is computed by exactly one thread, in the same
 *   order whatever the thread count: results are identical for any `setNumThreads`.
 */
import { RuntimeError } from '@torchts/core';

const MAX_ARGS = 32;
const MSG_BYTES = 1024;
/** Control words per worker: [sequence, status (0 idle/done, 1 running, 2 failed)]. */
const CTL = 2;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', fn: (e: Error) => void): void;
}
type WorkerCtor = new (code: string, options: { eval: true; workerData: unknown }) => NodeWorker;

// Runs in each worker (CommonJS, eval'd): instantiate, then wait for jobs forever.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl: ctlBuf, args: argsBuf, msg: msgBuf, index, names } = workerData;
let ex = null, startError = null;
try {
  ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
} catch (e) {
  startError = e; // reported as every job's error: the caller is blocked and would not see an event
}
const ctl = new Int32Array(ctlBuf);
const args = new Float64Array(argsBuf, index * ${MAX_ARGS} * 8, ${MAX_ARGS});
const msg = new Uint8Array(msgBuf, index * ${MSG_BYTES}, ${MSG_BYTES});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, index * ${CTL}, seen);
  seen = Atomics.load(ctl, index * ${CTL});
  let status = 0;
  try {
    if (startError) throw startError;
    const fn = ex[names[args[0]]];
    const n = args[1];
    const a = [];
    for (let i = 0; i < n; i++) a.push(args[2 + i]);
    fn(...a);
  } catch (e) {
    const bytes = new TextEncoder().encode(String(e && e.message || e)).subarray(0, ${MSG_BYTES - 1});
    msg.fill(0);
    msg.set(bytes);
    status = 2;
  }
  Atomics.store(ctl, index * ${CTL} + 1, status);
  Atomics.notify(ctl, index * ${CTL} + 1);
}
`;

/** A job: a wasm export by name and its numeric arguments. */
export interface Job {
  fn: string;
  args: number[];
}

export class WasmPool {
  private workers: NodeWorker[] = [];
  private readonly ctl: Int32Array;
  private readonly args: Float64Array;
  private readonly msg: Uint8Array;
  private readonly names: string[];

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly Worker: WorkerCtor,
    readonly maxWorkers: number,
  ) {
    this.ctl = new Int32Array(new SharedArrayBuffer(maxWorkers * CTL * 4));
    this.args = new Float64Array(new SharedArrayBuffer(maxWorkers * MAX_ARGS * 8));
    this.msg = new Uint8Array(new SharedArrayBuffer(maxWorkers * MSG_BYTES));
    this.names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
  }

  /** Starts workers up to `count` (they stay; extra ones simply get no jobs). */
  private ensure(count: number): void {
    while (this.workers.length < Math.min(count, this.maxWorkers)) {
      const index = this.workers.length;
      const w = new this.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: this.module, memory: this.memory, ctl: this.ctl.buffer, args: this.args.buffer, msg: this.msg.buffer, index, names: this.names,
        },
      });
      // Errors are reported through the control words; an uncaught one (the thread could not
      // start at all) marks the worker failed for the caller's wait.
      w.on('error', () => {
        Atomics.store(this.ctl, index * CTL + 1, 3);
        Atomics.notify(this.ctl, index * CTL + 1);
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Runs `jobs[0]` on the calling thread (through `local`) and the others on workers, returning
   * when all are done; rethrows the first error.
   */
  run(jobs: Job[], local: (job: Job) => void): void {
    const remote = jobs.length - 1;
    this.ensure(remote);
    for (let t = 0; t < remote; t++) {
      const job = jobs[t + 1]!;
      const base = t * MAX_ARGS;
      const id = this.names.indexOf(job.fn);
      if (id < 0 || job.args.length > MAX_ARGS - 2) throw new RuntimeError(`WasmPool: bad job ${job.fn}`);
      this.args[base] = id;
      this.args[base + 1] = job.args.length;
      for (let i = 0; i < job.args.length; i++) this.args[base + 2 + i] = job.args[i]!;
      if (Atomics.load(this.ctl, t * CTL + 1) === 3) {
        throw new RuntimeError('CPU worker thread failed to start; call setNumThreads(1) to run on the calling thread only');
      }
      Atomics.store(this.ctl, t * CTL + 1, 1);
      Atomics.add(this.ctl, t * CTL, 1);
      Atomics.notify(this.ctl, t * CTL);
    }
    let error: unknown = null;
    try {
      local(jobs[0]!);
    } catch (e) {
      error = e;
    }
    for (let t = 0; t < remote; t++) {
      // A worker still booting runs the job once it starts; a worker that failed to start reports 3.
      while (Atomics.load(this.ctl, t * CTL + 1) === 1) Atomics.wait(this.ctl, t * CTL + 1, 1, 1000);
      const status = Atomics.load(this.ctl, t * CTL + 1);
      if (status === 2 && error === null) {
        const bytes = this.msg.slice(t * MSG_BYTES, (t + 1) * MSG_BYTES);
        const end = bytes.indexOf(0);
        error = new RuntimeError(`CPU kernel ${jobs[t + 1]!.fn} failed in a worker thread: ${new TextDecoder().decode(bytes.subarray(0, end < 0 ? MSG_BYTES : end))}`);
      } else if (status === 3 && error === null) {
        error = new RuntimeError('CPU worker thread failed to start; call setNumThreads(1) to run on the calling thread only');
      }
    }
    if (error !== null) throw error;
  }
}
