import { expect, it } from 'vitest';
import * as torch from '../src/index.js';

it('imports as torch and computes', () => {
  const x = torch.ones(2, 3);
  expect(x.add(x).tolist()).toEqual([[2, 2, 2], [2, 2, 2]]);
});
