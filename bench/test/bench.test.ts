// The bench's arithmetic and bookkeeping, not its timings: benchmarks never assert on time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as torch from 'torchts';
import { formatTable, speedRatio } from '../src/report.js';
import type { Row } from '../src/report.js';
import { measure, median } from '../src/timing.js';
import { allWorkloads, patternTensor, prepareTorchts, toUnit } from '../src/workloads.js';

const plan = { warmupSeconds: 0, targetBatchSeconds: 0.001, reps: 3, maxWorkloadSeconds: 1 };

describe('timing', () => {
  it('takes the median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('runs fixed batches of exactly fixedInner calls', () => {
    const lengths: number[] = [];
    const t = measure((n) => lengths.push(n), plan, 50);
    expect(new Set(lengths)).toEqual(new Set([50]));
    expect(t.inner).toBe(50);
    expect(lengths.length).toBe(1 + t.reps); // one warm-up batch, then the timed ones
  });
});

describe('units and ratios', () => {
  const [add1, , add1M] = allWorkloads(false);
  const matmul128 = allWorkloads(false).find((w) => w.id === 'matmul128')!;

  it('converts seconds per iteration', () => {
    expect(toUnit(add1!, 1.5e-6)).toBeCloseTo(1.5);
    expect(toUnit(add1M!, 1e-3)).toBeCloseTo((12 * 2 ** 20) / 1e-3 / 1e9);
    expect(toUnit(matmul128, 1e-3)).toBeCloseTo((2 * 128 ** 3) / 1e-3 / 1e9);
  });

  it('reports PyTorch time / torchts time, so above 1 means torchts is faster', () => {
    const timing = (s: number) => ({ secondsPerIter: s, minSecondsPerIter: s, inner: 1, reps: 3 });
    const row: Row = { spec: add1M!, torchts: { ...timing(1), leakedBytes: 0, leakedTensors: 0 }, pytorch: { 1: timing(2) } };
    expect(speedRatio(row, '1')).toBe(2);
    const text = formatTable([row], ['1']);
    expect(text).toContain('2.00x');
    expect(text).toContain('higher=better');
  });

  it('marks workloads torchts cannot run', () => {
    const row: Row = { spec: add1!, torchts: { skipped: 'not available (no torch.foo)' }, pytorch: {} };
    expect(formatTable([row], [])).toContain('not available (no torch.foo)');
  });
});

describe('torchts workloads', () => {
  it('leave memory flat', () => {
    const before = torch.memory();
    for (const spec of allWorkloads(true).filter((w) => w.op.startsWith('add'))) {
      const p = prepareTorchts({ ...spec, shape: spec.shape.map(() => 8) });
      p.batch(3);
      p.teardown();
    }
    const after = torch.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
  });

  it.runIf(existsSync('/usr/bin/python3'))('build the same inputs as bench_torch.py', () => {
    const script = 'import sys; sys.path.insert(0, "python"); from bench_torch import pattern; print(pattern([5], 2).tolist())';
    const py = spawnSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    if (py.status !== 0) return; // no PyTorch here: the bench skips it too
    const t = patternTensor([5], 2);
    expect(t.tolist()).toEqual(JSON.parse(py.stdout));
    t.dispose();
  });
});
