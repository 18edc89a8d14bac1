/**
 * The two-layer network of PyTorch's original slides: a fully connected ReLU network with one
 * hidden layer, trained by gradient descent on the summed squared error of random data, in the
 * slides' three styles: gradients by hand, autograd with a manual update, and `torch.nn` +
 * `torch.optim` (whose Linear layers add biases, starting at zero).
 */
import { fileURLToPath } from 'node:url';
import * as torch from 'torchts';
import type { Tensor } from 'torchts';

/** Batch size, input, hidden and output dimensions. */
export const N = 64;
export const D_IN = 1000;
export const H = 100;
export const D_OUT = 10;
export const LEARNING_RATE = 1e-6;
export const ITERATIONS = 500;

export type Style = 'manual' | 'autograd' | 'nn';
export const STYLES: readonly Style[] = ['manual', 'autograd', 'nn'];

/** Inputs, targets and initial weights. */
export interface Data {
  x: Tensor;
  y: Tensor;
  w1: Tensor;
  w2: Tensor;
}

/** What PyTorch reported for the same data (fixtures/losses.json, written by generate.py). */
export interface Reference {
  torchVersion: string;
  /** Iterations whose loss was recorded: 0, 1, 99, 199, ... */
  recorded: number[];
  losses: Record<Style, number[]>;
  /**
   * Per recorded iteration, how far PyTorch's own loss moves under other summation orders
   * (matmuls accumulated in float64, or 2 threads), relative: the float32 noise floor.
   */
  spread: number[];
}

const FIXTURES = new URL('../fixtures/', import.meta.url);
const fixture = (name: string): string => fileURLToPath(new URL(name, FIXTURES));

/** x, y, w1, w2 exactly as PyTorch made them with `torch.manual_seed(0)` (float32 .npy files). */
export async function loadData(): Promise<Data> {
  const [x, y, w1, w2] = await Promise.all(['x', 'y', 'w1', 'w2'].map((n) => torch.loadNpyFile(fixture(`${n}.npy`))));
  return { x: x!, y: y!, w1: w1!, w2: w2! };
}

export async function loadReference(): Promise<Reference> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(fixture('losses.json'), 'utf8')) as Reference;
}

export interface TrainOptions {
  iterations?: number;
  learningRate?: number;
  /** Called after every iteration with the loss computed in its forward pass. */
  onIteration?: (t: number, loss: number) => void;
}

/**
 * The slides' "tensors" style: forward and backward by hand. The weights are updated in place;
 * each iteration's temporaries are freed by `tidy`. Returns the loss of every iteration.
 */
export function trainManual(data: Data, opts: TrainOptions = {}): number[] {
  const { x, y, w1, w2 } = data;
  const lr = opts.learningRate ?? LEARNING_RATE;
  const losses: number[] = [];
  for (let t = 0; t < (opts.iterations ?? ITERATIONS); t++) {
    const loss = torch.tidy(() => {
      // Forward: h = x w1, relu, y_pred = h_relu w2.
      const h = x.mm(w1);
      const hRelu = h.clamp({ min: 0 });
      const yPred = hRelu.mm(w2);
      const loss = yPred.sub(y).pow(2).sum().item();
      // Backward by hand.
      const gradYPred = yPred.sub(y).mul(2.0);
      const gradW2 = hRelu.t().mm(gradYPred);
      const gradHRelu = gradYPred.mm(w2.t());
      const gradH = gradHRelu.clone();
      gradH.maskedFill_(h.lt(0), 0); // grad_h[h < 0] = 0
      const gradW1 = x.t().mm(gradH);
      w1.sub_(gradW1.mul(lr));
      w2.sub_(gradW2.mul(lr));
      return loss;
    });
    losses.push(loss);
    opts.onIteration?.(t, loss);
  }
  return losses;
}

/**
 * The slides' "autograd" style: `loss.backward()` computes the gradients, the update runs under
 * `torch.noGrad` so it is not recorded, and the gradients are zeroed for the next iteration.
 * `w1`/`w2` must require grad. `.grad` lives outside the per-iteration `tidy`.
 */
export function trainAutograd(data: Data, opts: TrainOptions = {}): number[] {
  const { x, y, w1, w2 } = data;
  const lr = opts.learningRate ?? LEARNING_RATE;
  const losses: number[] = [];
  for (let t = 0; t < (opts.iterations ?? ITERATIONS); t++) {
    const loss = torch.tidy(() => {
      const yPred = x.mm(w1).clamp({ min: 0 }).mm(w2);
      const loss = yPred.sub(y).pow(2).sum();
      const value = loss.item();
      loss.backward();
      torch.noGrad(() => {
        w1.sub_(w1.grad!.mul(lr));
        w2.sub_(w2.grad!.mul(lr));
        w1.grad!.zero_();
        w2.grad!.zero_();
      });
      return value;
    });
    losses.push(loss);
    opts.onIteration?.(t, loss);
  }
  return losses;
}

/**
 * The slides' model: Sequential(Linear(D_in, H), ReLU(), Linear(H, D_out)), starting from the
 * same weights as the other styles (Linear stores W as [out, in], so weight = w.t()) and zero
 * biases, as generate.py sets PyTorch's up.
 */
export function modelFor(data: Data): InstanceType<typeof torch.nn.Sequential> {
  const first = new torch.nn.Linear(D_IN, H);
  const second = new torch.nn.Linear(H, D_OUT);
  torch.tidy(() =>
    torch.noGrad(() => {
      first.weight.copy_(data.w1.t());
      first.bias!.zero_();
      second.weight.copy_(data.w2.t());
      second.bias!.zero_();
    }),
  );
  return new torch.nn.Sequential(first, new torch.nn.ReLU(), second);
}

/**
 * The slides' "nn" style: the model's forward, `MSELoss({ reduction: 'sum' })`, and `optim.SGD`
 * zeroing the gradients before `loss.backward()` and updating every parameter (biases included)
 * in `step()`. The parameters and their `.grad` live outside the per-iteration `tidy`; being
 * module-owned, `tidy` leaves them alone, so they are disposed here when training ends.
 */
export function trainNn(data: Data, opts: TrainOptions = {}): number[] {
  const { x, y } = data;
  const model = modelFor(data);
  const lossFn = new torch.nn.MSELoss({ reduction: 'sum' });
  const optimizer = new torch.optim.SGD(model.parameters(), { lr: opts.learningRate ?? LEARNING_RATE });
  const losses: number[] = [];
  try {
    for (let t = 0; t < (opts.iterations ?? ITERATIONS); t++) {
      const loss = torch.tidy(() => {
        const yPred = model.call(x) as Tensor; // Sequential's forward is typed unknown -> unknown
        const loss = lossFn.call(yPred, y);
        const value = loss.item();
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
        return value;
      });
      losses.push(loss);
      opts.onIteration?.(t, loss);
    }
  } finally {
    for (const p of model.parameters()) p.dispose(); // frees p.grad too
  }
  return losses;
}

/** Copies of the initial weights, set up for `style` (autograd: leaves that require grad). */
export function weightsFor(style: Style, data: Data): Data {
  const w1 = data.w1.clone();
  const w2 = data.w2.clone();
  if (style === 'autograd') {
    w1.requiresGrad_();
    w2.requiresGrad_();
  }
  return { x: data.x, y: data.y, w1, w2 };
}

export function train(style: Style, data: Data, opts: TrainOptions = {}): number[] {
  if (style === 'manual') return trainManual(data, opts);
  return style === 'autograd' ? trainAutograd(data, opts) : trainNn(data, opts);
}

/**
 * Relative tolerance for the k-th recorded loss: 1e-4, or three times PyTorch's own spread where
 * that is larger. The loss falls from 3e7 to 3e-5, and from iteration ~299 on it is mostly float32
 * rounding noise that any other summation order changes by 0.1% to 3% (PyTorch's included).
 */
export function toleranceAt(reference: Reference, k: number): number {
  return Math.max(1e-4, 3 * reference.spread[k]!);
}

/** |ours - theirs| / |theirs|. */
export function relativeError(ours: number, theirs: number): number {
  return Math.abs(ours - theirs) / Math.abs(theirs);
}
