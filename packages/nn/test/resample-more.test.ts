import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { gradcheck } from '@torchts/autograd';
import { RuntimeError, Tensor, ValueError, memory, rand, randn, tidy, zeros } from '@torchts/core';
import * as nn from '../src/index.js';
import { replay } from './resample-helpers.js';
import type { Case } from './resample-helpers.js';

const F = nn.functional;

type AaCase = Case & { kwargs: nn.functional.InterpolateOptions; dtype: 'float32' | 'float64' };
type GridCase = Case & { mode: nn.functional.GridSampleMode; paddingMode: nn.functional.GridPaddingMode; alignCorners: boolean; dtype?: 'float32' };
type AffineCase = Case & { size: number[]; alignCorners: boolean };
interface PyError { type: string; message: string }

const fx = JSON.parse(readFileSync(new URL('./fixtures/nn_resample_more.json', import.meta.url), 'utf8')) as {
  antialias: AaCase[];
  grids: GridCase[];
  affine: AffineCase[];
  stn: Case;
  errors: Record<string, PyError>;
};

const errorClass = (e: PyError): typeof RuntimeError | typeof ValueError => (e.type === 'ValueError' ? ValueError : RuntimeError);

describe('interpolate antialias=True vs PyTorch 1.13', () => {
  for (const c of fx.antialias) it(c.label, () => replay(c, (x) => F.interpolate(x, c.kwargs), c.dtype));

  it('rejects other modes and ranks like PyTorch', () => {
    const e = fx.errors;
    expect(() => F.interpolate(zeros([1, 1, 4, 4]), { size: 2, mode: 'nearest', antialias: true })).toThrow(errorClass(e.aaNearest!));
    expect(() => F.interpolate(zeros([1, 1, 4, 4]), { size: 2, mode: 'nearest', antialias: true })).toThrow(e.aaNearest!.message);
    expect(() => F.interpolate(zeros([1, 1, 4]), { size: 2, mode: 'linear', antialias: true })).toThrow(e.aa3d!.message);
  });

  it('gradcheck (bicubic downscale, bilinear with alignCorners) and no leaks', () => {
    tidy(() => {
      const x = randn([1, 1, 6, 5], { dtype: 'float64' }).requiresGrad_(true);
      expect(gradcheck((a: Tensor) => F.interpolate(a, { size: [2, 3], mode: 'bicubic', antialias: true }), [x])).toBe(true);
      expect(gradcheck((a: Tensor) => F.interpolate(a, { scaleFactor: 0.4, mode: 'bilinear', alignCorners: true, antialias: true }), [x])).toBe(true);
      const y = rand([1, 3, 16, 16]);
      const before = memory().liveTensors;
      const out = F.interpolate(y, { size: [5, 7], mode: 'bicubic', antialias: true });
      expect(out.shape).toEqual([1, 3, 5, 7]);
      expect(memory().liveTensors - before).toBe(1);
      // Upsample keeps ignoring antialias (PyTorch's module has no such option).
      expect(new nn.Upsample({ size: [5, 7], mode: 'bilinear' }).call(y).sub(F.interpolate(y, { size: [5, 7], mode: 'bilinear' })).abs().max().item()).toBe(0);
    });
  });
});
