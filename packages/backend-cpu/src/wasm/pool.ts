/**
 * A worker_threads pool for the WebAssembly kernels, over the heap's shared memory.
 *
 * - Each worker instantiates the same compiled wasm Module against the same shared Memory, so a
 *   job is just a kernel name plus arguments (addresses and sizes), written into a shared
 *   Float64Array; no postMessage per job.
 * - Synchronisation is Atomics only: the caller posts a job (status POSTED), bumps the worker's
 *   sequence word and notifies; the worker claims the job (POSTED -> RUNNING, compare-exchange),
 *   runs it, stores DONE and notifies back. The caller runs its own share meanwhile; then it takes
 *   back every job no worker has claimed yet (POSTED -> TAKEN) and runs it itself, and waits only
 *   for jobs already running. A worker that is slow to wake (a futex wake-up costs tens of µs on a
 *   VM; a busy host may not schedule it for milliseconds) therefore costs no more than running
 *   the split on one thread. Both sides poll briefly before sleeping, since ops come in bursts.
 *   Which thread runs a job never changes what it computes: results are the same bytes.
 * - Workers are unref'd: the pool never keeps the process alive. A kernel error (a wasm trap) in a
 *   worker is caught there, its message written to shared memory, and rethrown in the caller.
 * - Work is split so that each output element is computed by exactly one thread, in the same
 *   order whatever the thread count: results are identical for any `setNumThreads`.
 */
import { RuntimeError } from '@torchts/core';

const MAX_ARGS = 32;
const MSG_BYTES = 1024;
/** Control words per worker: [sequence, status]. */
const CTL = 2;
/** Job status words (the worker source below uses the same numbers). */
const DONE = 0;
const POSTED = 1;
const FAILED = 2;
const START_FAILED = 3;
const RUNNING = 4;
const TAKEN = 5;
/** How long a worker polls for its next job before sleeping on Atomics.wait (ms). */
const WORKER_SPIN_MS = 0.2;
/** How long the caller polls for a running job's end before sleeping on Atomics.wait (ms). */
const CALLER_SPIN_MS = 0.2;

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
const seq = index * ${CTL}, state = seq + 1;
let seen = 0;
for (;;) {
  const until = performance.now() + ${WORKER_SPIN_MS};
  for (let spins = 1; Atomics.load(ctl, seq) === seen && ((spins++ & 255) !== 0 || performance.now() < until););
  Atomics.wait(ctl, seq, seen);
  seen = Atomics.load(ctl, seq);
  // The caller may have taken the job back (and even posted the next one, which we then run).
  if (Atomics.compareExchange(ctl, state, ${POSTED}, ${RUNNING}) !== ${POSTED}) continue;
  let status = ${DONE};
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
    status = ${FAILED};
  }
  Atomics.store(ctl, state, status);
  Atomics.notify(ctl, state);
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
  private readonly ids: Map<string, number>;
  /** Jobs posted to workers, and how many of them the caller took back (ran itself). */
  readonly counts = { posted: 0, takenBack: 0 };

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
    this.ids = new Map(this.names.map((name, i) => [name, i]));
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
        Atomics.store(this.ctl, index * CTL + 1, START_FAILED);
        Atomics.notify(this.ctl, index * CTL + 1);
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Runs `jobs[0]` on the calling thread (through `local`) and the others on workers, or on the
   * calling thread where no worker has started them by then; returns when all are done and
   * rethrows the first error.
   */
  run(jobs: Job[], local: (job: Job) => void): void {
    const remote = jobs.length - 1;
    this.ensure(remote);
    for (let t = 0; t < remote; t++) {
      const job = jobs[t + 1]!;
      const base = t * MAX_ARGS;
      const id = this.ids.get(job.fn);
      if (id === undefined || job.args.length > MAX_ARGS - 2) throw new RuntimeError(`WasmPool: bad job ${job.fn}`);
      if (Atomics.load(this.ctl, t * CTL + 1) === START_FAILED) throw startFailure();
      this.args[base] = id;
      this.args[base + 1] = job.args.length;
      for (let i = 0; i < job.args.length; i++) this.args[base + 2 + i] = job.args[i]!;
      this.counts.posted++;
      Atomics.store(this.ctl, t * CTL + 1, POSTED);
      Atomics.add(this.ctl, t * CTL, 1);
      Atomics.notify(this.ctl, t * CTL);
    }
    let error: unknown = null;
    const runLocal = (job: Job): void => {
      try {
        local(job);
      } catch (e) {
        error ??= e;
      }
    };
    runLocal(jobs[0]!);
    for (let t = 0; t < remote; t++) {
      const state = t * CTL + 1;
      if (Atomics.compareExchange(this.ctl, state, POSTED, TAKEN) === POSTED) {
        this.counts.takenBack++;
        runLocal(jobs[t + 1]!);
        Atomics.store(this.ctl, state, DONE);
        continue;
      }
      const until = performance.now() + CALLER_SPIN_MS;
      for (let spins = 1; Atomics.load(this.ctl, state) === RUNNING && ((spins++ & 255) !== 0 || performance.now() < until););
      while (Atomics.load(this.ctl, state) === RUNNING) Atomics.wait(this.ctl, state, RUNNING, 1000);
      const status = Atomics.load(this.ctl, state);
      if (status === FAILED && error === null) {
        const bytes = this.msg.slice(t * MSG_BYTES, (t + 1) * MSG_BYTES);
        const end = bytes.indexOf(0);
        error = new RuntimeError(`CPU kernel ${jobs[t + 1]!.fn} failed in a worker thread: ${new TextDecoder().decode(bytes.subarray(0, end < 0 ? MSG_BYTES : end))}`);
      } else if (status === START_FAILED && error === null) {
        error = startFailure();
      }
      if (status === FAILED) Atomics.store(this.ctl, state, DONE);
    }
    if (error !== null) throw error;
  }
}

function startFailure(): RuntimeError {
  return new RuntimeError('CPU worker thread failed to start; call setNumThreads(1) to run on the calling thread only');
}
