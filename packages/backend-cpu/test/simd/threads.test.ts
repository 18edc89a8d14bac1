// The worker pool: the same bits whatever the thread count, kernel errors in workers surface in
// the caller, setNumThreads validates its argument.
import { afterAll, describe, expect, it } from 'vitest';
import { getNumThreads, setNumThreads } from '../../src/index.js';
import { readFileSync } from 'node:fs';
import { heap } from '../../src/index.js';
import { pool, simd } from '../../src/wasm/simd.js';
import { WasmPool } from '../../src/wasm/pool.js';
import { addmm, manualSeed, mm, randn } from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import { BUILDS, flat, withKernels } from './helpers.js';

const initial = getNumThreads();
afterAll(() => setNumThreads(initial));

function bits(t: Tensor): number[] {
  return flat(t);
}

describe('CPU thread pool', () => {
  it('gives identical results for 1, 2 and 3 threads (row and column splits, both dtypes, both builds)', () => {
    manualSeed(12);
    for (const build of BUILDS) {
      for (const dtype of ['float32', 'float64'] as DType[]) {
        // Each above the 2^22 multiply-adds from which a GEMM is split over threads.
        for (const [m, k, n] of [[600, 80, 90], [90, 80, 601], [129, 257, 131]]) {
          const a = randn([k!, m!], { dtype }).t(), b = randn([k!, n!], { dtype }), c = randn([m!, n!], { dtype });
          const run = () => [bits(mm(a, b)), bits(addmm(c, a, b, { beta: 0.5, alpha: 1.5 }))];
          const results = [1, 2, 3].map((t) => {
            setNumThreads(t);
            return withKernels(build, run);
          });
          for (const r of results.slice(1)) {
            for (let j = 0; j < r.length; j++) {
              expect(r[j]!.every((v, i) => Object.is(v, results[0]![j]![i])), `${build} ${dtype} ${m}x${k}x${n}`).toBe(true);
            }
          }
        }
      }
    }
  });

  it('rethrows a kernel error from a worker in the caller', () => {
    setNumThreads(2);
    const p = pool()!;
    const ex = simd()! as unknown as Record<string, (...a: number[]) => unknown>;
    expect(p).not.toBeNull();
    // Job 1's address lies past the end of the 4 GiB address space: a wasm trap there. The caller
    // claims jobs too, so it traps on either thread; a job the caller runs first waits 20 ms so
    // that a started worker claims job 1 (retried on a busy host; a polling worker may also claim
    // both jobs before the caller does).
    const args = (job: number): number[] => (job === 1 ? [0xfffffff0, 64] : [64, 0]);
    p.run({ fn: 'sumF32', count: 2, args: () => [64, 0] }, 2, () => {}); // start the worker
    let inWorker = 0;
    for (let attempt = 0; attempt < 20 && inWorker === 0; attempt++) {
      let localRan = false;
      const local = (a: number[]): void => {
        if (!localRan) {
          localRan = true;
          const until = performance.now() + 20;
          while (performance.now() < until);
        }
        ex.sumF32!(...a);
      };
      let error: unknown = null;
      try {
        p.run({ fn: 'sumF32', count: 2, args }, 2, local);
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(/out of bounds/);
      if (/CPU kernel sumF32 failed in a worker thread: .*out of bounds/.test(String(error))) inWorker++;
    }
    expect(inWorker).toBeGreaterThan(0);
    // The pool keeps working afterwards.
    expect(() => p.run({ fn: 'sumF32', count: 2, args: () => [64, 16] }, 2, () => {})).not.toThrow();
  });

  it('runs every job, with per-thread arguments, whoever claims it', () => {
    setNumThreads(3);
    const p = pool()!;
    // Job i copies 4 bytes from a source into its own output slot; the second argument (the
    // copy's output stride, a stand-in for a per-thread scratch address) differs by thread and
    // does not change what is written. 200 jobs over 3 threads, many times.
    const count = 200;
    const src = heap.scratch('test.pool.src', count * 4), dst = heap.scratch('test.pool.dst', count * 4);
    const view = (ptr: number) => new Int32Array(heap.heapBuffer, ptr, count);
    view(src).set(Array.from({ length: count }, (_, i) => i * 7 + 1));
    for (let round = 0; round < 50; round++) {
      view(dst).fill(-1);
      const args = (job: number, thread: number): number[] => [1, dst + job * 4, 1 + thread, src + job * 4, 1];
      p.run({ fn: 'copyRow32', count, args }, 3, (a) => simd()!.copyRow32(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!));
      expect(Array.from(view(dst))).toEqual(Array.from(view(src)));
    }
  });

  it('runs jobs no worker has claimed on the calling thread', () => {
    // Workers that never start: the caller claims and runs every job.
    class Idle {
      unref(): void {}
      terminate(): Promise<number> { return Promise.resolve(0); }
      on(): void {}
    }
    const module = new WebAssembly.Module(readFileSync(new URL('../../wasm/simd.wasm', import.meta.url)));
    const p = new WasmPool(module, heap.memory, Idle as never, 3);
    const ran: number[] = [];
    p.run({ fn: 'sumF32', count: 4, args: (i) => [64, i] }, 4, (a) => { ran.push(a[1]!); });
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(p.counts).toEqual({ jobs: 4, local: 4 });
  });

  it('throws, rather than waiting forever, when a worker thread dies', () => {
    // A worker whose thread fails: the pool hears of it through the error event.
    let onError: ((e: Error) => void) | null = null;
    class Dying {
      unref(): void {}
      terminate(): Promise<number> { return Promise.resolve(0); }
      on(_event: string, fn: (e: Error) => void): void { onError = fn; }
    }
    const module = new WebAssembly.Module(readFileSync(new URL('../../wasm/simd.wasm', import.meta.url)));
    const p = new WasmPool(module, heap.memory, Dying as never, 1);
    p.run({ fn: 'sumF32', count: 2, args: () => [64, 0] }, 2, () => {});
    onError!(new Error('boom'));
    expect(() => p.run({ fn: 'sumF32', count: 2, args: () => [64, 0] }, 2, () => {})).toThrow(/CPU worker thread stopped/);
  });

  it('setNumThreads validates its argument', () => {
    expect(() => setNumThreads(0)).toThrow('set_num_threads expects a positive integer, but got 0');
    expect(() => setNumThreads(1.5)).toThrow('set_num_threads expects a positive integer, but got 1.5');
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
  });
});
