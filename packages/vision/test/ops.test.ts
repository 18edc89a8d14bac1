import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '@torchts/backend-cpu';
import { gradcheck } from '@torchts/autograd';
import * as torch from '@torchts/core';
import type { DType, Tensor } from '@torchts/core';
import * as ops from '../src/ops/index.js';

interface Enc { dtype: DType; shape: number[]; data: number[] }
const fx = JSON.parse(readFileSync(new URL('./fixtures/vision_ops.json', import.meta.url), 'utf8'));
const dec = (e: Enc, dtype?: DType): Tensor => torch.tensor(e.data, { dtype: e.dtype }).reshape(e.shape).to(dtype ?? e.dtype);
const arg = (a: unknown): unknown => (a !== null && typeof a === 'object' && 'dtype' in (a as object) ? dec(a as Enc) : a);

function expectClose(got: Tensor, want: Enc, tol: number): void {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  const g = torch.readNumbers(got);
  want.data.forEach((w, i) => expect(Math.abs(g[i]! - w)).toBeLessThanOrEqual(tol * (1 + Math.abs(w))));
}

describe('box ops against torchvision', () => {
  it.each(fx.boxes.map((c: { op: string; args: unknown[] }, i: number) => [`${c.op} #${i} (${(c.args[0] as Enc).dtype})`, c]))('%s', (_, c) => {
    const { op, args, out } = c as { op: keyof typeof ops; args: unknown[]; out: Enc };
    const got = (ops[op] as (...a: unknown[]) => Tensor)(...args.map(arg));
    expectClose(got, out, out.dtype === 'float32' ? 1e-6 : 1e-12);
  });

  it('boxIou is differentiable (gradcheck, float64)', () => {
    const b1 = torch.tensor([[0, 0, 4, 3], [1, 1, 5, 6]], { dtype: 'float64', requiresGrad: true });
    const b2 = torch.tensor([[2, 1, 6, 4], [0.5, 0, 3, 2.5], [1, 2, 2.5, 7]], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((a: Tensor, b: Tensor) => ops.boxIou(a, b), [b1, b2])).toBe(true);
    expect(gradcheck((a: Tensor, b: Tensor) => ops.generalizedBoxIou(a, b), [b1, b2])).toBe(true);
    expect(gradcheck((a: Tensor) => ops.boxConvert(a, 'cxcywh', 'xywh'), [b1])).toBe(true);
    expect(gradcheck((a: Tensor, b: Tensor) => ops.distanceBoxIou(a, b), [b1, b2])).toBe(true);
  });

  it.each(fx.iouGrads.map((c: { op: string }) => [c.op, c]))('%s gradients match torchvision', (_, c) => {
    const k = c as { op: string; boxes1: Enc; boxes2: Enc; gradOut: Enc; grad1: Enc; grad2: Enc };
    const name = k.op.replace(/_(\w)/g, (_m, ch: string) => ch.toUpperCase()) as 'boxIou';
    const [a, b] = [dec(k.boxes1).requiresGrad_(), dec(k.boxes2).requiresGrad_()];
    ops[name](a, b).mul(dec(k.gradOut)).sum().backward();
    expectClose(a.grad!, k.grad1, 1e-12);
    expectClose(b.grad!, k.grad2, 1e-12);
  });

  it('rejects bad arguments with clear messages', () => {
    expect(() => ops.boxIou(torch.zeros([3, 5]), torch.zeros([1, 4]))).toThrow('box_iou(): boxes1 should be a [N, 4] tensor, got [3, 5]');
    expect(() => ops.boxArea(torch.zeros([4]))).toThrow('box_area(): boxes should be a [N, 4] tensor, got [4]');
    expect(() => ops.boxConvert(torch.zeros([2, 4]), 'xyxy', 'yxyx' as 'xyxy')).toThrow('Unsupported Bounding Box Conversions for given in_fmt and out_fmt');
    expect(() => ops.boxConvert(torch.zeros([2, 3]), 'xyxy', 'xywh')).toThrow('boxes should have 4 values in the last dimension, got [2, 3]');
    expect(() => ops.clipBoxesToImage(torch.zeros([2, 4]), [3])).toThrow('size should be [height, width], got [3]');
    expect(() => ops.masksToBoxes(torch.zeros([2, 3, 3], { dtype: 'bool' }))).toThrow('masks_to_boxes(): mask 0 is empty (it has no nonzero element), so it has no box');
    expect(ops.masksToBoxes(torch.zeros([0, 3, 3])).shape).toEqual([0, 4]);
  });
});

describe('sigmoidFocalLoss against torchvision', () => {
  it.each(fx.focal.map((c: { options: object }, i: number) => [`#${i} ${JSON.stringify(c.options)}`, c]))('%s', (_, c) => {
    const k = c as { input: Enc; targets: Enc; options: ops.SigmoidFocalLossOptions; out: Enc; gradInput: Enc };
    const x = dec(k.input).requiresGrad_();
    const loss = ops.sigmoidFocalLoss(x, dec(k.targets), k.options);
    expectClose(loss, k.out, 1e-12);
    loss.sum().backward();
    expectClose(x.grad!, k.gradInput, 1e-12);
  });

  it('rejects an unknown reduction', () => {
    expect(() => ops.sigmoidFocalLoss(torch.zeros([2]), torch.zeros([2]), { reduction: 'avg' as 'sum' })).toThrow("Invalid Value for arg 'reduction': 'avg'");
  });
});

describe('nms and batchedNms against torchvision', () => {
  it.each(fx.nms.map((c: { op: string; args: unknown[] }, i: number) => [`${c.op} #${i}`, c]))('%s', (_, c) => {
    const { op, args, out } = c as { op: 'nms' | 'batchedNms'; args: unknown[]; out: Enc };
    const got = (ops[op] as (...a: unknown[]) => Tensor)(...args.map(arg));
    expect(got.dtype).toBe('int64');
    expect(got.tolist()).toEqual(out.data);
  });

  it('checks its inputs', () => {
    const b = torch.zeros([3, 4]);
    expect(() => ops.nms(b, torch.zeros([4]), 0.5)).toThrow('nms(): boxes and scores should have same number of elements in dimension 0, got 3 and 4');
    expect(() => ops.nms(b, torch.zeros([3, 1]), 0.5)).toThrow('nms(): scores should be a 1d tensor, got 2D');
    expect(() => ops.nms(torch.zeros([3, 4], { dtype: 'int64' }), torch.zeros([3]), 0.5)).toThrow('nms(): boxes must be a floating point tensor, got int64');
    expect(() => ops.batchedNms(b, torch.zeros([3]), torch.zeros([3]), 0.5)).toThrow('batched_nms(): idxs must be an integer tensor, got float32');
  });
});

describe('roiAlign and roiPool against torchvision (forward and backward)', () => {
  const roi = fx.roi;
  it.each(roi.cases.map((c: { op: string; dtype: string }, i: number) => [`${c.op} #${i} ${c.dtype}`, c]))('%s', (_, c) => {
    const k = c as { op: string; dtype: DType; outputSize: number | number[]; options?: object; spatialScale?: number; out: Enc; gradOut: Enc; gradInput: Enc };
    const input = dec(roi.input, k.dtype).requiresGrad_();
    const boxes = dec(roi.boxes, k.dtype);
    const y = k.op === 'roiAlign' ? ops.roiAlign(input, boxes, k.outputSize, k.options) : ops.roiPool(input, boxes, k.outputSize, k.spatialScale);
    const tol = k.dtype === 'float32' ? 2e-6 : 1e-12;
    expectClose(y, k.out, tol);
    y.mul(dec(k.gradOut)).sum().backward();
    expectClose(input.grad!, k.gradInput, tol);
  });

  it('boxes as a list per image give the same result as [K, 5]', () => {
    const input = dec(roi.input);
    const boxes = dec(roi.boxes);
    const rows = boxes.tolist() as number[][];
    const perImage = [0, 1].map((b) => torch.tensor(rows.filter((r) => r[0] === b).map((r) => r.slice(1)), { dtype: 'float64' }));
    const order = [0, 2, 4, 1, 3, 5]; // image 0's boxes first, then image 1's
    const expected = torch.indexSelect(ops.roiAlign(input, boxes, [2, 2]), 0, torch.tensor(order, { dtype: 'int64' }));
    expect(ops.roiAlign(input, perImage, [2, 2]).tolist()).toEqual(expected.tolist());
    const pooled = torch.indexSelect(ops.roiPool(input, boxes, 3), 0, torch.tensor(order, { dtype: 'int64' }));
    expect(ops.roiPool(input, perImage, 3).tolist()).toEqual(pooled.tolist());
  });

  it('gradcheck in float64', () => {
    const input = dec(roi.input).narrow(2, 0, 5).narrow(3, 0, 6).contiguous().requiresGrad_();
    const boxes = torch.tensor([[0, 0.3, 0.6, 4.1, 3.2], [1, 1.5, -0.5, 5.5, 4.5]], { dtype: 'float64' });
    expect(gradcheck((x: Tensor) => ops.roiAlign(x, boxes, [2, 3], { samplingRatio: 2, aligned: true }), [input])).toBe(true);
    expect(gradcheck((x: Tensor) => ops.roiPool(x, boxes, [2, 2]), [input])).toBe(true);
  });

  it('RoIAlign and RoIPool modules call the functions', () => {
    const input = dec(roi.input);
    const boxes = dec(roi.boxes);
    const align = new ops.RoIAlign([2, 3], 0.5, 2, true);
    expect(align.call(input, boxes).tolist()).toEqual(ops.roiAlign(input, boxes, [2, 3], { spatialScale: 0.5, samplingRatio: 2, aligned: true }).tolist());
    expect(align.toString()).toBe('RoIAlign(output_size=(2, 3), spatial_scale=0.5, sampling_ratio=2, aligned=True)');
    const pool = new ops.RoIPool(3, 1);
    expect(pool.call(input, boxes).tolist()).toEqual(ops.roiPool(input, boxes, 3, 1).tolist());
    expect(pool.toString()).toBe('RoIPool(output_size=3, spatial_scale=1.0)');
    expect([...pool.parameters()].length).toBe(0);
  });

  it('checks boxes and sizes', () => {
    const input = torch.zeros([1, 1, 4, 4]);
    expect(() => ops.roiAlign(input, torch.zeros([2, 4]), 2)).toThrow('The boxes tensor shape is not correct as Tensor[K, 5]');
    expect(() => ops.roiAlign(input, [torch.zeros([2, 5])], 2)).toThrow('The shape of the tensor in the boxes list is not correct as List[Tensor[L, 4]]');
    expect(() => ops.roiPool(input, torch.tensor([[1, 0, 0, 1, 1]]), 2)).toThrow('roi_pool(): box 0 has batch index 1, but the input holds 1 image');
    expect(() => ops.roiAlign(input, torch.zeros([1, 5]), [0, 2])).toThrow(/output_size should be a positive int or a pair of positive ints/);
    expect(() => ops.roiAlign(torch.zeros([1, 4, 4]), torch.zeros([1, 5]), 2)).toThrow('roi_align(): input should be a 4d tensor [N, C, H, W], got [1, 4, 4]');
    expect(ops.roiAlign(input, torch.zeros([0, 5]), 2).shape).toEqual([0, 1, 2, 2]);
  });
});

describe('memory', () => {
  it('ops and utils leave no intermediate tensors behind', async () => {
    const { makeGrid, drawBoundingBoxes, drawSegmentationMasks } = await import('../src/utils/index.js');
    const input = dec(fx.roi.input);
    const boxes = dec(fx.roi.boxes);
    const b = torch.tensor([[0, 0, 4, 3], [1, 1, 5, 6]]);
    const scores = torch.tensor([0.5, 0.7]);
    const img = torch.zeros([3, 8, 8], { dtype: 'uint8' });
    const [idxs, targets, mask] = [torch.tensor([0, 1], { dtype: 'int64' }), torch.tensor([1, 0]), torch.ones([8, 8], { dtype: 'bool' })];
    const calls: Array<() => Tensor> = [
      () => ops.roiAlign(input, boxes, 2), () => ops.roiPool(input, boxes, 2), () => ops.boxIou(b, b),
      () => ops.generalizedBoxIou(b, b), () => ops.completeBoxIou(b, b), () => ops.boxConvert(b, 'cxcywh', 'xywh'),
      () => ops.clipBoxesToImage(b, [2, 2]), () => ops.removeSmallBoxes(b, 4), () => ops.nms(b, scores, 0.1),
      () => ops.batchedNms(b, scores, idxs, 0.1),
      () => ops.sigmoidFocalLoss(scores, targets, { reduction: 'mean' }),
      () => makeGrid(input, { normalize: true, scaleEach: true }), () => drawBoundingBoxes(img, b, { fill: true }),
      () => drawSegmentationMasks(img, mask),
    ];
    for (const call of calls) {
      call().dispose(); // warm caches
      const before = torch.memory().liveTensors;
      call().dispose();
      expect([calls.indexOf(call), torch.memory().liveTensors]).toEqual([calls.indexOf(call), before]);
    }
  });
});
