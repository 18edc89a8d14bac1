// The README's example, as written there.
import { expect, it } from 'vitest';
import { cpuKernels, setCpuKernels } from '../../src/index.js';
import { randn } from '@torchts/core';

it('README: kernels switch and agree', () => {
  expect(cpuKernels()).toBe('relaxed');
  const a = randn(256, 256);
  const fast = a.matmul(a);
  setCpuKernels('ts');
  expect(cpuKernels()).toBe('ts');
  const reference = a.matmul(a);
  setCpuKernels('auto');
  expect(fast.sub(reference).abs().max().item() < 1e-3).toBe(true);
  expect(() => setCpuKernels('fast' as never)).toThrow("setCpuKernels: expected 'auto', 'ts', 'simd' or 'relaxed', but got 'fast'");
});
