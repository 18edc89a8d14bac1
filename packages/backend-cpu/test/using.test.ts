import { expect, it } from 'vitest';
import '../src/index.js';
import { ones, memory } from '@torchts/core';

it('disposes at the end of a `using` block', () => {
  const before = memory().liveTensors;
  {
    using t = ones(4);
    expect(t.numel()).toBe(4);
    expect(memory().liveTensors).toBe(before + 1);
  }
  expect(memory().liveTensors).toBe(before);
});
