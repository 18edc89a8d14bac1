/**
 * Convolutions of `nn.functional`: conv1d/2d/3d and convTranspose1d/2d/3d over core's one
 * `convolution` op. Arguments follow PyTorch's order positionally, or as one trailing options
 * object: `conv2d(x, w, b, 1, 'same')`, `conv2d(x, w, { bias: b, padding: 'same', groups: 2 })`.
 * Unbatched input (no batch dim) is accepted as in PyTorch 1.13.
 */
import { RuntimeError, Tensor, convolution, pad } from '@torchts/core';

export type IntOrList = number | number[];
export type ConvPadding = IntOrList | 'same' | 'valid';

export interface ConvOptions {
  bias?: Tensor | null;
  stride?: IntOrList;
  padding?: ConvPadding;
  dilation?: IntOrList;
  groups?: number;
}

export interface ConvTransposeOptions {
  bias?: Tensor | null;
  stride?: IntOrList;
  padding?: IntOrList;
  outputPadding?: IntOrList;
  groups?: number;
  dilation?: IntOrList;
}

const isOptions = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Tensor);

/** Positional arguments (named in PyTorch's order) merged with a trailing options object. */
function parseArgs(names: readonly string[], args: readonly unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const positional = args.length > 0 && isOptions(args[args.length - 1]) ? args.slice(0, -1) : args;
  if (positional.length > names.length) throw new TypeError(`expected at most ${names.length + 2} positional arguments, got ${positional.length + 2}`);
  positional.forEach((v, i) => {
    if (v !== undefined) out[names[i]!] = v;
  });
  if (positional !== args) {
    for (const [k, v] of Object.entries(args[args.length - 1] as Record<string, unknown>)) {
      if (!names.includes(k)) throw new TypeError(`got an unexpected keyword argument '${k}'`);
      if (k in out) throw new TypeError(`got multiple values for argument '${k}'`);
      out[k] = v;
    }
  }
  return out;
}

/** PyTorch's _single/_pair/_triple: an int repeated, or a list of exactly `nd` ints. */
export function expandParam(name: string, v: unknown, nd: number, op: string): number[] {
  const list = typeof v === 'number' ? new Array<number>(nd).fill(v) : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'number' && Number.isInteger(x))) {
    throw new TypeError(`${op}(): argument '${name}' must be an int or a list of ints, but got ${String(v)}`);
  }
  if (list.length === 1 && nd > 1) return new Array<number>(nd).fill(list[0]!);
  if (list.length !== nd) {
    throw new RuntimeError(`expected ${name} to be a single integer value or a list of ${nd} values to match the convolution dimensions, but got ${name}=[${list.join(', ')}]`);
  }
  return list as number[];
}

function checkBias(bias: unknown, op: string): Tensor | null {
  if (bias === undefined || bias === null) return null;
  if (!(bias instanceof Tensor)) throw new TypeError(`${op}(): argument 'bias' must be Tensor, not ${typeof bias}`);
  return bias;
}

/** Adds a batch dim to unbatched input; says whether it did. */
function batchify(input: Tensor, nd: number, op: string): [Tensor, boolean] {
  if (!(input instanceof Tensor)) throw new TypeError(`${op}(): argument 'input' must be Tensor, not ${typeof input}`);
  const dim = input.dim();
  if (dim === nd + 2) return [input, false];
  if (dim === nd + 1) return [input.unsqueeze(0), true];
  throw new RuntimeError(`Expected ${nd + 1}D (unbatched) or ${nd + 2}D (batched) input to ${op}, but got input of size: [${input.shape.join(', ')}]`);
}

function unbatch(out: Tensor, batched: Tensor, input: Tensor, unbatched: boolean): Tensor {
  if (!unbatched) return out;
  const r = out.squeeze(0);
  out.dispose();
  if (batched !== input) batched.dispose();
  return r;
}

function convNd(nd: number, op: string, input: Tensor, weight: Tensor, args: readonly unknown[]): Tensor {
  const a = parseArgs(['bias', 'stride', 'padding', 'dilation', 'groups'], args);
  const bias = checkBias(a.bias, op);
  const stride = expandParam('stride', a.stride ?? 1, nd, op);
  const dilation = expandParam('dilation', a.dilation ?? 1, nd, op);
  const groups = (a.groups ?? 1) as number;
  if (!(weight instanceof Tensor)) throw new TypeError(`${op}(): argument 'weight' must be Tensor, not ${typeof weight}`);
  const [x, unbatched] = batchify(input, nd, op);
  const zeros = new Array<number>(nd).fill(0);
  const p = a.padding ?? 0;
  let out: Tensor;
  if (typeof p === 'string') {
    if (p === 'valid') {
      out = convolution(x, weight, bias, stride, zeros, dilation, false, zeros, groups);
    } else if (p === 'same') {
      out = convSame(x, weight, bias, stride, dilation, groups, nd);
    } else {
      throw new RuntimeError(`Invalid padding string: '${p}'`);
    }
  } else {
    out = convolution(x, weight, bias, stride, expandParam('padding', p, nd, op), dilation, false, zeros, groups);
  }
  return unbatch(out, x, input, unbatched);
}

/** padding='same' (stride 1): symmetric padding, plus one extra zero on the right where the total is odd. */
function convSame(x: Tensor, weight: Tensor, bias: Tensor | null, stride: number[], dilation: number[], groups: number, nd: number): Tensor {
  if (stride.some((s) => s !== 1)) throw new RuntimeError("padding='same' is not supported for strided convolutions");
  if (weight.dim() !== nd + 2) {
    // Let the op report the mismatch with PyTorch's message.
    return convolution(x, weight, bias, stride, new Array<number>(nd).fill(0), dilation, false, new Array<number>(nd).fill(0), groups);
  }
  const total = dilation.map((d, i) => d * (weight.shape[i + 2]! - 1));
  const left = total.map((t) => Math.floor(t / 2));
  const extra = total.map((t, i) => t - 2 * left[i]!);
  const zeros = new Array<number>(nd).fill(0);
  if (extra.every((e) => e === 0)) return convolution(x, weight, bias, stride, left, dilation, false, zeros, groups);
  const padList: number[] = [];
  for (let i = nd - 1; i >= 0; i--) padList.push(0, extra[i]!);
  const padded = pad(x, padList);
  const out = convolution(padded, weight, bias, stride, left, dilation, false, zeros, groups);
  padded.dispose();
  return out;
}

function convTransposeNd(nd: number, op: string, input: Tensor, weight: Tensor, args: readonly unknown[]): Tensor {
  const a = parseArgs(['bias', 'stride', 'padding', 'outputPadding', 'groups', 'dilation'], args);
  const bias = checkBias(a.bias, op);
  if (!(weight instanceof Tensor)) throw new TypeError(`${op}(): argument 'weight' must be Tensor, not ${typeof weight}`);
  if (typeof a.padding === 'string') throw new TypeError(`${op}(): argument 'padding' must be an int or a list of ints, not '${a.padding}'`);
  const stride = expandParam('stride', a.stride ?? 1, nd, op);
  const padding = expandParam('padding', a.padding ?? 0, nd, op);
  const outputPadding = expandParam('output_padding', a.outputPadding ?? 0, nd, op);
  const dilation = expandParam('dilation', a.dilation ?? 1, nd, op);
  const [x, unbatched] = batchify(input, nd, op);
  const out = convolution(x, weight, bias, stride, padding, dilation, true, outputPadding, (a.groups ?? 1) as number);
  return unbatch(out, x, input, unbatched);
}

/** conv1d(input, weight, bias?, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1). */
export function conv1d(input: Tensor, weight: Tensor, ...args: Array<Tensor | null | ConvPadding | ConvOptions | undefined>): Tensor {
  return convNd(1, 'conv1d', input, weight, args);
}
/** conv2d(input, weight, bias?, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1). */
export function conv2d(input: Tensor, weight: Tensor, ...args: Array<Tensor | null | ConvPadding | ConvOptions | undefined>): Tensor {
  return convNd(2, 'conv2d', input, weight, args);
}
/** conv3d(input, weight, bias?, stride = 1, padding = 0 | 'same' | 'valid', dilation = 1, groups = 1). */
export function conv3d(input: Tensor, weight: Tensor, ...args: Array<Tensor | null | ConvPadding | ConvOptions | undefined>): Tensor {
  return convNd(3, 'conv3d', input, weight, args);
}
/** convTranspose1d(input, weight, bias?, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1). */
export function convTranspose1d(input: Tensor, weight: Tensor, ...args: Array<Tensor | null | IntOrList | ConvTransposeOptions | undefined>): Tensor {
  return convTransposeNd(1, 'conv_transpose1d', input, weight, args);
}
/** convTranspose2d(input, weight, bias?, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1). */
export function convTranspose2d(input: Tensor, weight: Tensor, ...args: Array<Tensor | null | IntOrList | ConvTransposeOptions | undefined>): Tensor {
  return convTransposeNd(2, 'conv_transpose2d', input, weight, args);
}
/** convTranspose3d(input, weight, bias?, stride = 1, padding = 0, outputPadding = 0, groups = 1, dilation = 1). */
export function convTranspose3d(input: Tensor, weight: Tensor, ...args: Array<Tensor | null | IntOrList | ConvTransposeOptions | undefined>): Tensor {
  return convTransposeNd(3, 'conv_transpose3d', input, weight, args);
}
