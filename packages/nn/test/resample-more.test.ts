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

describe('gridSample bicubic and 5-D, affineGrid 5-D vs PyTorch 1.13', () => {
  for (const c of fx.grids) {
    it(c.label, () => replay(c, (x, g) => F.gridSample(x, g, { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners }), c.dtype ?? 'float64'));
  }
  for (const c of fx.affine) it(c.label, () => replay(c, (t) => F.affineGrid(t, c.size, { alignCorners: c.alignCorners })));
  it(fx.stn.label, () =>
    replay(fx.stn, (x, t) => F.gridSample(x, F.affineGrid(t, [1, 2, 2, 3, 4], { alignCorners: false }), { alignCorners: false })),
  );

  it('errors like PyTorch', () => {
    const e = fx.errors;
    expect(() => F.gridSample(zeros([1, 1, 2, 2, 2]), zeros([1, 1, 1, 1, 3]), { mode: 'bicubic' })).toThrow(e.bicubic5d!.message);
    expect(() => F.gridSample(zeros([1, 1, 2, 2, 2]), zeros([1, 1, 1, 1, 2]))).toThrow(e.grid5dLast!.message);
    expect(() => F.gridSample(zeros([1, 1, 2, 2, 2]), zeros([1, 1, 1, 2]))).toThrow(e.gridDims!.message);
    expect(() => F.affineGrid(zeros([1, 2, 3]), [1, 1, 2, 2, 2])).toThrow(e.affine5d!.message);
    expect(() => F.gridSample(zeros([1, 1, 2, 2]), zeros([1, 1, 1, 2]), { mode: 'area' as never })).toThrow(ValueError);
  });

  it('leaves only its results (bicubic, trilinear, nearest 5-D, affineGrid 5-D)', () => {
    tidy(() => {
      const x = randn([1, 2, 3, 4]);
      const v = randn([1, 2, 2, 3, 4]);
      const g = rand([1, 2, 3, 2]);
      const g3 = rand([1, 2, 2, 2, 3]);
      const theta = randn([1, 3, 4]);
      const before = memory().liveTensors;
      const outs = [
        F.gridSample(x, g, { mode: 'bicubic', paddingMode: 'reflection' }),
        F.gridSample(v, g3, { paddingMode: 'border' }),
        F.gridSample(v, g3, { mode: 'nearest', alignCorners: true }),
        F.affineGrid(theta, [1, 2, 2, 3, 4]),
      ];
      for (const o of outs) expect(o.dtype).toBe('float32');
      expect(memory().liveTensors - before).toBe(outs.length);
    });
  });

  it('gradcheck: bicubic with reflection, trilinear with border', () => {
    tidy(() => {
      const x = randn([1, 1, 3, 4], { dtype: 'float64' }).requiresGrad_(true);
      const g = rand([1, 1, 2, 2], { dtype: 'float64' }).mul(2.4).sub(1.2).requiresGrad_(true);
      expect(gradcheck((a: Tensor, b: Tensor) => F.gridSample(a, b, { mode: 'bicubic', paddingMode: 'reflection' }), [x, g])).toBe(true);
      const v = randn([1, 1, 2, 3, 2], { dtype: 'float64' }).requiresGrad_(true);
      const g3 = rand([1, 1, 2, 2, 3], { dtype: 'float64' }).mul(2.4).sub(1.2).requiresGrad_(true);
      expect(gradcheck((a: Tensor, b: Tensor) => F.gridSample(a, b, { paddingMode: 'border', alignCorners: true }), [v, g3])).toBe(true);
    });
  });
});
