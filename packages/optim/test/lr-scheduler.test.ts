/** Replays lr_scheduler.json (fixtures/gen_optim.py, PyTorch 1.13): lrs and momentums over 30 steps. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '@torchts/backend-cpu';
import '@torchts/autograd';
import { zeros } from './helpers.js';
import { SGD, Adam, lrScheduler as S, type Optimizer } from '../src/index.js';

interface Case {
  label: string;
  lrs: number[][];
  momentums: number[][];
}
const cases = (JSON.parse(readFileSync(new URL('./fixtures/lr_scheduler.json', import.meta.url), 'utf8')) as { cases: Case[] }).cases;

const metrics = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.94, 0.93, 0.99, 1.0, 1.1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49, 0.5, 0.5, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6];

type Sched = { step(m: number): void; getLastLr(): number[] } | { step(): void; getLastLr(): number[] };
const makers: Record<string, [(o: Optimizer) => Sched, number, boolean, boolean?]> = {
  StepLR: [(o) => new S.StepLR(o, 7, { gamma: 0.5 }), 0, true],
  MultiStepLR: [(o) => new S.MultiStepLR(o, [3, 8, 8, 20], { gamma: 0.3 }), 0, false],
  ConstantLR: [(o) => new S.ConstantLR(o, { factor: 0.25, totalIters: 6 }), 0, false],
  LinearLR: [(o) => new S.LinearLR(o, { startFactor: 0.2, endFactor: 0.9, totalIters: 10 }), 0, true],
  ExponentialLR: [(o) => new S.ExponentialLR(o, 0.9), 0, false],
  PolynomialLR: [(o) => new S.PolynomialLR(o, { totalIters: 12, power: 2 }), 0, false],
  CosineAnnealingLR: [(o) => new S.CosineAnnealingLR(o, 10, { etaMin: 0.001 }), 0, true],
  CosineAnnealingWarmRestarts: [(o) => new S.CosineAnnealingWarmRestarts(o, 4, { TMult: 2, etaMin: 0.01 }), 0, false],
  'CyclicLR.triangular': [(o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 4 }), 0.9, false],
  'CyclicLR.triangular2': [(o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 3, stepSizeDown: 5, mode: 'triangular2', cycleMomentum: false }), 0, false],
  'CyclicLR.exp_range': [(o) => new S.CyclicLR(o, 0.01, 0.1, { stepSizeUp: 5, mode: 'exp_range', gamma: 0.9 }), 0.9, false],
  'OneCycleLR.cos': [(o) => new S.OneCycleLR(o, 0.5, { totalSteps: 31 }), 0.9, false],
  'OneCycleLR.linear3': [(o) => new S.OneCycleLR(o, [0.5], { epochs: 3, stepsPerEpoch: 11, annealStrategy: 'linear', threePhase: true, pctStart: 0.2 }), 0.9, false],
  ReduceLROnPlateau: [(o) => new S.ReduceLROnPlateau(o, { factor: 0.5, patience: 2, threshold: 0.01, cooldown: 1, minLr: 0.01 }), 0, false, true],
  'ReduceLROnPlateau.max.abs': [(o) => new S.ReduceLROnPlateau(o, { mode: 'max', factor: 0.3, patience: 1, threshold: 0.05, thresholdMode: 'abs' }), 0, false, true],
  LambdaLR: [(o) => new S.LambdaLR(o, (e) => 1.0 / (1 + e)), 0, false],
  MultiplicativeLR: [(o) => new S.MultiplicativeLR(o, () => 0.95), 0, false],
  SequentialLR: [(o) => new S.SequentialLR(o, [new S.ConstantLR(o, { factor: 0.1, totalIters: 2 }), new S.ExponentialLR(o, 0.9)], [5]), 0, false],
  ChainedScheduler: [(o) => new S.ChainedScheduler([new S.ConstantLR(o, { factor: 0.1, totalIters: 3 }), new S.ExponentialLR(o, 0.9)]), 0, false],
};

function setup(momentum: number, twoGroups: boolean): SGD {
  const groups = [{ params: [zeros(1)] }, ...(twoGroups ? [{ params: [zeros(1)], lr: 0.05 }] : [])];
  return new SGD(groups, { lr: 0.1, momentum });
}

function near(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(b[i]!))));
}

describe('lr schedulers match PyTorch 1.13 over 30 steps', () => {
  for (const c of cases) {
    it(c.label, () => {
      const [make, momentum, twoGroups, withMetrics] = makers[c.label]!;
      const opt = setup(momentum, twoGroups);
      const sched = make(opt);
      near(opt.paramGroups.map((g) => g.lr), c.lrs[0]!);
      for (let k = 0; k < 30; k++) {
        opt.step();
        if (withMetrics) (sched as { step(m: number): void }).step(metrics[k]!);
        else (sched as { step(): void }).step();
        near(opt.paramGroups.map((g) => g.lr), c.lrs[k + 1]!);
        near(sched.getLastLr(), c.lrs[k + 1]!);
        near(opt.paramGroups.map((g) => g.momentum as number), c.momentums[k + 1]!);
      }
    });
  }
});

describe('scheduler state dicts', () => {
  it('use PyTorch key names and resume exactly', () => {
    const a = setup(0, false);
    const sa = new S.StepLR(a, 3, { gamma: 0.5 });
    for (let i = 0; i < 4; i++) sa.step();
    const sd = sa.stateDict();
    expect(Object.keys(sd).sort()).toEqual(['_last_lr', '_step_count', 'base_lrs', 'gamma', 'last_epoch', 'step_size', 'verbose']);
    expect(sd.last_epoch).toBe(4);
    const b = setup(0, false);
    b.loadStateDict(a.stateDict());
    const sb = new S.StepLR(b, 1);
    sb.loadStateDict(sd);
    for (let i = 0; i < 5; i++) {
      sa.step();
      sb.step();
      expect(sb.getLastLr()).toEqual(sa.getLastLr());
    }
  });

  it('CosineAnnealingWarmRestarts keeps T_0/T_i/T_cur names; composites nest their schedulers', () => {
    const o = setup(0, false);
    expect(Object.keys(new S.CosineAnnealingWarmRestarts(o, 4).stateDict())).toEqual(expect.arrayContaining(['T_0', 'T_i', 'T_mult', 'T_cur', 'eta_min']));
    const o2 = setup(0, false);
    const seq = new S.SequentialLR(o2, [new S.ConstantLR(o2), new S.ExponentialLR(o2, 0.9)], [2]);
    const sd = seq.stateDict();
    expect(sd._milestones).toEqual([2]);
    expect((sd._schedulers as Array<Record<string, unknown>>)[1]!.gamma).toBe(0.9);
  });

  it('OneCycleLR cycles Adam betas[0]; errors read like PyTorch', () => {
    const o = new Adam([zeros(1)], { lr: 0.1 });
    const s = new S.OneCycleLR(o, 1, { totalSteps: 10 });
    expect((o.paramGroups[0]!.betas as number[])[0]).toBe(0.95);
    for (let i = 0; i < 9; i++) s.step();
    expect(() => s.step()).not.toThrow();
    expect(() => s.step()).toThrow('Tried to step 12 times. The specified number of total steps is 10');
    expect(() => new S.ConstantLR(o, { factor: 2 })).toThrow('Constant multiplicative factor expected to be between 0 and 1.');
    expect(() => new S.ReduceLROnPlateau(o, { factor: 1 })).toThrow('Factor should be < 1.0.');
  });
});
