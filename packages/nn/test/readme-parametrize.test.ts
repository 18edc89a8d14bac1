/** Runs the parametrization snippet of packages/nn/README.md (kept in sync by hand). */
import { expect, it } from 'vitest';
import '@torchts/backend-cpu';
import * as nn from '../src/index.js';

it('README: spectralNorm as a parametrization gives PyTorch state-dict keys', () => {
  const lin = nn.utils.parametrizations.spectralNorm(new nn.Linear(20, 10).double());
  expect([...lin.stateDict().keys()]).toEqual(['bias', 'parametrizations.weight.original', 'parametrizations.weight.0._u', 'parametrizations.weight.0._v']);
  expect(lin.weight.dtype).toBe('float64');
  lin.dispose();
});
