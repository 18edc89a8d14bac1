/** The README's first example, run as written (with core + backend-cpu instead of the umbrella). */
import '@torchts/backend-cpu';
import * as torch from '@torchts/core';
import { expect, it } from 'vitest';
import { DataLoader, Dataset, TensorDataset, randomSplit } from '../src/index.js';

class Squares extends Dataset<[torch.Tensor, number]> {
  get length() {
    return 100;
  }
  getItem(i: number): [torch.Tensor, number] {
    return [torch.tensor([i / 100, (i / 100) ** 2]), i % 2];
  }
}

it('README example', async () => {
  const generator = new torch.Generator().manualSeed(42);
  const [train, val] = randomSplit(new Squares(), [0.8, 0.2], { generator });
  const loader = new DataLoader(train!, { batchSize: 16, shuffle: true, generator });
  expect(loader.length).toBe(5);
  let batches = 0;
  for (const [x, y] of loader) {
    expect(x.shape).toEqual([16, 2]);
    expect(y.dtype).toBe('int64');
    batches++;
  }
  expect(batches).toBe(5);
  let seen = 0;
  for await (const [x] of new DataLoader(val!, { batchSize: 8 })) seen += x.shape[0]!;
  expect(seen).toBe(20);
  const data = new TensorDataset(torch.randn(64, 3), torch.randint(0, 10, [64]));
  const sizes = [...new DataLoader(data, { batchSize: 32, dropLast: true })].map(([xb, yb]) => [xb!.shape, yb!.shape]);
  expect(sizes).toEqual([[[32, 3], [32]], [[32, 3], [32]]]);
});
