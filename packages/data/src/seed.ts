/** Seeds drawn the way torch.utils.data draws them. */
import { samplers } from '@torchts/core';
import type { Generator } from '@torchts/core';

/**
 * `torch.empty((), dtype=torch.int64).random_(generator=g).item()`: a 64-bit word modulo 2^63.
 * Exact as a bigint (DataLoader base seeds and RandomSampler's per-epoch seeds).
 */
export function drawSeed(g: Generator): bigint {
  return samplers.random64(g) & 0x7fffffffffffffffn;
}
