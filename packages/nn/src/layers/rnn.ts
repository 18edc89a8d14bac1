/**
 * Recurrent layers: RNNCell, LSTMCell, GRUCell and the multi-layer RNN, LSTM, GRU, with PyTorch's
 * parameter names (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, weight_hr_l0, *_reverse),
 * default initialisation U(-1/sqrt(hidden), 1/sqrt(hidden)) and return conventions.
 */
import * as core from '@torchts/core';
import { RuntimeError, Tensor, ValueError } from '@torchts/core';
import type { DType } from '@torchts/core';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';
import * as init from '../init.js';
import { gruCell, lstmCell, rnnCell, rnnLoop } from '../functional/rnn.js';
import type { RnnLayerWeights, RnnMode } from '../functional/rnn.js';
import { PackedSequence } from '../rnn-utils.js';
import { pyBool, pyNumber } from './repr.js';

export interface RnnFactoryOptions {
  dtype?: DType;
  device?: string;
}

type Fields = Record<string, Tensor | null>;

function resetUniform(module: Module, hiddenSize: number): void {
  const bound = hiddenSize > 0 ? 1 / Math.sqrt(hiddenSize) : 0;
  for (const p of module.parameters()) init.uniform_(p, -bound, bound);
}

// ---- cells ---------------------------------------------------------------------------------

abstract class RNNCellBase extends Module {
  declare inputSize: number;
  declare hiddenSize: number;
  declare bias: boolean;
  declare weight_ih: Tensor;
  declare weight_hh: Tensor;
  declare bias_ih: Tensor | null;
  declare bias_hh: Tensor | null;
  constructor(inputSize: number, hiddenSize: number, bias: boolean, numChunks: number, opts: RnnFactoryOptions) {
    super();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.bias = bias;
    const f = { dtype: opts.dtype, device: opts.device };
    this.weight_ih = Parameter(core.empty([numChunks * hiddenSize, inputSize], f));
    this.weight_hh = Parameter(core.empty([numChunks * hiddenSize, hiddenSize], f));
    this.bias_ih = bias ? Parameter(core.empty([numChunks * hiddenSize], f)) : null;
    this.bias_hh = bias ? Parameter(core.empty([numChunks * hiddenSize], f)) : null;
    this.resetParameters();
  }
  resetParameters(): void {
    resetUniform(this, this.hiddenSize);
  }
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (!this.bias) s += ', bias=False';
    return s;
  }

  /** Checks a 1-D/2-D input and returns [batched input, was-batched] (unbatched inputs get a batch dim). */
  protected prepare(name: string, input: Tensor): [Tensor, boolean] {
    if (input.ndim !== 1 && input.ndim !== 2) {
      throw new ValueError(`${name}: Expected input to be 1D or 2D, got ${input.ndim}D instead`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new RuntimeError(`input has inconsistent input_size: got ${input.shape[input.ndim - 1]} expected ${this.inputSize}`);
    }
    return input.ndim === 1 ? [input.unsqueeze(0), false] : [input, true];
  }

  protected state(hx: Tensor | null | undefined, input: Tensor, batched: boolean, name: string): Tensor {
    if (hx == null) return core.zeros([input.shape[0]!, this.hiddenSize], { dtype: input.dtype, device: input.device });
    const expected = batched ? 2 : 1;
    if (hx.ndim !== expected) {
      throw new RuntimeError(`${name}: Expected hidden to be ${expected}D for ${batched ? 'batched' : 'unbatched'} input, got ${hx.ndim}D instead`);
    }
    return batched ? hx : hx.unsqueeze(0);
  }
}

/** h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). */
export class RNNCell extends RNNCellBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RnnFactoryOptions & { bias?: boolean; nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ValueError(`Unknown nonlinearity: ${String(nl)}`);
    super(inputSize, hiddenSize, opts.bias ?? true, 1, opts);
    this.nonlinearity = nl;
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return core.tidy(() => {
      const [x, batched] = this.prepare('RNNCell', input);
      const h = rnnCell(x, this.state(hx, x, batched, 'RNNCell'), this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh, this.nonlinearity);
      return batched ? h : h.squeeze(0);
    });
  }
  override extraRepr(): string {
    let s = super.extraRepr();
    if (this.nonlinearity !== 'tanh') s += `, nonlinearity=${this.nonlinearity}`;
    return s;
  }
}

/** One LSTM step; forward(input, [h, c]?) returns [h', c']. */
export class LSTMCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RnnFactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 4, opts);
  }
  forward(input: Tensor, hx: [Tensor, Tensor] | null = null): [Tensor, Tensor] {
    return core.tidy(() => {
      const [x, batched] = this.prepare('LSTMCell', input);
      const h = this.state(hx?.[0], x, batched, 'LSTMCell');
      const c = this.state(hx?.[1], x, batched, 'LSTMCell');
      const [h2, c2] = lstmCell(x, [h, c], this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
      return (batched ? [h2, c2] : [h2.squeeze(0), c2.squeeze(0)]) as [Tensor, Tensor];
    });
  }
}

/** One GRU step. */
export class GRUCell extends RNNCellBase {
  constructor(inputSize: number, hiddenSize: number, opts: RnnFactoryOptions & { bias?: boolean } = {}) {
    super(inputSize, hiddenSize, opts.bias ?? true, 3, opts);
  }
  forward(input: Tensor, hx: Tensor | null = null): Tensor {
    return core.tidy(() => {
      const [x, batched] = this.prepare('GRUCell', input);
      const h = gruCell(x, this.state(hx, x, batched, 'GRUCell'), this.weight_ih, this.weight_hh, this.bias_ih, this.bias_hh);
      return batched ? h : h.squeeze(0);
    });
  }
}

// ---- multi-layer ---------------------------------------------------------------------------

export interface RNNBaseOptions extends RnnFactoryOptions {
  numLayers?: number;
  bias?: boolean;
  batchFirst?: boolean;
  dropout?: number;
  bidirectional?: boolean;
  projSize?: number;
}

abstract class RNNBase extends Module {
  declare mode: RnnMode;
  declare inputSize: number;
  declare hiddenSize: number;
  declare numLayers: number;
  declare bias: boolean;
  declare batchFirst: boolean;
  declare dropout: number;
  declare bidirectional: boolean;
  declare projSize: number;

  constructor(mode: RnnMode, inputSize: number, hiddenSize: number, opts: RNNBaseOptions) {
    super();
    const numLayers = opts.numLayers ?? 1;
    const dropout = opts.dropout ?? 0;
    const projSize = opts.projSize ?? 0;
    if (!Number.isInteger(hiddenSize) || hiddenSize <= 0) throw new ValueError('hidden_size must be greater than zero');
    if (!Number.isInteger(numLayers) || numLayers <= 0) throw new ValueError('num_layers must be greater than zero');
    if (dropout < 0 || dropout > 1) {
      throw new ValueError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed');
    }
    if (projSize < 0) throw new ValueError('proj_size should be a positive integer or zero to disable projections');
    if (projSize >= hiddenSize) throw new ValueError('proj_size has to be smaller than hidden_size');
    if (projSize > 0 && mode !== 'LSTM') throw new ValueError('proj_size argument is only supported for LSTM, not RNN or GRU');
    this.mode = mode;
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.numLayers = numLayers;
    this.bias = opts.bias ?? true;
    this.batchFirst = opts.batchFirst ?? false;
    this.dropout = dropout;
    this.bidirectional = opts.bidirectional ?? false;
    this.projSize = projSize;
    if (dropout > 0 && numLayers === 1) {
      console.warn(
        `dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers greater than 1, but got dropout=${dropout} and num_layers=${numLayers}`,
      );
    }
    const gates = mode === 'LSTM' ? 4 : mode === 'GRU' ? 3 : 1;
    const realHidden = projSize > 0 ? projSize : hiddenSize;
    const dirs = this.bidirectional ? 2 : 1;
    const f = { dtype: opts.dtype, device: opts.device };
    const fields = this as unknown as Fields;
    // Definition order = PyTorch's _flat_weights order (w_ih, w_hh, b_ih, b_hh, w_hr per layer/direction).
    for (let layer = 0; layer < numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const layerIn = layer === 0 ? inputSize : realHidden * dirs;
        fields[`weight_ih${sfx}`] = Parameter(core.empty([gates * hiddenSize, layerIn], f));
        fields[`weight_hh${sfx}`] = Parameter(core.empty([gates * hiddenSize, realHidden], f));
        if (this.bias) {
          fields[`bias_ih${sfx}`] = Parameter(core.empty([gates * hiddenSize], f));
          fields[`bias_hh${sfx}`] = Parameter(core.empty([gates * hiddenSize], f));
        }
        if (projSize > 0) fields[`weight_hr${sfx}`] = Parameter(core.empty([projSize, hiddenSize], f));
      }
    }
    this.resetParameters();
  }

  resetParameters(): void {
    resetUniform(this, this.hiddenSize);
  }

  /** Parameter names per layer/direction, as PyTorch's _all_weights. */
  get allWeights(): string[][] {
    const out: string[][] = [];
    const dirs = this.bidirectional ? 2 : 1;
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        const names = [`weight_ih${sfx}`, `weight_hh${sfx}`];
        if (this.bias) names.push(`bias_ih${sfx}`, `bias_hh${sfx}`);
        if (this.projSize > 0) names.push(`weight_hr${sfx}`);
        out.push(names);
      }
    }
    return out;
  }

  protected layerWeights(): RnnLayerWeights[] {
    const fields = this as unknown as Fields;
    const dirs = this.bidirectional ? 2 : 1;
    const out: RnnLayerWeights[] = [];
    for (let layer = 0; layer < this.numLayers; layer++) {
      for (let d = 0; d < dirs; d++) {
        const sfx = `_l${layer}${d === 1 ? '_reverse' : ''}`;
        out.push({
          wIh: fields[`weight_ih${sfx}`]!,
          wHh: fields[`weight_hh${sfx}`]!,
          bIh: this.bias ? fields[`bias_ih${sfx}`]! : null,
          bHh: this.bias ? fields[`bias_hh${sfx}`]! : null,
          wHr: this.projSize > 0 ? fields[`weight_hr${sfx}`]! : null,
        });
      }
    }
    return out;
  }

  /**
   * Shared forward: returns [output, h_n, c_n | null]; output is a PackedSequence for packed input.
   * hx / cx are [numLayers * dirs, B, Hout] ([.., H] for cx), or 2-D for unbatched input.
   */
  protected run(input: Tensor | PackedSequence, hx: Tensor | null, cx: Tensor | null): [Tensor | PackedSequence, Tensor, Tensor | null] {
    const name = this.mode === 'LSTM' ? 'LSTM' : this.mode === 'GRU' ? 'GRU' : 'RNN';
    const dirs = this.bidirectional ? 2 : 1;
    const hOut = this.projSize > 0 ? this.projSize : this.hiddenSize;
    const isLstm = this.mode === 'LSTM';
    const packed = input instanceof PackedSequence;
    const result = core.tidy(() => {
      let steps: Tensor[];
      let B: number;
      let batched = true;
      let ref: Tensor;
      if (packed) {
        steps = input.steps();
        B = input.batchSizesArray()[0] ?? 0;
        ref = input.data;
        if (ref.ndim !== 2) throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${ref.shape[ref.ndim - 1]}`);
      } else {
        if (input.ndim !== 2 && input.ndim !== 3) {
          throw new ValueError(`${name}: Expected input to be 2D or 3D, got ${input.ndim}D instead`);
        }
        batched = input.ndim === 3;
        let x = batched ? input : input.unsqueeze(1);
        if (batched && this.batchFirst) x = x.transpose(0, 1);
        ref = x;
        B = x.shape[1]!;
        steps = Array.from({ length: x.shape[0]! }, (_, t) => x.select(0, t));
      }
      if (ref.shape[ref.ndim - 1] !== this.inputSize) {
        throw new RuntimeError(`input.size(-1) must be equal to input_size. Expected ${this.inputSize}, got ${ref.shape[ref.ndim - 1]}`);
      }
      const prepState = (s: Tensor | null, size: number, what: string): Tensor => {
        const opt = { dtype: ref.dtype, device: ref.device };
        if (s == null) return core.zeros([this.numLayers * dirs, B, size], opt);
        let st = s;
        if (!batched) {
          if (st.ndim !== 2) throw new RuntimeError(`For unbatched 2-D input, ${what} should also be 2-D but got ${st.ndim}-D tensor`);
          st = st.unsqueeze(1);
        } else if (st.ndim !== 3) {
          throw new RuntimeError(`For batched 3-D input, ${what} should also be 3-D but got ${st.ndim}-D tensor`);
        }
        const expected = [this.numLayers * dirs, B, size];
        if (st.shape.join() !== expected.join()) {
          throw new RuntimeError(`Expected hidden size (${expected.join(', ')}), got [${st.shape.join(', ')}]`);
        }
        // Packed input is processed in sorted order: permute the given states to match.
        if (packed && input.sortedIndices) st = st.indexSelect(1, input.sortedIndices);
        return st;
      };
      const h0 = prepState(hx, hOut, 'hx');
      const c0 = isLstm ? prepState(cx, this.hiddenSize, 'cx') : null;
      const { outputs, hN, cN } = rnnLoop(steps, this.layerWeights(), h0, c0, {
        mode: this.mode,
        numLayers: this.numLayers,
        bidirectional: this.bidirectional,
        dropout: this.dropout,
        training: this.training,
      });
      const unsort = (s: Tensor): Tensor => (packed && input.unsortedIndices ? s.indexSelect(1, input.unsortedIndices) : s);
      let hFinal = unsort(hN);
      let cFinal = cN ? unsort(cN) : null;
      let output: Tensor;
      if (packed) {
        output = core.cat(outputs, 0);
      } else {
        output = core.stack(outputs, 0);
        if (!batched) {
          output = output.squeeze(1);
          hFinal = hFinal.squeeze(1);
          cFinal = cFinal ? cFinal.squeeze(1) : null;
        } else if (this.batchFirst) {
          output = output.transpose(0, 1);
        }
      }
      return [output, hFinal, cFinal] as [Tensor, Tensor, Tensor | null];
    });
    const [output, hN, cN] = result;
    if (!packed) return [output, hN, cN];
    const batchSizes = input.batchSizes.clone();
    const sorted = input.sortedIndices ? input.sortedIndices.clone() : null;
    const unsorted = input.unsortedIndices ? input.unsortedIndices.clone() : null;
    return [new PackedSequence(output, batchSizes, sorted, unsorted), hN, cN];
  }

  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyNumber(this.dropout)}`;
    if (this.bidirectional) s += `, bidirectional=${pyBool(true)}`;
    return s;
  }
}

/** Elman RNN: forward(input, h0?) returns [output, h_n]. */
export class RNN extends RNNBase {
  declare nonlinearity: 'tanh' | 'relu';
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions & { nonlinearity?: 'tanh' | 'relu' } = {}) {
    const nl = opts.nonlinearity ?? 'tanh';
    if (nl !== 'tanh' && nl !== 'relu') throw new ValueError(`Unknown nonlinearity '${String(nl)}'`);
    super(nl === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, opts);
    this.nonlinearity = nl;
  }
  /** Typed per input kind (module.call's inferred type would only see the last forward overload). */
  override call(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override call(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override call(...args: Parameters<this['forward']>): ReturnType<this['forward']>;
  override call(...args: unknown[]): unknown {
    return super.call(...(args as Parameters<this['forward']>));
  }
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = this.run(input, hx, null);
    return [out, h];
  }
}

/** LSTM (optionally with projections): forward(input, [h0, c0]?) returns [output, [h_n, c_n]]. */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super('LSTM', inputSize, hiddenSize, opts);
  }
  /** Typed per input kind (module.call's inferred type would only see the last forward overload). */
  override call(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  override call(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  override call(...args: Parameters<this['forward']>): ReturnType<this['forward']>;
  override call(...args: unknown[]): unknown {
    return super.call(...(args as Parameters<this['forward']>));
  }
  forward(input: Tensor, hx?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]];
  forward(input: PackedSequence, hx?: [Tensor, Tensor] | null): [PackedSequence, [Tensor, Tensor]];
  forward(input: Tensor | PackedSequence, hx: [Tensor, Tensor] | null = null): [Tensor | PackedSequence, [Tensor, Tensor]] {
    if (hx != null && (!Array.isArray(hx) || hx.length !== 2)) throw new TypeError('LSTM: hx must be a pair [h0, c0]');
    const [out, h, c] = this.run(input, hx ? hx[0] : null, hx ? hx[1] : null);
    return [out, [h, c!]];
  }
}

/** GRU: forward(input, h0?) returns [output, h_n]. */
export class GRU extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, opts: RNNBaseOptions = {}) {
    super('GRU', inputSize, hiddenSize, opts);
  }
  /** Typed per input kind (module.call's inferred type would only see the last forward overload). */
  override call(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  override call(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  override call(...args: Parameters<this['forward']>): ReturnType<this['forward']>;
  override call(...args: unknown[]): unknown {
    return super.call(...(args as Parameters<this['forward']>));
  }
  forward(input: Tensor, hx?: Tensor | null): [Tensor, Tensor];
  forward(input: PackedSequence, hx?: Tensor | null): [PackedSequence, Tensor];
  forward(input: Tensor | PackedSequence, hx: Tensor | null = null): [Tensor | PackedSequence, Tensor] {
    const [out, h] = this.run(input, hx, null);
    return [out, h];
  }
}
