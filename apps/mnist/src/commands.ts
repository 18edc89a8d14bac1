/**
 * The app's two commands as functions (main.ts parses argv and calls them; tests call them directly).
 * train: seeds, builds the data loaders and the model, trains, evaluates after each epoch, then writes
 * `<out>/<model>.safetensors`, `curves.png`, `predictions.png` and `metrics.json`.
 * eval: loads such a checkpoint (its metadata names the architecture) and reports test loss and accuracy.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as torch from 'torchts';
import { utils as visionUtils, io } from '@torchts/vision';
import type { EvalOptions, ModelName, TrainOptions } from './cli.js';
import { mnistLoader, normalizeImages } from './data.js';
import { buildModel } from './models.js';
import { curvesSvg, predictionsSvg, svgToPng, type Curves } from './plot.js';
import { evaluate, predict, trainEpoch, type EvalResult } from './training.js';

export type Log = (line: string) => void;

export interface TrainSummary {
  epochs: Array<{ epoch: number; trainLoss: number; testLoss: number; testAccuracy: number; seconds: number; imagesPerSecond: number }>;
  files: { weights: string; curves: string; predictions: string; metrics: string };
}

function makeOptimizer(opts: TrainOptions, model: torch.nn.Module): torch.optim.Optimizer {
  const params = model.parameters();
  return opts.optimizer === 'sgd'
    ? new torch.optim.SGD(params, { lr: opts.lr, momentum: opts.momentum })
    : new torch.optim.Adam(params, { lr: opts.lr });
}

export async function train(opts: TrainOptions, log: Log = console.log): Promise<TrainSummary> {
  if (opts.threads !== undefined) torch.setNumThreads(opts.threads);
  torch.manualSeed(opts.seed);
  const model = buildModel(opts.model);
  if (opts.device !== 'cpu') model.to(opts.device);
  const optimizer = makeOptimizer(opts, model);
  const trainLoader = mnistLoader({ train: true, root: opts.data, limit: opts.trainLimit, batchSize: opts.batchSize, shuffle: true, seed: opts.seed, workers: opts.workers });
  const testLoader = mnistLoader({ train: false, root: opts.data, limit: opts.testLimit, batchSize: 1000, shuffle: false, seed: opts.seed, workers: opts.workers });
  const nParams = [...model.parameters()].reduce((n, p) => n + p.numel(), 0);
  log(`MNIST: ${opts.model} (${nParams} parameters), ${opts.optimizer} lr ${opts.lr}${opts.optimizer === 'sgd' ? ` momentum ${opts.momentum}` : ''}, ` +
    `batch ${opts.batchSize}, ${opts.epochs} epoch(s), seed ${opts.seed}, device ${opts.device}, workers ${opts.workers}, threads ${torch.getNumThreads()}`);
  log(`data: ${trainLoader.datasetLength} training images, ${testLoader.datasetLength} test images`);

  const curves: Curves = { train: [], testLoss: [], testAccuracy: [] };
  const summary: TrainSummary['epochs'] = [];
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const r = await trainEpoch(model, trainLoader, optimizer, { epoch, epochs: opts.epochs, quiet: opts.quiet, device: opts.device });
      const t = await evaluate(model, testLoader, opts.device);
      curves.train.push(...r.curve);
      curves.testLoss.push([epoch, t.loss]);
      curves.testAccuracy.push([epoch, t.accuracy]);
      const imagesPerSecond = r.images / r.seconds;
      summary.push({ epoch, trainLoss: r.loss, testLoss: t.loss, testAccuracy: t.accuracy, seconds: r.seconds, imagesPerSecond });
      log(`epoch ${epoch}: train loss ${r.loss.toFixed(4)}, test loss ${t.loss.toFixed(4)}, ` +
        `test accuracy ${t.accuracy.toFixed(2)}% (${t.correct}/${t.total}), ${r.seconds.toFixed(1)} s, ${imagesPerSecond.toFixed(0)} img/s`);
    }
    await mkdir(opts.out, { recursive: true });
    const files = {
      weights: join(opts.out, `${opts.model}.safetensors`),
      curves: join(opts.out, 'curves.png'),
      predictions: join(opts.out, 'predictions.png'),
      metrics: join(opts.out, 'metrics.json'),
    };
    const last = summary[summary.length - 1]!;
    const stateDict = model.stateDict(); // detached aliases of the parameters: freed after saving
    try {
      await torch.saveFile(files.weights, stateDict, {
        metadata: { app: 'torchts-mnist', model: opts.model, epochs: String(opts.epochs), testAccuracy: last.testAccuracy.toFixed(2) },
      });
    } finally {
      for (const t of stateDict.values()) t.dispose();
    }
    await torch.nn.writeFileAtomic(files.curves, await svgToPng(curvesSvg(curves, `MNIST ${opts.model}, ${opts.optimizer} lr ${opts.lr}, batch ${opts.batchSize}`)), 'mnist');
    await torch.nn.writeFileAtomic(files.predictions, await predictionsPng(model, opts), 'mnist');
    await torch.nn.writeFileAtomic(files.metrics, new TextEncoder().encode(JSON.stringify({ options: opts, epochs: summary, curves }, null, 2) + '\n'), 'mnist');
    log(`saved ${files.weights}, ${files.curves}, ${files.predictions}, ${files.metrics}`);
    return { epochs: summary, files };
  } finally {
    trainLoader.shutdown();
    testLoader.shutdown();
    optimizer.dispose();
    model.dispose();
  }
}

/** The first 64 test digits with the model's predictions, as PNG bytes. */
async function predictionsPng(model: torch.nn.Module, opts: { data?: string; testLimit?: number; device: string }): Promise<Uint8Array> {
  const loader = mnistLoader({ train: false, root: opts.data, limit: Math.min(64, opts.testLimit ?? 64), batchSize: 64, shuffle: false, seed: 0, workers: 0, normalize: false });
  for await (const [raw, y] of loader) {
    const actual = y.tolist() as number[];
    const predicted = torch.tidy(() => predict(model, normalizeImages.call(raw), opts.device));
    const layout = { nrow: 8, cell: 28, padding: 2, scale: 3 };
    const grid = visionUtils.makeGrid(raw, { nrow: layout.nrow, padding: layout.padding });
    const encoded = await io.encodePng(grid);
    const png = encoded.toTypedArray() as Uint8Array;
    encoded.dispose();
    const svg = predictionsSvg({ png, width: grid.shape[2]!, height: grid.shape[1]! }, layout, predicted, actual);
    grid.dispose(); raw.dispose(); y.dispose();
    return svgToPng(svg);
  }
  throw new Error('no test images to draw');
}

export async function evalCommand(opts: EvalOptions, log: Log = console.log): Promise<EvalResult> {
  if (opts.threads !== undefined) torch.setNumThreads(opts.threads);
  const bytes = await readFile(opts.weights);
  const meta = torch.nn.safetensorsMetadata(bytes);
  const name = meta.model as ModelName | undefined;
  if (meta.app !== 'torchts-mnist' || (name !== 'lenet5' && name !== 'mlp')) {
    throw new Error(`${opts.weights}: not a checkpoint written by torchts-mnist train (metadata ${JSON.stringify(meta)})`);
  }
  const model = buildModel(name);
  const sd = torch.load(bytes) as Map<string, torch.Tensor>;
  try {
    model.loadStateDict(sd);
    if (opts.device !== 'cpu') model.to(opts.device);
    const loader = mnistLoader({ train: false, root: opts.data, limit: opts.testLimit, batchSize: opts.batchSize, shuffle: false, seed: 0, workers: opts.workers });
    const r = await evaluate(model, loader, opts.device);
    loader.shutdown();
    log(`${opts.weights} (${name}): test loss ${r.loss.toFixed(4)}, test accuracy ${r.accuracy.toFixed(2)}% (${r.correct}/${r.total})`);
    return r;
  } finally {
    for (const t of sd.values()) t.dispose();
    model.dispose();
  }
}
