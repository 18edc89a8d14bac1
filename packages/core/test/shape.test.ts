import { describe, expect, it } from 'vitest';
import { broadcastShapes, contiguousStrides, inferSize, isContiguousLayout, wrapDim } from '../src/shape.js';
import { IndexError, RuntimeError } from '../src/errors.js';
import { floatToBfloat16, floatToHalf, halfToFloat, bfloat16ToFloat } from '../src/dtypeio.js';

describe('shape helpers', () => {
  it('broadcasts right-aligned and names the bad dim', () => {
    expect(broadcastShapes([3, 1], [1, 4])).toEqual([3, 4]);
    expect(broadcastShapes([], [2])).toEqual([2]);
    expect(broadcastShapes([0, 1], [3])).toEqual([0, 3]);
    expect(() => broadcastShapes([2, 3], [4])).toThrow(
      new RuntimeError('The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1'),
    );
  });
  it('wraps dims like PyTorch', () => {
    expect(wrapDim(-1, 3)).toBe(2);
    expect(wrapDim(0, 0)).toBe(0);
    expect(() => wrapDim(3, 3)).toThrow(IndexError);
    expect(() => wrapDim(3, 3)).toThrow('Dimension out of range (expected to be in range of [-3, 2], but got 3)');
  });
  it('computes strides and contiguity', () => {
    expect(contiguousStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(isContiguousLayout([2, 3], [3, 1])).toBe(true);
    expect(isContiguousLayout([2, 3], [1, 2])).toBe(false);
    expect(isContiguousLayout([1, 3], [99, 1])).toBe(true);
  });
  it('infers -1 and rejects bad shapes', () => {
    expect(inferSize([-1, 4], 12)).toEqual([3, 4]);
    expect(() => inferSize([5, -1], 12)).toThrow("shape '[5, -1]' is invalid for input of size 12");
  });
});

describe('half and bfloat16 conversion', () => {
  it('rounds to nearest even and keeps specials', () => {
    expect(halfToFloat(floatToHalf(1 + 2 ** -11))).toBe(1); // tie rounds to even
    expect(halfToFloat(floatToHalf(1 + 3 * 2 ** -11))).toBe(1 + 2 ** -9);
    expect(halfToFloat(floatToHalf(65520))).toBe(Infinity);
    expect(halfToFloat(floatToHalf(2 ** -24))).toBe(2 ** -24); // smallest subnormal
    expect(Number.isNaN(halfToFloat(floatToHalf(NaN)))).toBe(true);
    expect(Object.is(halfToFloat(floatToHalf(-0)), -0)).toBe(true);
    expect(bfloat16ToFloat(floatToBfloat16(1 + 2 ** -8))).toBe(1);
    expect(bfloat16ToFloat(floatToBfloat16(3.140625))).toBe(3.140625);
    expect(Number.isNaN(bfloat16ToFloat(floatToBfloat16(NaN)))).toBe(true);
  });
});
