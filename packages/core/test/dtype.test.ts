import { describe, expect, it } from 'vitest';
import { promoteTypes, DTYPES } from '../src/dtype.js';

describe('promoteTypes', () => {
  it('is symmetric', () => {
    for (const a of DTYPES) for (const b of DTYPES) expect(promoteTypes(a, b)).toBe(promoteTypes(b, a));
  });
  it('follows PyTorch on mixed kinds', () => {
    expect(promoteTypes('uint8', 'int8')).toBe('int16');
    expect(promoteTypes('float16', 'bfloat16')).toBe('float32');
    expect(promoteTypes('int64', 'float16')).toBe('float16');
    expect(promoteTypes('bool', 'bool')).toBe('bool');
  });
});
