/**
 * What every architecture builder shares: torchvision's channel rounding, the `weights` argument
 * (a state dict, checkpoint bytes or a file path; never a download) and intermediate disposal.
 */
import { RuntimeError, Tensor, ValueError, tidy } from '@torchts/core';
import { load } from '@torchts/nn';
import type { Module, StateDict } from '@torchts/nn';

/**
 * Pretrained weights: a state dict (a Map or a plain object of tensors), the bytes of a checkpoint
 * (safetensors or PyTorch's .pt zip format) or the path of such a file (Node only).
 */
export type Weights = StateDict | Record<string, Tensor> | Uint8Array | string;

/** Options every builder takes. */
export interface BuilderOptions {
  /** Output classes of the classifier head (default 1000, ImageNet's). */
  numClasses?: number;
  /** Weights loaded (strictly) after construction; see {@link Weights}. */
  weights?: Weights | null;
}

/** torchvision's `_make_divisible`: `v` rounded to a multiple of `divisor`, never more than 10% below `v`. */
export function makeDivisible(v: number, divisor: number, minValue: number | null = null): number {
  const min = minValue ?? divisor;
  let out = Math.max(min, Math.floor(Math.floor(v + divisor / 2) / divisor) * divisor);
  if (out < 0.9 * v) out += divisor;
  return out;
}

/** Checks a positive integer option (`numClasses`, widths, layer counts) with a message naming it. */
export function checkPositiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new ValueError(`${name} must be a positive integer, but got ${String(v)}`);
  return v;
}

interface NodeFsSync {
  readFileSync(path: string): Uint8Array;
}

function readFileSyncOrThrow(path: string): Uint8Array {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs') as NodeFsSync | undefined;
  if (!fs) throw new RuntimeError(`weights='${path}': reading a file needs Node.js >= 20.16; elsewhere pass the checkpoint's bytes or a state dict`);
  return fs.readFileSync(path);
}

/** Turns a {@link Weights} value into a state dict; `owned` says whether the tensors were created here. */
function resolveWeights(weights: Weights): { sd: Map<string, Tensor>; owned: boolean } {
  if (typeof weights === 'string' || weights instanceof Uint8Array) {
    const bytes = typeof weights === 'string' ? readFileSyncOrThrow(weights) : weights;
    const loaded = load(bytes);
    if (!(loaded instanceof Map) || [...loaded.values()].some((v) => !(v instanceof Tensor))) {
      throw new TypeError('weights: the checkpoint does not hold a state dict (a flat mapping of names to tensors)');
    }
    return { sd: loaded as Map<string, Tensor>, owned: true };
  }
  if (weights instanceof Map) return { sd: weights, owned: false };
  if (typeof weights === 'object' && weights !== null) return { sd: new Map(Object.entries(weights)), owned: false };
  throw new TypeError(`weights must be a state dict, checkpoint bytes or a file path, but got ${typeof weights}`);
}

/** Maps a checkpoint key to the model's name for it, or null to leave the entry out. */
export type KeyMap = (key: string) => string | null;

/**
 * Loads `weights` into `model` strictly (torchvision's `load_state_dict`); `renameKey` maps keys
 * of older checkpoint layouts to the current one (or drops them). Returns the model.
 */
export function loadWeights<M extends Module>(model: M, weights: Weights, renameKey?: KeyMap): M {
  const { sd, owned } = resolveWeights(weights);
  const renamed = renameKey ? new Map([...sd].flatMap(([k, v]) => { const n = renameKey(k); return n === null ? [] : [[n, v] as const]; })) : sd;
  try {
    model.loadStateDict(renamed);
  } finally {
    if (owned) for (const t of sd.values()) t.dispose();
  }
  return model;
}

/** Loads `weights` into a freshly built model when given (disposing the model if loading fails). */
export function withWeights<M extends Module>(model: M, weights: Weights | null | undefined, renameKey?: KeyMap): M {
  if (weights === null || weights === undefined) return model;
  try {
    return loadWeights(model, weights, renameKey);
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** Python's round(): halves go to the even neighbour (2.5 -> 2), unlike Math.round. */
export function pyRound(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** `module.call(x)` for a module known only as `Module` (a norm layer, an activation) that maps a tensor to a tensor. */
export function callModule(m: Module, x: Tensor): Tensor {
  return (m.call as (input: Tensor) => unknown)(x) as Tensor;
}

/** The head most classifiers share: features, pooling, flatten(1), classifier; intermediates freed. */
export function featuresPoolClassify(x: Tensor, m: { features: Module; avgpool: Module; classifier: Module }): Tensor {
  return tidy(() => callModule(m.classifier, callModule(m.avgpool, callModule(m.features, x)).flatten(1)));
}
