import { describe, expect, it } from 'vitest';
import '../src/index.js';
import { tensor, zeros, ones, tidy, keep, memory, dispose, RuntimeError } from '@torchts/core';
import type { Tensor } from '@torchts/core';

const cpu = () => memory().devices.cpu!;

describe('deterministic memory', () => {
  it('keeps live tensors and bytes flat over 100k small ops in tidy scopes', () => {
    const a = ones(8);
    const b = ones(8);
    const before = memory();
    for (let i = 0; i < 1000; i++) {
      tidy(() => {
        for (let j = 0; j < 100; j++) a.add(b).mul(2).sub(1);
      });
    }
    const after = memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
    // The pool absorbs the churn: the heap stops growing after the first iterations.
    expect(after.devices.cpu!.heapBytes - before.devices.cpu!.heapBytes).toBeLessThan(64 * 1024);
  });

  it('keeps memory flat with explicit dispose()', () => {
    const a = ones(16);
    const before = cpu();
    const heap0 = before.heapBytes;
    for (let i = 0; i < 100_000; i++) {
      const c = a.add(1);
      c.dispose();
    }
    expect(cpu().liveBytes).toBe(before.liveBytes);
    expect(cpu().heapBytes).toBe(heap0);
  });

  it('returns results from tidy and frees the rest', () => {
    const before = memory().liveTensors;
    const [x, y] = tidy(() => {
      const t = ones(3).add(1);
      t.mul(5);
      return [t, { nested: t.mul(2) }.nested];
    });
    expect(memory().liveTensors).toBe(before + 2);
    expect(x!.tolist()).toEqual([2, 2, 2]);
    expect(y!.tolist()).toEqual([4, 4, 4]);
    dispose([x, y]);
    expect(memory().liveTensors).toBe(before);
  });

  it('keep() exempts a tensor from its scope', () => {
    let kept: Tensor | null = null;
    const before = memory().liveTensors;
    tidy(() => {
      kept = keep(zeros(2).add(3));
      zeros(2);
    });
    expect(memory().liveTensors).toBe(before + 1);
    expect(kept!.tolist()).toEqual([3, 3]);
    kept!.dispose();
  });

  it('follows async code across await', async () => {
    const before = memory().liveTensors;
    const result = await tidy(async () => {
      const a = ones(4);
      await new Promise((r) => setTimeout(r, 5));
      const b = a.add(1); // created after an await: still in the scope
      await Promise.resolve();
      b.mul(3);
      return b;
    });
    expect(memory().liveTensors).toBe(before + 1);
    expect(result.tolist()).toEqual([2, 2, 2, 2]);
    result.dispose();
  });

  it('keeps concurrent async scopes apart', async () => {
    const before = memory().liveTensors;
    const run = (v: number) =>
      tidy(async () => {
        const t = ones(2).mul(v);
        await new Promise((r) => setTimeout(r, v));
        t.add(1);
        return t.sum === undefined ? t : t;
      });
    const [p, q] = await Promise.all([run(3), run(7)]);
    expect(p.tolist()).toEqual([3, 3]);
    expect(q.tolist()).toEqual([7, 7]);
    expect(memory().liveTensors).toBe(before + 2);
    dispose([p, q]);
  });

  it('frees on throw', () => {
    const before = memory().liveTensors;
    expect(() =>
      tidy(() => {
        ones(3);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(memory().liveTensors).toBe(before);
  });

  it('views keep storage alive; disposed tensors refuse use', () => {
    const before = cpu().liveStorages;
    const base = tensor([1, 2, 3, 4]);
    const v = base.view(2, 2);
    base.dispose();
    expect(cpu().liveStorages).toBe(before + 1);
    expect(v.tolist()).toEqual([[1, 2], [3, 4]]);
    expect(() => base.add(1)).toThrow(RuntimeError);
    expect(() => base.tolist()).toThrow(/disposed/);
    v.dispose();
    v.dispose(); // idempotent
    expect(cpu().liveStorages).toBe(before);
  });

  it('supports Symbol.dispose (the `using` declaration)', () => {
    const before = memory().liveTensors;
    {
      const t = ones(5);
      t[Symbol.dispose]();
    }
    expect(memory().liveTensors).toBe(before);
  });

  it('the GC releases tensors that were never disposed (safety net)', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) return; // needs --expose-gc (set in vitest.config.ts)
    const before = cpu().liveBytes;
    (() => {
      for (let i = 0; i < 100; i++) ones(1024);
    })();
    for (let i = 0; i < 10 && cpu().liveBytes > before; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    // (Earlier tests' undisposed tensors may be collected too, hence <=.)
    expect(cpu().liveBytes).toBeLessThanOrEqual(before);
  });

  it('reports pooled bytes apart from live bytes', () => {
    const t = zeros(1000);
    const live = cpu().liveBytes;
    t.dispose();
    expect(cpu().liveBytes).toBe(live - 4000);
    expect(cpu().pooledBytes).toBeGreaterThanOrEqual(4000);
  });
});

describe('the 4 GiB wasm32 limit', () => {
  it('throws a clear error instead of crashing', async () => {
    const { empty } = await import('@torchts/core');
    expect(() => empty(2 ** 31)).toThrow(/CPU out of memory: tried to allocate 8\.00 GiB.*4 GiB/);
  });
});
