// The autograd workloads run and leave memory flat (on tiny sizes; nothing asserts on time).
import { describe, expect, it } from 'vitest';
import * as torch from 'torchts';
import { allWorkloads, prepareTorchts } from '../src/workloads.js';
import type { WorkloadSpec } from '../src/workloads.js';

const tiny: Record<string, Partial<WorkloadSpec>> = {
  'add1.grad': {},
  'chain1k.backward': { steps: 10 },
  'twolayer.autograd': { shape: [4, 8, 5, 3], steps: 3 },
};

describe('autograd workloads', () => {
  it('are listed with the units of their anchors', () => {
    const ids = allWorkloads(false).map((w) => w.id);
    for (const id of Object.keys(tiny)) expect(ids).toContain(id);
    expect(allWorkloads(false).find((w) => w.id === 'twolayer.autograd')!.steps).toBe(500);
    expect(allWorkloads(true).find((w) => w.id === 'twolayer.autograd')!.steps).toBe(100);
  });

  it.each(Object.entries(tiny))('%s runs and leaves memory flat', (id, overrides) => {
    const spec = { ...allWorkloads(true).find((w) => w.id === id)!, ...overrides };
    const before = torch.memory();
    const p = prepareTorchts(spec);
    p.batch(2);
    p.teardown();
    const after = torch.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.devices.cpu!.liveBytes).toBe(before.devices.cpu!.liveBytes);
  });
});
