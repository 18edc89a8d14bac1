import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import { gradcheck, gradgradcheck } from '@torchts/autograd';
import { RuntimeError, Tensor, ValueError, memory, rand, tensor, tidy } from '@torchts/core';
import * as nn from '../src/index.js';

const F = nn.functional;

/** Distinct values (no ties, so max pooling is differentiable at the sample point). */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = Array.from({ length: n }, (_, i) => ((i * 7919) % n) / n - 0.5 + 0.01 * Math.sin(i));
  return tensor(vals, { dtype: 'float64' }).reshape(shape);
}

describe('pooling gradcheck (float64)', () => {
  it('max pooling 1d/2d/3d (strides, padding, dilation, ceil mode)', () => {
    tidy(() => {
      const x1 = distinct([2, 2, 7]).requiresGrad_(true);
      expect(gradcheck((x) => F.maxPool1d(x, 3, { stride: 2, padding: 1, dilation: 2, ceilMode: true }), [x1])).toBe(true);
      const x2 = distinct([1, 2, 5, 6]).requiresGrad_(true);
      expect(gradcheck((x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 }), [x2])).toBe(true);
      expect(gradgradcheck((x) => F.maxPool2d(x, [2, 3], { stride: 1 }), [x2])).toBe(true);
      const x3 = distinct([1, 1, 4, 3, 4]).requiresGrad_(true);
      expect(gradcheck((x) => F.maxPool3d(x, 2, { stride: 1, ceilMode: true }), [x3])).toBe(true);
    });
  });
  it('average pooling 1d/2d/3d (padding, countIncludePad, divisorOverride)', () => {
    tidy(() => {
      const x1 = distinct([2, 2, 7]).requiresGrad_(true);
      expect(gradcheck((x) => F.avgPool1d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [x1])).toBe(true);
      const x2 = distinct([1, 2, 5, 6]).requiresGrad_(true);
      expect(gradcheck((x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, divisorOverride: 4 }), [x2])).toBe(true);
      expect(gradgradcheck((x) => F.avgPool2d(x, 2, { stride: 1, padding: 1 }), [x2])).toBe(true);
      const x3 = distinct([1, 1, 4, 3, 4]).requiresGrad_(true);
      expect(gradcheck((x) => F.avgPool3d(x, 2, { padding: 1, countIncludePad: false }), [x3])).toBe(true);
    });
  });
  it('adaptive pooling, LP pooling and max unpooling', () => {
    tidy(() => {
      const x = distinct([2, 2, 5, 7]).requiresGrad_(true);
      expect(gradcheck((t) => F.adaptiveAvgPool2d(t, [3, 4]), [x])).toBe(true);
      expect(gradgradcheck((t) => F.adaptiveAvgPool1d(t.reshape([2, 2, 35]), 6), [x])).toBe(true);
      expect(gradcheck((t) => F.adaptiveMaxPool2d(t, [3, 4]), [x])).toBe(true);
      expect(gradcheck((t) => F.adaptiveMaxPool1d(t.reshape([2, 2, 35]), 4), [x])).toBe(true);
      const pos = distinct([1, 2, 4, 5]).add(1).requiresGrad_(true);
      expect(gradcheck((t) => F.lpPool2d(t, 2, 2, { stride: 1 }), [pos])).toBe(true);
      const [v, idx] = F.maxPool2d(distinct([1, 2, 4, 6]), 2, { returnIndices: true });
      const vv = v.detach().requiresGrad_(true);
      expect(gradcheck((t) => F.maxUnpool2d(t, idx, 2), [vv])).toBe(true);
    });
  });
  it('non-contiguous inputs give the contiguous results', () => {
    tidy(() => {
      const base = distinct([2, 6, 3, 5]);
      const nc = base.permute([0, 3, 2, 1]); // (2, 5, 3, 6), not contiguous
      expect(nc.isContiguous()).toBe(false);
      const c = nc.contiguous();
      const pairs: Array<[Tensor | Tensor[], Tensor | Tensor[]]> = [
        [F.maxPool2d(nc, 2, { returnIndices: true, padding: 1 }), F.maxPool2d(c, 2, { returnIndices: true, padding: 1 })],
        [F.avgPool2d(nc, 3, { stride: 2, padding: 1 }), F.avgPool2d(c, 3, { stride: 2, padding: 1 })],
        [F.adaptiveAvgPool2d(nc, [2, 4]), F.adaptiveAvgPool2d(c, [2, 4])],
        [F.maxPool1d(nc.select(2, 1), 2), F.maxPool1d(c.select(2, 1), 2)],
      ];
      for (const [a, b] of pairs) {
        const [as, bs] = [Array.isArray(a) ? a : [a], Array.isArray(b) ? b : [b]];
        as.forEach((t, i) => expect(t.tolist()).toEqual(bs[i]!.tolist()));
      }
      const g = nc.clone().requiresGrad_(true);
      const gradNc = tidy(() => {
        F.avgPool2d(g.transpose(2, 3), 2).sum().backward();
        return g.grad!.clone();
      });
      expect(gradNc.shape).toEqual(nc.shape);
    });
  });
  it('half precision inputs pool through the decoded path', () => {
    tidy(() => {
      const x = tensor([[[1, 5, 2, 4]]], { dtype: 'float16' });
      expect(F.maxPool1d(x, 2).tolist()).toEqual([[[5, 4]]]);
      expect(F.avgPool1d(x.to('bfloat16'), 2).tolist()).toEqual([[[3, 3]]]);
    });
  });
  it('rejects integer inputs and bad arguments with clear errors', () => {
    tidy(() => {
      const xi = tensor([[[1, 2, 3, 4]]], { dtype: 'int64' });
      expect(() => F.maxPool1d(xi, 2)).toThrow(/not implemented for 'int64'/);
      const x = rand([1, 1, 4, 4]);
      expect(() => F.maxPool2d(x, [2, 2, 2])).toThrow(RuntimeError);
      expect(() => F.avgPool2d(x, 2, { divisorOverride: 0 })).toThrow(/divisor must be not zero/);
      expect(() => F.maxPool2d(x, 0)).toThrow(/kernel size should be greater than zero/);
      const [v, idx] = F.maxPool2d(x, 2, { returnIndices: true });
      expect(() => F.maxUnpool2d(v, idx, 2, { outputSize: [9, 9] })).toThrow(/invalid output_size/);
    });
  });
  it('does not leak tensors', () => {
    const before = memory().liveTensors;
    tidy(() => {
      const x = distinct([1, 2, 4, 4]).requiresGrad_(true);
      F.maxPool2d(x, 2).sum().add(F.avgPool2d(x, 2).sum()).add(F.lpPool2d(x.abs().add(1), 2, 2).sum()).backward();
      // (Parameters outlive tidy by design, so the module here has none.)
      const bn = new nn.BatchNorm2d(2, { affine: false });
      bn.call(x).sum().backward();
      bn.eval();
      bn.call(x);
      F.layerNorm(x, [4]).sum().backward();
      F.groupNorm(x, 2).sum().backward();
      x.grad!.dispose();
    });
    expect(memory().liveTensors).toBe(before);
  });
});

describe('normalisation modules', () => {
  it('registers PyTorch-named parameters and buffers', () => {
    const bn = new nn.BatchNorm2d(3);
    expect([...bn.stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect((bn as unknown as { num_batches_tracked: Tensor }).num_batches_tracked.dtype).toBe('int64');
    expect(bn.toString()).toBe('BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)');
    expect([...new nn.BatchNorm1d(3, { affine: false, trackRunningStats: false }).stateDict().keys()]).toEqual([]);
    expect([...new nn.InstanceNorm1d(3).stateDict().keys()]).toEqual([]);
    expect([...new nn.InstanceNorm2d(3, { affine: true, trackRunningStats: true }).stateDict().keys()]).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect([...new nn.LayerNorm([2, 3]).stateDict().keys()]).toEqual(['weight', 'bias']);
    expect([...new nn.GroupNorm(2, 4).stateDict().keys()]).toEqual(['weight', 'bias']);
    expect([...new nn.RMSNorm(4).stateDict().keys()]).toEqual(['weight']);
    expect(new nn.MaxPool2d(2).toString()).toBe('MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)');
  });
  it('eval mode uses running statistics, train mode updates them', () => {
    tidy(() => {
      const bn = new nn.BatchNorm1d(2);
      const x = tensor([[1, 2], [3, 6], [5, 10]]);
      const yTrain = bn.call(x);
      // Batch statistics: mean (3, 6), biased var (8/3, 32/3) -> normalised columns are equal.
      expect(yTrain.select(1, 0).sub(yTrain.select(1, 1)).abs().max().item()).toBeLessThan(1e-4); // eps shifts them slightly
      const rm = (bn as unknown as { running_mean: Tensor }).running_mean;
      const rv = (bn as unknown as { running_var: Tensor }).running_var;
      expect(rm.tolist()).toEqual([expect.closeTo(0.3, 6), expect.closeTo(0.6, 6)]);
      expect(rv.tolist()).toEqual([expect.closeTo(0.9 + 0.1 * 4, 6), expect.closeTo(0.9 + 0.1 * 16, 6)]);
      bn.eval();
      const yEval = bn.call(x);
      const expected = x.sub(rm).div(rv.add(1e-5).sqrt());
      expect(yEval.sub(expected).abs().max().item()).toBeLessThan(1e-6);
      expect(rm.tolist()).toEqual([expect.closeTo(0.3, 6), expect.closeTo(0.6, 6)]); // unchanged in eval
      expect(() => bn.call(tensor([1, 2]))).toThrow(ValueError);
    });
  });
  it('rmsNorm defaults eps to the dtype epsilon and checks shapes', () => {
    tidy(() => {
      const x = tensor([[3, 4]], { dtype: 'float64' });
      const y = new nn.RMSNorm(2, { dtype: 'float64' }).call(x);
      const rms = Math.sqrt(12.5 + 2.220446049250313e-16);
      expect(y.tolist()).toEqual([[3 / rms, 4 / rms]]);
      expect(() => F.rmsNorm(x, [3])).toThrow(/normalized_shape/);
    });
  });
});

describe('pooling modules', () => {
  it('MaxPool2d returnIndices feeds MaxUnpool2d; adaptive and LP pooling wrap the functions', () => {
    tidy(() => {
      const x = distinct([2, 3, 4, 6]).add(1); // positive, so unpooled zeros never win a re-pool
      const pool = new nn.MaxPool2d(2, { returnIndices: true });
      const [v, idx] = pool.call(x) as Tensor[];
      expect(v!.shape).toEqual([2, 3, 2, 3]);
      const unpooled = new nn.MaxUnpool2d(2).call(v!, idx!);
      // Each window keeps only its maximum, in place.
      expect(unpooled.shape).toEqual([2, 3, 4, 6]);
      expect(new nn.MaxPool2d(2).call(unpooled).tolist()).toEqual(v!.tolist());
      expect(unpooled.ne(0).sum().item()).toBe(v!.numel());
      expect((new nn.AdaptiveAvgPool2d([null, 2]).call(x) as Tensor).shape).toEqual([2, 3, 4, 2]);
      const [am, ai] = new nn.AdaptiveMaxPool2d(1, { returnIndices: true }).call(x) as Tensor[];
      expect(am!.reshape([-1]).tolist()).toEqual(x.amax([2, 3]).reshape([-1]).tolist());
      expect(ai!.dtype).toBe('int64');
      expect(new nn.AvgPool1d(3, { stride: 1 }).call(x.reshape([2, 3, 24])).shape).toEqual([2, 3, 22]);
      expect(new nn.AvgPool3d(2).call(x.reshape([1, 2, 3, 4, 6])).shape).toEqual([1, 2, 1, 2, 3]);
      expect(new nn.MaxPool3d(2, { returnIndices: false }).call(x.reshape([1, 2, 3, 4, 6])).shape).toEqual([1, 2, 1, 2, 3]);
      expect(new nn.LPPool2d(2, 2).call(x.abs()).shape).toEqual([2, 3, 2, 3]);
      expect(new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }).toString()).toBe('AvgPool2d(kernel_size=3, stride=2, padding=1)');
    });
  });
});
