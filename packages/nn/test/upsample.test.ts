import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { grad, gradcheck } from '@torchts/autograd';
import { RuntimeError, Tensor, ValueError, memory, randn, tensor, tidy } from '@torchts/core';
import * as nn from '../src/index.js';
import { replay } from './resample-helpers.js';
import type { Case } from './resample-helpers.js';

const F = nn.functional;

type InterpCase = Case & { kwargs: Record<string, unknown>; dtype: 'float32' | 'float64' };
type ShuffleCase = Case & { fn: 'pixelShuffle' | 'pixelUnshuffle'; factor: number };
type AffineCase = Case & { size: number[]; alignCorners: boolean };
type GridCase = Case & { mode: 'bilinear' | 'nearest'; paddingMode: 'zeros' | 'border' | 'reflection'; alignCorners: boolean };
type ModuleCase = Case & { cls: string; ctor: unknown; repr: string };

const fx = JSON.parse(readFileSync(new URL('./fixtures/nn_upsample.json', import.meta.url), 'utf8')) as {
  interp: InterpCase[];
  shuffles: ShuffleCase[];
  affine: AffineCase[];
  grids: GridCase[];
  stn: Case;
  modules: ModuleCase[];
};

describe('interpolate vs PyTorch 1.13', () => {
  for (const c of fx.interp) {
    it(c.label, () => replay(c, (x) => F.interpolate(x, c.kwargs as nn.functional.InterpolateOptions), c.dtype));
  }
});

describe('pixel shuffle vs PyTorch 1.13', () => {
  for (const c of fx.shuffles) it(c.label, () => replay(c, (x) => F[c.fn](x, c.factor)));
});

describe('affineGrid / gridSample vs PyTorch 1.13', () => {
  for (const c of fx.affine) it(c.label, () => replay(c, (t) => F.affineGrid(t, c.size, { alignCorners: c.alignCorners })));
  for (const c of fx.grids) {
    it(c.label, () => replay(c, (x, g) => F.gridSample(x, g, { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners })));
  }
  it(fx.stn.label, () =>
    replay(fx.stn, (x, t) => F.gridSample(x, F.affineGrid(t, [2, 3, 3, 6], { alignCorners: false }), { alignCorners: false })),
  );
});

describe('Upsample / PixelShuffle modules vs PyTorch 1.13', () => {
  const ctors = nn as unknown as Record<string, new (...a: unknown[]) => nn.Module>;
  for (const c of fx.modules) {
    it(c.label, () => {
      const m = new ctors[c.cls]!(c.ctor);
      expect(m.toString()).toBe(c.repr);
      replay(c, (x) => (m as unknown as { call(t: Tensor): Tensor }).call(x));
    });
  }
  it('accepts PyTorch positional arguments', () => {
    tidy(() => {
      const up = new nn.Upsample(null, 2, 'bilinear', true);
      expect(up.toString()).toBe("Upsample(scale_factor=2.0, mode=bilinear)");
      expect(up.call(randn([1, 1, 2, 3])).shape).toEqual([1, 1, 4, 6]);
      expect(new nn.UpsamplingNearest2d([4, 5]).toString()).toBe("UpsamplingNearest2d(size=(4, 5), mode=nearest)");
    });
  });
});

describe('resampling: errors, dtypes, memory, gradcheck', () => {
  it('raises PyTorch errors', () => {
    tidy(() => {
      const x = randn([1, 1, 4, 4]);
      expect(() => F.interpolate(x, { scaleFactor: 2, alignCorners: true })).toThrow(ValueError);
      expect(() => F.interpolate(x, { size: 3, scaleFactor: 2 })).toThrow('only one of size or scale_factor should be defined');
      expect(() => F.interpolate(x, {})).toThrow('either size or scale_factor should be defined');
      expect(() => F.interpolate(x, { size: 3, mode: 'linear' })).toThrow('Got 4D input, but linear mode needs 3D input');
      expect(() => F.interpolate(x, { size: [3, 3, 3] })).toThrow(ValueError);
      expect(() => F.pixelShuffle(randn([1, 3, 2, 2]), 2)).toThrow(RuntimeError);
      expect(() => F.pixelUnshuffle(randn([1, 3, 3, 2]), 2)).toThrow('pixel_unshuffle expects height to be divisible by downscale_factor');
      expect(() => F.affineGrid(randn([2, 2, 3]), [1, 1, 2, 2])).toThrow(ValueError);
      expect(() => F.gridSample(x, randn([2, 2, 2, 2]))).toThrow('expected grid and input to have same batch size');
      expect(() => F.gridSample(x, randn([1, 2, 2, 2], { dtype: 'float64' }))).toThrow('same dtype');
    });
  });

  it('keeps float32 and leaks nothing', () => {
    tidy(() => {
      const x = randn([1, 2, 3, 4]);
      const theta = randn([1, 2, 3]);
      const s = randn([1, 4, 2, 2]);
      const g = randn([1, 2, 2, 2]);
      const before = memory().liveTensors;
      const grid = F.affineGrid(theta, [1, 2, 3, 3]);
      const outs = [
        F.interpolate(x, { scaleFactor: 1.5, mode: 'bicubic' }),
        F.interpolate(x, { size: [5, 2], mode: 'nearest' }),
        F.interpolate(x, { scaleFactor: [0.7, 1.3], mode: 'bilinear', alignCorners: true }),
        F.pixelShuffle(s, 2),
        F.pixelUnshuffle(x.reshape([1, 1, 6, 4]), 2),
        F.gridSample(x, grid, { paddingMode: 'reflection' }),
        F.gridSample(x, grid, { paddingMode: 'border', alignCorners: true }),
        F.gridSample(x, g, { mode: 'nearest' }),
      ];
      for (const o of outs) expect(o.dtype).toBe('float32');
      // Only the results remain: the grid and the 8 outputs (the reshape passed in is a 10th).
      expect(memory().liveTensors - before).toBe(10);
    });
  });

  it('deprecated aliases and non-contiguous inputs', () => {
    tidy(() => {
      const x = randn([1, 2, 3, 4], { dtype: 'float64' });
      const same = (a: Tensor, b: Tensor): void => expect(a.sub(b).abs().max().item()).toBe(0);
      same(F.upsampleBilinear(x, [5, 7]), F.interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: true }));
      same(F.upsampleNearest(x, null, 2), F.interpolate(x, { scaleFactor: 2 }));
      same(F.upsample(x, [4, 4], null, 'bicubic'), F.interpolate(x, [4, 4], null, 'bicubic'));
      const t = x.transpose(2, 3);
      same(F.interpolate(t, { scaleFactor: 1.5, mode: 'bilinear' }), F.interpolate(t.contiguous(), { scaleFactor: 1.5, mode: 'bilinear' }));
      const grid = randn([1, 2, 3, 2], { dtype: 'float64' });
      same(F.gridSample(t, grid, { paddingMode: 'border' }), F.gridSample(t.contiguous(), grid, { paddingMode: 'border' }));
      expect(() => F.interpolate(x, { scaleFactor: 2, mode: 'nearest', antialias: true })).toThrow('Anti-alias option is only supported');
      // Antialiasing changes nothing when upsampling bilinearly (the filter's support stays 1 pixel).
      const aa = F.interpolate(x, { size: [5, 7], mode: 'bilinear', antialias: true });
      expect(aa.sub(F.interpolate(x, { size: [5, 7], mode: 'bilinear' })).abs().max().item()).toBeLessThan(1e-12);
    });
  });

  it('gradchecks bicubic interpolate and reflection grid sampling in float64', () => {
    tidy(() => {
      const x = randn([1, 1, 3, 4], { dtype: 'float64' }).requiresGrad_(true);
      expect(gradcheck((a: Tensor) => F.interpolate(a, { size: [5, 3], mode: 'bicubic', alignCorners: false }), [x])).toBe(true);
      expect(gradcheck((a: Tensor) => F.interpolate(a, { size: [2, 3], mode: 'bilinear', antialias: true }), [x])).toBe(true);
      const g = randn([1, 2, 2, 2], { dtype: 'float64' }).mul(0.7).requiresGrad_(true);
      expect(gradcheck((a: Tensor, b: Tensor) => F.gridSample(a, b, { paddingMode: 'reflection' }), [x, g])).toBe(true);
    });
  });
});
