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
    // The second job's address lies past the end of the 4 GiB address space: a wasm trap there.
    // The caller takes back a job no worker has claimed yet, so it traps on either thread; the
    // caller's own job waits 20 ms so that a started worker claims it (retried on a busy host).
    const bad = { fn: 'sumF32', args: [0xfffffff0, 64] };
    p.run([{ fn: 'sumF32', args: [64, 0] }, { fn: 'sumF32', args: [64, 0] }], () => {}); // start the worker
    let inWorker = 0;
    for (let attempt = 0; attempt < 20 && inWorker === 0; attempt++) {
      let localRan = false;
      const local = (job: { fn: string; args: number[] }): void => {
        if (!localRan) {
          localRan = true;
          const until = performance.now() + 20;
          while (performance.now() < until);
        }
        ex[job.fn]!(...job.args);
      };
      let error: unknown = null;
      try {
        p.run([{ fn: 'sumF32', args: [64, 0] }, bad], local);
      } catch (e) {
        error = e;
      }
      expect(String(error)).toMatch(/out of bounds/);
      if (/CPU kernel sumF32 failed in a worker thread: .*out of bounds/.test(String(error))) inWorker++;
      expect(localRan).toBe(true);
    }
    expect(inWorker).toBeGreaterThan(0);
    // The pool keeps working afterwards.
    expect(() => p.run([{ fn: 'sumF32', args: [64, 0] }, { fn: 'sumF32', args: [64, 16] }], () => {})).not.toThrow();
  });

  it('runs jobs no worker has claimed on the calling thread', () => {
    // Workers that never start: every posted job is taken back and run by the caller.
    class Idle {
      unref(): void {}
      terminate(): Promise<number> { return Promise.resolve(0); }
      on(): void {}
    }
    const module = new WebAssembly.Module(readFileSync(new URL('../../wasm/simd.wasm', import.meta.url)));
    const p = new WasmPool(module, heap.memory, Idle as never, 3);
    const ran: number[] = [];
    p.run([0, 1, 2, 3].map((i) => ({ fn: 'sumF32', args: [64, i] })), (job) => { ran.push(job.args[1]!); });
    expect(ran).toEqual([0, 1, 2, 3]);
    expect(p.counts).toEqual({ posted: 3, takenBack: 3 });
  });

  it('setNumThreads validates its argument', () => {
    expect(() => setNumThreads(0)).toThrow('set_num_threads expects a positive integer, but got 0');
    expect(() => setNumThreads(1.5)).toThrow('set_num_threads expects a positive integer, but got 1.5');
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
  });
});
