/**
 * `pad(input, pad, { mode, value })`: torch.nn.functional.pad. `pad` lists (left, right) pairs
 * starting from the last dim; negative values crop. Modes:
 * - 'constant' (the op constant_pad_nd): crop with narrow, fill, copy into the middle.
 * - 'reflect', 'replicate', 'circular': one indexSelect per padded dim with an index that maps
 *   each output position to its source (mirror / clamp / wrap), so every dtype and device with
 *   index_select works; PyTorch 1.13's rank and dtype rules are kept.
 */
import type { DType } from '../../dtype.js';
import { defineOp } from '../../dispatcher.js';
import { NotImplementedError, RuntimeError } from '../../errors.js';
import { fmtShape } from '../../shape.js';
import { scalarTypeName } from '../../promotion.js';
import { Tensor, emptyTensor, makeView } from '../../tensor.js';
import { clone, copyOp } from '../copy.js';
import { fillOp, writeValues } from '../creation.js';
import { narrowOp } from '../view.js';
import { indexSelect } from '../indexing/indexSelect.js';

export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

export interface PadOptions {
  mode?: PadMode;
  value?: number | null;
}

function checkPad(pad: unknown): number[] {
  if (!Array.isArray(pad)) throw new TypeError(`pad(): argument 'pad' must be tuple of ints, not ${typeof pad}`);
  return pad.map((p) => {
    if (typeof p !== 'number' || !Number.isInteger(p)) throw new TypeError(`pad(): argument 'pad' must be tuple of ints, but found element ${String(p)}`);
    return p;
  });
}

/** The first dim `pad` touches, and for dim d its (before, after) amounts. */
function padOf(pad: readonly number[], nd: number, d: number): [number, number] {
  const k = nd - 1 - d;
  return k * 2 < pad.length ? [pad[2 * k]!, pad[2 * k + 1]!] : [0, 0];
}

export const constantPadNdOp = defineOp('constant_pad_nd', (self: Tensor, pad: number[], value = 0): Tensor => {
  const nd = self._shape.length;
  if (pad.length % 2 !== 0) throw new RuntimeError(`Length of pad must be even but instead it equals ${pad.length}`);
  if (pad.length / 2 > nd) {
    throw new RuntimeError(`Length of pad should be no more than twice the number of dimensions of the input. Pad length is ${pad.length}while the input has ${nd}dimensions.`);
  }
  const first = nd - pad.length / 2;
  // Crop first (negative pads are narrows of the input).
  let cropped = self;
  const narrowTo = (d: number, start: number, len: number) => {
    const next = narrowOp.call(cropped, d, start, len);
    if (cropped !== self) cropped.dispose();
    cropped = next;
  };
  try {
    for (let d = first; d < nd; d++) {
      const [before, after] = padOf(pad, nd, d);
      if (before < 0) narrowTo(d, -before, cropped._shape[d]! + before);
      if (after < 0) narrowTo(d, 0, cropped._shape[d]! + after);
    }
  } catch (e) {
    if (cropped !== self) cropped.dispose();
    throw e;
  }
  if (pad.every((p) => p <= 0)) {
    const out = clone(cropped);
    if (cropped !== self) cropped.dispose();
    return out;
  }
  const shape = [...self._shape];
  for (let d = first; d < nd; d++) {
    const [before, after] = padOf(pad, nd, d);
    shape[d] = self._shape[d]! + before + after;
    if (shape[d]! <= 0) {
      if (cropped !== self) cropped.dispose();
      throw new RuntimeError(`The input size ${self._shape[d]}, plus negative padding ${before} and ${after} resulted in a negative output size, which is invalid. Check dimension ${d} of your input.`);
    }
  }
  const out = emptyTensor(shape, self._dtype, self.device);
  fillOp.call(out, value);
  if (cropped.numel() > 0) {
    let offset = 0;
    for (let d = first; d < nd; d++) offset += Math.max(padOf(pad, nd, d)[0], 0) * out._strides[d]!;
    const middle = makeView(out, [...cropped._shape], [...out._strides], offset);
    copyOp.kernel(self.device)(middle, cropped);
    middle.dispose();
  }
  if (cropped !== self) cropped.dispose();
  return out;
});

function typeString(t: Tensor): string {
  return `[ torch.${scalarTypeName(t._dtype)}Tensor{${t._shape.join(',')}} ]`;
}

function requireFloat(t: Tensor, kernelName: string): void {
  const ok: DType[] = ['float32', 'float64'];
  if (!ok.includes(t._dtype)) throw new RuntimeError(`"${kernelName}" not implemented for '${scalarTypeName(t._dtype)}'`);
}

/** PyTorch 1.13's argument checks for reflection_pad{1,2,3}d. */
function checkReflect(t: Tensor, pad: readonly number[]): void {
  const k = pad.length / 2;
  const nd = t._shape.length;
  const s = t._shape;
  const nonEmpty = s.slice(1).every((x) => x !== 0);
  if (!nonEmpty) {
    const want = k === 1 ? '2D or 3D' : k === 2 ? '3D or 4D' : '4D or 5D';
    throw new RuntimeError(`${want} (batch mode) tensor expected for input, but got: ${typeString(t)}`);
  }
  const where = k === 2 ? String(nd) : fmtShape(s);
  for (let j = 0; j < k; j++) {
    const d = nd - 1 - j;
    const [l, r] = [pad[2 * j]!, pad[2 * j + 1]!];
    if (!(l < s[d]! && r < s[d]!)) {
      throw new RuntimeError(`Argument #${4 + 2 * j}: Padding size should be less than the corresponding input dimension, but got: padding (${l}, ${r}) at dimension ${d} of input ${where}`);
    }
  }
  const outW = s[nd - 1]! + pad[0]! + pad[1]!;
  if (k === 1 && outW < 1) throw new RuntimeError(`2input (W: ${s[nd - 1]})is too small. Calculated output W: ${outW}`);
  requireFloat(t, `reflection_pad${k}d`);
}

function checkReplicate(t: Tensor, pad: readonly number[]): void {
  const k = pad.length / 2;
  const nd = t._shape.length;
  const s = t._shape;
  const ok = nd === k + 1 ? s.every((x) => x !== 0) : s.slice(1).every((x) => x !== 0);
  if (!ok) {
    const want = k === 1 ? '2D or 3D' : k === 2 ? '3D or 4D' : '4D or 5D';
    throw new RuntimeError(`Expected ${want} (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: ${fmtShape(s)}`);
  }
  const outW = s[nd - 1]! + pad[0]! + pad[1]!;
  if (k === 1 && outW < 1) throw new RuntimeError(`input (W: ${s[nd - 1]}) is too small. Calculated output W: ${outW}`);
  requireFloat(t, `replication_pad${k}d_cpu`);
}

function checkCircular(t: Tensor, pad: readonly number[]): void {
  const nd = t._shape.length;
  if (pad.length + 4 !== nd * 2) throw new RuntimeError(`Invalid padding size, expected ${(nd - 2) * 2} but got ${pad.length}`);
  for (let j = 0; j < pad.length / 2; j++) {
    const d = nd - 1 - j;
    const size = t._shape[d]!;
    const [l, r] = [pad[2 * j]!, pad[2 * j + 1]!];
    if (!(l <= size && r <= size)) throw new RuntimeError('Padding value causes wrapping around more than once.');
    if (size + l + r < 0) throw new RuntimeError('Negative padding value is resulting in an empty dimension');
  }
}

/** Source position of each output position along one dim. */
function sourceIndex(mode: Exclude<PadMode, 'constant'>, size: number, before: number, after: number): number[] {
  const n = size + before + after;
  if (n < 0) throw new RuntimeError(`Trying to create tensor with negative dimension ${n}: [${n}]`);
  const out = new Array<number>(n);
  // Circular padding wraps around the cropped input (PyTorch crops negative pads first).
  const cropL = Math.max(-before, 0);
  const kept = size - cropL - Math.max(-after, 0);
  for (let o = 0; o < n; o++) {
    const i = o - before;
    if (mode === 'replicate') out[o] = Math.min(Math.max(i, 0), size - 1);
    else if (mode === 'circular') out[o] = cropL + ((((o - Math.max(before, 0)) % kept) + kept) % kept);
    else out[o] = i < 0 ? -i : i >= size ? 2 * (size - 1) - i : i;
  }
  return out;
}

function padByIndex(self: Tensor, pad: readonly number[], mode: Exclude<PadMode, 'constant'>): Tensor {
  const nd = self._shape.length;
  let cur = self;
  for (let j = 0; j < pad.length / 2; j++) {
    const d = nd - 1 - j;
    const [before, after] = [pad[2 * j]!, pad[2 * j + 1]!];
    if (before === 0 && after === 0) continue;
    const src = sourceIndex(mode, cur._shape[d]!, before, after);
    const index = emptyTensor([src.length], 'int64', self.device);
    writeValues(index, src);
    const next = indexSelect(cur, d, index);
    index.dispose();
    if (cur !== self) cur.dispose();
    cur = next;
  }
  return cur === self ? clone(self) : cur;
}

/**
 * torch.nn.functional.pad: `pad(x, [1, 1])`, `pad(x, [1, 1, 2, 0], { mode: 'reflect' })`,
 * `pad(x, [1, 1], 'constant', 3)` or `pad(x, [1, 1], { value: 3 })`.
 */
export function pad(input: Tensor, padding: readonly number[], mode: PadMode | PadOptions = 'constant', value?: number | null): Tensor {
  if (!(input instanceof Tensor)) throw new TypeError(`pad(): argument 'input' must be Tensor, not ${typeof input}`);
  let m: string;
  let v = value ?? null;
  if (typeof mode === 'object' && mode !== null) {
    m = mode.mode ?? 'constant';
    v = mode.value ?? v;
  } else m = mode ?? 'constant';
  const p = checkPad(padding);
  const nd = input._shape.length;
  if (p.length % 2 !== 0) throw new RuntimeError('Padding length must be divisible by 2');
  if (p.length > nd * 2) throw new RuntimeError('Padding length too large');
  if (m === 'constant') return constantPadNdOp.call(input, p, v ?? 0);
  if (m !== 'reflect' && m !== 'replicate' && m !== 'circular') throw new NotImplementedError(`Unrecognised padding mode ${m}`);
  if (v !== null && v !== 0) throw new RuntimeError(`Padding mode "${m}" doesn't take in value argument`);
  const k = p.length / 2;
  if (!(k >= 1 && k <= 3 && (nd === k + 1 || nd === k + 2))) {
    throw new NotImplementedError('Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now');
  }
  if (m === 'reflect') checkReflect(input, p);
  else if (m === 'replicate') checkReplicate(input, p);
  else checkCircular(input, p);
  return padByIndex(input, p, m);
}
