/**
 * A worker_threads pool for the WebAssembly kernels, over the heap's shared memory.
 *
 * - Each worker instantiates the same compiled wasm Module against the same shared Memory, so a
 *   job is just a kernel name plus arguments (addresses and sizes), written into a shared
 *   Float64Array; no postMessage per job.
 * - One call is a batch of jobs of one kernel, usually more jobs than threads. The caller writes
 *   them all, opens the batch (bumps a sequence word and notifies), and then the caller and the
 *   workers claim jobs in order from one shared counter (`Atomics.add`) until none is left; the
 *   caller waits for the last running one. A worker that is slow to wake (a futex wake-up costs
 *   tens of µs on a VM; a busy host may not schedule it for milliseconds) simply claims fewer
 *   jobs: no thread waits for a fixed share another one was given. Both sides poll briefly
 *   before sleeping, since ops come in bursts.
 * - Jobs differ between threads only in per-thread scratch addresses (packing workspace, im2col
 *   matrix): the batch carries each thread's values for those argument slots.
 * - Workers are unref'd: the pool never keeps the process alive. A kernel error (a wasm trap) in a
 *   worker is caught there, its message written to shared memory, and rethrown in the caller; a
 *   worker thread that dies makes the caller throw instead of waiting for it.
 * - Work is split so that each output element is computed by exactly one job, whichever thread
 *   runs it: results are identical for any `setNumThreads`.
 */
import { RuntimeError } from '@torchts/core';

const MAX_ARGS = 32;
/** Jobs in one batch, at most. */
export const MAX_JOBS = 256;
/** Argument slots that may differ between threads (per-thread scratch), at most. */
const MAX_THREAD_SLOTS = 4;
const MAX_THREADS = 64;
const MSG_BYTES = 1024;
/** Shared control words (the worker source below uses the same offsets). */
const SEQ = 0, NEXT = 1, COUNT = 2, FINISHED = 3, FAILED_BY = 4, FN = 5, NARGS = 6, THREADS = 7, SLOTS = 8, DEAD = 9;
const CTL_WORDS = 16;
/**
 * NEXT holds (batch generation << 20) | next job index, so that a worker that woke for one batch
 * can never claim a job of the next one (its compare-exchange expects its own generation), and -1
 * while a batch is being written.
 */
const GEN_SHIFT = 20;
const GEN_MASK = 0x3ff;
const CLOSED = -1;
/** How long a worker polls for the next batch before sleeping on Atomics.wait (ms). */
const WORKER_SPIN_MS = 0.2;
/** How long the caller polls for the batch's last job before sleeping on Atomics.wait (ms). */
const CALLER_SPIN_MS = 0.2;

interface NodeWorker {
  unref(): void;
  terminate(): Promise<number>;
  on(event: 'error', fn: (e: Error) => void): void;
}
type WorkerCtor = new (code: string, options: { eval: true; workerData: unknown }) => NodeWorker;

// Runs in each worker (CommonJS, eval'd): instantiate, then claim jobs of each batch forever.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, ctl: ctlBuf, jobs: jobsBuf, slots: slotsBuf, msg: msgBuf, index, names } = workerData;
let ex = null, startError = null;
try {
  ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
} catch (e) {
  startError = e; // reported as the error of every job this worker claims
}
const ctl = new Int32Array(ctlBuf);
const jobs = new Float64Array(jobsBuf);
const slots = new Float64Array(slotsBuf);
const msg = new Uint8Array(msgBuf);
const thread = index + 1;
let seen = 0;
for (;;) {
  const until = performance.now() + ${WORKER_SPIN_MS};
  for (let spins = 1; Atomics.load(ctl, ${SEQ}) === seen && ((spins++ & 255) !== 0 || performance.now() < until););
  Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  const gen = seen & ${GEN_MASK};
  // A batch for fewer threads than there are workers leaves the extra ones out.
  if (thread >= Atomics.load(ctl, ${THREADS})) continue;
  for (;;) {
    const v = Atomics.load(ctl, ${NEXT});
    if (v < 0 || (v >>> ${GEN_SHIFT}) !== gen) break;
    const i = v & ${(1 << GEN_SHIFT) - 1};
    const count = Atomics.load(ctl, ${COUNT});
    if (i >= count) break;
    if (Atomics.compareExchange(ctl, ${NEXT}, v, v + 1) !== v) continue;
    try {
      if (startError) throw startError;
      const n = ctl[${NARGS}], a = new Array(n);
      for (let k = 0; k < n; k++) a[k] = jobs[i * ${MAX_ARGS} + k];
      const nSlots = ctl[${SLOTS}];
      for (let s = 0; s < nSlots; s++) a[slots[s]] = slots[(1 + thread) * ${MAX_THREAD_SLOTS} + s];
      ex[names[ctl[${FN}]]](...a);
    } catch (e) {
      if (Atomics.compareExchange(ctl, ${FAILED_BY}, 0, thread) === 0) {
        const bytes = new TextEncoder().encode(String(e && e.message || e)).subarray(0, ${MSG_BYTES - 1});
        msg.fill(0);
        msg.set(bytes);
      }
    }
    if (Atomics.add(ctl, ${FINISHED}, 1) + 1 === count) Atomics.notify(ctl, ${FINISHED});
  }
}
`;

/**
 * One batch: `count` jobs of the wasm export `fn`; `args(job, thread)` gives job `job`'s
 * arguments as run by thread `thread` (0: the caller). They may depend on the thread only in up
 * to 4 argument slots, the same values for every job (per-thread scratch addresses).
 */
export interface Batch {
  fn: string;
  count: number;
  args: (job: number, thread: number) => number[];
}

export class WasmPool {
  private workers: NodeWorker[] = [];
  private readonly ctl: Int32Array;
  private readonly jobs: Float64Array;
  /** [slot indices x 4][thread 0 values x 4][thread 1 values x 4]... */
  private readonly slots: Float64Array;
  private readonly msg: Uint8Array;
  private readonly names: string[];
  private readonly ids: Map<string, number>;
  /** Jobs run in batches, and how many of them the calling thread ran. */
  readonly counts = { jobs: 0, local: 0 };

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    private readonly Worker: WorkerCtor,
    readonly maxWorkers: number,
  ) {
    this.ctl = new Int32Array(new SharedArrayBuffer(CTL_WORDS * 4));
    this.jobs = new Float64Array(new SharedArrayBuffer(MAX_JOBS * MAX_ARGS * 8));
    this.slots = new Float64Array(new SharedArrayBuffer((1 + MAX_THREADS) * MAX_THREAD_SLOTS * 8));
    this.msg = new Uint8Array(new SharedArrayBuffer(MSG_BYTES));
    this.names = WebAssembly.Module.exports(module).filter((e) => e.kind === 'function').map((e) => e.name);
    this.ids = new Map(this.names.map((name, i) => [name, i]));
  }

  /** Starts workers up to `count` (they stay; batches for fewer threads leave the extra ones out). */
  private ensure(count: number): void {
    while (this.workers.length < Math.min(count, this.maxWorkers)) {
      const index = this.workers.length;
      const w = new this.Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: this.module, memory: this.memory, ctl: this.ctl.buffer, jobs: this.jobs.buffer, slots: this.slots.buffer,
          msg: this.msg.buffer, index, names: this.names,
        },
      });
      // A thread that could not start, or died, never finishes what it claimed: the caller's
      // wait checks this word instead of waiting forever.
      w.on('error', () => {
        Atomics.store(this.ctl, DEAD, 1);
        Atomics.notify(this.ctl, FINISHED);
      });
      w.unref();
      this.workers.push(w);
    }
  }

  /**
   * Runs a batch on the calling thread (through `local`, with thread 0's arguments) and up to
   * `threads - 1` workers, returning when every job is done; rethrows the first error.
   */
  run(batch: Batch, threads: number, local: (args: number[]) => void): void {
    const { fn, count } = batch;
    const id = this.ids.get(fn);
    if (id === undefined || count > MAX_JOBS || threads > MAX_THREADS) throw new RuntimeError(`WasmPool: bad batch ${fn} x ${count}`);
    if (Atomics.load(this.ctl, DEAD)) throw deadWorker();
    const ctl = this.ctl;
    this.ensure(threads - 1);
    Atomics.store(ctl, NEXT, CLOSED);
    const first = batch.args(0, 0);
    if (first.length > MAX_ARGS) throw new RuntimeError(`WasmPool: ${fn} takes more than ${MAX_ARGS} arguments`);
    for (let i = 0; i < count; i++) this.jobs.set(i === 0 ? first : batch.args(i, 0), i * MAX_ARGS);
    this.threadSlots(batch, first, threads);
    ctl[FN] = id;
    ctl[NARGS] = first.length;
    ctl[THREADS] = threads;
    ctl[COUNT] = count;
    ctl[FINISHED] = 0;
    ctl[FAILED_BY] = 0;
    const seq = (ctl[SEQ]! + 1) | 0;
    Atomics.store(ctl, NEXT, (seq & GEN_MASK) << GEN_SHIFT);
    Atomics.store(ctl, SEQ, seq);
    Atomics.notify(ctl, SEQ);

    let error: unknown = null;
    const claim = (): number => Atomics.add(ctl, NEXT, 1) & ((1 << GEN_SHIFT) - 1);
    for (let i = claim(); i < count; i = claim()) {
      this.counts.local++;
      try {
        local(i === 0 ? first : Array.from(this.jobs.subarray(i * MAX_ARGS, i * MAX_ARGS + first.length)));
      } catch (e) {
        error ??= e;
      }
      Atomics.add(ctl, FINISHED, 1);
    }
    this.counts.jobs += count;
    const until = performance.now() + CALLER_SPIN_MS;
    for (let spins = 1; Atomics.load(ctl, FINISHED) < count && ((spins++ & 255) !== 0 || performance.now() < until););
    for (let done = Atomics.load(ctl, FINISHED); done < count; done = Atomics.load(ctl, FINISHED)) {
      if (Atomics.load(ctl, DEAD)) throw deadWorker();
      Atomics.wait(ctl, FINISHED, done, 1000);
    }
    if (error !== null) throw error;
    if (Atomics.load(ctl, FAILED_BY) !== 0) {
      const end = this.msg.indexOf(0);
      const text = new TextDecoder().decode(this.msg.slice(0, end < 0 ? MSG_BYTES : end));
      throw new RuntimeError(`CPU kernel ${fn} failed in a worker thread: ${text}`);
    }
  }

  /** Records which argument slots differ between threads, and each thread's values there. */
  private threadSlots(batch: Batch, first: number[], threads: number): void {
    const slots: number[] = [];
    const perThread: number[][] = [];
    for (let t = 1; t < threads; t++) {
      const args = batch.args(0, t);
      for (let k = 0; k < first.length; k++) if (args[k] !== first[k] && !slots.includes(k)) slots.push(k);
      perThread.push(args);
    }
    if (slots.length > MAX_THREAD_SLOTS) throw new RuntimeError(`WasmPool: ${batch.fn} has more than ${MAX_THREAD_SLOTS} per-thread arguments`);
    slots.forEach((k, s) => { this.slots[s] = k; });
    perThread.forEach((args, i) => slots.forEach((k, s) => { this.slots[(2 + i) * MAX_THREAD_SLOTS + s] = args[k]!; }));
    this.ctl[SLOTS] = slots.length;
  }
}

function deadWorker(): RuntimeError {
  return new RuntimeError('a CPU worker thread stopped (it could not start, or crashed); call setNumThreads(1) to run on the calling thread only');
}
