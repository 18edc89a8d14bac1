/**
 * Scalar draws made the way torchvision makes them (`torch.empty(1).uniform_(a, b)`,
 * `torch.randint(lo, hi, (1,))`, `torch.rand(1)`), so with the same seed a torchts transform draws
 * what torchvision's draws from PyTorch's generator.
 */
import { empty, rand, randint, randperm } from '@torchts/core';
import type { Generator } from '@torchts/core';
import { roundHalfEven } from './functional/image.js';

const opts = (generator?: Generator | null): { generator?: Generator } => (generator ? { generator } : {});

/** A float32 uniform in [a, b), as a number. */
export function uniform(a: number, b: number, generator?: Generator | null): number {
  const t = empty([1]).uniform_(a, b, opts(generator));
  const v = t.item() as number;
  t.dispose();
  return v;
}

/** An integer in [low, high). */
export function randInt(low: number, high: number, generator?: Generator | null): number {
  const t = randint(low, high, [1], opts(generator));
  const v = Number(t.item());
  t.dispose();
  return v;
}

/** `torch.rand(1) < p` (both compared in float32, as PyTorch does). */
export function coin(p: number, generator?: Generator | null): boolean {
  const t = rand([1], opts(generator));
  const v = t.item() as number;
  t.dispose();
  return v < Math.fround(p);
}

/** `torch.rand(1)` as a number. */
export function rand1(generator?: Generator | null): number {
  const t = rand([1], opts(generator));
  const v = t.item() as number;
  t.dispose();
  return v;
}

/** `torch.randperm(n)` as numbers. */
export function permutation(n: number, generator?: Generator | null): number[] {
  const t = randperm(n, opts(generator));
  const v = (t.tolist() as number[]).map(Number);
  t.dispose();
  return v;
}

/**
 * One try of torchvision's box sampling (RandomResizedCrop, RandomErasing): an area uniform in
 * `scale` times `area` and an aspect ratio log-uniform in `ratio` (log and exp in float32, as
 * PyTorch's tensors), returned as [round(sqrt(area * ratio)), round(sqrt(area / ratio))].
 */
export function drawBox(area: number, scale: readonly number[], ratio: readonly number[], generator?: Generator | null): [number, number] {
  const f = Math.fround;
  const target = area * uniform(scale[0]!, scale[1]!, generator);
  const aspect = f(Math.exp(uniform(f(Math.log(f(ratio[0]!))), f(Math.log(f(ratio[1]!))), generator)));
  return [roundHalfEven(Math.sqrt(target * aspect)), roundHalfEven(Math.sqrt(target / aspect))];
}
