/** One training epoch and one evaluation pass; every step's intermediates are freed inside tidy. */
import * as torch from 'torchts';
import { ProgressBar } from './progress.js';
import { logits } from './models.js';

const { nn } = torch;

export type Batch = [torch.Tensor, torch.Tensor];
export type Loader = AsyncIterable<Batch> & { readonly length: number };

export interface EpochResult {
  /** Mean training loss over the epoch. */
  loss: number;
  seconds: number;
  images: number;
  /** [fractional epoch, mean loss over the last `every` steps] for the curves. */
  curve: Array<[number, number]>;
}

export interface EpochOptions {
  epoch: number;
  /** Where the model lives; batches (loaded on the CPU) are moved there. Default 'cpu'. */
  device?: string;
  epochs: number;
  quiet: boolean;
  /** Points on the training curve per epoch. */
  curvePoints?: number;
}

/** The batch on `device` (a copy made inside the caller's tidy), or the batch itself on the CPU. */
function onDevice(t: torch.Tensor, device = 'cpu'): torch.Tensor {
  return device === 'cpu' ? t : t.to(device);
}

export async function trainEpoch(model: torch.nn.Module, loader: Loader, optimizer: torch.optim.Optimizer,
  opts: EpochOptions): Promise<EpochResult> {
  model.train();
  const steps = loader.length;
  const bar = opts.quiet ? null : new ProgressBar(`epoch ${opts.epoch}/${opts.epochs}`, steps);
  const every = Math.max(1, Math.floor(steps / (opts.curvePoints ?? 50)));
  const curve: Array<[number, number]> = [];
  let total = 0, stretch = 0, stretchSteps = 0, step = 0, images = 0;
  const start = performance.now();
  for await (const [x, y] of loader) {
    const loss = torch.tidy(() => {
      optimizer.zeroGrad();
      const l = nn.functional.crossEntropy(logits(model, onDevice(x, opts.device)), onDevice(y, opts.device));
      l.backward();
      optimizer.step();
      return l.item();
    });
    const n = x.shape[0]!;
    x.dispose();
    y.dispose();
    if (!Number.isFinite(loss)) throw new Error(`training diverged: loss is ${loss} at step ${step + 1} of epoch ${opts.epoch} (try a lower --lr)`);
    step++;
    images += n;
    total += loss;
    stretch += loss;
    stretchSteps++;
    if (stretchSteps === every || step === steps) {
      curve.push([opts.epoch - 1 + step / steps, stretch / stretchSteps]);
      stretch = 0;
      stretchSteps = 0;
    }
    bar?.tick(n, total / step);
  }
  bar?.finish();
  return { loss: total / Math.max(step, 1), seconds: (performance.now() - start) / 1000, images, curve };
}

export interface EvalResult {
  loss: number;
  /** In percent. */
  accuracy: number;
  correct: number;
  total: number;
}

export async function evaluate(model: torch.nn.Module, loader: Loader, device = 'cpu'): Promise<EvalResult> {
  model.eval();
  let lossSum = 0, correct = 0, total = 0;
  for await (const [x, y] of loader) {
    torch.tidy(() => torch.noGrad(() => {
      const target = onDevice(y, device);
      const out = logits(model, onDevice(x, device));
      lossSum += nn.functional.crossEntropy(out, target, { reduction: 'sum' }).item();
      correct += out.argmax(1).eq(target).sum().item();
    }));
    total += x.shape[0]!;
    x.dispose();
    y.dispose();
  }
  return { loss: lossSum / Math.max(total, 1), accuracy: (100 * correct) / Math.max(total, 1), correct, total };
}

/** Predicted classes for a batch (eval mode, no grad). */
export function predict(model: torch.nn.Module, x: torch.Tensor, device = 'cpu'): number[] {
  model.eval();
  return torch.tidy(() => torch.noGrad(() => Array.from(logits(model, onDevice(x, device)).argmax(1).tolist() as number[])));
}
