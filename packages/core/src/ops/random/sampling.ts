/**
 * Random creation and sampling: rand, randn, randint, randperm and their *Like forms, normal (all
 * four of PyTorch's overloads), bernoulli and multinomial. Creation ops allocate and call the
 * in-place fills, exactly as PyTorch composes them, so they draw the same numbers.
 *
 * Kernel signatures:
 *   randperm    (out, n, generator)                      out: contiguous [n]
 *   multinomial (out, probs, numSamples, replacement, generator)   out: int64 [numSamples] or [rows, numSamples]
 */
import type { DType } from '../../dtype.js';
import { getDefaultDtype, isFloatingPoint } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { RuntimeError } from '../../errors.js';
import { scalarTypeName } from '../../promotion.js';
import { broadcastShapes, parseSize } from '../../shape.js';
import { Tensor, emptyTensor } from '../../tensor.js';
import type { Generator } from '../../random/generator.js';
import { defaultGenerator } from '../../random/generator.js';
import { cppDouble } from '../../random/cppfmt.js';
import { readNumbers } from '../../interop.js';
import { full, sizeAndOptions } from '../creation.js';
import type { TensorOptions } from '../creation.js';
import '../elementwise/arithmetic.js';
import { bernoulliOp, normalOp, randomOp, uniformOp } from './inplace.js';
import type { GeneratorOptions } from './checks.js';
import { notImplemented, positional, preservedStrides, requireInt, requireNumber } from './checks.js';

export interface RandomOptions extends TensorOptions, GeneratorOptions {}

type SizeArgs = Array<number | number[] | RandomOptions>;

/** A new tensor filled by `fill`; disposed again if the fill throws (e.g. a dtype it rejects). */
function sampled(t: Tensor, opts: RandomOptions, fill: (t: Tensor) => unknown): Tensor {
  try {
    fill(t);
  } catch (e) {
    t.dispose();
    throw e;
  }
  if (opts.requiresGrad) t.requiresGrad = true;
  return t;
}

/** empty_like with PyTorch's default "preserve" layout: dense inputs keep their strides. */
function emptyLikePreserve(like: Tensor, dtype: DType, device: string): Tensor {
  const t = emptyTensor([...like._shape], dtype, device);
  const strides = device === like.device ? preservedStrides(like) : null;
  if (strides) t._strides = strides;
  return t;
}

function gen(opts: GeneratorOptions): Generator {
  return opts.generator ?? defaultGenerator;
}

/** `torch.rand(*size)`: U[0, 1). */
export function rand(...args: SizeArgs): Tensor {
  const { size, opts } = sizeAndOptions<RandomOptions>(args);
  const t = emptyTensor(size, opts.dtype ?? getDefaultDtype(), opts.device ?? 'cpu');
  return sampled(t, opts, (x) => uniformOp.call(x, 0, 1, gen(opts)));
}

/** `torch.randn(*size)`: N(0, 1). */
export function randn(...args: SizeArgs): Tensor {
  const { size, opts } = sizeAndOptions<RandomOptions>(args);
  const t = emptyTensor(size, opts.dtype ?? getDefaultDtype(), opts.device ?? 'cpu');
  return sampled(t, opts, (x) => normalOp.call(x, 0, 1, gen(opts)));
}

/** `torch.randint(high, size)` / `torch.randint(low, high, size)`: integers in [low, high), int64 by default. */
export function randint(...args: Array<number | bigint | number[] | RandomOptions>): Tensor {
  const sizeAt = args.findIndex((a) => Array.isArray(a));
  if (sizeAt !== 1 && sizeAt !== 2) throw new TypeError('randint(): expected (high, size) or (low, high, size) with size an array of integers');
  const low = sizeAt === 2 ? args[0] : 0;
  const high = args[sizeAt - 1];
  const size = parseSize([args[sizeAt]]);
  const opts = (args[sizeAt + 1] ?? {}) as RandomOptions;
  const t = emptyTensor(size, opts.dtype ?? 'int64', opts.device ?? 'cpu');
  return sampled(t, opts, (x) => randomOp.call(x, low as number, high as number, gen(opts)));
}

function likeParts(input: Tensor, opts: RandomOptions): { dtype: DType; device: string } {
  if (!(input instanceof Tensor)) throw new TypeError(`expected a Tensor as input, got ${typeof input}`);
  return { dtype: opts.dtype ?? input._dtype, device: opts.device ?? input.device };
}

export function randLike(input: Tensor, opts: RandomOptions = {}): Tensor {
  const { dtype, device } = likeParts(input, opts);
  return sampled(emptyLikePreserve(input, dtype, device), opts, (x) => uniformOp.call(x, 0, 1, gen(opts)));
}

export function randnLike(input: Tensor, opts: RandomOptions = {}): Tensor {
  const { dtype, device } = likeParts(input, opts);
  return sampled(emptyLikePreserve(input, dtype, device), opts, (x) => normalOp.call(x, 0, 1, gen(opts)));
}

/** `torch.randint_like(input, high)` / `(input, low, high)`; keeps the input's dtype by default. */
export function randintLike(input: Tensor, ...args: Array<number | bigint | RandomOptions>): Tensor {
  const { values: [a, b], count, opts } = positional(args, ['low', 'high']);
  const [low, high] = count >= 2 || (a !== undefined && b !== undefined) ? [a, b] : [0, a ?? b];
  if (high === undefined) throw new TypeError("randintLike(): argument 'high' is required");
  const o = opts as RandomOptions;
  const { dtype, device } = likeParts(input, o);
  return sampled(emptyLikePreserve(input, dtype, device), o, (x) => randomOp.call(x, low as number, high as number, gen(o)));
}

// ---- randperm -------------------------------------------------------------------------------

const INT_RANGES: Partial<Record<DType, [number, string]>> = {
  uint8: [255, 'uint8_t'], int8: [127, 'int8_t'], int16: [32767, 'int16_t'], int32: [2147483647, 'int32_t'],
};

export const randpermOp = defineOp('randperm', (n: number, opts: RandomOptions = {}): Tensor => {
  requireInt('randperm', 'n', n);
  const dtype = opts.dtype ?? 'int64';
  if (n < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${n}: [${n}]`);
  // PyTorch's check_supported_max_int_with_precision: n - 1 must fit, and floats must count exactly.
  const intRange = INT_RANGES[dtype];
  if (intRange && n - 1 > intRange[0]) throw new RuntimeError(`value cannot be converted to type ${intRange[1]} without overflow`);
  if (dtype === 'float16' && n > 2049) throw new RuntimeError('n cannot be greater than 2049 for Half type.');
  if (dtype === 'float32' && n > 2 ** 24 + 1) throw new RuntimeError('n cannot be greater than 2^24+1 for Float type.');
  if (dtype === 'bool') throw notImplemented('randperm', dtype);
  const device = opts.device ?? 'cpu';
  const out = emptyTensor([n], dtype, device);
  if (n > 0) randpermOp.kernel(device)(out, n, gen(opts));
  if (opts.requiresGrad) out.requiresGrad = true;
  return out;
});

/** `torch.randperm(n)`: a random permutation of 0..n-1 (int64 by default). */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  return randpermOp.call(n, opts);
}

// ---- normal ---------------------------------------------------------------------------------

function checkStdTensor(std: Tensor): void {
  const values = readNumbers(std);
  for (let i = 0; i < values.length; i++) {
    if (!(values[i]! >= 0)) throw new RuntimeError('normal expects all elements of std >= 0.0');
  }
}

function checkStdNumber(std: number): void {
  if (!(std >= 0)) throw new RuntimeError(`normal expects std >= 0.0, but found std ${cppDouble(std)}`);
}

/**
 * `torch.normal`, PyTorch's four overloads:
 *   normal(mean: Tensor, std: Tensor | number = 1), normal(mean: number, std: Tensor),
 *   normal(mean: number, std: number, size, {dtype, device, requiresGrad}).
 * Tensor means/stds broadcast; each form accepts `{ generator }` last.
 */
export function normal(mean: Tensor | number, std: Tensor | number = 1, ...rest: Array<number[] | RandomOptions>): Tensor {
  const sizeArg = Array.isArray(rest[0]) ? (rest[0] as number[]) : undefined;
  const opts = ((sizeArg ? rest[1] : rest[0]) ?? {}) as RandomOptions;
  const g = gen(opts);
  if (mean instanceof Tensor && std instanceof Tensor) {
    checkStdTensor(std);
    const shape = broadcastShapes(mean._shape, std._shape);
    const out = emptyTensor([...shape], mean._dtype, mean.device);
    return sampled(out, {}, (x) => normalOp.call(x, 0, 1, g).mul_(std).add_(mean));
  }
  if (mean instanceof Tensor) {
    checkStdNumber(requireNumber('normal', 'std', std));
    const out = emptyTensor([...mean._shape], mean._dtype, mean.device);
    return sampled(out, {}, (x) => normalOp.call(x, 0, std as number, g).add_(mean));
  }
  requireNumber('normal', 'mean', mean);
  if (std instanceof Tensor) {
    checkStdTensor(std);
    const out = emptyTensor([...std._shape], std._dtype, std.device);
    return sampled(out, {}, (x) => {
      const meanTensor = full([], mean, { dtype: x._dtype, device: x.device });
      try {
        normalOp.call(x, 0, 1, g).mul_(std).add_(meanTensor);
      } finally {
        meanTensor.dispose();
      }
    });
  }
  requireNumber('normal', 'std', std);
  if (!sizeArg) throw new TypeError('normal(): with a number mean and std, a size is required: normal(mean, std, size)');
  checkStdNumber(std);
  const out = emptyTensor(parseSize([sizeArg]), opts.dtype ?? getDefaultDtype(), opts.device ?? 'cpu');
  return sampled(out, opts, (x) => normalOp.call(x, mean, std as number, g));
}

// ---- bernoulli / multinomial ------------------------------------------------------------------

/** `torch.bernoulli(input)` draws with probabilities `input`; `bernoulli(input, p)` with a fixed p. */
export function bernoulli(input: Tensor, ...args: Array<number | GeneratorOptions>): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`bernoulli(): argument 'input' must be Tensor, not ${typeof input}`);
  const { values: [p], gen: g } = positional(args, ['p']);
  const out = emptyTensor([...input._shape], input._dtype, input.device);
  return sampled(out, {}, (x) => bernoulliOp.call(x, p === undefined ? input : requireNumber('bernoulli', 'p', p), g));
}

export const multinomialOp = defineOp('multinomial', (input: Tensor, numSamples: number, replacement = false, g?: Generator): Tensor => {
  if (!(input instanceof Tensor)) throw new TypeError(`multinomial(): argument 'input' must be Tensor, not ${typeof input}`);
  requireInt('multinomial', 'num_samples', numSamples);
  const nd = input._shape.length;
  if (nd < 1 || nd > 2) throw new RuntimeError('prob_dist must be 1 or 2 dim');
  if (!isFloatingPoint(input._dtype)) {
    throw new RuntimeError(`multinomial only supports floating-point dtypes for input, got: ${scalarTypeName(input._dtype)}`);
  }
  if (!(numSamples > 0)) throw new RuntimeError('cannot sample n_sample <= 0 samples');
  const categories = input._shape[nd - 1]!;
  if (!replacement && numSamples > categories) {
    throw new RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  }
  if (categories > 2 ** 24) throw new RuntimeError('number of categories cannot exceed 2^24');
  const shape = nd === 1 ? [numSamples] : [input._shape[0]!, numSamples];
  const out = emptyTensor(shape, 'int64', input.device);
  if (out.numel() > 0) {
    try {
      multinomialOp.kernel(input.device)(out, input, numSamples, replacement, g ?? defaultGenerator);
    } catch (e) {
      out.dispose();
      throw e;
    }
  }
  return out;
});

/** `torch.multinomial(input, numSamples, replacement = false)`; also `(input, n, { replacement, generator })`. */
export function multinomial(input: Tensor, numSamples: number, ...args: Array<boolean | (GeneratorOptions & { replacement?: boolean })>): Tensor {
  const { values: [replacement], gen: g } = positional(args, ['replacement']);
  return multinomialOp.call(input, numSamples, Boolean(replacement ?? false), g);
}

declare module '../../tensor.js' {
  interface Tensor {
    bernoulli(p?: number | GeneratorOptions, opts?: GeneratorOptions): Tensor;
    multinomial(numSamples: number, replacement?: boolean | (GeneratorOptions & { replacement?: boolean }), opts?: GeneratorOptions): Tensor;
  }
}

const proto = Tensor.prototype as unknown as Record<string, unknown>;
proto.bernoulli = function (this: Tensor, ...args: Array<number | GeneratorOptions>) {
  return bernoulli(this, ...args);
};
proto.multinomial = function (this: Tensor, n: number, ...args: Array<boolean | GeneratorOptions>) {
  return multinomial(this, n, ...args);
};
