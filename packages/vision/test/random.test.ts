import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import * as torch from '@torchts/core';
import { Tensor } from '@torchts/core';
import { transforms } from '../src/index.js';
import { decodeTensor, expectTensor, fixture } from './helpers.js';
import type { Enc } from './helpers.js';

const T = transforms as unknown as Record<string, new (...a: unknown[]) => { call(x: Tensor): Tensor | Tensor[] }>;
interface Case { cls: string; args: unknown[]; input: string; seed: number; out?: Enc; outs?: Enc[]; tol?: { atol?: number; u8?: number } }
const inputs = Object.fromEntries(
  Object.entries(fixture<{ inputs: Record<string, Enc> }>('transforms.json').inputs).map(([k, v]) => [k, decodeTensor(v)]),
);
const cases = fixture<{ random: Case[] }>('random_transforms.json').random;

describe('random transforms draw what torchvision draws under the same seed', () => {
  for (const c of cases) {
    it(`${c.cls}(${JSON.stringify(c.args)}) on ${c.input}, seed ${c.seed}`, () => {
      const t = new T[c.cls]!(...c.args);
      torch.manualSeed(c.seed);
      const got = t.call(inputs[c.input]!) as Tensor;
      expectTensor(got, c.out!, c.cls, c.tol ?? {});
    });
  }
});
