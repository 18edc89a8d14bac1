import { describe, expect, it } from 'vitest';
import { UsageError, parseOptions } from '../src/cli.js';
import { ProgressBar, formatDuration } from '../src/progress.js';
import { ticks } from '../src/plot.js';

describe('parseOptions', () => {
  it('defaults to training LeNet-5 with the issue settings', () => {
    expect(parseOptions([])).toEqual({
      command: 'train', model: 'lenet5', epochs: 1, batchSize: 64, lr: 0.01, momentum: 0.9, optimizer: 'sgd',
      device: 'cpu', workers: 0, threads: undefined, seed: 0, out: 'runs/mnist', data: undefined, trainLimit: undefined,
      testLimit: undefined, quiet: false,
    });
  });

  it('reads every flag, tolerates the pnpm separator, and gives Adam its own default lr', () => {
    const o = parseOptions(['train', '--', '--model', 'mlp', '--epochs=3', '--batch-size', '128', '--optimizer', 'adam',
      '--workers', '2', '--threads', '1', '--seed', '7', '--out', '/tmp/x', '--data', '/d', '--train-limit', '100', '--test-limit', '50', '--quiet']);
    expect(o).toMatchObject({ model: 'mlp', epochs: 3, batchSize: 128, optimizer: 'adam', lr: 0.001, workers: 2, threads: 1, seed: 7,
      out: '/tmp/x', data: '/d', trainLimit: 100, testLimit: 50, quiet: true });
  });

  it('parses eval and requires --weights', () => {
    expect(parseOptions(['eval', '--weights', 'w.safetensors'])).toMatchObject({ command: 'eval', weights: 'w.safetensors', batchSize: 1000 });
    expect(() => parseOptions(['eval'])).toThrow(/eval needs --weights/);
  });

  it('names the bad flag and value', () => {
    expect(() => parseOptions(['--epochs', '0'])).toThrow(new UsageError("--epochs expects an integer >= 1, got '0'"));
    expect(() => parseOptions(['--threads', '0'])).toThrow(new UsageError("--threads expects an integer >= 1, got '0'"));
    expect(() => parseOptions(['--lr', 'fast'])).toThrow(/--lr expects a non-negative number, got 'fast'/);
    expect(() => parseOptions(['--model', 'resnet'])).toThrow(/--model expects one of lenet5, mlp, got 'resnet'/);
    expect(() => parseOptions(['fit'])).toThrow(/unknown command 'fit'/);
    expect(() => parseOptions(['--nope'])).toThrow(UsageError);
    expect(parseOptions(['--help'])).toBe('help');
  });
});

describe('progress bar', () => {
  it('prints every 10% when not on a terminal, with loss, throughput and ETA', () => {
    const lines: string[] = [];
    const bar = new ProgressBar('epoch 1/1', 20, { isTTY: false, write: (s) => lines.push(s) }, 10);
    for (let i = 0; i < 20; i++) bar.tick(64, 0.5);
    bar.finish();
    expect(lines.length).toBe(11); // deciles 0.5 (first tick), 1..10
    expect(lines[lines.length - 1]).toMatch(/^epoch 1\/1 \[##########\] 20\/20 loss 0\.5000 \d+ img\/s ETA 0:00\n$/);
  });

  it('redraws in place on a terminal', () => {
    const out: string[] = [];
    const bar = new ProgressBar('e', 4, { isTTY: true, write: (s) => out.push(s) }, 4);
    bar.tick(1, 1);
    expect(out[0]).toMatch(/^\re \[#---\] 1\/4 loss 1\.0000/);
    bar.finish();
    expect(out[out.length - 1]).toBe('\n');
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(125)).toBe('2:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('--:--');
  });
});

describe('plot ticks', () => {
  it('picks round steps covering the range', () => {
    expect(ticks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0.03, 0.31)).toEqual([0.1, 0.2, 0.3]);
    expect(ticks(2, 2)).toEqual([2]);
  });
});
