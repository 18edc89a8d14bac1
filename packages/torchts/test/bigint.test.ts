import { expect, it } from 'vitest';
import * as torch from '../src/index.js';

it('keeps int64 exact from bigints and BigInt64Array', () => {
  const big = 2n ** 62n + 3n;
  const t = torch.tensor([big, -big, 1n]);
  expect(t.dtype).toBe('int64');
  expect(Array.from(t.toTypedArray() as BigInt64Array)).toEqual([big, -big, 1n]);
  const u = torch.fromTypedArray(BigInt64Array.of(big, -5n));
  expect(Array.from(u.toTypedArray() as BigInt64Array)).toEqual([big, -5n]);
  // Mixed with JS numbers: integral numbers are exact too.
  expect(Array.from(torch.tensor([big, 7n], { dtype: 'int64' }).toTypedArray() as BigInt64Array)).toEqual([big, 7n]);
  expect(torch.tensor([1n, 2n], { dtype: 'float32' }).tolist()).toEqual([1, 2]);
});
