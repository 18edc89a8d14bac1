// Trains the slides' two-layer network in torchts from PyTorch's exact initial tensors and compares
// the losses with the ones PyTorch recorded (fixtures/losses.json, from fixtures/generate.py).
import { describe, expect, it } from 'vitest';
import * as torch from 'torchts';
import { ITERATIONS, STYLES, loadData, loadReference, relativeError, toleranceAt, train, weightsFor } from '../src/two-layer-net.js';

function live(): { tensors: number; bytes: number } {
  const m = torch.memory();
  return { tensors: m.liveTensors, bytes: m.devices.cpu!.liveBytes };
}

describe.each(STYLES)('two-layer net, %s style', (style) => {
  it(`matches PyTorch's losses over ${ITERATIONS} iterations with flat memory`, async () => {
    const reference = await loadReference();
    const before = live();
    const perIteration: Array<{ tensors: number; bytes: number }> = [];
    const losses = await torch.tidy(async () => {
      const data = weightsFor(style, await loadData());
      return train(style, data, { onIteration: () => perIteration.push(live()) });
    });
    // Every recorded iteration agrees with PyTorch: to 1e-4 while the loss is far above float32
    // noise (iterations 0-199), then within 3x PyTorch's own spread across summation orders.
    reference.recorded.forEach((t, k) => {
      const theirs = reference.losses[style][k]!;
      expect(relativeError(losses[t]!, theirs), `iteration ${t}: torchts ${losses[t]}, PyTorch ${theirs}`).toBeLessThanOrEqual(toleranceAt(reference, k));
    });
    expect(losses[ITERATIONS - 1]!).toBeLessThan(losses[0]! * 1e-10);
    // Iteration 0 creates what lives on (autograd: w1.grad and w2.grad; nn: the parameters' .grad);
    // after that nothing grows.
    expect(perIteration).toHaveLength(ITERATIONS);
    for (const m of perIteration.slice(1)) expect(m).toEqual(perIteration[0]);
    expect(live()).toEqual(before);
  });
});
